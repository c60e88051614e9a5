"""Helpers shared by the threshold tests: run a whole key-generation ceremony.

Not a test module. ``run_ceremony`` drives every round exactly as independent
trustees would, through the public round functions (or their nonce seams).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tohyo.crypto import dkg
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_messages import (
    ComplaintAnswer,
    Dealing,
    DkgTranscript,
    JointKey,
    Roster,
    dealing_body,
)
from tohyo.crypto.dkg_state import DealerSecret, ShareCheck, TrusteeKey
from tohyo.crypto.group import Scalar
from tohyo.crypto.randomness import SYSTEM, NonceSource
from tohyo.crypto.transport import TransportKeyPair, _generate_transport_key, sign_message

CONTEXT = ProofContext("tsukuba-2028-mayor", bytes(range(32)), binding=("test",))


@dataclass
class Ceremony:
    context: ProofContext
    roster: Roster
    keypairs: list[TransportKeyPair]
    secrets: list[DealerSecret]
    checks: list[ShareCheck]
    answers: tuple[ComplaintAnswer, ...]
    transcript: DkgTranscript
    keys: list[TrusteeKey]
    joint: JointKey

    @property
    def election_context(self) -> ProofContext:
        """The context decryption uses: the election context with K."""
        return replace(self.context, public_key=self.joint.public_key.element)


def setup_roster(
    threshold: int, n: int, nonces: NonceSource = SYSTEM, context: ProofContext = CONTEXT
) -> tuple[Roster, list[TransportKeyPair]]:
    keypairs = [_generate_transport_key(context, i, nonces) for i in range(1, n + 1)]
    return Roster(threshold, tuple(k.public for k in keypairs)), keypairs


def run_ceremony(
    threshold: int,
    n: int,
    nonces: NonceSource = SYSTEM,
    context: ProofContext = CONTEXT,
) -> Ceremony:
    """A complete honest ceremony; every trustee derives and confirms its key."""
    roster, keypairs = setup_roster(threshold, n, nonces, context)
    secrets = [dkg._deal(context, roster, kp, nonces) for kp in keypairs]
    return finish_ceremony(context, roster, keypairs, secrets, nonces)


def finish_ceremony(
    context: ProofContext,
    roster: Roster,
    keypairs: Sequence[TransportKeyPair],
    secrets: Sequence[DealerSecret],
    nonces: NonceSource = SYSTEM,
    dealings: Sequence[Dealing] | None = None,
) -> Ceremony:
    """Rounds 2–4 from the given dealer states; accused dealers answer honestly."""
    if dealings is None:
        dealings = [s.dealing for s in secrets]
    checks = [dkg._check_dealings(context, roster, kp, dealings, nonces) for kp in keypairs]
    complaints = tuple(c for check in checks for c in check.complaints)
    answers = tuple(
        dkg._answer_complaint(context, roster, keypairs[c.dealer - 1], secrets[c.dealer - 1],
                              c, nonces)
        for c in complaints
    )
    transcript = DkgTranscript(roster, tuple(dealings), complaints, answers)
    keys = [dkg.derive_key(context, transcript, s, c) for s, c in zip(secrets, checks, strict=True)]
    confirmations = tuple(dkg._confirm_key(context, roster, k, nonces) for k in keys)
    transcript = replace(transcript, confirmations=confirmations)
    joint = dkg.verify_transcript(context, transcript)
    return Ceremony(context, roster, list(keypairs), list(secrets), checks, answers, transcript,
                    keys, joint)


def resign(
    context: ProofContext, roster: Roster, signer: TransportKeyPair, dealing: Dealing
) -> Dealing:
    """``dealing`` with a fresh valid signature by ``signer``: a dealer who cheats openly."""
    body = dealing_body(dealing.dealer, dealing.commitments, dealing.proof, dealing.envelopes)
    signature = sign_message(roster.ceremony(context), signer, "dealing", body)
    return replace(dealing, signature=signature)


class ZeroFirst:
    """A nonce source whose first draw for every label is zero (to hit resampling)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def scalar(self, label: str) -> Scalar:
        if label not in self._seen:
            self._seen.add(label)
            return Scalar.from_int(0)
        return SYSTEM.scalar(label)
