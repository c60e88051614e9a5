"""Single-use challenges for card signatures (docs/spec/authentication.md §AUTH-JPKI-3).

A challenge is 32 random bytes, handed to the voter's side (base64url) and
stored only as its SHA-256, with the election it is for, its purpose and an
expiry (two minutes by default). :meth:`ChallengeStore.consume` marks it used
in one conditional UPDATE *before* the signature is checked, so two racing
responses cannot both succeed and a failed attempt cannot be retried.

What the card signs is never the bare challenge but a framed message with a
domain-separation tag, so a signature made for Tohyo can't be replayed to
another relying party and vice versa (:func:`signed_message`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, insert, select, update

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.auth.errors import ChallengeRejected
from tohyo.app.store.db import begin_write

__all__ = [
    "Challenge",
    "ChallengeStore",
    "Purpose",
    "decode_challenge",
    "encode_challenge",
    "signed_message",
]

_DST = {
    "sign-in": b"tohyo/1/auth/jpki/sign-in",
    "envelope": b"tohyo/1/auth/jpki/envelope",
}


class Purpose(StrEnum):
    SIGN_IN = "sign-in"  #: the card signs the challenge to sign in
    ENVELOPE = "envelope"  #: the card signs a ballot hash (the outer envelope)


def _frame(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def signed_message(purpose: Purpose, election_id: str, payload: bytes) -> bytes:
    """The exact bytes the card signs (§AUTH-JPKI-3).

    ``len ‖ DST ‖ len ‖ election id ‖ len ‖ payload`` with 4-byte big-endian
    lengths; the payload is the challenge (sign-in) or the 32-byte ballot hash,
    the tracker (envelope, §AUTH-ENV-1).
    """
    return _frame(_DST[purpose.value], election_id.encode("utf-8"), payload)


def encode_challenge(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def decode_challenge(text: str) -> bytes:
    """Raises: ChallengeRejected: ``auth.challenge.malformed``."""
    try:
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ChallengeRejected("auth.challenge.malformed", "The challenge is malformed.") from exc
    if len(value) != 32 or encode_challenge(value) != text:
        raise ChallengeRejected("auth.challenge.malformed", "The challenge is malformed.")
    return value


@dataclass(frozen=True, slots=True)
class Challenge:
    value: bytes
    election_id: str
    purpose: Purpose
    expires_at: datetime

    @property
    def text(self) -> str:
        return encode_challenge(self.value)


def _hash(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


class ChallengeStore:
    """Issues and consumes challenges in the ``auth_challenges`` table."""

    def __init__(self, engine: Engine, *, ttl: timedelta = timedelta(minutes=2)) -> None:
        self.engine = engine
        self.ttl = ttl

    def issue(
        self, election_id: str, purpose: Purpose = Purpose.SIGN_IN, *, now: datetime | None = None
    ) -> Challenge:
        moment = utcnow(now)
        value = secrets.token_bytes(32)
        challenge = Challenge(value, election_id, purpose, moment + self.ttl)
        with begin_write(self.engine) as conn:
            conn.execute(
                insert(tables.challenges).values(
                    id_hash=_hash(value),
                    election_id=election_id,
                    nonce=value,
                    purpose=purpose.value,
                    created_at=moment,
                    expires_at=challenge.expires_at,
                    used_at=None,
                )
            )
        return challenge

    def consume(
        self,
        value: bytes,
        election_id: str,
        purpose: Purpose = Purpose.SIGN_IN,
        *,
        now: datetime | None = None,
    ) -> None:
        """Mark the challenge used, or say why it cannot be.

        Raises:
            ChallengeRejected: ``auth.challenge.unknown``, ``.used``, ``.expired`` or
                ``.wrong_election`` (also for the wrong purpose).
        """
        moment = utcnow(now)
        key = _hash(value)
        t = tables.challenges
        with begin_write(self.engine) as conn:
            row = conn.execute(select(t).where(t.c.id_hash == key)).first()
            if row is None:
                raise ChallengeRejected("auth.challenge.unknown", "Unknown challenge.")
            if row.election_id != election_id or row.purpose != purpose.value:
                raise ChallengeRejected(
                    "auth.challenge.wrong_election", "The challenge is for another election."
                )
            if row.used_at is not None:
                raise ChallengeRejected(
                    "auth.challenge.used", "This challenge was already used; request a new one."
                )
            if as_utc(row.expires_at) <= moment:
                raise ChallengeRejected(
                    "auth.challenge.expired", "This challenge has expired; request a new one."
                )
            done = conn.execute(
                update(t).where(t.c.id_hash == key, t.c.used_at.is_(None)).values(used_at=moment)
            )
            if done.rowcount != 1:  # a concurrent response won the race
                raise ChallengeRejected(
                    "auth.challenge.used", "This challenge was already used; request a new one."
                )
