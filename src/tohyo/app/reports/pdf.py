"""The result report as A4 PDF, via WeasyPrint (docs/adr/0070-result-reports-weasyprint.md).

The report is HTML and CSS (``templates/report.html``) laid out by WeasyPrint:
tables that break across pages with repeated headers, page numbers in the
margin boxes, and the charts' SVG drawn as vectors. Fonts are Noto Serif and
Sans CJK JP from fonts-noto-cjk, found through fontconfig and embedded as
subsets (CID-keyed CFF), so the PDF shows the same glyphs on every reader and
its text layer is real text (pdftotext finds every figure).
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from tohyo.app.reports.fonts import SANS, SERIF, font_file
from tohyo.app.reports.labels import Lang, text
from tohyo.app.reports.report import ResultReport

__all__ = ["render_html", "render_pdf"]


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def css_string(value: object) -> Markup:
    """``value`` as the inside of a double-quoted CSS string in a ``<style>`` element.

    HTML escaping is wrong there (a ``<style>`` is raw text: ``&#39;`` would be
    printed as is); CSS escapes are right, and ``<`` is escaped too so that no
    ``</style>`` can end the element.
    """
    out = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup("".join(out))  # noqa: S704 (every character CSS-escaped above)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tohyo.app.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["data_uri"] = _data_uri
    env.filters["css_string"] = css_string
    return env


def render_html(report: ResultReport, lang: Lang) -> str:
    """The report as the HTML that WeasyPrint lays out."""
    issued = (report.issued.strftime("%Y年%m月%d日") if lang == "ja"
              else report.issued.isoformat())

    def t(key: str) -> str:
        return text(key, lang)

    context: dict[str, Any] = {"report": report, "official": report.official, "lang": lang,
                               "t": t, "issued": issued}
    return _environment().get_template("report.html").render(**context)


def render_pdf(report: ResultReport, lang: Lang) -> bytes:
    """The report as an A4 PDF with the Japanese fonts embedded.

    Raises:
        FontMissing: fonts-noto-cjk is not installed (checked first, so a PDF
            is never silently set in a fallback font).
    """
    font_file(SANS), font_file(SERIF)
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    document = HTML(string=render_html(report, lang))
    meta_title = f"{text('doc.title', lang)} – {report.title(lang)}"
    rendered = document.render()
    rendered.metadata.title = meta_title
    rendered.metadata.created = report.issued.isoformat()
    rendered.metadata.modified = report.issued.isoformat()
    data = rendered.write_pdf()
    if data is None:  # pragma: no cover - write_pdf without a target returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(data)
