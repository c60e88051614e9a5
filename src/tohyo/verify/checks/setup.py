"""V1–V3: the record's header, the manifest and the key ceremony (record.md §REC-8).

The joint key used for every later check is the one the ceremony transcript
yields; if the transcript fails, the published key is still used so that the
ballot checks can run, but V3 has failed and the record is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_audit import verify_transcript
from tohyo.crypto.dkg_messages import DkgTranscript, JointKey
from tohyo.crypto.errors import CryptoError
from tohyo.record.canonical import dumps_canonical
from tohyo.record.errors import RecordError
from tohyo.record.format import CEREMONY, HEADER, MANIFEST, InvalidRecord
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.record.reader import RecordReader
from tohyo.verify.checks.ballots import Setup
from tohyo.verify.report import Report

__all__ = ["SetupOutcome", "check_setup"]


@dataclass(frozen=True, slots=True)
class SetupOutcome:
    """What the later checks need; ``joint`` is None if no key could be read."""

    reader: RecordReader
    manifest: Manifest | None
    joint: JointKey | None
    setup: Setup | None


def _open(path: Path, report: Report) -> RecordReader | None:
    try:
        reader = RecordReader(path)
    except InvalidRecord as exc:
        report.fail("V1", exc.location, exc.reason)
        return None
    report.finish("V1", f"format {reader.header.format}, protocol {reader.header.protocol}")
    return reader


def _manifest(reader: RecordReader, report: Report) -> Manifest | None:
    header = reader.header
    try:
        manifest = Manifest.from_json(reader.read_json(MANIFEST))
    except InvalidRecord as exc:
        report.fail("V2", exc.location, exc.reason)
        return None
    except RecordError as exc:
        report.fail("V2", MANIFEST, str(exc))
        return None
    if manifest_hash(manifest).hex() != header.manifest_hash:
        report.fail("V2", f"{HEADER}#/manifest_hash", "is not the manifest's hash")
    if manifest.id != header.election_id:
        report.fail("V2", f"{MANIFEST}#/id", "differs from the header's election id")
    report.finish("V2", f"election {manifest.id!r}, {len(manifest.questions)} questions")
    return manifest


def _ceremony(reader: RecordReader, manifest: Manifest, report: Report) -> JointKey | None:
    try:
        obj = reader.read_json(CEREMONY)
    except InvalidRecord as exc:
        report.fail("V3", exc.location, exc.reason)
        return None
    if not isinstance(obj, dict) or set(obj) != {"transcript", "joint_key"}:
        report.fail("V3", CEREMONY, 'expected {"transcript": …, "joint_key": …}')
        return None
    try:
        published = JointKey.from_json(obj["joint_key"])
    except CryptoError as exc:
        report.fail("V3", f"{CEREMONY}#/joint_key", str(exc))
        return None
    context = ProofContext(manifest.id, manifest_hash(manifest))
    try:
        transcript = DkgTranscript.from_json(obj["transcript"])
        derived = verify_transcript(context, transcript)
    except CryptoError as exc:
        report.fail("V3", f"{CEREMONY}#/transcript", str(exc))
        return published
    if dumps_canonical(derived.to_json()) != dumps_canonical(published.to_json()):
        report.fail("V3", f"{CEREMONY}#/joint_key", "is not the key the transcript yields")
    if derived.threshold != manifest.threshold or derived.size != len(manifest.trustees):
        report.fail("V3", f"{CEREMONY}#/transcript/roster",
                    f"t={derived.threshold}, n={derived.size} differ from the manifest's "
                    f"t={manifest.threshold}, n={len(manifest.trustees)}")
    report.finish("V3", f"{derived.threshold} of {derived.size} trustees, "
                        f"K={derived.public_key.to_hex()[:16]}…")
    return published


def check_setup(path: Path, report: Report) -> SetupOutcome | None:
    """Run V1–V3; None if the record cannot be read at all (V1 failed)."""
    reader = _open(path, report)
    if reader is None:
        return None
    manifest = _manifest(reader, report)
    if manifest is None:
        report.skip("V3", "no valid manifest (V2)")
        return SetupOutcome(reader, None, None, None)
    joint = _ceremony(reader, manifest, report)
    setup = None
    if joint is not None:
        setup = Setup(
            election_id=manifest.id,
            manifest_hash=manifest_hash(manifest),
            public_key=joint.public_key.element.to_bytes(),
            manifest_json=dumps_canonical(manifest.to_json()),
        )
    return SetupOutcome(reader, manifest, joint, setup)
