"""The verified voter every authentication method returns (docs/spec/authentication.md §AUTH-ID).

The service never sees a name or a card serial: each method turns the person
into an *identity key*, a keyed hash (HMAC-SHA-256 under the roll key held
outside the database) of a canonical, method-specific identity string:

* JPKI card (§AUTH-ID-2): ``jpki`` · normalised name · birth date. The address
  and the card's serial are left out on purpose: JPKI revokes and re-issues the
  signature certificate on a move, so either would split one voter into two.
* OpenID Connect (§AUTH-ID-3): ``oidc`` · issuer · pairwise subject.
* Voting code (§AUTH-ID-4): the roll entry's own key, issued with the letter.

Each part is length-prefixed under a domain-separation tag, as everywhere in
Tohyo, so no two different tuples hash alike.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "IDENTITY_DST",
    "AuthMethodName",
    "IdentityKeyer",
    "VerifiedVoter",
    "VoterAttributes",
    "normalise_name",
]

#: Domain-separation tag of the identity key (§AUTH-ID-1).
IDENTITY_DST = b"tohyo/1/auth/identity"


class AuthMethodName(StrEnum):
    """How the voter proved who they are (matches the manifest's ``authentication``)."""

    JPKI = "jpki"
    OIDC = "oidc"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class VoterAttributes:
    """What the method vouches for, for eligibility (§AUTH-ELIG).

    Attributes:
        birth_date: from the certificate or the ``birthdate`` claim; ``None`` for codes,
            whose roll entry was checked when the letter was printed.
        address_code: municipality code (``082201``) the address resolves to, or ``""``.
        district: district within the municipality, or ``""``.
    """

    birth_date: date | None
    address_code: str
    district: str = ""


@dataclass(frozen=True, slots=True)
class VerifiedVoter:
    """An authenticated, eligible voter as the service receives it (§AUTH-ID).

    Attributes:
        identity_key: 32-byte keyed hash; equal for the same person across re-issued cards.
        attributes: the vouched attributes used for eligibility.
        method: which authentication method succeeded.
        resident: the key is the *resident identity* (name and birth date as the
            resident register holds them, §AUTH-ID-2): true for cards, and for an
            OIDC provider configured as ``resident`` (§AUTH-ROLL-2). Only such keys
            can be matched to a closed roll or to another method's voters.
    """

    identity_key: bytes
    attributes: VoterAttributes
    method: AuthMethodName
    resident: bool = False

    @property
    def identity_hex(self) -> str:
        return self.identity_key.hex()


def normalise_name(name: str) -> str:
    """NFKC, all white space removed: ``"筑波　太郎"`` and ``"筑波 太郎"`` are one name.

    Raises:
        ValueError: the name is empty after normalisation.
    """
    folded = "".join(unicodedata.normalize("NFKC", name).split())
    if not folded:
        raise ValueError("empty name")
    return folded


def _frame(*parts: bytes) -> bytes:
    out = bytearray()
    for part in parts:
        out += len(part).to_bytes(4, "big") + part
    return bytes(out)


@dataclass(frozen=True, slots=True)
class IdentityKeyer:
    """Computes identity keys under one secret HMAC key (§AUTH-ID-1).

    Attributes:
        key: at least 32 secret bytes, kept in a file outside the database.
    """

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) < 32:
            raise ValueError("the identity HMAC key must be at least 32 bytes")

    def _mac(self, *parts: bytes) -> bytes:
        return hmac.new(self.key, _frame(IDENTITY_DST, *parts), hashlib.sha256).digest()

    def for_card_holder(self, name: str, birth_date: date) -> bytes:
        """§AUTH-ID-2: stable across re-issue, address changes and new key pairs."""
        return self._mac(
            b"jpki", normalise_name(name).encode("utf-8"), birth_date.isoformat().encode()
        )

    def for_resident(self, name: str, birth_date: date) -> bytes:
        """The resident identity (§AUTH-ID-2, §AUTH-ROLL-2): a card holder's key.

        The same value whether the name and birth date come from a card, from a
        resident-vouching OIDC provider, or from a row of the commission's roll.
        """
        return self.for_card_holder(name, birth_date)

    def for_oidc_subject(self, issuer: str, subject: str) -> bytes:
        """§AUTH-ID-3: the pairwise subject is only unique per issuer."""
        return self._mac(b"oidc", issuer.encode("utf-8"), subject.encode("utf-8"))
