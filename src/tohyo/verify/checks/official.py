"""V15: the paper counts and the official result (docs/spec/results.md §RES-5).

Every ``paper_count`` leaf must carry a valid signature by the log key and a
count that satisfies the rules and sums of §RES-2 against the manifest; no
(place, kind) may be counted twice. The verifier then recomputes the official
result (:func:`tohyo.record.official.combine`) from the tally's results (V14),
those counts and the record header's roll, and — in a ``tohyo-record/2``
record — requires ``official.json`` to be exactly its canonical form. A
``tohyo-record/1`` record has no paper counts; its official result is the
internet result alone. Either way the figures checked are kept for the report's
table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tohyo.record.canonical import dumps_canonical, loads_canonical
from tohyo.record.errors import RecordError
from tohyo.record.format import FORMAT_2, OFFICIAL, InvalidRecord
from tohyo.record.leaves import PaperCountLeaf, parse_leaf
from tohyo.record.manifest import Manifest
from tohyo.record.official import OfficialResult, TurnoutInputs, combine
from tohyo.record.paper import InvalidPaperCount, PaperCount, check_paper_leaf
from tohyo.record.reader import RecordReader
from tohyo.record.results import Results
from tohyo.record.tally import TallyDocument
from tohyo.verify.checks.ballots import location
from tohyo.verify.report import Report

__all__ = ["check_official"]

CID = "V15"


def _counts(report: Report, manifest: Manifest, log_key: str,
            papers: Sequence[tuple[int, bytes]]) -> list[PaperCount]:
    out: list[PaperCount] = []
    seen: dict[tuple[str, str], int] = {}
    for index, line in papers:
        where = location(index)
        try:
            leaf = parse_leaf(loads_canonical(line, max_bytes=len(line) + 1, max_depth=64))
            if not isinstance(leaf, PaperCountLeaf):
                raise RecordError("not a paper_count leaf")
            count = check_paper_leaf(manifest, leaf, log_key)
        except InvalidPaperCount as exc:
            report.fail(CID, f"{where}#/count{exc.field}" if exc.field != "/signature"
                        else f"{where}#/signature", f"{exc.code}: {exc.reason}")
            continue
        except RecordError as exc:
            report.fail(CID, where, str(exc))
            continue
        if count.key in seen:
            report.fail(CID, where, f"{count.place} / {count.kind.value} is already counted "
                                    f"at entry {seen[count.key] + 1}")
            continue
        seen[count.key] = index
        out.append(count)
    return out


def check_official(
    report: Report,
    reader: RecordReader,
    manifest: Manifest,
    tally: TallyDocument,
    results: Results | None,
    counts: Mapping[str, int] | None,
    papers: Sequence[tuple[int, bytes]],
    log_key: str,
) -> OfficialResult | None:
    """Run V15; returns the recomputed official result, or None if it could not be."""
    if results is None or report.failed("V14"):
        report.skip(CID, "no verified internet results (V14)")
        return None
    paper = _counts(report, manifest, log_key, papers)
    header = reader.header
    declared = 0
    published = None
    if header.format == FORMAT_2:
        try:
            published = reader.read_json(OFFICIAL)
            declared = OfficialResult.from_json(published).turnout.started_not_finished
        except InvalidRecord as exc:
            report.fail(CID, exc.location, exc.reason)
        except RecordError as exc:
            report.fail(CID, f"{OFFICIAL}#{getattr(exc, 'field', '')}", str(exc))
    elif papers:
        report.fail(CID, location(papers[0][0]),
                    f"paper counts in a {header.format} record (they need {FORMAT_2})")
    try:
        official = combine(manifest, results, paper, TurnoutInputs(
            header.roll.voters, declared, tally.counts.get("paper_overrides", 0)),
            counts=counts)
    except RecordError as exc:
        report.fail(CID, OFFICIAL, f"the official result cannot be computed: {exc}")
        return None
    if published is not None and dumps_canonical(official.to_json()) != dumps_canonical(
            published):
        report.fail(CID, OFFICIAL, "is not the combination of the tally and the paper counts "
                                   "(recomputed figures below)")
    places = f"{len(paper)} paper counts" if paper else "no paper counts"
    report.finish(CID, f"{places}; {official.turnout.voters} voters, "
                       f"turnout {official.turnout.percent} %")
    return official
