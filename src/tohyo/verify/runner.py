"""The verifier's pipeline: read, fan out, gather, conclude (record.md §REC-8).

The main process streams ``entries.jsonl`` in blocks and hands each block to a
worker (a local process pool on all cores by default, or a Dask cluster),
keeping a bounded number of blocks in flight; it gathers the results in log
order, rebuilding the Merkle tree and feeding the effective-ballot rules while
the workers check proofs, so reading, parsing and the log checks overlap with
the proof checks. The workers also sum the valid ballots of each block; after
the selection is known, a second, small pass sums the valid ballots that do
not count (superseded, overridden) and subtracts them.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tohyo.log import LogError, MerkleTree
from tohyo.log.evidence import ForkEvidence
from tohyo.record.effective import EffectiveSelector
from tohyo.record.format import ENTRIES, FORMAT_2, InvalidRecord
from tohyo.record.official_text import official_table
from tohyo.record.results import aggregate_labels
from tohyo.record.tally import Accumulator
from tohyo.verify.checks.ballots import (
    BALLOT,
    CLOSE,
    OVERRIDE,
    PAPER,
    STATEMENT,
    WITHDRAWAL,
    BlockJob,
    BlockResult,
    Setup,
    check_block,
    decode_sums,
    location,
    sum_block,
)
from tohyo.verify.checks.evidence import check_fork_evidence
from tohyo.verify.checks.log import HeadBlockJob, HeadChecker, HeadFact, check_head_block
from tohyo.verify.checks.official import check_official
from tohyo.verify.checks.seals import check_seals
from tohyo.verify.checks.setup import check_setup
from tohyo.verify.checks.statements import check_statements
from tohyo.verify.checks.tally import check_tally, read_tally
from tohyo.verify.checks.witnesses import declared_witnesses
from tohyo.verify.report import Report

__all__ = ["verify_record"]

T = TypeVar("T")
A = TypeVar("A")


class _Pool(Protocol):
    def submit(self, fn: Callable[[A], T], arg: A) -> Any: ...
    def close(self) -> None: ...


class _Inline:
    """Runs each job at once in this process (``workers=0``: tests, debugging)."""

    def submit(self, fn: Callable[[A], T], arg: A) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(arg))
        return future

    def close(self) -> None:
        return None


class _Local:
    def __init__(self, workers: int) -> None:
        self._pool = ProcessPoolExecutor(max_workers=workers)

    def submit(self, fn: Callable[[A], T], arg: A) -> Future[T]:
        return self._pool.submit(fn, arg)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class _Dask:
    """Jobs on a Dask cluster (``--dask ADDRESS``); workers need tohyo installed."""

    def __init__(self, address: str) -> None:
        # The optional [cluster] extra; untyped, so it is held as Any.
        distributed: Any = importlib.import_module("distributed")
        self._client: Any = distributed.Client(address)

    def submit(self, fn: Callable[[A], T], arg: A) -> Any:
        return self._client.submit(fn, arg, pure=False)

    def close(self) -> None:
        self._client.close()


class _Progress:
    def __init__(self, total_bytes: int, out: Callable[[str], None] | None) -> None:
        self.total, self.out, self.start = max(total_bytes, 1), out, time.time()
        self.last = self.start
        self.done_bytes = 0
        self.ballots = 0

    def update(self, done_bytes: int, ballots: int, final: bool = False) -> None:
        self.done_bytes, self.ballots = done_bytes, ballots
        now = time.time()
        if self.out is None or (now - self.last < 2.0 and not final):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        share = min(done_bytes / self.total, 1.0)
        eta = elapsed * (1 - share) / share if share > 0 else 0.0
        self.out(f"entries {share:6.1%}  {ballots} ballots  {ballots / elapsed:,.0f}/s  "
                 f"elapsed {elapsed:,.0f}s  eta {eta:,.0f}s")


def _in_order(pool: _Pool, jobs: Iterator[tuple[Callable[[A], T], A]], inflight: int
              ) -> Iterator[T]:
    """Submit jobs keeping at most ``inflight`` running; yield results in job order."""
    pending: deque[Any] = deque()
    for fn, arg in jobs:
        pending.append(pool.submit(fn, arg))
        while len(pending) > inflight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class _Entries:
    """Gathers block results in log order (V4, V8, V9, V10 and the selection)."""

    def __init__(self, report: Report, setup: Setup, labels: tuple[str, ...],
                 options: dict[str, tuple[str, ...]]) -> None:
        self.report, self.setup = report, setup
        self.tree = MerkleTree()
        self.selector = EffectiveSelector()
        self.trackers: set[str] = set()
        self.withdrawn: set[tuple[str, str]] = set()
        self.closes: list[int] = []
        self.offsets: list[int] = []
        self.late_valid: list[int] = []
        self.acc = Accumulator(labels, options)
        self.ballots = 0
        self.papers: list[tuple[int, bytes]] = []
        #: Entries after the close that are not paper counts or statements (V8).
        self.after_close: list[int] = []
        self.statements: list[tuple[int, bytes]] = []
        self.first_ballot: int | None = None

    def take(self, res: BlockResult) -> None:
        for k in range(res.count):
            self.tree.append_leaf_hash(res.leaf_hashes[32 * k: 32 * k + 32])
        for where, msg in res.entry_failures:
            self.report.fail("V4", where, msg)
        for where, msg in res.ballot_failures:
            self.report.fail("V9", where, msg)
        for index, kind, a, b, valid in res.facts:
            if kind == BALLOT:
                self.ballots += 1
                if self.first_ballot is None:
                    self.first_ballot = index
                if b and b in self.trackers:
                    self.report.fail("V10", location(index), f"duplicate ballot: tracker {b}")
                elif b:
                    self.trackers.add(b)
                if self.closes:
                    self.report.fail("V8", location(index), "a ballot after the close")
                    if valid:
                        self.late_valid.append(index)
                    valid = False
                self.selector.add_ballot(index, a, valid=valid)
            elif kind == OVERRIDE:
                self.selector.add_override(index, a)
            elif kind == WITHDRAWAL:
                self.withdrawn.add((a, b))
            elif kind == CLOSE:
                self.closes.append(index)
            elif kind == PAPER and not self.closes:
                self.report.fail("V8", location(index), "a paper count before the close")
            if self.closes and kind not in (BALLOT, PAPER, STATEMENT, CLOSE):
                self.after_close.append(index)
        self.papers.extend(res.papers)
        self.statements.extend(res.statements)
        self.acc.merge(decode_sums(res.sums))


def _blocks(report: Report, outcome_reader: Any, entries: _Entries, setup: Setup,
            block_size: int) -> Iterator[tuple[Callable[[BlockJob], BlockResult], BlockJob]]:
    try:
        for block in outcome_reader.entry_blocks(block_size):
            entries.offsets.extend(block.offsets)
            yield check_block, BlockJob(setup, block.first, block.lines)
    except InvalidRecord as exc:
        report.fail("V4", exc.location, exc.reason)


def verify_record(
    path: Path | str,
    *,
    workers: int | None = None,
    dask: str | None = None,
    block_size: int = 256,
    progress: Callable[[str], None] | None = None,
    fork_evidence: Sequence[tuple[str, ForkEvidence]] = (),
) -> Report:
    """Run every check of §REC-8 on the record at ``path``; never raises on bad input.

    Args:
        path: the record directory.
        workers: local worker processes; None for all cores, 0 to run inline.
        dask: a Dask scheduler address, instead of local processes.
        block_size: leaves per job.
        progress: receives a progress line every few seconds.
        fork_evidence: (file name, evidence) of monitors (``tohyo monitor``); every
            head in them is held against the record in V6.
    """
    report = Report()
    outcome = check_setup(Path(path), report)
    if outcome is None or outcome.setup is None or outcome.manifest is None \
            or outcome.joint is None:
        for cid in report.checks:
            report.skip(cid, "the record's setup could not be read (V1–V3)")
        return report
    check_seals(outcome.reader, report)  # V16, storage.md §ST-8
    if dask:
        pool: _Pool = _Dask(dask)
    elif workers == 0:
        pool = _Inline()
    else:
        pool = _Local(workers or os.cpu_count() or 1)
    try:
        _run(report, outcome, pool, 2 * (workers or os.cpu_count() or 1) + 2, block_size,
             progress, tuple(fork_evidence))
    finally:
        pool.close()
    return report


def _run(report: Report, outcome: Any, pool: _Pool, inflight: int, block_size: int,
         progress: Callable[[str], None] | None,
         evidence: tuple[tuple[str, ForkEvidence], ...] = ()) -> None:
    reader, manifest, joint, setup = outcome.reader, outcome.manifest, outcome.joint, \
        outcome.setup
    labels = aggregate_labels(manifest)
    options = {q.question_id: q.option_ids for q in manifest.ballot_style()}
    entries = _Entries(report, setup, labels, options)
    meter = _Progress(reader.header.file(ENTRIES).size, progress)
    done = 0
    for res in _in_order(pool, _blocks(report, reader, entries, setup, block_size), inflight):
        entries.take(res)
        done += res.count
        offset = entries.offsets[done - 1] if done else 0
        meter.update(offset, entries.ballots)
    meter.update(meter.total, entries.ballots, final=True)
    tree = entries.tree
    report.finish("V4", f"{tree.size} entries")
    report.finish("V9", f"{entries.ballots} ballots")
    report.finish("V10")
    format_2 = reader.header.format == FORMAT_2
    if len(entries.closes) != 1:
        report.fail("V8", ENTRIES, f"{len(entries.closes)} close entries, expected exactly one")
    elif not format_2 and entries.closes[0] != tree.size - 1:
        report.fail("V8", location(entries.closes[0]), "the close is not the last entry")
    for index in entries.after_close[:20]:
        report.fail("V8", location(index),
                    "only paper counts and witness statements may follow the close")
    if entries.statements and not format_2:
        report.fail("V8", location(entries.statements[0][0]),
                    "witness statements are leaves of a tohyo-record/2 record only")
    report.finish("V8")

    final, sizes = _heads(report, reader, pool, tree, inflight, manifest, evidence, entries)
    bound = _close_head(final, sizes, tree, entries.closes) if format_2 else final
    selection = entries.selector.finish()
    _subtract(reader, pool, setup, entries, selection.superseded + selection.overridden,
              block_size)
    tally = read_tally(reader, report)
    checked = None
    if tally is not None:
        checked = check_tally(report, tally, manifest, joint, selection, entries.acc.totals(),
                              frozenset(entries.withdrawn), bound)
    if tally is None or checked is None:
        report.skip("V15", "no verified internet results (V14)")
        return
    official = check_official(report, reader, manifest, tally, checked[0], checked[1],
                              entries.papers, reader.header.log.key)
    if official is not None:
        report.official = official.to_json()
        report.tables.append(official_table(official, manifest))


def _close_head(final: HeadFact | None, sizes: set[int], tree: MerkleTree,
                closes: list[int]) -> HeadFact | None:
    """The signed head at the close, which a format-2 tally is bound to (§RES-5)."""
    if final is None or len(closes) != 1 or closes[0] + 1 not in sizes:
        return None
    size = closes[0] + 1
    return HeadFact(final.line, size, tree.root(size), final.time_ms)


def _heads(report: Report, reader: Any, pool: _Pool, tree: MerkleTree, inflight: int,
           manifest: Any, evidence: tuple[tuple[str, ForkEvidence], ...] = (),
           entries: _Entries | None = None) -> tuple[Any, set[int]]:
    log = reader.header.log
    # The manifest's witnesses when it declares them (§MAN-21), never the header's copy.
    witness_keys = log.witnesses if manifest.log is None else manifest.log.witness_keys()
    log_key = log.key if manifest.log is None else manifest.log.key
    try:
        names = HeadChecker.log_keys(log_key, witness_keys, log.origin)
    except LogError as exc:
        report.fail("V6", "record.json#/log", str(exc))
        report.fail("V7", "record.json#/log", str(exc))
        report.fail("V5", "record.json#/log", "no usable log key")
        return None, set()
    quorum, warning = declared_witnesses(report, manifest, log)
    checker = HeadChecker(report, names, quorum)

    def jobs() -> Iterator[tuple[Callable[[HeadBlockJob], Any], HeadBlockJob]]:
        batch: list[tuple[int, str]] = []
        try:
            for line, text in reader.heads():
                batch.append((line, text))
                if len(batch) == 1000:
                    yield check_head_block, HeadBlockJob(log_key, witness_keys, tuple(batch))
                    batch = []
        except InvalidRecord as exc:
            report.fail("V6", exc.location, exc.reason)
        if batch:
            yield check_head_block, HeadBlockJob(log_key, witness_keys, tuple(batch))

    for facts in _in_order(pool, jobs(), inflight):
        checker.add(facts, tree)
    final = checker.finish(tree)
    report.finish("V5", f"{tree.size} entries, root {tree.root().hex()[:16]}…")
    note = f"{checker.count} signed heads"
    if evidence:
        note += "; " + check_fork_evidence(report, evidence, log_key, tree)
    report.finish("V6", note)
    stated = ""
    if entries is not None and entries.statements:
        close = entries.closes[0] if len(entries.closes) == 1 else None
        count = check_statements(report, entries.statements, manifest.log, log.origin,
                                 checker.sizes, tree, close, entries.first_ballot)
        stated = f"; {count} witness statements"
    report.finish("V7", f"{len(names)} witnesses; {checker.cosigned} heads cosigned{stated}",
                  warning=warning)
    return final, checker.sizes


def _subtract(reader: Any, pool: _Pool, setup: Setup, entries: _Entries,
              indices: tuple[int, ...], block_size: int) -> None:
    """Remove the valid ballots that do not count from the workers' sums."""
    wanted = sorted(set(indices) | set(entries.late_valid))
    for start in range(0, len(wanted), block_size):
        chunk = wanted[start:start + block_size]
        lines = reader.read_lines_at([entries.offsets[i] for i in chunk])
        sums = pool.submit(_sum_job, (setup, lines)).result()
        entries.acc.merge(decode_sums(sums), negate=True)


def _sum_job(arg: tuple[Setup, list[bytes]]) -> dict[str, tuple[bytes, bytes]]:
    return sum_block(arg[0], arg[1])


def _print(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
