"""Where a report's figures come from (docs/spec/reports.md §REP-1).

From a published record directory (the CLI, anyone): the manifest, the record
hash, ``official.json`` when the record carries it (``tohyo-record/2``), or else
the internet result alone as §RES-5 says for ``tohyo-record/1`` (combined with
no paper counts), and the turnout series from ``entries.jsonl`` and
``heads.jsonl``. Every part is read through :class:`RecordReader`, which checks
it against the header's digests, so a report is never made from a file that
is not the published one. Running ``tohyo verify`` remains the way to check
the figures themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from tohyo.app.reports.errors import ReportError
from tohyo.app.reports.report import ResultReport
from tohyo.app.reports.turnout import TurnoutSeries, turnout_from_log
from tohyo.record.canonical import dumps_canonical
from tohyo.record.errors import RecordError
from tohyo.record.format import record_hash
from tohyo.record.manifest import Manifest, parse_manifest
from tohyo.record.official import OfficialResult, TurnoutInputs, combine
from tohyo.record.questions import RatingQuestion
from tohyo.record.reader import RecordReader
from tohyo.record.results import QuestionResult, Results

__all__ = ["OFFICIAL", "internet_official", "report_from_record", "results_from_json"]

OFFICIAL = "official.json"


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReportError("report.bad_results", f"{where}: expected a non-negative integer")
    return value


def results_from_json(obj: Any, manifest: Manifest) -> Results:
    """The internet results of ``tally.json`` (record.md §REC-7.3), checked against the manifest.

    Raises:
        ReportError: a field missing or malformed, or questions/options other than the manifest's.
    """
    try:
        questions = []
        ballots = _int(obj["ballots"], "/ballots")
        given = obj["questions"]
        if [q["id"] for q in given] != [q.id for q in manifest.questions]:
            raise ReportError("report.bad_results", "/questions: not the manifest's questions")
        for n, (q, mq) in enumerate(zip(given, manifest.questions, strict=True)):
            where = f"/questions/{n}"
            options = q["options"]
            if [o["id"] for o in options] != list(mq.option_ids):
                raise ReportError("report.bad_results", f"{where}/options: not the manifest's")
            votes = tuple((o["id"], _int(o["votes"], f"{where}/options")) for o in options)
            withdrawn = tuple(o["id"] for o in options if o["withdrawn"] is True)
            rating = q.get("rating")
            if isinstance(mq, RatingQuestion) != isinstance(rating, Mapping):
                raise ReportError("report.bad_results", f"{where}/rating: does not fit the kind")
            questions.append(QuestionResult(
                mq.id, votes, withdrawn, _int(q["blank"], f"{where}/blank"),
                _int(q["invalid"], f"{where}/invalid"), _int(q["valid"], f"{where}/valid"),
                dict(rating) if isinstance(rating, Mapping) else None,
            ))
    except (KeyError, TypeError) as exc:
        raise ReportError("report.bad_results", f"tally.json results: missing {exc}") from exc
    return Results(ballots, tuple(questions))


def internet_official(
    manifest: Manifest, results: Results, roll: int, paper_overrides: int
) -> OfficialResult:
    """The official result of a record without paper counts (§RES-5, ``tohyo-record/1``)."""
    try:
        return combine(manifest, results, [], TurnoutInputs(roll=roll,
                                                            paper_overrides=paper_overrides))
    except RecordError as exc:
        raise ReportError("report.bad_results", str(exc)) from exc


def _leaves(reader: RecordReader) -> Iterator[bytes]:
    for block in reader.entry_blocks(2000):
        yield from block.lines


def report_from_record(
    directory: Path | str, *, turnout: bool = True, issued: date | None = None
) -> ResultReport:
    """The report of a published record directory.

    Args:
        directory: the record.
        turnout: also read the log for the turnout series (one pass over
            ``entries.jsonl``; off for a quick report).
        issued: the date printed on the forms (default: today).

    Raises:
        ReportError: the record cannot be read, a part does not match the
            header, or its results are malformed.
    """
    try:
        reader = RecordReader(directory)
        manifest = parse_manifest(dumps_canonical(reader.read_json("manifest.json")))
        names = {name for name, _ in reader.header.files}
        if OFFICIAL in names:
            official = OfficialResult.from_json(reader.read_json(OFFICIAL))
        else:
            tally = reader.read_json("tally.json")
            official = internet_official(
                manifest, results_from_json(tally["results"], manifest),
                reader.header.roll.voters, _int(tally["counts"]["paper_overrides"],
                                                "tally.json/counts/paper_overrides"))
        series: TurnoutSeries | None = None
        if turnout:
            series = turnout_from_log(_leaves(reader), (note for _, note in reader.heads()),
                                      manifest.period.start, manifest.period.end)
        hash_hex = record_hash(reader.header).hex()
    except (RecordError, KeyError, TypeError) as exc:
        raise ReportError("report.bad_record", f"{directory}: {exc}") from exc
    if official.election_id != manifest.id:
        raise ReportError("report.bad_record", "official.json names another election")
    return ResultReport(manifest, official, hash_hex, series,
                        issued if issued is not None else date.today())
