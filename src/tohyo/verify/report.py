"""Check results and the verifier's report (docs/guides/auditors.md, record.md §REC-8).

Every check of :data:`CHECKS` is registered before anything runs and starts as
NOT RUN; only code that finished the check with no failure sets PASS. So a
check that is skipped, crashes or is not implemented can never print PASS, and
the report fails closed: :attr:`Report.ok` is true only if every check passed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import Enum
from typing import TextIO

__all__ = ["CHECKS", "CheckResult", "Failure", "Report", "Status"]

#: (id, name, what it establishes), in the order they are printed (§REC-8).
CHECKS: tuple[tuple[str, str, str], ...] = (
    ("V1", "record.header", "header readable; format and protocol versions known"),
    ("V2", "setup.manifest", "manifest valid; its hash and id match the header"),
    ("V3", "setup.ceremony", "key ceremony transcript verifies; it yields the joint key"),
    ("V4", "log.entries", "every entry is a canonical leaf of a known kind for this election"),
    ("V5", "log.tree", "the entries' Merkle root is the final signed head's root"),
    ("V6", "log.heads", "every head is signed by the log and consistent with the entries"),
    ("V7", "log.witnesses", "every cosignature and witness statement verifies; every witness "
                            "cosigned the final head"),
    ("V8", "log.close", "exactly one close, and it is the last entry"),
    ("V9", "ballots.proofs", "every ballot decodes and every proof verifies"),
    ("V10", "ballots.unique", "no ballot appears twice (trackers unique)"),
    ("V11", "tally.effective", "the effective-ballot selection matches; tally bound to the head"),
    ("V12", "tally.aggregate", "the published aggregates are the sums of the effective ballots"),
    ("V13", "tally.decryption", "decryption shares verify; at least t combined; bad ones named"),
    ("V14", "tally.results", "the published results follow from the decrypted totals"),
    ("V15", "official.result", "paper counts signed and adding up; official result recomputed"),
    ("V16", "record.seals", "seals signed by officials and witnesses; each opened unchanged"),
)

_MAX_SHOWN = 20


class Status(Enum):
    PASS = "PASS"  # noqa: S105 - a check status, not a password
    FAIL = "FAIL"
    NOT_RUN = "NOT RUN"
    #: Ran without failure, but something the auditor must know was not checked
    #: (e.g. an election that declares no witnesses, record.md §REC-8 V7).
    WARN = "WARN"


@dataclass(frozen=True, slots=True)
class Failure:
    """One problem: where in the record, and what."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(slots=True)
class CheckResult:
    """The state of one check; PASS only through :meth:`Report.finish`."""

    id: str
    name: str
    description: str
    status: Status = Status.NOT_RUN
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    note: str = ""

    def add(self, location: str, message: str) -> None:
        self.failure_count += 1
        if len(self.failures) < _MAX_SHOWN:
            self.failures.append(Failure(location, message))


class Report:
    """The verifier's report: one :class:`CheckResult` per check in :data:`CHECKS`."""

    def __init__(self) -> None:
        self.checks = {cid: CheckResult(cid, name, desc) for cid, name, desc in CHECKS}
        #: The figures the checks recomputed, as text tables (results.md §RES-5).
        self.tables: list[str] = []
        #: The recomputed official result in its JSON form, if V15 could compute it.
        self.official: dict[str, object] | None = None

    def fail(self, cid: str, location: str, message: str) -> None:
        """Record a failure of check ``cid``; it can no longer pass."""
        check = self.checks[cid]
        check.add(location, message)
        check.status = Status.FAIL

    def finish(self, cid: str, note: str = "", *, warning: str = "") -> None:
        """Mark ``cid`` as run to completion: PASS unless a failure was recorded.

        With ``warning``, a check without failure is WARN instead: it does not
        make the record invalid, but the report says plainly what was not checked.
        """
        check = self.checks[cid]
        check.note = note if not warning else f"{note}; WARNING: {warning}" if note \
            else f"WARNING: {warning}"
        if check.failure_count:
            check.status = Status.FAIL
        elif warning:
            check.status = Status.WARN
        else:
            check.status = Status.PASS

    def skip(self, cid: str, why: str) -> None:
        """Leave ``cid`` NOT RUN, saying why (a prerequisite failed)."""
        check = self.checks[cid]
        if check.status is Status.NOT_RUN:
            check.note = why

    def failed(self, cid: str) -> bool:
        return self.checks[cid].failure_count > 0

    @property
    def ok(self) -> bool:
        """True iff every check ran and passed (a warning is a pass that says what it missed)."""
        return all(c.status in (Status.PASS, Status.WARN) for c in self.checks.values())

    @property
    def warnings(self) -> tuple[str, ...]:
        """The ids of the checks that passed with a warning."""
        return tuple(c.id for c in self.checks.values() if c.status is Status.WARN)

    def print(self, out: TextIO = sys.stdout) -> None:
        for c in self.checks.values():
            line = f"[{c.status.value:>7}] {c.id:>3} {c.name:<17} {c.description}"
            out.write(line + "\n")
            if c.note:
                out.write(f"              {c.note}\n")
            for f in c.failures:
                out.write(f"              - {f}\n")
            hidden = c.failure_count - len(c.failures)
            if hidden > 0:
                out.write(f"              … and {hidden} more\n")
        for table in self.tables:
            out.write("\n" + table + "\n")
        verdict = "VALID" if self.ok else "INVALID"
        passed = sum(c.status in (Status.PASS, Status.WARN) for c in self.checks.values())
        warned = f" ({len(self.warnings)} with a warning: {', '.join(self.warnings)})" \
            if self.warnings else ""
        out.write(f"record {verdict}: {passed}/{len(self.checks)} checks passed{warned}\n")

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "warnings": list(self.warnings),
            "checks": [
                {"id": c.id, "name": c.name, "status": c.status.value, "note": c.note,
                 "failure_count": c.failure_count,
                 "failures": [{"location": f.location, "message": f.message}
                              for f in c.failures]}
                for c in self.checks.values()
            ],
            "official": self.official,
        }
