"""Write a report's files: PDF (ja, en), CSV and JSON (docs/spec/reports.md §REP-1)."""

from __future__ import annotations

from pathlib import Path

from tohyo.app.reports.csvform import render_csv
from tohyo.app.reports.labels import FORM_LANGUAGES
from tohyo.app.reports.pdf import render_pdf
from tohyo.app.reports.report import ResultReport
from tohyo.record.canonical import dumps_canonical

__all__ = ["FILE_NAMES", "official_json", "write_report"]

#: The files of a report, by what they hold.
FILE_NAMES: dict[str, str] = {
    "pdf-ja": "result-report-ja.pdf",
    "pdf-en": "result-report-en.pdf",
    "csv": "result.csv",
    "json": "official.json",
}


def official_json(report: ResultReport) -> bytes:
    """The official result's canonical JSON (results.md §RES-4), with a final line feed."""
    return dumps_canonical(report.official.to_json()) + b"\n"


def write_report(report: ResultReport, out: Path | str) -> dict[str, Path]:
    """Write every file of the report into ``out`` (created); returns kind → path.

    Each file is written whole to a temporary name and renamed, so a failure
    leaves no half-written form behind.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    contents: dict[str, bytes] = {f"pdf-{lang}": render_pdf(report, lang)
                                  for lang in FORM_LANGUAGES}
    contents["csv"] = render_csv(report)
    contents["json"] = official_json(report)
    written = {}
    for kind, data in contents.items():
        path = directory / FILE_NAMES[kind]
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)
        written[kind] = path
    return written
