"""The public API of ``tohyo.crypto`` is curated (STYLE §11): this list is its guard.

Adding a name to ``tohyo.crypto.__all__`` is an API decision; update this list in
the same change, deliberately.
"""

from __future__ import annotations

import tohyo.crypto
import tohyo.crypto.proofs

EXPECTED = [
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

EXPECTED_PROOFS = [
    "EqualityProof",
    "RangeProof",
    "SchnorrProof",
    "prove_equality",
    "prove_knowledge",
    "prove_range",
    "verify_equality",
    "verify_knowledge",
    "verify_range",
]


def test_crypto_all_is_exactly_the_expected_list() -> None:
    assert sorted(tohyo.crypto.__all__) == EXPECTED
    assert len(set(tohyo.crypto.__all__)) == len(tohyo.crypto.__all__)


def test_proofs_all_is_exactly_the_expected_list() -> None:
    assert sorted(tohyo.crypto.proofs.__all__) == EXPECTED_PROOFS


def test_every_exported_name_exists() -> None:
    for module in (tohyo.crypto, tohyo.crypto.proofs):
        for name in module.__all__:
            assert getattr(module, name) is not None, name


def test_errors_share_one_base_and_value_error() -> None:
    for name in tohyo.crypto.__all__:
        obj = getattr(tohyo.crypto, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, tohyo.crypto.CryptoError)
            assert issubclass(obj, ValueError)


def test_hazmat_is_not_exported() -> None:
    for hazmat in ("Scalar", "Element", "base_mul", "DeterministicNonces", "digest"):
        assert hazmat not in tohyo.crypto.__all__


def test_error_attributes() -> None:
    share = tohyo.crypto.InvalidShare("bad share", trustee=3)
    assert share.trustee == 3 and str(share) == "bad share"
    assert tohyo.crypto.InvalidShare("x").trustee is None
    blame = tohyo.crypto.TrusteeMisbehaviour("cheat", trustees=(2, 5))
    assert blame.trustees == (2, 5)
