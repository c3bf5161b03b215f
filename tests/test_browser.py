"""Open the tour's report in real headless Chromium: no console errors, every figure drawn."""

import os
from pathlib import Path

import pytest

from glassgrad.labs import list_labs

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("tour")]

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def _need_chromium():
    present = Path(CHROMIUM).exists() and Path(DRIVER).exists()
    if not present:
        if os.environ.get("CI"):
            pytest.fail(
                f"CI is set but {CHROMIUM} / {DRIVER} are missing (apt-get install "
                "chromium chromium-driver)"
            )
        pytest.skip(f"headless Chromium not installed ({CHROMIUM}, {DRIVER})")


@pytest.fixture(scope="session")
def report_path(request):
    _need_chromium()  # before the tour, so that a machine without Chromium skips at once
    return request.getfixturevalue("tour_report")


@pytest.fixture
def driver():
    _need_chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield drv
    drv.quit()


def test_report_renders_in_chromium(report_path, driver):
    driver.get(report_path.as_uri())
    driver.save_screenshot(str(report_path.parent / "report.png"))
    assert (report_path.parent / "report.png").stat().st_size > 0

    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe

    sections = driver.execute_script(
        "return [...document.querySelectorAll('section.lab')].map(s => s.id)"
    )
    assert sections == [f"lab-{lab.id}" for lab in list_labs()]

    broken_images = driver.execute_script(
        "return [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src.slice(0, 60))"
    )
    assert not broken_images
    svg_sizes = driver.execute_script(
        "return [...document.querySelectorAll('figure svg')].map(s => {"
        "const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert svg_sizes and all(w > 0 and h > 0 for w, h in svg_sizes), svg_sizes
    summary = driver.find_element("id", "summary").text
    assert ", 0 failed" in summary, summary
