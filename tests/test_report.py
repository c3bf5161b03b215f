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
    outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", outside_scripts)
    assert not re.search(r"<script[^>]*\bsrc=", html)  # every script is inline
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1  # the library once per page
    assert html.count('class="interactive"') >= 6
    assert html.count("<svg") >= len(list_labs())
    assert "✓" in html and "checks passed" in html
    assert len(html.encode()) < 12e6


def test_every_heading_has_a_unique_id_and_a_contents_link(html):
    ids = re.findall(r'\sid="([^"]+)"', re.sub(r"<script.*?</script>", "", html, flags=re.S))
    assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1][:5]
    headings = re.findall(r'<h[2-6] id="([^"]+)"', html)
    nav = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    assert len(headings) >= 40
    assert set(re.findall(r'href="#([^"]+)"', nav)) >= set(headings) - {
        h
        for h in headings
        if f'<h2 id="{h}"' in html  # a lab's title is its lab's link
    }
    assert '<meta name="viewport"' in html


def test_checks_are_folded_and_exercises_have_solutions(html):
    assert re.search(r'<details class="checks"><summary>✓ \d+ checks? passed', html)
    assert '<details class="checks bad"' not in html
    solutions = re.findall(r'<details class="solution"><summary>Worked solution: (ex\d)', html)
    assert len(solutions) == 3 * len(list_labs())
    code = re.sub(r"<[^>]+>", "", html)  # highlighted code as plain text
    assert code.count("ex1 = ...") == len(list_labs())  # the blanks stay blank


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
    assert '<h2 id="t">T</h2>' in html and "<strong>bold</strong>" in html and "&lt;b&gt;" in html
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


def test_markdown_math_becomes_mathml():
    html = markdown_to_html("slope $\\frac{dy}{dx}$ here\n\n$$x^2$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html and 'display="block"' in html and "$" not in html


def test_svg_ids_are_prefixed_per_figure():
    from glassgrad.report import _svg

    svg = '<?xml?><svg><path id="a"/><use xlink:href="#a"/><g clip-path="url(#a)"/></svg>'
    out = _svg(svg, "fig-1")
    assert 'id="fig-1-a"' in out and 'href="#fig-1-a"' in out and "url(#fig-1-a)" in out
