"""A key ceremony run in one process, for simulations and tests (threshold.md §7).

Each trustee's rounds are the same calls ``tohyo trustee`` makes on the
trustee's own machine; here they run side by side and exchange messages in
memory. A real ceremony never has every secret in one place.
"""

from __future__ import annotations

from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg import (
    DkgTranscript,
    Roster,
    TrusteeKey,
    check_dealings,
    confirm_key,
    deal,
    derive_key,
    generate_transport_key,
)

__all__ = ["run_ceremony"]


def run_ceremony(
    context: ProofContext, threshold: int, size: int
) -> tuple[DkgTranscript, list[TrusteeKey]]:
    """All rounds for ``size`` honest trustees; returns the transcript and their keys.

    Args:
        context: the election context without a public key.
        threshold: t.
        size: n.
    """
    pairs = [generate_transport_key(context, i) for i in range(1, size + 1)]
    roster = Roster(threshold, tuple(p.public for p in pairs))
    secrets = [deal(context, roster, p) for p in pairs]
    dealings = tuple(s.dealing for s in secrets)
    checks = [check_dealings(context, roster, p, dealings) for p in pairs]
    transcript = DkgTranscript(roster, dealings)
    keys = [derive_key(context, transcript, s, c) for s, c in zip(secrets, checks, strict=True)]
    confirmations = tuple(confirm_key(context, roster, k) for k in keys)
    return DkgTranscript(roster, dealings, (), (), confirmations), keys
