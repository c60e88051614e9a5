"""The crypto core: ristretto255, exponential ElGamal, proofs, threshold keys.

Pure: no I/O, no logging, no web or database imports (docs/adr/0001-layers.md).
This ``__all__`` is the safe API; :mod:`tohyo.crypto.group` is hazmat.
"""

from tohyo.crypto.ballot import (
    BallotStyle,
    EncryptedBallot,
    QuestionStyle,
    ballot_hash,
    encrypt_ballot,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, KeyPair, PublicKey, encrypt, generate_keypair
from tohyo.crypto.errors import (
    CryptoError,
    DiscreteLogNotFound,
    InvalidEncoding,
    InvalidKey,
    InvalidProof,
    InvalidShare,
    NotEnoughShares,
    TrusteeMisbehaviour,
)

__all__ = [
    "BallotStyle",
    "Ciphertext",
    "CryptoError",
    "DiscreteLogNotFound",
    "EncryptedBallot",
    "InvalidEncoding",
    "InvalidKey",
    "InvalidProof",
    "InvalidShare",
    "KeyPair",
    "NotEnoughShares",
    "ProofContext",
    "PublicKey",
    "QuestionStyle",
    "TrusteeMisbehaviour",
    "ballot_hash",
    "encrypt",
    "encrypt_ballot",
    "generate_keypair",
    "verify_ballot",
]
