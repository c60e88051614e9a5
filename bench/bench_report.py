"""Time to produce the official result report from a record of N ballots (issue 11).

    .venv/bin/python bench/bench_report.py [--ballots 1000000] [--keep]

What is measured, precisely: the whole ``tohyo record report`` path
(:func:`report_from_record` then :func:`write_report`: read and digest-check
every record part, parse every leaf and head for the hourly turnout series,
combine the official result, draw the charts, lay out the PDF in Japanese and
in English, write the CSV and the JSON) on a record directory of N ballot
leaves of the 2025 Tsukuba survey manifest (three questions), one signed head
per leaf spread over the voting period, and 0.5 % paper overrides.

The record is built for the benchmark, not by an election: every ballot leaf
carries the same real encrypted ballot (taken from a one-voter simulated
election, so each line has the real size, ~9 KB) under its own credential and
tracker, heads carry a placeholder root and signature, and ``tally.json`` holds
the published 2025 counts scaled to N ballots. The report neither checks
proofs nor signatures (``tohyo verify`` does, see bench_verify.py), so these
placeholders change nothing it does; generating a real million-ballot record
takes hours of proofs. The record (N × ~9 KB on disk) is deleted afterwards
unless ``--keep``. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tohyo.app.reports.files import write_report
from tohyo.app.reports.source import report_from_record
from tohyo.log.checkpoint import Checkpoint
from tohyo.record.canonical import dumps_canonical
from tohyo.record.format import LogInfo, RollCommitment
from tohyo.record.manifest import manifest_hash, parse_manifest
from tohyo.record.results import aggregate_labels, compute_results
from tohyo.record.writer import RecordWriter
from tohyo.simulate.direct import Voter, generate_record
from tohyo.simulate.votes import TSUKUBA_2025

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "tests" / "vectors" / "manifests" / "tsukuba-2025-survey.json"
PAPER_EVERY = 200  # 0.5 % of the leaves are paper overrides


def _one_ballot(manifest: object, work: Path) -> dict[str, object]:
    """A real encrypted survey ballot, from a one-voter simulated election."""
    generate_record(manifest, [Voter(({"administrative-services": ["internet-voting"],  # type: ignore[arg-type]
                                       "mobility": [], "healthcare": []},))],
                    work / "one", witnesses=0)
    for line in (work / "one" / "entries.jsonl").read_bytes().splitlines():
        leaf = json.loads(line)
        if leaf["kind"] == "ballot":
            return leaf["ballot"]  # type: ignore[no-any-return]
    raise SystemExit("the one-voter election has no ballot")


def _tally(manifest: object, ballots: int, overrides: int) -> dict[str, object]:
    counts = dict.fromkeys(aggregate_labels(manifest), 0)  # type: ignore[arg-type]
    scale = ballots / 1418
    for question, options in TSUKUBA_2025.items():
        for option, n in options:
            counts[f"{question}/{option}"] = int(n * scale)
        counts[f"{question}/#blank"] = ballots - sum(int(n * scale) for _, n in options)
    results = compute_results(manifest, counts, ballots)  # type: ignore[arg-type]
    return {"final_head": {"size": 0, "root": "00" * 32},
            "counts": {"effective": ballots, "superseded": 0, "overridden": overrides,
                       "rejected": 0, "paper_overrides": overrides},
            "aggregates": [], "shares": [], "decryption": {"trustees": [1, 2], "excluded": []},
            "results": results.to_json()}


def build(ballots: int, out: Path, work: Path) -> int:
    """Write the benchmark record; returns its size in bytes."""
    manifest = parse_manifest(MANIFEST.read_bytes())
    ballot = _one_ballot(manifest, work)
    origin = f"tohyo.example/log/{manifest.id}"
    start_ms = int(manifest.period.start.timestamp() * 1000)
    span_ms = int(manifest.period.end.timestamp() * 1000) - start_ms
    leaves = ballots + ballots // PAPER_EVERY + 1
    overrides = 0
    began = time.perf_counter()
    # Leaves and heads are formatted from templates (the writer would spend most of an
    # hour canonicalising the same ballot a million times); the first of each is
    # checked against the canonical encoder and the Checkpoint class.
    eid = manifest.id
    body = dumps_canonical(ballot).decode()
    ballot_leaf = ('{"ballot":' + body + ',"ballot_hash":"%s","credential":"%s",'
                   '"election_id":"' + eid + '","kind":"ballot","sequence":1}')
    paper_leaf = '{"credential":"%s","election_id":"' + eid + '","kind":"paper_override"}'
    sample = {"kind": "ballot", "election_id": eid, "sequence": 1, "credential": "c0",
              "ballot_hash": "ab", "ballot": ballot}
    assert (ballot_leaf % ("ab", "c0")).encode() == dumps_canonical(sample)
    root = Checkpoint.timestamped(origin, 1, bytes(32), start_ms).to_text().split("\n")[2]
    head = origin + "\n%d\n" + root + "\ntohyo-time-ms %d\n\n— " + origin + " AAAAAAAA\n"
    first = Checkpoint.timestamped(origin, 1, bytes(32), start_ms).to_text()
    assert (head % (1, start_ms)).startswith(first)
    with RecordWriter(out) as writer:
        writer.write_manifest(manifest.to_json())
        writer.write_ceremony({}, {})
        voter = 0
        for index in range(leaves):
            if index == leaves - 1:
                line = dumps_canonical({"kind": "close", "election_id": eid})
            elif index % (PAPER_EVERY + 1) == PAPER_EVERY:  # exactly N ballot leaves
                line = (paper_leaf % f"c{voter - 1:08d}").encode()
                overrides += 1
            else:
                tracker = hashlib.sha256(b"b%d" % voter).hexdigest()
                line = (ballot_leaf % (tracker, f"c{voter:08d}")).encode()
                voter += 1
            writer.add_entry(line)
            writer.add_head(head % (index + 1, start_ms + span_ms * index // leaves))
            if index and index % 100_000 == 0:
                print(f"  wrote {index}/{leaves} leaves ({time.perf_counter() - began:.0f}s)",
                      file=sys.stderr)
        writer.write_tally(_tally(manifest, ballots, overrides))
        writer.finish(election_id=manifest.id, manifest_hash=manifest_hash(manifest),
                      roll=RollCommitment(ballots * 2, "00" * 32),
                      log=LogInfo(origin, "placeholder", ()))
    return sum(f.stat().st_size for f in out.iterdir())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated record")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tohyo-bench-report-"))
    try:
        record = work / "record"
        began = time.perf_counter()
        size = build(args.ballots, record, work)
        built = time.perf_counter() - began
        print(f"  record of {size / 1e9:.2f} GB built in {built:.0f}s", file=sys.stderr)

        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        report = report_from_record(record)
        t1 = time.perf_counter()
        written = write_report(report, work / "report")
        t2 = time.perf_counter()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        quick0 = time.perf_counter()
        write_report(report_from_record(record, turnout=False), work / "quick")
        quick = time.perf_counter() - quick0
        print(json.dumps({
            "ballots": args.ballots,
            "leaves": args.ballots + args.ballots // PAPER_EVERY + 1,
            "record_bytes": size,
            "report_seconds": round(t2 - t0, 1),
            "read_and_turnout_seconds": round(t1 - t0, 1),
            "render_seconds": round(t2 - t1, 1),
            "report_without_turnout_seconds": round(quick, 1),
            "cpu_seconds": round((cpu1.ru_utime + cpu1.ru_stime)
                                 - (cpu0.ru_utime + cpu0.ru_stime), 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "pdf_bytes": {k: p.stat().st_size for k, p in written.items()
                          if k.startswith("pdf")},
            "internet_voters_charted": report.turnout.points[-1].internet
            if report.turnout else None,
        }))
    finally:
        if args.keep:
            print(f"  kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
