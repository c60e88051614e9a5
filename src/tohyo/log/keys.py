"""Text encodings of note keys: verifier keys ("vkeys") and signer keys (§TL-4.4).

The formats are those of golang.org/x/mod/sumdb/note, which c2sp.org/signed-note
and tlog-witness deployments use for configuration::

    vkey: <name>+<key ID, 8 lowercase hex>+base64(<type byte> || <public key>)
    skey: PRIVATE+KEY+<name>+<key ID>+base64(<type byte> || <32-byte Ed25519 seed>)

Type 0x01 is a log's plain Ed25519 key; type 0x04 is a witness's
cosignature/v1 key. A key ID that does not match the key is rejected, so a
typo in configuration cannot silently trust another key.
"""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tohyo.log._ed25519 import raw_public_key
from tohyo.log._encoding import b64decode, b64encode
from tohyo.log.cosignature import CosignatureSigner, CosignatureVerifier
from tohyo.log.errors import InvalidEncoding
from tohyo.log.note import (
    SIG_TYPE_COSIGNATURE_V1,
    SIG_TYPE_ED25519,
    Ed25519Signer,
    Ed25519Verifier,
    check_key_name,
    compute_key_id,
)

__all__ = ["encode_signer_key", "encode_verifier_key", "signer_from_key", "verifier_from_key"]

_KEY_ID = re.compile(r"[0-9a-f]{8}")
_SKEY_PREFIX = "PRIVATE+KEY+"


def _split_key(text: str, what: str) -> tuple[str, int, int, bytes]:
    # The base64 part may itself contain '+', so split at most twice.
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise InvalidEncoding(f"{what} must be <name>+<key id>+<base64 key>")
    name, key_id_hex, material_b64 = parts
    check_key_name(name)
    if _KEY_ID.fullmatch(key_id_hex) is None:
        raise InvalidEncoding(f"{what} key ID must be 8 lowercase hex digits")
    material = b64decode(material_b64, what)
    if len(material) != 33:
        raise InvalidEncoding(f"{what} must hold a type byte and a 32-byte Ed25519 key")
    return name, int(key_id_hex, 16), material[0], material[1:]


def verifier_from_key(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """Parse a vkey into a verifier (type 0x01 or 0x04).

    Raises:
        InvalidEncoding: malformed, unsupported type, or the key ID does not match.
    """
    name, key_id, sig_type, public_key = _split_key(vkey, "verifier key")
    verifier: Ed25519Verifier | CosignatureVerifier
    if sig_type == SIG_TYPE_ED25519:
        verifier = Ed25519Verifier(name, public_key)
    elif sig_type == SIG_TYPE_COSIGNATURE_V1:
        verifier = CosignatureVerifier(name, public_key)
    else:
        raise InvalidEncoding(f"unsupported signature type 0x{sig_type:02x}")
    if verifier.key_id != key_id:
        raise InvalidEncoding("verifier key ID does not match the key")
    return verifier


def encode_verifier_key(verifier: Ed25519Verifier | CosignatureVerifier) -> str:
    """Render a verifier as a vkey."""
    sig_type = (
        SIG_TYPE_COSIGNATURE_V1 if isinstance(verifier, CosignatureVerifier) else SIG_TYPE_ED25519
    )
    material = b64encode(bytes([sig_type]) + verifier.public_key)
    return f"{verifier.name}+{verifier.key_id:08x}+{material}"


def signer_from_key(skey: str, *, cosigner: bool = False) -> Ed25519Signer | CosignatureSigner:
    """Parse an skey holding an Ed25519 seed (type 0x01).

    The Go tooling stores witness keys as type 0x01 skeys and derives the
    cosignature key from them; ``cosigner=True`` does the same here and
    returns a :class:`CosignatureSigner` for the seed.

    Raises:
        InvalidEncoding: malformed, not type 0x01, or the key ID does not match.
    """
    if not skey.startswith(_SKEY_PREFIX):
        raise InvalidEncoding("signer key must start with PRIVATE+KEY+")
    name, key_id, sig_type, seed = _split_key(skey[len(_SKEY_PREFIX) :], "signer key")
    if sig_type != SIG_TYPE_ED25519:
        raise InvalidEncoding(f"unsupported signer key type 0x{sig_type:02x}")
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    if compute_key_id(name, SIG_TYPE_ED25519, raw_public_key(private_key)) != key_id:
        raise InvalidEncoding("signer key ID does not match the key")
    if cosigner:
        return CosignatureSigner(name, private_key)
    return Ed25519Signer(name, private_key)


def encode_signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """Render an Ed25519 private key as a type 0x01 skey (handle the result as a secret)."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key_id = compute_key_id(name, SIG_TYPE_ED25519, raw_public_key(private_key))
    return f"{_SKEY_PREFIX}{name}+{key_id:08x}+{b64encode(bytes([SIG_TYPE_ED25519]) + seed)}"
