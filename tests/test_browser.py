"""Open the tour's report in real headless Chromium and use it as a learner would.

Every figure is drawn, every slider changes its plot's data, sidebar links scroll to their
sections, formulas are MathML, the console stays clean, and at 400 px nothing overflows.
"""

import os
from pathlib import Path

import pytest

from glassgrad.labs import list_labs

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("tour")]

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
DOCS = Path(__file__).resolve().parents[1] / "docs"


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


def _chrome(width, height):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture(scope="module")
def page(report_path):
    """The report open at desktop width (one browser for the module's tests)."""
    _need_chromium()
    drv = _chrome(1280, 900)
    drv.get(report_path.as_uri())
    drv.set_script_timeout(30)
    yield drv
    drv.quit()


def _severe(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_report_renders_in_chromium(page, report_path):
    assert not _severe(page)
    sections = page.execute_script(
        "return [...document.querySelectorAll('section.lab')].map(s => s.id)"
    )
    assert sections == [f"lab-{lab.id}" for lab in list_labs()]
    svg_sizes = page.execute_script(
        "return [...document.querySelectorAll('figure svg')].map(s => {"
        "const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert svg_sizes and all(w > 0 and h > 0 for w, h in svg_sizes), svg_sizes
    assert ", 0 failed" in page.find_element("id", "summary").text
    duplicates = page.execute_script(
        "const seen = {}; document.querySelectorAll('[id]').forEach(e => "
        "seen[e.id] = (seen[e.id] || 0) + 1);"
        "return Object.keys(seen).filter(k => seen[k] > 1)"
    )
    assert not duplicates, duplicates[:10]
    page.save_screenshot(str(report_path.parent / "report.png"))


def _trace_data(driver, plot):
    return driver.execute_script(
        "return JSON.stringify(arguments[0].data.map(t => [t.x, t.y, t.z, t.text]))", plot
    )


def test_every_slider_changes_its_plot(page):
    from selenium.webdriver.common.keys import Keys

    boxes = page.find_elements("css selector", ".interactive")
    assert len(boxes) >= 6
    moved = 0
    for box in boxes:
        plot = box.find_element("css selector", ".plot")
        assert page.execute_script("return arguments[0].data.length", plot) > 0
        for slider in box.find_elements("css selector", "input[type=range]"):
            page.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
            before, value = _trace_data(page, plot), slider.get_attribute("value")
            last = slider.get_attribute("max") == value
            slider.send_keys(Keys.ARROW_LEFT if last else Keys.ARROW_RIGHT)
            assert slider.get_attribute("value") != value, "the slider did not move"
            after = _trace_data(page, plot)
            assert after != before, (box.get_attribute("id"), slider.get_attribute("aria-label"))
            moved += 1
    assert moved >= 10
    assert not _severe(page)


def test_sidebar_links_reach_their_sections(page):
    links = page.find_elements("css selector", "nav.toc a")
    assert len(links) >= 40  # every lab and every section heading
    hrefs = [a.get_attribute("href").split("#")[1] for a in links]
    missing = page.execute_script(
        "return arguments[0].filter(id => !document.getElementById(id))", hrefs
    )
    assert not missing
    for index in (1, len(links) // 2, len(links) - 1):
        target = hrefs[index]
        page.execute_script("arguments[0].scrollIntoView()", links[index])
        links[index].click()
        top = page.execute_script(
            "return document.getElementById(arguments[0]).getBoundingClientRect().top", target
        )
        height = page.execute_script("return window.innerHeight")
        assert -5 < top < height / 2, (target, top)  # scrolled to it (the last may sit lower)
        assert page.execute_script("return location.hash") == f"#{target}"


def test_formulas_are_mathml(page):
    count = page.execute_script("return document.querySelectorAll('main math').length")
    assert count >= 20
    box = page.execute_script(
        "const m = document.querySelector('main math'); const r = m.getBoundingClientRect();"
        "return [r.width, r.height]"
    )
    assert box[0] > 0 and box[1] > 0  # Chromium lays MathML out natively
    assert page.find_elements("css selector", "pre.code span")  # highlighted code


def test_narrow_screen_has_no_horizontal_overflow(report_path):
    drv = _chrome(400, 900)
    try:
        drv.get(report_path.as_uri())
        width = drv.execute_script("return window.innerWidth")
        wide = drv.execute_script(
            "return [...document.querySelectorAll('main *, nav *')].filter(e => "
            "e.getBoundingClientRect().right > window.innerWidth + 1 && "
            "!e.closest('.scroll, pre, math, .plot')).map(e => e.tagName + '.' + e.className)"
            ".slice(0, 10)"
        )
        assert not wide, wide
        assert drv.execute_script("return document.documentElement.scrollWidth") <= width
        target = report_path.parent / "report-400px.png"
        drv.execute_script("document.getElementById('lab-1.4.2').scrollIntoView()")
        drv.save_screenshot(str(target))
        assert target.stat().st_size > 0
        assert not _severe(drv)
    finally:
        drv.quit()


def test_readme_screenshot_is_current(page, report_path, tmp_path):
    """The README's picture of the report is a screenshot this test can reproduce."""
    page.get(report_path.as_uri())  # fresh: every slider at its starting position
    page.execute_script(
        "document.querySelector('#fig-1-4-2-momentum-slider').scrollIntoView({block: 'center'})"
    )
    shot = report_path.parent / "report-sliders.png"
    page.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("GLASSGRAD_UPDATE_DOCS"):
        DOCS.mkdir(exist_ok=True)
        (DOCS / "report.png").write_bytes(shot.read_bytes())
    assert (DOCS / "report.png").exists(), "run with GLASSGRAD_UPDATE_DOCS=1 to create it"
