"""Fork evidence files (transparency-log.md §TL-13): strict parsing, what heads prove."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log import Checkpoint, Ed25519Signer, InvalidEncoding, sign_checkpoint
from tohyo.log.evidence import ForkEvidence, check_evidence, load_evidence, open_heads

ORIGIN = "example.org/log"
SIGNER = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
LOG = [SIGNER.verifier()]


def _head(size: int, root: bytes, ms: int) -> str:
    return sign_checkpoint(Checkpoint.timestamped(ORIGIN, size, root, ms), SIGNER).to_text()


def _evidence(*heads: str) -> ForkEvidence:
    return ForkEvidence(ORIGIN, "k", heads, (b"\x01" * 32,), "test")


def test_round_trip() -> None:
    evidence = _evidence(_head(2, b"\x01" * 32, 5))
    assert load_evidence(evidence.to_bytes()) == evidence


@pytest.mark.parametrize("edit", [
    lambda o: o.pop("reason"),
    lambda o: o.update(extra=1),
    lambda o: o.update(format="tohyo-fork-evidence/2"),
    lambda o: o.update(heads=[]),
    lambda o: o.update(heads=[1]),
    lambda o: o.update(consistency_proof=["AAAA"]),
    lambda o: o.update(source=["only-one", "two"]),
])
def test_malformed_files_are_refused(edit: object) -> None:
    obj = _evidence(_head(2, b"\x01" * 32, 5)).to_json()
    edit(obj)  # type: ignore[operator]
    with pytest.raises(InvalidEncoding):
        load_evidence(json.dumps(obj).encode())


def test_what_signed_heads_prove_by_themselves() -> None:
    fork = open_heads(_evidence(_head(2, b"\x01" * 32, 5), _head(2, b"\x02" * 32, 6)), LOG)
    assert check_evidence(fork) == ("heads 0 and 1: two roots for tree size 2 (fork)",)
    travel = open_heads(_evidence(_head(2, b"\x01" * 32, 9), _head(3, b"\x02" * 32, 6)),
                        LOG)
    assert "time went back" in check_evidence(travel)[0]
    fine = open_heads(_evidence(_head(2, b"\x01" * 32, 5), _head(3, b"\x02" * 32, 6)), LOG)
    assert check_evidence(fine) == ()
    other = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
    ignored = open_heads(_evidence(_head(2, b"\x01" * 32, 5)), [other.verifier()])
    assert ignored[0].head is None and "not a head signed by the log" in ignored[0].ignored
