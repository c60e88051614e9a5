"""Every trustee of a t-of-n ceremony in one process: for demos and tests only.

A real ceremony runs each trustee on its own machine (docs/guides/trustees.md);
running them together means one process sees every share, which defeats the
threshold. This module exists so that demos, tests and benchmarks drive the
real protocol of spec §7 (honest trustees, no complaints) in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from tohyo.crypto import dkg
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_messages import DkgTranscript, JointKey, Roster
from tohyo.crypto.dkg_state import TrusteeKey

__all__ = ["LocalCeremony", "run_local_ceremony"]


@dataclass(frozen=True, slots=True)
class LocalCeremony:
    transcript: DkgTranscript
    joint: JointKey
    keys: tuple[TrusteeKey, ...]

    def __repr__(self) -> str:
        return f"LocalCeremony(t={self.joint.threshold}, n={self.joint.size})"


def run_local_ceremony(context: ProofContext, threshold: int, n: int) -> LocalCeremony:
    """Run spec §7 rounds 0-4 for n honest trustees and audit the transcript.

    Raises:
        InvalidEncoding: t or n out of range.
    """
    pairs = [dkg.generate_transport_key(context, i) for i in range(1, n + 1)]
    roster = Roster(threshold, tuple(p.public for p in pairs))
    secrets = [dkg.deal(context, roster, p) for p in pairs]
    dealings = tuple(s.dealing for s in secrets)
    checks = [dkg.check_dealings(context, roster, p, dealings) for p in pairs]
    draft = DkgTranscript(roster, dealings)
    keys = tuple(
        dkg.derive_key(context, draft, s, c) for s, c in zip(secrets, checks, strict=True)
    )
    confirmations = tuple(dkg.confirm_key(context, roster, k) for k in keys)
    transcript = DkgTranscript(roster, dealings, (), (), confirmations)
    joint = dkg.verify_transcript(context, transcript)
    return LocalCeremony(transcript, joint, keys)
