"""The HTML report: every lab's explanations, code, checked numbers and figures in one file.

The page is self-contained (inline CSS, figures as inline SVG, no scripts or network) and
written atomically, so a half-written report never replaces a good one.
"""

import html
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from glassgrad.labs.runner import parse_cells

__all__ = ["markdown_to_html", "render_report", "write_report"]

_CSS = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1d1d1f;line-height:1.5}
pre.output{background:#fff;border:1px solid #ddd}
pre{background:#f5f5f7;padding:.8em;overflow-x:auto;border-radius:6px;font-size:13px}
code{font-family:ui-monospace,monospace}
section.lab{border-top:2px solid #ccc;margin-top:2.5em;padding-top:1em}
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #ddd;padding:.25em .6em;
text-align:left;font-size:14px}
.pass{color:#137333}.fail{color:#c5221f;font-weight:bold}.info{color:#555}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
.summary{background:#eef6ee;padding:.8em 1em;border-radius:6px}
.summary.bad{background:#fbeaea}
.labhead{color:#555;margin-bottom:0}
"""

_MARK = {"pass": "✓", "fail": "✗", "info": "·"}


def _inline(text):
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def markdown_to_html(text):
    r"""A small Markdown subset: ``#`` headings, ``-``/``*`` lists, tables, paragraphs.

    Example:
        >>> markdown_to_html("## Hi\n- a `b`")
        '<h3>Hi</h3>\n<ul><li>a <code>b</code></li></ul>'
    """
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
            out.append(f"<table>{body}</table>")
        para.clear(), items.clear(), rows.clear(), numbered.clear()

    for line in text.splitlines():
        s = line.strip()
        heading = re.match(r"(#{1,5})\s+(.*)", s)
        if heading:
            flush()
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
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


def _svg(text):
    start = text.find("<svg")
    return text[start:] if start >= 0 else ""


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
    return f'<table class="checks">{head}{"".join(rows)}</table>'


def _counts(results):
    counts = {"pass": 0, "fail": 0, "not run": 0}
    for r in results:
        for c in r.checks:
            if c.status in counts:
                counts[c.status] += 1
        counts["fail"] += bool(r.error)
        counts["not run"] += len(r.not_run)
    return counts


def _figure(name, svg):
    caption = html.escape(name)
    return f'<figure class="fig">{_svg(svg)}<figcaption>{caption}</figcaption></figure>'


def _section(result):
    lab = result.lab
    state = "pass" if result.ok else "fail"
    parts = [
        f'<section class="lab" id="lab-{html.escape(lab.id)}">',
        f'<p class="labhead">Lab {html.escape(lab.id)} <span class="{state}">'
        f"({'ok' if result.ok else 'failed'}, {result.seconds:.1f} s)</span></p>",
    ]
    for index, (kind, text, _) in enumerate(parse_cells(lab.path.read_text(encoding="utf-8"))):
        if kind == "markdown":
            parts.append(markdown_to_html(text))
            continue
        parts.append(f"<pre><code>{html.escape(text)}</code></pre>")
        parts += _cell_results(result, index)
    parts += _cell_results(result, -1)  # anything recorded outside the cells
    if result.error:
        parts.append(f'<h3 class="fail">Error</h3><pre>{html.escape(result.error)}</pre>')
    parts.append("</section>")
    return "\n".join(parts)


def _cell_results(result, index):
    """The printed output, checked numbers and figures of one code cell, in that order."""
    parts = []
    printed = result.outputs.get(index, "").strip()
    if printed:
        parts.append(f'<pre class="output">{html.escape(printed)}</pre>')
    parts.append(_checks_table([c for c in result.checks if c.cell == index]))
    parts += [_figure(name, svg) for name, svg, cell in result.figures if cell == index]
    return parts


def render_report(results, title="glassgrad: the mathematics of deep learning"):
    """The report's HTML text for a list of :class:`~glassgrad.labs.LabResult`."""
    counts = _counts(results)
    bad = " bad" if counts["fail"] or counts["not run"] else ""
    toc = "".join(
        f'<li><a href="#lab-{html.escape(r.lab.id)}">{html.escape(r.lab.id)}: '
        f"{html.escape(r.lab.title)}</a></li>"
        for r in results
    )
    summary = (
        f'<div class="summary{bad}" id="summary"><strong>{len(results)} labs</strong>, '
        f'<span class="pass">{counts["pass"]} checks passed</span>, '
        f'<span class="{"fail" if counts["fail"] else "pass"}">{counts["fail"]} failed</span>, '
        f'<span class="{"fail" if counts["not run"] else "pass"}">'
        f"{counts['not run']} cells not run</span>.</div>"
    )
    body = "\n".join(_section(r) for r in results)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{summary}<ul>{toc}</ul>{body}</body></html>\n"
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
