"""Trustee transport keys and the share envelope (docs/spec/threshold.md §7.2, §7.5).

Each trustee holds a ristretto255 transport key pair (τ, T = [τ]G) for the
ceremony. It serves two purposes:

* shares travel between trustees in envelopes that are encrypted *and*
  authenticated: the Noise "K" one-way pattern (e, es, ss) over ristretto255,
  then XChaCha20-Poly1305 from libsodium. The key derivation binds the
  ceremony context, both indices and both transport keys, so an envelope opens
  only for its recipient, only as coming from its dealer, and only in its
  ceremony;
* the trustee signs its ceremony messages with τ (spec §7.3), so that blame
  falls only on the trustee who really sent a message.

Hazmat: callers want :mod:`tohyo.crypto.dkg`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pysodium

from tohyo.crypto import _json, _wire
from tohyo.crypto.context import ProofContext
from tohyo.crypto.errors import InvalidEncoding, InvalidKey, InvalidShare
from tohyo.crypto.group import Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, digest, encode_parts, u64, utf8
from tohyo.crypto.polynomial import MAX_TRUSTEES
from tohyo.crypto.proofs.schnorr import SchnorrProof, _prove_knowledge, verify_knowledge
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = [
    "ENVELOPE_BYTES",
    "ShareEnvelope",
    "TransportKey",
    "TransportKeyPair",
    "dkg_context",
    "generate_transport_key",
    "open_share",
    "seal_share",
    "sign_message",
    "verify_signature",
    "verify_transport_key",
]

#: Length of an envelope's ciphertext: a 32-byte scalar plus the 16-byte tag.
ENVELOPE_BYTES = 48


def dkg_context(context: ProofContext) -> ProofContext:
    """The election context as key generation uses it (spec §7.3).

    The joint key does not exist yet, so the public-key field is cleared; the
    label "dkg" separates every key-generation proof from every other proof.
    """
    return ProofContext(context.election_id, context.manifest_hash, None, context.binding).bound(
        "dkg"
    )


def _registration_context(context: ProofContext, trustee: int) -> ProofContext:
    return dkg_context(context).bound("transport", str(trustee))


@dataclass(frozen=True, slots=True)
class TransportKey:
    """A trustee's public transport key T_i with its proof of possession (spec §7.2)."""

    trustee: int
    key: Element
    proof: SchnorrProof

    def __post_init__(self) -> None:
        _wire.integer(self.trustee, "transport key.trustee", lo=1, hi=MAX_TRUSTEES)

    def to_json(self) -> dict[str, Any]:
        return {"trustee": self.trustee, "key": self.key.to_hex(), "proof": self.proof.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> TransportKey:
        f = _json.expect_object(obj, {"trustee", "key", "proof"}, "transport key")
        return cls(
            f["trustee"],
            _json.element(f["key"], "transport key.key"),
            SchnorrProof.from_json(f["proof"]),
        )


@dataclass(frozen=True, slots=True)
class TransportKeyPair:
    """A trustee's secret transport key τ_i and its published half (secret)."""

    secret: Scalar
    public: TransportKey

    def __post_init__(self) -> None:
        if base_mul(self.secret) != self.public.key:
            raise InvalidKey("transport key pair: the secret does not match the public key")

    @property
    def trustee(self) -> int:
        return self.public.trustee

    def to_json(self) -> dict[str, Any]:
        """Secret: store only encrypted at rest."""
        return {"secret": self.secret.to_hex(), "public": self.public.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> TransportKeyPair:
        f = _json.expect_object(obj, {"secret", "public"}, "transport key pair")
        return cls(_json.scalar(f["secret"], "transport key pair.secret"),
                   TransportKey.from_json(f["public"]))

    def __repr__(self) -> str:
        return f"TransportKeyPair(trustee={self.trustee}, key={self.public.key.to_hex()})"


def generate_transport_key(context: ProofContext, trustee: int) -> TransportKeyPair:
    """Draw a trustee's transport key pair and prove possession (spec §7.2).

    Args:
        context: the election context.
        trustee: the trustee's index i, 1 ≤ i ≤ n.

    Returns:
        The key pair; publish ``.public``, keep ``.secret``.
    """
    return _generate_transport_key(context, trustee, SYSTEM)


def _generate_transport_key(
    context: ProofContext, trustee: int, nonces: NonceSource
) -> TransportKeyPair:
    _wire.integer(trustee, "trustee", lo=1, hi=MAX_TRUSTEES)
    secret = nonces.scalar("dkg-transport-key")
    while secret.is_zero():
        secret = nonces.scalar("dkg-transport-key")
    proof = _prove_knowledge(_registration_context(context, trustee), secret, nonces)
    return TransportKeyPair(secret, TransportKey(trustee, base_mul(secret), proof))


def verify_transport_key(context: ProofContext, key: TransportKey) -> None:
    """Check the proof of possession of T_i (spec §7.2).

    Raises:
        InvalidProof: the proof fails, or T_i is the identity.
    """
    verify_knowledge(_registration_context(context, key.trustee), key.key, key.proof)


@dataclass(frozen=True, slots=True)
class ShareEnvelope:
    """An encrypted, authenticated share s_ij for recipient j (spec §7.5).

    Attributes:
        recipient: the recipient's index j.
        ephemeral: the dealer's ephemeral key E = [e]G.
        ciphertext: XChaCha20-Poly1305 of the 32-byte share, with its tag.
    """

    recipient: int
    ephemeral: Element
    ciphertext: bytes

    def __post_init__(self) -> None:
        _wire.integer(self.recipient, "envelope.recipient", lo=1, hi=MAX_TRUSTEES)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "ephemeral": self.ephemeral.to_hex(),
            "ciphertext": self.ciphertext.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> ShareEnvelope:
        """Decode; an identity ephemeral key is accepted here and blamed in §7.6."""
        f = _json.expect_object(obj, {"recipient", "ephemeral", "ciphertext"}, "envelope")
        return cls(
            f["recipient"],
            _json.element(f["ephemeral"], "envelope.ephemeral", allow_identity=True),
            _wire.hex_bytes(f["ciphertext"], "envelope.ciphertext", size=ENVELOPE_BYTES),
        )


def _envelope_key(
    ceremony: ProofContext,
    dealer: TransportKey,
    recipient: TransportKey,
    ephemeral: Element,
    ephemeral_dh: Element,
    static_dh: Element,
) -> tuple[bytes, bytes, bytes]:
    """(key, nonce, associated data) of spec §7.5."""
    header = (u64(dealer.trustee), u64(recipient.trustee), ephemeral.to_bytes())
    okm = digest(
        Dst.KEY_SHARE_PAD,
        *ceremony.parts(),
        *header,
        dealer.key.to_bytes(),
        recipient.key.to_bytes(),
        ephemeral_dh.to_bytes(),
        static_dh.to_bytes(),
    )
    return okm[:32], okm[32:56], encode_parts(*header)


def seal_share(
    ceremony: ProofContext, dealer: TransportKeyPair, recipient: TransportKey, share: Scalar
) -> ShareEnvelope:
    """Encrypt and authenticate ``share`` from ``dealer`` to ``recipient`` (spec §7.5).

    Args:
        ceremony: the ceremony context C_dkg of spec §7.3.
        dealer: the sender's transport key pair.
        recipient: the recipient's (verified) transport key.
        share: s_ij.
    """
    return _seal_share(ceremony, dealer, recipient, share, SYSTEM)


def _seal_share(
    ceremony: ProofContext,
    dealer: TransportKeyPair,
    recipient: TransportKey,
    share: Scalar,
    nonces: NonceSource,
) -> ShareEnvelope:
    e = nonces.scalar("dkg-envelope-ephemeral")
    while e.is_zero():
        e = nonces.scalar("dkg-envelope-ephemeral")
    ephemeral = base_mul(e)
    key, nonce, ad = _envelope_key(
        ceremony, dealer.public, recipient, ephemeral, recipient.key * e,
        recipient.key * dealer.secret,
    )
    ciphertext = bytes(pysodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        share.to_bytes(), ad, nonce, key
    ))
    return ShareEnvelope(recipient.trustee, ephemeral, ciphertext)


def open_share(
    ceremony: ProofContext,
    recipient: TransportKeyPair,
    dealer: TransportKey,
    envelope: ShareEnvelope,
) -> Scalar:
    """Decrypt and authenticate an envelope (spec §7.5).

    Raises:
        InvalidShare: (naming the dealer) the envelope is not for this recipient,
            its ephemeral key is the identity, it fails authentication, or it
            does not hold a canonical scalar.
    """
    blame = dealer.trustee
    if envelope.recipient != recipient.trustee:
        raise InvalidShare("envelope: addressed to another trustee", trustee=blame)
    if envelope.ephemeral.is_identity() or len(envelope.ciphertext) != ENVELOPE_BYTES:
        raise InvalidShare("envelope: degenerate ephemeral key or bad length", trustee=blame)
    key, nonce, ad = _envelope_key(
        ceremony, dealer, recipient.public, envelope.ephemeral,
        envelope.ephemeral * recipient.secret, dealer.key * recipient.secret,
    )
    try:
        plain = bytes(pysodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            envelope.ciphertext, ad, nonce, key
        ))
        return Scalar.from_bytes(plain)
    except (ValueError, InvalidEncoding):
        raise InvalidShare("envelope: does not open to a share", trustee=blame) from None



def _signing_context(ceremony: ProofContext, kind: str, body: tuple[bytes, ...]) -> ProofContext:
    body_digest = digest(Dst.DKG_MESSAGE, utf8(kind), *body)
    return ceremony.bound("signature", kind, body_digest.hex())


def sign_message(
    ceremony: ProofContext, signer: TransportKeyPair, kind: str, body: tuple[bytes, ...]
) -> SchnorrProof:
    """Sign a ceremony message with the transport key (spec §7.3).

    The signature is a Schnorr proof of knowledge of τ whose context binds
    ``kind`` and the digest of the message body: a key-prefixed Schnorr
    signature.

    Args:
        ceremony: the ceremony context C_dkg.
        signer: the sender's transport key pair.
        kind: "dealing", "complaint" or "answer".
        body: the message body of spec §7.4, §7.6 or §7.7.
    """
    return _sign_message(ceremony, signer, kind, body, SYSTEM)


def _sign_message(
    ceremony: ProofContext,
    signer: TransportKeyPair,
    kind: str,
    body: tuple[bytes, ...],
    nonces: NonceSource,
) -> SchnorrProof:
    return _prove_knowledge(_signing_context(ceremony, kind, body), signer.secret, nonces)


def verify_signature(
    ceremony: ProofContext,
    signer: TransportKey,
    kind: str,
    body: tuple[bytes, ...],
    signature: SchnorrProof,
) -> None:
    """Check a signature made by :func:`sign_message` (spec §7.3).

    Raises:
        InvalidProof: the signature does not verify under ``signer``.
    """
    verify_knowledge(_signing_context(ceremony, kind, body), signer.key, signature)
