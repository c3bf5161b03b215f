"""The HTML report: every lab as a lesson: explanations, code, figures and checked numbers.

The page is one self-contained file (inline CSS, figures as inline SVG, plotly.js inlined once
for the figures with sliders, formulas as MathML; no network) written atomically, so a
half-written report never replaces a good one.
"""

import html
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from glassgrad.labs.exercises import EXERCISES, _num
from glassgrad.labs.runner import parse_cells

__all__ = ["markdown_to_html", "render_report", "write_report"]

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;line-height:1.55;background:#fff}
.layout{display:grid;grid-template-columns:250px minmax(0,1fr);gap:2em;max-width:1280px;
margin:0 auto;padding:0 1em}
nav.toc{position:sticky;top:0;align-self:start;max-height:100vh;overflow-y:auto;
padding:1em 0;font-size:14px}
nav.toc ul{list-style:none;padding-left:0;margin:0}nav.toc ul ul{padding-left:1em}
nav.toc a{color:#1a55a8;text-decoration:none;display:block;padding:1px 0}
nav.toc a:hover{text-decoration:underline}
main{min-width:0;max-width:900px;padding-bottom:4em}
p,li,td,summary,figcaption{overflow-wrap:anywhere}
pre{background:#f5f5f7;padding:.8em;overflow-x:auto;border-radius:6px;font-size:13px}
pre.output{background:#fff;border:1px solid #ddd}
code{font-family:ui-monospace,monospace}
section.lab{border-top:2px solid #ccc;margin-top:2.5em;padding-top:1em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #ddd;padding:.25em .6em;
text-align:left;font-size:14px}
.pass{color:#137333}.fail{color:#c5221f;font-weight:bold}.info{color:#555}
details.checks>summary,details.solution>summary{cursor:pointer;color:#137333;font-size:14px}
details.checks.bad>summary{color:#c5221f;font-weight:bold}
details.solution{background:#f4f7fb;border-left:3px solid #1a55a8;padding:.4em .8em;margin:.6em 0}
details.solution>summary{color:#1a55a8}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:14px;color:#444;margin-top:.3em}
.interactive .plot{width:100%;min-height:380px}
.sliders{display:flex;flex-wrap:wrap;gap:.4em 1.5em;font-size:14px;margin:.3em 0}
.slider{display:flex;align-items:center;gap:.5em}.slider input{width:160px}
.slider output{min-width:3.5em;font-variant-numeric:tabular-nums}
math[display=block]{display:block;overflow-x:auto;margin:.6em 0}
.summary{background:#eef6ee;padding:.8em 1em;border-radius:6px}
.summary.bad{background:#fbeaea}
.labhead{color:#555;margin-bottom:0}
@media (max-width:800px){.layout{display:block}nav.toc{position:static;max-height:none}
nav.toc ul ul{display:none}}
"""

_MARK = {"pass": "✓", "fail": "✗", "info": "·"}
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$")


def _math(latex, display=False):
    """LaTeX to MathML (Chromium and Firefox draw MathML natively, no script needed)."""
    from latex2mathml.converter import convert

    return convert(latex, display="block" if display else "inline")


def _inline(text):
    """Escape text, typeset ``$…$`` as MathML, and mark up `code` and **bold**."""
    parts = []
    for i, piece in enumerate(_MATH.split(text)):
        if i % 3 == 0:
            piece = html.escape(piece, quote=False)
            piece = re.sub(r"`([^`]+)`", r"<code>\1</code>", piece)
            parts.append(re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", piece))
        elif piece is not None:
            parts.append(_math(piece, display=i % 3 == 1))
    return "".join(parts)


class _Page:
    """Unique element ids across the page, and the headings for the contents list."""

    def __init__(self):
        self.ids, self.headings = set(), []

    def new_id(self, text):
        base = _slug(text) or "s"
        name, n = base, 1
        while name in self.ids:
            n += 1
            name = f"{base}-{n}"
        self.ids.add(name)
        return name


def markdown_to_html(text, page=None, prefix=""):
    r"""A small Markdown subset: headings (with ids), lists, tables, paragraphs, ``$math$``.

    Example:
        >>> markdown_to_html("## Hi\n- a `b`")
        '<h3 id="hi">Hi</h3>\n<ul><li>a <code>b</code></li></ul>'
    """
    page = _Page() if page is None else page
    out, para, items, rows, numbered = [], [], [], [], []

    def flush():
        if para:
            out.append("<p>" + _inline(" ".join(para)) + "</p>")
        for tag, entries in (("ul", items), ("ol", numbered)):
            if entries:
                body = "".join(f"<li>{_inline(i)}</li>" for i in entries)
                out.append(f"<{tag}>{body}</{tag}>")
        if rows:
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline(c.strip())}</td>" for c in r) + "</tr>"
                for r in rows
                if not set("".join(r)) <= set("-: ")
            )
            out.append(f'<div class="scroll"><table>{body}</table></div>')
        para.clear(), items.clear(), rows.clear(), numbered.clear()

    for line in text.splitlines():
        s = line.strip()
        heading = re.match(r"(#{1,5})\s+(.*)", s)
        if heading:
            flush()
            level = min(len(heading.group(1)) + 1, 6)
            anchor = page.new_id(f"{prefix}-{heading.group(2)}" if prefix else heading.group(2))
            page.headings.append((level, anchor, heading.group(2)))
            out.append(f'<h{level} id="{anchor}">{_inline(heading.group(2))}</h{level}>')
        elif s.startswith("$$") and s.endswith("$$") and len(s) > 4:
            flush()
            out.append(_math(s[2:-2].strip(), display=True))
        elif s.startswith(("- ", "* ")):
            items.append(s[2:])
        elif re.match(r"\d+\. ", s):
            numbered.append(s.split(". ", 1)[1])
        elif s.startswith("|"):
            rows.append(s.strip("|").split("|"))
        elif s:
            para.append(s)
        else:
            flush()
    flush()
    return "\n".join(out)


def _svg(text, prefix):
    """The ``<svg>`` element with every id (and reference to one) prefixed: unique per page."""
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else ""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def _fmt(value):
    """Numbers to 10 significant digits, nested lists kept, everything else as str."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        flat = np.asarray(value, dtype=float).ravel()
        if flat.size > 12:  # a big array: its shape, range and first entries
            head = ", ".join(f"{v:.6g}" for v in flat[:4])
            return (
                f"array of shape {np.shape(value)}, min {flat.min():.6g}, "
                f"max {flat.max():.6g}: [{head}, …]"
            )
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _checks_table(checks):
    """The checked numbers folded under a one-line summary (open when one failed)."""
    if not checks:
        return ""
    rows = []
    for c in checks:
        expected = "" if c.expected is None else html.escape(_fmt(c.expected))
        value = html.escape(_fmt(c.value))
        rows.append(
            f'<tr class="{c.status}"><td>{_MARK[c.status]}</td>'
            f"<td>{html.escape(c.name)}</td><td>{value}</td><td>{expected}</td></tr>"
        )
    head = "<tr><th></th><th>quantity</th><th>value</th><th>expected</th></tr>"
    n = {s: sum(c.status == s for c in checks) for s in _MARK}
    line = f"✓ {n['pass']} check{'s' * (n['pass'] != 1)} passed"
    line += f", ✗ {n['fail']} failed" if n["fail"] else ""
    line += f", {n['info']} recorded" if n["info"] else ""
    state = ' class="checks bad" open' if n["fail"] else ' class="checks"'
    return (
        f'<details{state}><summary>{line}</summary><div class="scroll">'
        f'<table class="checks">{head}{"".join(rows)}</table></div></details>'
    )


def _counts(results):
    counts = {"pass": 0, "fail": 0, "not run": 0}
    for r in results:
        for c in r.checks:
            if c.status in counts:
                counts[c.status] += 1
        counts["fail"] += bool(r.error)
        counts["not run"] += len(r.not_run)
    return counts


def _figure(fig, page, lab_id):
    anchor = page.new_id(f"fig-{lab_id}-{fig.name}")
    caption = html.escape(fig.caption or fig.name.replace("_", " "))
    body = fig.content.to_html(anchor + "-plot") if fig.interactive else _svg(fig.content, anchor)
    return f'<figure class="fig" id="{anchor}">{body}<figcaption>{caption}</figcaption></figure>'


def _code(text):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    body = highlight(text, PythonLexer(), HtmlFormatter(nowrap=True))
    return f'<pre class="code"><code>{body}</code></pre>'


def _solutions(lab_id, code):
    """The worked solutions of the exercises a code cell checks, each folded."""
    parts = []
    for name in dict.fromkeys(
        re.findall(r"check\(\s*[\"'][^\"']+[\"']\s*,\s*[\"'](\w+)[\"']", code)
    ):
        ex = EXERCISES.get(lab_id, {}).get(name)
        if ex is not None:
            want = ex.solve()
            answer = html.escape(want if isinstance(want, str) else _fmt(_num(want).tolist()))
            parts.append(
                f'<details class="solution"><summary>Worked solution: {name}</summary>'
                f"<p>{_inline(ex.question)}</p><p>{_inline(ex.hint)}</p>"
                f"{_code(ex.solution) if ex.solution else ''}"
                f"<p>Answer: <code>{name} = {answer}</code></p></details>"
            )
    return parts


def _section(result, page):
    lab = result.lab
    state = "pass" if result.ok else "fail"
    parts = [
        f'<section class="lab" id="lab-{html.escape(lab.id)}">',
        f'<p class="labhead">Lab {html.escape(lab.id)} <span class="{state}">'
        f"({'ok' if result.ok else 'failed'}, {result.seconds:.1f} s)</span></p>",
    ]
    page.ids.add(f"lab-{lab.id}")
    for index, (kind, text, _) in enumerate(parse_cells(lab.path.read_text(encoding="utf-8"))):
        if kind == "markdown":
            parts.append(markdown_to_html(text, page, prefix=lab.id))
            continue
        parts.append(_code(text))
        parts += _cell_results(result, index, page)
        parts += _solutions(lab.id, text)
    parts += _cell_results(result, -1, page)  # anything recorded outside the cells
    if result.error:
        parts.append(f'<h3 class="fail">Error</h3><pre>{html.escape(result.error)}</pre>')
    parts.append("</section>")
    return "\n".join(parts)


def _cell_results(result, index, page):
    """The printed output, figures and (folded) checked numbers of one code cell."""
    parts = []
    printed = result.outputs.get(index, "").strip()
    if printed:
        parts.append(f'<pre class="output">{html.escape(printed)}</pre>')
    parts += [_figure(f, page, result.lab.id) for f in result.figures if f.cell == index]
    parts.append(_checks_table([c for c in result.checks if c.cell == index]))
    return parts


def _contents(results, page):
    """The sidebar: each lab, and under it the lab's section headings."""
    items = []
    for r in results:
        subs = [(a, t) for level, a, t in page.headings if a.startswith(_slug(r.lab.id) + "-")]
        title, subs = (subs[0][1], subs[1:]) if subs else (r.lab.title, subs)
        inner = "".join(f'<li><a href="#{a}">{_inline(t)}</a></li>' for a, t in subs)
        items.append(
            f'<li><a href="#lab-{html.escape(r.lab.id)}">{html.escape(r.lab.id)}: '
            f"{_inline(title)}</a>{f'<ul>{inner}</ul>' if inner else ''}</li>"
        )
    head = '<nav class="toc" aria-label="Contents"><strong>Contents</strong>'
    return f"{head}<ul>{''.join(items)}</ul></nav>"


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_report(results, title="glassgrad: the mathematics of deep learning"):
    """The report's HTML text for a list of :class:`~glassgrad.labs.LabResult`."""
    page = _Page()
    page.ids.update({"summary", "top"})
    counts = _counts(results)
    bad = " bad" if counts["fail"] or counts["not run"] else ""
    summary = (
        f'<div class="summary{bad}" id="summary"><strong>{len(results)} labs</strong>, '
        f'<span class="pass">{counts["pass"]} checks passed</span>, '
        f'<span class="{"fail" if counts["fail"] else "pass"}">{counts["fail"]} failed</span>, '
        f'<span class="{"fail" if counts["not run"] else "pass"}">'
        f"{counts['not run']} cells not run</span>.</div>"
    )
    body = "\n".join(_section(r, page) for r in results)
    scripts = ""
    if any(f.interactive for r in results for f in r.figures):
        from glassgrad.labs.interactive import DRIVER_JS, plotly_js

        scripts = f"<script>{plotly_js()}</script><script>{DRIVER_JS}</script>"
    from pygments.formatters import HtmlFormatter

    css = _CSS + HtmlFormatter(style="friendly").get_style_defs(".code")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head><body>"
        f'<div class="layout">{_contents(results, page)}<main id="top">'
        f"<h1>{html.escape(title)}</h1>{summary}{body}</main></div>{scripts}</body></html>\n"
    )


def write_report(results, path):
    """Write the report to ``path`` atomically (a temporary file, then a rename).

    Returns:
        The path as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(results)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a report is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
