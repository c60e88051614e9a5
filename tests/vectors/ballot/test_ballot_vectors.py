"""The ballot vectors are what the Python reference computes (THREATS.md #49).

The same files drive the booth's Node tests (tests/js/vectors.test.js), so a
byte that differs between the browser and the server fails one side or the other.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tohyo.crypto.audit import (
    AuditedBallot,
    RevealedNonces,
    check_audited_ballot,
    open_audited_ballot,
)
from tohyo.crypto.ballot import EncryptedBallot, ballot_hash, verify_ballot
from tohyo.crypto.elgamal import PublicKey
from tohyo.crypto.errors import CryptoError

HERE = Path(__file__).parent


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tohyo_ballot_vectors", HERE / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _file(name: str) -> Any:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rebuilt() -> dict[str, Any]:
    result: dict[str, Any] = gen.build_all()
    return result


@pytest.mark.parametrize(
    "name",
    [
        "ballots.json",
        "range_proofs.json",
        "schnorr.json",
        "chaum_pedersen.json",
        "nonces.json",
        "invalid_encodings.json",
        "tampered_ballots.json",
        "tampered_audits.json",
    ],
)
def test_checked_in_file_is_what_the_generator_computes(rebuilt: dict[str, Any], name: str) -> None:
    text = (HERE / name).read_text(encoding="utf-8")
    assert text == gen.dump(rebuilt[name]), f"regenerate with {gen.GENERATOR_SCRIPT}"
    assert json.loads(text)["header"]["generator"] == gen.GENERATOR_SCRIPT


BALLOTS = _file("ballots.json")["vectors"]


@pytest.mark.parametrize("v", BALLOTS, ids=[v["name"] for v in BALLOTS])
def test_checked_in_ballot_verifies_hashes_and_opens(v: dict[str, Any]) -> None:
    context = gen.context_from_json(v["context"])
    key = PublicKey.from_hex(v["context"]["public_key"])
    style = gen.style_from_json(v["style"])
    ballot = EncryptedBallot.from_json(v["ballot"])
    verify_ballot(context, key, style, ballot)
    assert ballot.to_json() == v["ballot"]
    assert ballot_hash(context, ballot).hex() == v["ballot_hash"]
    opened = open_audited_ballot(
        context, key, style, ballot, RevealedNonces.from_json(v["revealed_nonces"])
    )
    for q in style.questions:
        chosen = set(v["choices"].get(q.question_id, []))
        assert opened[q.question_id] == tuple(o for o in q.option_ids if o in chosen)


def test_tampered_ballots_fail_with_the_recorded_error() -> None:
    data = _file("tampered_ballots.json")
    style = gen.style_from_json(data["style"])
    for v in data["vectors"]:
        key = PublicKey.from_hex(v["context"]["public_key"])
        with pytest.raises(CryptoError) as info:
            ballot = EncryptedBallot.from_json(v["ballot"])
            verify_ballot(gen.context_from_json(v["context"]), key, style, ballot)
        assert type(info.value).__name__ == v["expected_error"], v["name"]


def test_audit_document_opens_to_the_choices() -> None:
    data = _file("tampered_audits.json")
    base = next(v for v in BALLOTS if v["name"] == data["base"])
    audited = AuditedBallot.from_json(data["audited_ballot"])
    assert audited.to_json() == data["audited_ballot"]
    choices = check_audited_ballot(
        audited,
        election_id=base["context"]["election_id"],
        manifest_hash=bytes.fromhex(base["context"]["manifest_hash"]),
        key=PublicKey.from_hex(base["context"]["public_key"]),
        style=gen.style_from_json(base["style"]),
    )
    assert choices == {"priorities": tuple(data["expected_choices"]["priorities"])}
