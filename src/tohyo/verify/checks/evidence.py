"""V6 with a monitor's fork evidence (record.md §REC-8, transparency-log.md §TL-13).

``tohyo verify --fork-evidence FILE`` holds every head of a monitor's
evidence file against the record. The heads are opened with the record's
pinned log key (the manifest's when it declares one), never with the key the
file names. A head the log signed whose root is not the root of the record's
first ``size`` entries, or that covers more entries than the record has, shows
that the log showed someone a board other than the published one; so do two
heads of the file that contradict each other. Each is a V6 failure located in
the evidence file. Heads that the log did not sign prove nothing and are
listed as ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

from tohyo.log import LogError, MerkleTree, verifier_from_key
from tohyo.log.evidence import ForkEvidence, check_evidence, open_heads
from tohyo.verify.report import Report

__all__ = ["check_fork_evidence"]


def check_fork_evidence(report: Report, evidence: Sequence[tuple[str, ForkEvidence]],
                        log_key: str, tree: MerkleTree) -> str:
    """Fail V6 for every head of the evidence that contradicts the record; returns a note."""
    try:
        verifier = verifier_from_key(log_key)
    except LogError as exc:  # the header's key was already refused by V6
        return f"fork evidence not checked: {exc}"
    checked = ignored = 0
    for name, item in evidence:
        findings = open_heads(item, [verifier])
        for finding in findings:
            where = f"{name}#/heads/{finding.index}"
            if finding.head is None:
                ignored += 1
                continue
            checked += 1
            head = finding.head.checkpoint
            if head.size > tree.size:
                report.fail("V6", where, f"the log signed a head of size {head.size}, beyond "
                                         f"the record's {tree.size} entries (entries withheld)")
            elif tree.root(head.size) != head.root_hash:
                report.fail("V6", where, f"the log signed another root for size {head.size} "
                                         "than the record's entries (a fork: the board shown "
                                         "to the monitor is not the published one)")
        for finding_text in check_evidence(findings):
            report.fail("V6", f"{name}#/heads", finding_text)
    note = f"fork evidence: {checked} signed heads held against the record"
    return note + (f", {ignored} not signed by the log (ignored)" if ignored else "")
