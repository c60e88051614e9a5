"""What a trustee keeps private between the rounds of key generation (spec §7).

A ceremony may run over days by file exchange, so each trustee's state is a
value with a JSON form. All of it is secret: store it only encrypted at rest,
and never log it (``repr`` redacts the secrets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json, _wire
from tohyo.crypto.dkg_messages import Complaint, Dealing, JointKey
from tohyo.crypto.errors import InvalidEncoding, InvalidKey
from tohyo.crypto.group import Element, Scalar, base_mul
from tohyo.crypto.polynomial import MAX_TRUSTEES, Polynomial, check_indices

__all__ = ["DealerSecret", "ShareCheck", "TrusteeKey"]


@dataclass(frozen=True, slots=True)
class DealerSecret:
    """Dealer i's polynomial f_i and the dealing it published (spec §7.4).

    Kept to answer complaints (§7.7) and to compute the dealer's own share f_i(i).

    Raises:
        InvalidKey: the polynomial does not match the dealing's commitments.
    """

    polynomial: Polynomial
    dealing: Dealing

    def __post_init__(self) -> None:
        if self.polynomial.commitments() != self.dealing.commitments:
            raise InvalidKey("dealer secret: polynomial and commitments differ")

    @property
    def dealer(self) -> int:
        return self.dealing.dealer

    def to_json(self) -> dict[str, Any]:
        """Secret: store only encrypted at rest."""
        return {"polynomial": self.polynomial.to_json(), "dealing": self.dealing.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> DealerSecret:
        f = _json.expect_object(obj, {"polynomial", "dealing"}, "dealer secret")
        return cls(Polynomial.from_json(f["polynomial"]), Dealing.from_json(f["dealing"]))

    def __repr__(self) -> str:
        return f"DealerSecret(dealer={self.dealer}, polynomial=<redacted>)"


@dataclass(frozen=True, slots=True)
class ShareCheck:
    """Trustee j's result of round 2 (spec §7.6).

    Attributes:
        trustee: j.
        shares: (i, s_ij) for every dealer i ≠ j whose share passed the check.
        complaints: the complaints j publishes against the other dealers.
    """

    trustee: int
    shares: tuple[tuple[int, Scalar], ...]
    complaints: tuple[Complaint, ...]

    def __post_init__(self) -> None:
        dealers = [i for i, _ in self.shares] + [c.dealer for c in self.complaints]
        check_indices([self.trustee, *dealers], "share check")
        if any(c.accuser != self.trustee for c in self.complaints):
            raise InvalidEncoding("share check: a complaint by another trustee")

    def to_json(self) -> dict[str, Any]:
        """Secret: store only encrypted at rest."""
        return {
            "trustee": self.trustee,
            "shares": [{"dealer": i, "share": s.to_hex()} for i, s in self.shares],
            "complaints": [c.to_json() for c in self.complaints],
        }

    @classmethod
    def from_json(cls, obj: Any) -> ShareCheck:
        f = _json.expect_object(obj, {"trustee", "shares", "complaints"}, "share check")
        shares = []
        for item in _json.expect_list(f["shares"], "share check.shares", max_len=MAX_TRUSTEES):
            g = _json.expect_object(item, {"dealer", "share"}, "share check.share")
            shares.append((_wire.integer(g["dealer"], "share.dealer", lo=1, hi=MAX_TRUSTEES),
                           _json.scalar(g["share"], "share.share")))
        complaints = _json.expect_list(f["complaints"], "share check.complaints",
                                       max_len=MAX_TRUSTEES)
        return cls(
            _wire.integer(f["trustee"], "share check.trustee", lo=1, hi=MAX_TRUSTEES),
            tuple(shares),
            tuple(Complaint.from_json(c) for c in complaints),
        )

    def __repr__(self) -> str:
        dealers = [i for i, _ in self.shares]
        return f"ShareCheck(trustee={self.trustee}, shares from {dealers}, <redacted>)"


@dataclass(frozen=True, slots=True)
class TrusteeKey:
    """Trustee j's share x_j of the election secret, with the joint key (spec §7.8).

    Raises:
        InvalidKey: j is not a trustee of ``joint``, or [x_j]G ≠ X_j.
    """

    trustee: int
    secret: Scalar
    joint: JointKey

    def __post_init__(self) -> None:
        if not 1 <= self.trustee <= self.joint.size:
            raise InvalidKey(f"trustee key: no trustee {self.trustee} in the joint key")
        if base_mul(self.secret) != self.verification_key:
            raise InvalidKey("trustee key: the secret share does not match X_j")

    @property
    def verification_key(self) -> Element:
        """X_j."""
        return self.joint.verification_keys[self.trustee - 1]

    def to_json(self) -> dict[str, Any]:
        """Secret: store only encrypted at rest."""
        return {"trustee": self.trustee, "secret": self.secret.to_hex(),
                "joint": self.joint.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeKey:
        f = _json.expect_object(obj, {"trustee", "secret", "joint"}, "trustee key")
        return cls(_wire.integer(f["trustee"], "trustee key.trustee", lo=1, hi=MAX_TRUSTEES),
                   _json.scalar(f["secret"], "trustee key.secret"),
                   JointKey.from_json(f["joint"]))

    def __repr__(self) -> str:
        return f"TrusteeKey(trustee={self.trustee}, secret=<redacted>)"
