"""Threshold decryption: shares with proofs, checks, Lagrange combination (spec §8).

Trustee j's share of a ciphertext (α, β) is D_j = [x_j]α with a Chaum–Pedersen
proof that log_G X_j = log_α D_j. The proof's context binds the election
context (which must carry the joint key K), the trustee's index, the label of
the aggregate (question and option) and the whole ciphertext, so a proof never
verifies for another ciphertext, another label or another trustee's key
(THREATS #16). Any t valid shares give [m]G = β − Σ_j λ_j D_j; recovering m is
:mod:`tohyo.crypto.dlog`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json, _wire
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.crypto.elgamal import Ciphertext
from tohyo.crypto.errors import (
    InvalidEncoding,
    InvalidKey,
    InvalidProof,
    InvalidShare,
    NotEnoughShares,
)
from tohyo.crypto.group import Element
from tohyo.crypto.polynomial import MAX_TRUSTEES, lagrange_at_zero, sum_elements
from tohyo.crypto.proofs.chaum_pedersen import EqualityProof, _prove_equality, verify_equality
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = [
    "Decryption",
    "DecryptionShare",
    "Exclusion",
    "combine",
    "combine_robust",
    "compute_share",
    "compute_shares",
    "verify_share",
]


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Trustee j's share D_j = [x_j]α of the ciphertext labelled ``label`` (spec §8.1).

    Raises:
        InvalidEncoding: an index outside [1, MAX_TRUSTEES] or a bad label.
    """

    trustee: int
    label: str
    share: Element
    proof: EqualityProof

    def __post_init__(self) -> None:
        _wire.integer(self.trustee, "decryption share.trustee", lo=1, hi=MAX_TRUSTEES)
        _wire.text(self.label, "decryption share.label")

    def to_json(self) -> dict[str, Any]:
        return {"trustee": self.trustee, "label": self.label, "share": self.share.to_hex(),
                "proof": self.proof.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> DecryptionShare:
        f = _json.expect_object(obj, {"trustee", "label", "share", "proof"}, "decryption share")
        return cls(f["trustee"], f["label"], _json.element(f["share"], "decryption share.share"),
                   EqualityProof.from_json(f["proof"]))


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A trustee whose shares were set aside, and why (spec §8.4)."""

    trustee: int
    reason: str


@dataclass(frozen=True, slots=True)
class Decryption:
    """The result of :func:`combine_robust` (spec §8.4).

    Attributes:
        plaintexts: (label, [m]G) for every ciphertext, in the order given.
        trustees: the t trustees whose shares were combined.
        excluded: trustees whose shares failed, with the reason; to be reported.
    """

    plaintexts: tuple[tuple[str, Element], ...]
    trustees: tuple[int, ...]
    excluded: tuple[Exclusion, ...]

    def plaintext(self, label: str) -> Element:
        """[m]G for ``label``.

        Raises:
            KeyError: no ciphertext had this label.
        """
        return dict(self.plaintexts)[label]


def _share_context(context: ProofContext, trustee: int, label: str, ct: Ciphertext) -> ProofContext:
    """C.bound("decryption", j, label, hex α, hex β) (spec §8.1)."""
    if context.public_key is None:
        raise InvalidKey("decryption: the context must carry the joint public key K")
    return context.bound("decryption", str(trustee), label, ct.alpha.to_hex(), ct.beta.to_hex())


def compute_share(
    context: ProofContext, key: TrusteeKey, label: str, ciphertext: Ciphertext
) -> DecryptionShare:
    """Trustee j's decryption share of one ciphertext, with its proof (spec §8.1).

    Args:
        context: the election context; its public key must be the joint key.
        key: this trustee's key share.
        label: which aggregate this is, e.g. "question-1/option-3".
        ciphertext: the aggregate (α, β); α must not be the identity.

    Raises:
        InvalidKey: the context is for another key.
        InvalidEncoding: α is the identity (then β is [m]G: nothing to decrypt),
            or a bad label.
    """
    return _compute_share(context, key, label, ciphertext, SYSTEM)


def _compute_share(
    context: ProofContext,
    key: TrusteeKey,
    label: str,
    ciphertext: Ciphertext,
    nonces: NonceSource,
) -> DecryptionShare:
    if context.public_key != key.joint.public_key.element:
        raise InvalidKey("decryption: the context is not for this trustee's joint key")
    _wire.text(label, "decryption label")
    if ciphertext.alpha.is_identity():
        raise InvalidEncoding("decryption: α is the identity, so β is the plaintext")
    proof = _prove_equality(_share_context(context, key.trustee, label, ciphertext),
                            key.secret, ciphertext.alpha, nonces)
    return DecryptionShare(key.trustee, label, ciphertext.alpha * key.secret, proof)


def compute_shares(
    context: ProofContext, key: TrusteeKey, ciphertexts: Mapping[str, Ciphertext]
) -> tuple[DecryptionShare, ...]:
    """Shares for a batch of labelled aggregates (spec §8.1).

    Ciphertexts whose α is the identity need no share and get none.
    """
    return _compute_shares(context, key, ciphertexts, SYSTEM)


def _compute_shares(
    context: ProofContext,
    key: TrusteeKey,
    ciphertexts: Mapping[str, Ciphertext],
    nonces: NonceSource,
) -> tuple[DecryptionShare, ...]:
    return tuple(
        _compute_share(context, key, label, ct, nonces)
        for label, ct in ciphertexts.items()
        if not ct.alpha.is_identity()
    )


def verify_share(
    context: ProofContext,
    share: DecryptionShare,
    verification_key: Element,
    label: str,
    ciphertext: Ciphertext,
) -> None:
    """Check a share against trustee j's verification key X_j (spec §8.2).

    Raises:
        InvalidShare: (naming the trustee) the label differs, α is the identity,
            or the proof fails.
        InvalidKey: the context carries no public key.
    """
    j = share.trustee
    if share.label != label:
        raise InvalidShare(f"share of trustee {j} is for {share.label!r}, not {label!r}", trustee=j)
    try:
        verify_equality(_share_context(context, j, label, ciphertext), verification_key,
                        ciphertext.alpha, share.share, share.proof)
    except InvalidProof as exc:
        raise InvalidShare(f"share of trustee {j} for {label!r}: {exc}", trustee=j) from None


def _check_keys(threshold: int, verification_keys: Mapping[int, Element]) -> None:
    n = len(verification_keys)
    if sorted(verification_keys) != list(range(1, n + 1)) or n > MAX_TRUSTEES:
        raise InvalidKey("decryption: verification keys must be given for trustees 1..n")
    if any(x.is_identity() for x in verification_keys.values()):
        raise InvalidKey("decryption: a verification key is the identity")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= n:
        raise InvalidEncoding(f"decryption: need 1 <= t <= n = {n}")


def _screen_trustee(
    context: ProofContext,
    trustee: int,
    shares: list[DecryptionShare],
    verification_keys: Mapping[int, Element],
    pending: Mapping[str, Ciphertext],
) -> dict[str, Element]:
    if trustee not in verification_keys:
        raise InvalidShare(f"no trustee {trustee} among 1..{len(verification_keys)}",
                           trustee=trustee)
    found: dict[str, Element] = {}
    for s in shares:
        if s.label not in pending:
            raise InvalidShare(f"trustee {trustee}: a share for {s.label!r}, which needs none",
                               trustee=trustee)
        if s.label in found:
            raise InvalidShare(f"trustee {trustee}: two shares for {s.label!r}", trustee=trustee)
        verify_share(context, s, verification_keys[trustee], s.label, pending[s.label])
        found[s.label] = s.share
    for label in pending:
        if label not in found:
            raise InvalidShare(f"trustee {trustee}: no share for {label!r}", trustee=trustee)
    return found


def _screen(
    context: ProofContext,
    shares: Iterable[DecryptionShare],
    verification_keys: Mapping[int, Element],
    ciphertexts: Mapping[str, Ciphertext],
) -> tuple[dict[int, dict[str, Element]], list[Exclusion]]:
    """Sort trustees into those whose every share is valid and the excluded (§8.4)."""
    for label in ciphertexts:
        _wire.text(label, "decryption label")
    pending = {label: ct for label, ct in ciphertexts.items() if not ct.alpha.is_identity()}
    by_trustee: dict[int, list[DecryptionShare]] = {}
    for s in shares:
        by_trustee.setdefault(s.trustee, []).append(s)
    valid: dict[int, dict[str, Element]] = {}
    excluded: list[Exclusion] = []
    for j in sorted(by_trustee):
        try:
            valid[j] = _screen_trustee(context, j, by_trustee[j], verification_keys, pending)
        except InvalidShare as exc:
            excluded.append(Exclusion(j, str(exc)))
    return valid, excluded


def _finish(
    threshold: int,
    valid: dict[int, dict[str, Element]],
    excluded: list[Exclusion],
    ciphertexts: Mapping[str, Ciphertext],
) -> Decryption:
    """[m]G = β − Σ_{j∈S} λ_j D_j over the t smallest valid indices S (spec §8.3)."""
    if all(ct.alpha.is_identity() for ct in ciphertexts.values()):
        chosen: list[int] = []
    elif len(valid) < threshold:
        blamed = "; ".join(f"trustee {e.trustee}: {e.reason}" for e in excluded)
        raise NotEnoughShares(
            f"{len(valid)} trustees gave valid shares, {threshold} are needed"
            + (f" (excluded: {blamed})" if blamed else "")
        )
    else:
        chosen = sorted(valid)[:threshold]
    lambdas = lagrange_at_zero(chosen) if chosen else {}
    plaintexts = []
    for label, ct in ciphertexts.items():
        if ct.alpha.is_identity():
            plaintexts.append((label, ct.beta))
        else:
            combined = sum_elements([valid[j][label] * lambdas[j] for j in chosen])
            plaintexts.append((label, ct.beta - combined))
    return Decryption(tuple(plaintexts), tuple(chosen), tuple(excluded))


def combine(
    context: ProofContext,
    shares: Iterable[DecryptionShare],
    threshold: int,
    verification_keys: Mapping[int, Element],
    label: str,
    ciphertext: Ciphertext,
) -> Element:
    """[m]G from at least t shares of one ciphertext, every one of them valid (spec §8.3).

    Args:
        context: the election context, carrying the joint key.
        shares: decryption shares of ``ciphertext``, at most one per trustee.
        threshold: t.
        verification_keys: {j: X_j} for j = 1..n (:meth:`JointKey.verification_key_map`).
        label: the ciphertext's label.
        ciphertext: the aggregate (α, β).

    Returns:
        [m]G. If α is the identity, β itself, and no share may be given.

    Raises:
        InvalidShare: naming the first bad trustee: an index outside 1..n, a
            repeated index, a share for another label or ciphertext, a failing proof.
        NotEnoughShares: fewer than t shares.
        InvalidKey: bad verification keys, or a context without a public key.
        InvalidEncoding: t outside [1, n], or a bad label.
    """
    _check_keys(threshold, verification_keys)
    ciphertexts = {label: ciphertext}
    valid, excluded = _screen(context, shares, verification_keys, ciphertexts)
    if excluded:
        raise InvalidShare(excluded[0].reason, trustee=excluded[0].trustee)
    return _finish(threshold, valid, excluded, ciphertexts).plaintexts[0][1]


def combine_robust(
    context: ProofContext,
    shares: Iterable[DecryptionShare],
    threshold: int,
    verification_keys: Mapping[int, Element],
    ciphertexts: Mapping[str, Ciphertext],
) -> Decryption:
    """Decrypt a batch with whichever trustees gave valid shares; blame the rest (spec §8.4).

    A trustee is excluded, and named in the result, if any of its shares is bad,
    repeated, missing, or for an unknown label, or if its index is not 1..n. The
    t smallest remaining indices decrypt every ciphertext.

    Raises:
        NotEnoughShares: fewer than t trustees remain (the message names the excluded).
        InvalidKey: bad verification keys, or a context without a public key.
        InvalidEncoding: t outside [1, n], or a bad label.
    """
    _check_keys(threshold, verification_keys)
    valid, excluded = _screen(context, shares, verification_keys, ciphertexts)
    return _finish(threshold, valid, excluded, ciphertexts)
