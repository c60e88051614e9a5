"""The official result as plain-text tables for the console (reports.md §REP-1)."""

from __future__ import annotations

from unicodedata import east_asian_width

from tohyo.app.reports.labels import Lang, text
from tohyo.app.reports.report import ResultReport, Row

__all__ = ["summary_lines"]


def _width(s: str) -> int:
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(s))
    return fill + s if right else s + fill


def _table(header: tuple[str, ...], rows: tuple[Row, ...]) -> list[str]:
    body = [(r.head, *r.cells) for r in rows]
    widths = [max(_width(c) for c in col) for col in zip(header, *body, strict=False)]
    lines = ["  ".join(_pad(c, w, i > 0) for i, (c, w) in enumerate(zip(header, widths,
                                                                          strict=False)))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w, i > 0) for i, (c, w) in enumerate(zip(r, widths,
                                                                        strict=False)))
              for r in body]
    return lines


def summary_lines(report: ResultReport, lang: Lang = "ja") -> list[str]:
    """Turnout, then per question the votes by channel and the totals."""
    lines = [f"{text('doc.title', lang)}: {report.title(lang)}", ""]
    lines += _table((text("col.item", lang), text("col.value", lang)), report.turnout_rows(lang))
    for q in report.questions(lang):
        lines += ["", q.title]
        lines += _table(q.votes.columns, q.votes.rows)
        lines += _table((text("col.item", lang), text("col.electronic", lang),
                         text("col.paper", lang), text("col.total", lang)), q.totals)
        if q.rating:
            lines += _table((text("col.item", lang), text("col.value", lang)), q.rating)
    return lines
