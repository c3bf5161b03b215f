"""The tour writes one self-contained report with a section per lab and no failed checks."""

import re

import pytest

from glassgrad.labs import list_labs
from glassgrad.report import markdown_to_html, write_report

pytestmark = [pytest.mark.xdist_group("tour"), pytest.mark.slow]


@pytest.fixture(scope="session")
def html(tour_report):
    return tour_report.read_text(encoding="utf-8")


def test_every_lab_has_a_section(html):
    ids = re.findall(r'<section class="lab" id="lab-([^"]+)"', html)
    assert ids == [lab.id for lab in list_labs()]


def test_no_failed_checks(html):
    failed = re.findall(r'<tr class="fail"><td>✗</td><td>([^<]*)', html)
    errors = re.findall(r'<h3 class="fail">Error</h3><pre>([^<]*)', html)
    assert not failed and not errors, (failed, errors)
    counts = re.search(
        r"(\d+) checks passed</span>, <span class=\"\w+\">(\d+) failed</span>, "
        r"<span class=\"\w+\">(\d+) cells not run",
        html,
    )
    passed, failed, not_run = map(int, counts.groups())
    assert failed == 0 and not_run == 0 and passed >= 200
    assert 'class="summary"' in html


def test_report_is_self_contained(html):
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert html.count("<svg") >= len(list_labs())
    assert "✓" in html and "checks passed" in html


def test_cells_after_an_error_are_counted_as_not_run(tmp_path, monkeypatch):
    from glassgrad.labs import run_lab

    lab = tmp_path / "labs" / "lab_9_9_9_broken.py"
    lab.parent.mkdir()
    lab.write_text("# %%\nx = 1\n# %%\nraise ValueError('boom')\n# %%\ny = 2\n# %%\nz = 3\n")
    monkeypatch.setenv("GLASSGRAD_LABS", str(lab.parent))
    result = run_lab("9.9.9")
    assert result.not_run == [2, 3] and not result.ok and "boom" in result.error
    html = write_report([result], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "2 cells not run" in html and 'class="summary bad"' in html


def test_failed_check_is_marked(tmp_path):
    from glassgrad.labs import Check, LabResult

    lab = list_labs()[0]
    bad = LabResult(lab, [Check("f'(3)", 5.0, 6.0, "fail")])
    html = write_report([bad], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "✗" in html and "1 failed" in html and 'class="summary bad"' in html


def test_write_is_atomic(tmp_path, monkeypatch):
    import glassgrad.report as report

    target = tmp_path / "report.html"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report([], target)
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_markdown_subset():
    html = markdown_to_html("# T\n\nsome **bold** `code` <b>\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>T</h2>" in html and "<strong>bold</strong>" in html and "&lt;b&gt;" in html
    assert "<td>1</td><td>2</td>" in html and "---" not in html


def test_markdown_ordered_list():
    assert markdown_to_html("1. one\n2. two") == "<ol><li>one</li><li>two</li></ol>"


def test_big_arrays_are_summarised(tmp_path):
    import numpy as np

    from glassgrad.labs import Check, LabResult

    big = np.arange(100.0).reshape(10, 10).tolist()
    result = LabResult(list_labs()[0], [Check("image", big, big, "pass")])
    html = write_report([result], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "array of shape (10, 10), min 0, max 99: [0, 1, 2, 3, …]" in html
    assert "99.0" not in html.split('class="checks"')[1]
