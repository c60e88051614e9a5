"""The public messages of threshold key generation (docs/spec/threshold.md §7.10).

Every value here may be published: it is what a relay forwards, what the
election record keeps and what an auditor re-checks with
:func:`tohyo.crypto.dkg.verify_transcript`. Decoding is strict (exactly the
expected fields, canonical encodings) but deliberately accepts well-formed
content that is *wrong* — a commitment vector of the wrong length, an identity
commitment — so that the checks of §7.6 can blame the trustee who signed it
instead of failing anonymously at the parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json, _wire
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import PublicKey
from tohyo.crypto.errors import InvalidEncoding, InvalidKey
from tohyo.crypto.group import Element, Scalar
from tohyo.crypto.hashing import Dst, digest, encode_parts, u64, utf8
from tohyo.crypto.polynomial import MAX_TRUSTEES, check_indices
from tohyo.crypto.proofs.schnorr import SchnorrProof
from tohyo.crypto.transport import ShareEnvelope, TransportKey, dkg_context

__all__ = [
    "Complaint",
    "ComplaintAnswer",
    "Dealing",
    "DkgTranscript",
    "JointKey",
    "KeyConfirmation",
    "Roster",
    "answer_body",
    "complaint_body",
    "dealing_body",
]

_MAX_PAIRS = MAX_TRUSTEES * (MAX_TRUSTEES - 1)


def _index(obj: Any, what: str) -> int:
    return _wire.integer(obj, what, lo=1, hi=MAX_TRUSTEES)


def _check_threshold(threshold: int, n: int, what: str) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise InvalidEncoding(f"{what}: the threshold must be an integer")
    if not 1 <= n <= MAX_TRUSTEES:
        raise InvalidEncoding(f"{what}: need 1 to {MAX_TRUSTEES} trustees, got {n}")
    if not 1 <= threshold <= n:
        raise InvalidEncoding(f"{what}: need 1 <= t <= n, got t={threshold}, n={n}")


@dataclass(frozen=True, slots=True)
class Roster:
    """The ceremony's parameters: threshold t and the n transport keys (spec §7.2).

    The keys are listed by index: ``transport_keys[i − 1]`` belongs to trustee i,
    so indices are exactly 1..n, none zero and none repeated.

    Raises:
        InvalidEncoding: t < 1, t > n, n > MAX_TRUSTEES, or indices not 1..n.
    """

    threshold: int
    transport_keys: tuple[TransportKey, ...]

    def __post_init__(self) -> None:
        _check_threshold(self.threshold, len(self.transport_keys), "roster")
        indices = [k.trustee for k in self.transport_keys]
        check_indices(indices, "roster")
        if indices != list(range(1, len(indices) + 1)):
            raise InvalidEncoding("roster: trustees must be listed as 1, 2, …, n")

    @property
    def size(self) -> int:
        """n, the number of trustees."""
        return len(self.transport_keys)

    def key(self, trustee: int) -> TransportKey:
        """Trustee ``trustee``'s transport key.

        Raises:
            InvalidEncoding: no such trustee.
        """
        if isinstance(trustee, bool) or not isinstance(trustee, int) or not (
            1 <= trustee <= self.size
        ):
            raise InvalidEncoding(f"roster: no trustee {trustee} among 1..{self.size}")
        return self.transport_keys[trustee - 1]

    def digest(self) -> bytes:
        """ρ = H(DKG_MESSAGE; "roster", u64(t), u64(n), T_1, …, T_n) (spec §7.2)."""
        return digest(
            Dst.DKG_MESSAGE,
            utf8("roster"),
            u64(self.threshold),
            u64(self.size),
            *(k.key.to_bytes() for k in self.transport_keys),
        )

    def ceremony(self, context: ProofContext) -> ProofContext:
        """C_dkg: the key-generation context bound to this roster (spec §7.3)."""
        return dkg_context(context).bound(self.digest().hex())

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "transport_keys": [k.to_json() for k in self.transport_keys],
        }

    @classmethod
    def from_json(cls, obj: Any) -> Roster:
        f = _json.expect_object(obj, {"threshold", "transport_keys"}, "roster")
        keys = _json.expect_list(f["transport_keys"], "roster.transport_keys",
                                 max_len=MAX_TRUSTEES)
        threshold = _wire.integer(f["threshold"], "roster.threshold", lo=1, hi=MAX_TRUSTEES)
        return cls(threshold, tuple(TransportKey.from_json(k) for k in keys))


@dataclass(frozen=True, slots=True)
class Dealing:
    """Trustee i's round-1 broadcast (spec §7.4).

    Attributes:
        dealer: i.
        commitments: A_i0, …, A_i,t−1.
        proof: Schnorr proof of knowledge of a_i0 = log_G A_i0.
        envelopes: the encrypted shares s_ij, one per j ≠ i, by increasing j.
        signature: i's signature over all of the above (spec §7.3).
    """

    dealer: int
    commitments: tuple[Element, ...]
    proof: SchnorrProof
    envelopes: tuple[ShareEnvelope, ...]
    signature: SchnorrProof

    def __post_init__(self) -> None:
        _index(self.dealer, "dealing.dealer")

    def body(self) -> tuple[bytes, ...]:
        """The signed body (spec §7.4)."""
        return dealing_body(self.dealer, self.commitments, self.proof, self.envelopes)

    def envelope_for(self, recipient: int) -> ShareEnvelope:
        """The envelope addressed to ``recipient``.

        Raises:
            InvalidEncoding: there is none, or more than one.
        """
        found = [e for e in self.envelopes if e.recipient == recipient]
        if len(found) != 1:
            raise InvalidEncoding(f"dealing {self.dealer}: no single envelope for {recipient}")
        return found[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "dealer": self.dealer,
            "commitments": [a.to_hex() for a in self.commitments],
            "proof": self.proof.to_json(),
            "envelopes": [e.to_json() for e in self.envelopes],
            "signature": self.signature.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Dealing:
        keys = {"dealer", "commitments", "proof", "envelopes", "signature"}
        f = _json.expect_object(obj, keys, "dealing")
        commitments = _json.expect_list(f["commitments"], "dealing.commitments",
                                        max_len=MAX_TRUSTEES)
        envelopes = _json.expect_list(f["envelopes"], "dealing.envelopes", max_len=MAX_TRUSTEES)
        return cls(
            f["dealer"],
            tuple(_json.element(a, "dealing.commitment", allow_identity=True)
                  for a in commitments),
            SchnorrProof.from_json(f["proof"]),
            tuple(ShareEnvelope.from_json(e) for e in envelopes),
            SchnorrProof.from_json(f["signature"]),
        )


def dealing_body(
    dealer: int,
    commitments: Sequence[Element],
    proof: SchnorrProof,
    envelopes: Sequence[ShareEnvelope],
) -> tuple[bytes, ...]:
    """(u64(i), lp(A_i0‖…), c, z, lp-list of lp(u64(j), E, ct)) of spec §7.4."""
    return (
        u64(dealer),
        encode_parts(*(a.to_bytes() for a in commitments)),
        proof.challenge.to_bytes(),
        proof.response.to_bytes(),
        encode_parts(
            *(encode_parts(u64(e.recipient), e.ephemeral.to_bytes(), e.ciphertext)
              for e in envelopes)
        ),
    )


@dataclass(frozen=True, slots=True)
class Complaint:
    """Trustee j's accusation that dealer i's share for j is bad (spec §7.6).

    The signature binds the ephemeral key of the very envelope complained about.
    """

    accuser: int
    dealer: int
    signature: SchnorrProof

    def __post_init__(self) -> None:
        _index(self.accuser, "complaint.accuser")
        _index(self.dealer, "complaint.dealer")

    def body(self, ephemeral: Element) -> tuple[bytes, ...]:
        """The signed body, given the ephemeral key E of the envelope (spec §7.6)."""
        return complaint_body(self.accuser, self.dealer, ephemeral)

    def to_json(self) -> dict[str, Any]:
        return {"accuser": self.accuser, "dealer": self.dealer,
                "signature": self.signature.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> Complaint:
        f = _json.expect_object(obj, {"accuser", "dealer", "signature"}, "complaint")
        return cls(f["accuser"], f["dealer"], SchnorrProof.from_json(f["signature"]))


@dataclass(frozen=True, slots=True)
class ComplaintAnswer:
    """Dealer i's public answer to j's complaint: the share s_ij itself (spec §7.7)."""

    dealer: int
    accuser: int
    share: Scalar
    signature: SchnorrProof

    def __post_init__(self) -> None:
        _index(self.dealer, "answer.dealer")
        _index(self.accuser, "answer.accuser")

    def body(self) -> tuple[bytes, ...]:
        """The signed body (spec §7.7)."""
        return answer_body(self.dealer, self.accuser, self.share)

    def to_json(self) -> dict[str, Any]:
        return {"dealer": self.dealer, "accuser": self.accuser, "share": self.share.to_hex(),
                "signature": self.signature.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> ComplaintAnswer:
        f = _json.expect_object(obj, {"dealer", "accuser", "share", "signature"}, "answer")
        return cls(f["dealer"], f["accuser"], _json.scalar(f["share"], "answer.share"),
                   SchnorrProof.from_json(f["signature"]))


def complaint_body(accuser: int, dealer: int, ephemeral: Element) -> tuple[bytes, ...]:
    """(u64(j), u64(i), E_ij) of spec §7.6."""
    return (u64(accuser), u64(dealer), ephemeral.to_bytes())


def answer_body(dealer: int, accuser: int, share: Scalar) -> tuple[bytes, ...]:
    """(u64(i), u64(j), s_ij) of spec §7.7."""
    return (u64(dealer), u64(accuser), share.to_bytes())


@dataclass(frozen=True, slots=True)
class KeyConfirmation:
    """Trustee j's proof that it knows x_j = log_G X_j (spec §7.9)."""

    trustee: int
    proof: SchnorrProof

    def __post_init__(self) -> None:
        _index(self.trustee, "confirmation.trustee")

    def to_json(self) -> dict[str, Any]:
        return {"trustee": self.trustee, "proof": self.proof.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> KeyConfirmation:
        f = _json.expect_object(obj, {"trustee", "proof"}, "confirmation")
        return cls(f["trustee"], SchnorrProof.from_json(f["proof"]))


@dataclass(frozen=True, slots=True)
class DkgTranscript:
    """Everything a key-generation ceremony published, in order (spec §7.9)."""

    roster: Roster
    dealings: tuple[Dealing, ...]
    complaints: tuple[Complaint, ...] = ()
    answers: tuple[ComplaintAnswer, ...] = ()
    confirmations: tuple[KeyConfirmation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "roster": self.roster.to_json(),
            "dealings": [d.to_json() for d in self.dealings],
            "complaints": [c.to_json() for c in self.complaints],
            "answers": [a.to_json() for a in self.answers],
            "confirmations": [c.to_json() for c in self.confirmations],
        }

    @classmethod
    def from_json(cls, obj: Any) -> DkgTranscript:
        keys = {"roster", "dealings", "complaints", "answers", "confirmations"}
        f = _json.expect_object(obj, keys, "transcript")

        def items(name: str, limit: int) -> Sequence[Any]:
            return _json.expect_list(f[name], f"transcript.{name}", max_len=limit)

        return cls(
            Roster.from_json(f["roster"]),
            tuple(Dealing.from_json(d) for d in items("dealings", MAX_TRUSTEES)),
            tuple(Complaint.from_json(c) for c in items("complaints", _MAX_PAIRS)),
            tuple(ComplaintAnswer.from_json(a) for a in items("answers", _MAX_PAIRS)),
            tuple(KeyConfirmation.from_json(c) for c in items("confirmations", MAX_TRUSTEES)),
        )


@dataclass(frozen=True, slots=True)
class JointKey:
    """The outcome of key generation (spec §7.8).

    Attributes:
        threshold: t, the number of trustees needed to decrypt.
        public_key: the election key K = Σ_i A_i0.
        verification_keys: X_1, …, X_n with X_j = [x_j]G, computable by anyone
            from the transcript; ``verification_keys[j − 1]`` is trustee j's.
    """

    threshold: int
    public_key: PublicKey
    verification_keys: tuple[Element, ...]

    def __post_init__(self) -> None:
        _check_threshold(self.threshold, len(self.verification_keys), "joint key")
        if any(x.is_identity() for x in self.verification_keys):
            raise InvalidKey("joint key: a verification key is the identity")

    @property
    def size(self) -> int:
        """n, the number of trustees."""
        return len(self.verification_keys)

    def verification_key_map(self) -> dict[int, Element]:
        """{j: X_j} for j = 1..n, as :func:`tohyo.crypto.decryption.combine` takes it."""
        return {j: x for j, x in enumerate(self.verification_keys, start=1)}

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "public_key": self.public_key.to_hex(),
            "verification_keys": [x.to_hex() for x in self.verification_keys],
        }

    @classmethod
    def from_json(cls, obj: Any) -> JointKey:
        f = _json.expect_object(obj, {"threshold", "public_key", "verification_keys"},
                                "joint key")
        keys = _json.expect_list(f["verification_keys"], "joint key.verification_keys",
                                 max_len=MAX_TRUSTEES)
        return cls(
            _wire.integer(f["threshold"], "joint key.threshold", lo=1, hi=MAX_TRUSTEES),
            PublicKey(_json.element(f["public_key"], "joint key.public_key")),
            tuple(_json.element(x, "joint key.verification_key") for x in keys),
        )
