"""The results of a published election, for the public results page (reports.md §REP-5).

Once an election is ``published``, the service exports its record (the same
:func:`~tohyo.app.services.tally.export_record`, with the paper counts and
``official.json``, that the officials' ``tohyo record export`` runs, without a
witness list), makes the report from that record
exactly as ``tohyo record report`` does, and keeps both under
``<data dir>/reports/<election>/<tally root>/``: the page, the downloads and the
CLI therefore show the same figures, taken from a record anyone can verify.
The PDFs (seconds each) are laid out on their first download, not before the
page can be shown.
A published election never changes, so this is done once (per process, under
a lock) and then served from disk and memory.
"""

from __future__ import annotations

import shutil
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tohyo.app.errors import Conflict
from tohyo.app.reports.csvform import render_csv
from tohyo.app.reports.files import FILE_NAMES, official_json
from tohyo.app.reports.labels import Lang
from tohyo.app.reports.pdf import render_pdf
from tohyo.app.reports.report import ResultReport
from tohyo.app.reports.source import report_from_record
from tohyo.app.services.common import load_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.services.tally import board_snapshot, export_record, recorded_tally

__all__ = ["DOWNLOADS", "PublishedResults", "published_results"]

#: Download name → file, as served under ``…/results/``.
DOWNLOADS: dict[str, str] = {**{v: v for v in FILE_NAMES.values()}, "record.zip": "record.zip"}
_LOCK = threading.Lock()
_PDF_LOCK = threading.Lock()  # a PDF takes seconds: one at a time, each made once
_PDF_LANG: dict[str, Lang] = {FILE_NAMES["pdf-ja"]: "ja", FILE_NAMES["pdf-en"]: "en"}
_CACHE: dict[Path, PublishedResults] = {}


@dataclass(frozen=True, slots=True)
class PublishedResults:
    """A published election's report and the directory holding its downloads."""

    report: ResultReport
    directory: Path

    def download(self, name: str) -> Path:
        """The file of a download name; a PDF is laid out on its first request.

        Raises:
            KeyError: not a download name.
        """
        path = self.directory / DOWNLOADS[name]
        lang = _PDF_LANG.get(name)
        if lang is not None:
            with _PDF_LOCK:
                if not path.is_file():
                    partial = path.with_name(path.name + ".partial")
                    partial.write_bytes(render_pdf(self.report, lang))
                    partial.replace(path)
        return path


def _zip(record: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(record.iterdir()):
            archive.write(file, f"record/{file.name}")
    partial.replace(target)


def _build(runtime: Runtime, election_id: str, directory: Path) -> None:
    from tohyo.app.results.official import official_result

    # As publish_record does: every leaf (paper counts included) and official.json.
    snapshot = board_snapshot(runtime, election_id, whole=True)
    document = recorded_tally(runtime, election_id)
    official = official_result(runtime, election_id).to_json()
    work = directory.with_name(directory.name + ".building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    export_record(snapshot, document, work / "record", official=official)
    report = report_from_record(work / "record", issued=runtime.now().date())
    (work / FILE_NAMES["csv"]).write_bytes(render_csv(report))
    (work / FILE_NAMES["json"]).write_bytes(official_json(report))
    _zip(work / "record", work / "record.zip")
    shutil.rmtree(directory, ignore_errors=True)
    work.replace(directory)  # all or nothing: a half-built report is never served


def published_results(runtime: Runtime, election_id: str) -> PublishedResults:
    """The report of a published election, built on first use.

    Raises:
        NotFound: ``election.not_found``.
        Conflict: ``results.not_published`` before the record is published.
        ReportError: the record cannot be made into a report (a bug; logged by the caller).
    """
    with runtime.uow() as uow:
        state = load_election(uow, election_id).state
    if state != "published":
        raise Conflict("results.not_published", "the results are not published yet")
    document = recorded_tally(runtime, election_id)
    directory = runtime.settings.data_dir / "reports" / election_id / document.final_root[:32]
    with _LOCK:
        found = _CACHE.get(directory)
        if found is not None:
            return found
        if not (directory / "record.zip").is_file():
            _build(runtime, election_id, directory)
        report = report_from_record(directory / "record", issued=runtime.now().date())
        found = PublishedResults(report, directory)
        _CACHE[directory] = found
        return found
