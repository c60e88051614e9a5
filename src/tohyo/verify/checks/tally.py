"""V11–V14: selection, aggregate, decryption and results (record.md §REC-5, §REC-7, §REC-8).

The verifier recomputes everything from the entries: the effective-ballot
selection (the same rules as the service, :mod:`tohyo.record.effective`), the
aggregate of the effective ballots, the combination of the published shares
(each share's proof binds the trustee, the label and the ciphertext), the
discrete logs and the results. The published values must equal the
recomputed ones exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import combine_robust
from tohyo.crypto.dkg_messages import JointKey
from tohyo.crypto.dlog import DiscreteLogTable
from tohyo.crypto.elgamal import Ciphertext
from tohyo.crypto.errors import CryptoError
from tohyo.record.canonical import dumps_canonical
from tohyo.record.effective import Selection
from tohyo.record.errors import RecordError
from tohyo.record.format import TALLY, InvalidRecord
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.record.reader import RecordReader
from tohyo.record.results import Results, aggregate_labels, compute_results
from tohyo.record.tally import TallyDocument
from tohyo.verify.checks.log import HeadFact
from tohyo.verify.report import Report

__all__ = ["check_tally", "read_tally"]

_ALL = ("V11", "V12", "V13", "V14")


def read_tally(reader: RecordReader, report: Report) -> TallyDocument | None:
    """Decode ``tally.json``; on failure V11–V14 fail at its location."""
    try:
        return TallyDocument.from_json(reader.read_json(TALLY))
    except InvalidRecord as exc:
        for cid in _ALL:
            report.fail(cid, exc.location, exc.reason)
        return None


def _where(pointer: str) -> str:
    return f"{TALLY}#{pointer}"


def check_tally(
    report: Report,
    tally: TallyDocument,
    manifest: Manifest,
    joint: JointKey,
    selection: Selection,
    aggregates: Mapping[str, Ciphertext],
    withdrawn: frozenset[tuple[str, str]],
    final: HeadFact | None,
) -> tuple[Results, dict[str, int]] | None:
    """Run V11–V14 against the recomputed selection and aggregates.

    ``final`` is the head the tally must be bound to: the final head, or in a
    ``tohyo-record/2`` record the head at the close (results.md §RES-5).
    Returns the recomputed results and decrypted counts, if V14 could run.
    """
    # V11: selection and binding to the final head.
    if final is None:
        report.fail("V11", _where("/final_head"), "no valid final head to bind the tally to")
    elif (tally.final_size, tally.final_root) != (final.size, final.root.hex()):
        report.fail("V11", _where("/final_head"),
                    f"the tally is bound to size {tally.final_size}, not to the final head "
                    f"of size {final.size} and its root")
    expected = selection.counts()
    for key, value in expected.items():
        if tally.counts.get(key) != value:
            report.fail("V11", _where(f"/counts/{key}"),
                        f"published {tally.counts.get(key)}, recomputed {value}")
    report.finish("V11", ", ".join(f"{k} {v}" for k, v in expected.items()))

    # V12: aggregates.
    labels = aggregate_labels(manifest)
    published = dict(tally.aggregates)
    if [lab for lab, _ in tally.aggregates] != list(labels):
        report.fail("V12", _where("/aggregates"), "labels are not the manifest's, in order")
    for i, (lab, ct) in enumerate(tally.aggregates):
        if aggregates.get(lab) != ct:
            report.fail("V12", _where(f"/aggregates/{i}/ct"),
                        f"{lab!r} is not the sum of the effective ballots")
    report.finish("V12", f"{len(labels)} labels over {len(selection.effective)} ballots")
    if report.failed("V12"):
        report.skip("V13", "aggregates differ (V12)")
        report.skip("V14", "aggregates differ (V12)")
        return None
    return _decryption(report, tally, manifest, joint, published, selection, withdrawn)


def _decryption(
    report: Report,
    tally: TallyDocument,
    manifest: Manifest,
    joint: JointKey,
    aggregates: Mapping[str, Ciphertext],
    selection: Selection,
    withdrawn: frozenset[tuple[str, str]],
) -> tuple[Results, dict[str, int]] | None:
    context = ProofContext(manifest.id, manifest_hash(manifest), joint.public_key.element)
    try:
        decryption = combine_robust(context, tally.shares, joint.threshold,
                                    joint.verification_key_map(), aggregates)
    except CryptoError as exc:
        report.fail("V13", _where("/shares"), str(exc))
        report.skip("V14", "no decryption (V13)")
        return None
    if tuple(decryption.trustees) != tally.trustees:
        report.fail("V13", _where("/decryption/trustees"),
                    f"published {list(tally.trustees)}, the valid shares give "
                    f"{list(decryption.trustees)}")
    found = {e.trustee: e.reason for e in decryption.excluded}
    named = {e.trustee for e in tally.excluded}
    for j in sorted(set(found) - named):
        report.fail("V13", _where("/shares"), f"trustee {j}'s shares fail but the tally does "
                                              f"not name it: {found[j]}")
    for j in sorted(named - set(found)):
        report.fail("V13", _where("/decryption/excluded"),
                    f"trustee {j} is named as excluded but its shares verify")
    report.finish("V13", f"trustees {list(decryption.trustees)} combined"
                  + (f"; excluded {sorted(found)}" if found else ""))

    try:
        table = DiscreteLogTable(bound=max(len(selection.effective), 1))
        counts = {lab: table.recover(m) for lab, m in decryption.plaintexts}
        results = compute_results(manifest, counts, len(selection.effective), withdrawn)
    except (CryptoError, RecordError) as exc:
        report.fail("V14", _where("/results"), f"totals cannot be recovered: {exc}")
        return None
    if dumps_canonical(results.to_json()) != dumps_canonical(dict(tally.results)):
        _diff(report, results.to_json(), dict(tally.results))
    report.finish("V14", f"{results.ballots} ballots counted")
    return results, counts


def _diff(report: Report, ours: dict[str, object], theirs: dict[str, object]) -> None:
    """Name the first differing results, as JSON pointers."""
    def walk(a: object, b: object, pointer: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k), b.get(k), f"{pointer}/{k}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{pointer}/{i}")
        elif a != b or type(a) is not type(b):
            report.fail("V14", _where(f"/results{pointer}"),
                        f"published {str(b)[:60]}, recomputed {str(a)[:60]}")

    walk(ours, theirs, "")
