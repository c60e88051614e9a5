"""V7, witness statements: every ``statement`` leaf checked (record.md §REC-10, §REC-8).

A statement leaf is the statement's JSON with ``"kind": "statement"`` (V4
checked its form). Here, for each: it is signed by a witness the manifest
declares (§MAN-21) and the signature verifies; its head is one of the
record's signed heads (its origin the log's, its size a head's size in
``heads.txt``, its root the rebuilt tree's root at that size, which V5/V6
hold against the signed heads); and its event fits its place in the log
(§REC-10.2: an ``opening`` before every ballot and the close, every other
event after the close over a head that includes it); and no witness states
the same event twice (§REC-10.1). Any failure fails V7.
"""

from __future__ import annotations

from collections.abc import Sequence

from tohyo.log import MerkleTree
from tohyo.record.canonical import loads_canonical
from tohyo.record.errors import RecordError
from tohyo.record.statements import StatementError, WitnessStatement, check_position
from tohyo.record.transparency import LogDeclaration
from tohyo.verify.checks.ballots import location
from tohyo.verify.report import Report

__all__ = ["check_statements"]


def check_statements(report: Report, statements: Sequence[tuple[int, bytes]],
                     declared: LogDeclaration | None, origin: str, sizes: set[int],
                     tree: MerkleTree, close: int | None, first_ballot: int | None) -> int:
    """Check every statement leaf; fail V7 for each bad one; the number checked."""
    seen: set[tuple[str, str]] = set()
    for index, line in statements:
        where = location(index)
        try:
            obj = loads_canonical(line, max_bytes=len(line) + 1, max_depth=64)
            statement = WitnessStatement.from_json(
                {k: v for k, v in obj.items() if k != "kind"})
        except RecordError as exc:
            report.fail("V7", where, f"statement leaf: {exc}")
            continue
        if declared is None:
            report.fail("V7", where, "a witness statement, but the manifest declares no "
                                     "witnesses (tohyo-manifest/1)")
            continue
        try:
            statement.witness(declared)
            head = statement.checkpoint
            if head.origin != origin or head.size not in sizes or head.size > tree.size \
                    or tree.root(head.size) != head.root_hash:
                report.fail("V7", where, f"the statement's head (size {head.size}) is not one "
                                         "of the record's signed heads")
                continue
            check_position(statement.event, index, head.size, close, first_ballot)
            once = (statement.witness_key, statement.event.value)
            if once in seen:
                report.fail("V7", where, f"a second '{statement.event.value}' statement by "
                                         "the same witness")
            seen.add(once)
        except StatementError as exc:
            report.fail("V7", where, f"{exc.code}: {exc}")
    return len(statements)
