"""The declared log and witnesses of ``tohyo-manifest/2`` (manifest.md §MAN-21)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log import CosignatureSigner, Ed25519Signer, encode_verifier_key
from tohyo.record import InvalidManifest, Manifest
from tohyo.record.manifest import manifest_hash

LOG = Ed25519Signer("vote.example/log/e", Ed25519PrivateKey.generate())
W1, W2 = (CosignatureSigner.generate(f"w{i}.example") for i in (1, 2))
LOG_KEY = encode_verifier_key(LOG.verifier())
K1, K2 = encode_verifier_key(W1.verifier()), encode_verifier_key(W2.verifier())


def _declared(minimal: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(minimal)
    doc["format"] = "tohyo-manifest/2"
    doc["log"] = {"key": LOG_KEY, "witnesses": {"quorum": 2, "members": [
        {"id": "witness-1", "name": "w1", "key": K1},
        {"id": "witness-2", "name": "w2", "key": K2}]}}
    return doc


def _problems(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidManifest) as info:
        Manifest.from_json(doc)
    return [(p.path, p.reason) for p in info.value.problems]


def test_a_declared_manifest_round_trips_and_hashes_differently(minimal: dict[str, Any]
                                                                ) -> None:
    m = Manifest.from_json(_declared(minimal))
    assert m.format == "tohyo-manifest/2" and m.log is not None and m.log.quorum == 2
    assert Manifest.from_json(m.to_json()) == m
    v1 = Manifest.from_json(minimal)
    assert v1.format == "tohyo-manifest/1" and v1.log is None
    assert "log" not in v1.to_json()
    assert manifest_hash(v1) != manifest_hash(m)


def test_none_declared_is_quorum_zero(minimal: dict[str, Any]) -> None:
    doc = _declared(minimal)
    doc["log"]["witnesses"] = {"quorum": 0, "members": []}
    assert Manifest.from_json(doc).log.witnesses == ()  # type: ignore[union-attr]


@pytest.mark.parametrize(("edit", "path", "reason"), [
    (lambda d: d["log"].update(key=K1), "/log/key", "Ed25519 log key"),
    (lambda d: d["log"].update(key="junk"), "/log/key", "not a valid verifier key"),
    (lambda d: d["log"]["witnesses"]["members"][0].update(key=LOG_KEY),
     "/log/witnesses/members/0/key", "cosignature/v1"),
    (lambda d: d["log"]["witnesses"]["members"][1].update(key=K1),
     "/log/witnesses/members/1/key", "duplicates the witness key"),
    (lambda d: d["log"]["witnesses"].update(quorum=3), "/log/witnesses/quorum", "between 1"),
    (lambda d: d["log"]["witnesses"].update(quorum=0), "/log/witnesses/quorum", "between 1"),
    (lambda d: d["log"]["witnesses"]["members"][0].update(id="t1"),
     "/log/witnesses/members/0/id", "duplicates the id"),
    (lambda d: d["log"]["witnesses"]["members"][0].update(extra=1),
     "/log/witnesses/members/0/extra", "not a known field"),
    (lambda d: d.pop("log"), "/log", "is required"),
    (lambda d: d["log"].pop("witnesses"), "/log/witnesses", "is required"),
    (lambda d: d.update(format="tohyo-manifest/1"), "/log", "not a known field"),
])
def test_each_rule_of_the_declaration(minimal: dict[str, Any], edit: Any, path: str,
                                      reason: str) -> None:
    doc = _declared(minimal)
    assert doc["trustees"]["members"][0]["id"] == "t1"  # the id a witness may not reuse
    edit(doc)
    found = _problems(doc)
    assert any(p == path and reason in r for p, r in found), found


def test_a_witness_key_that_is_the_log_key_seed(minimal: dict[str, Any]) -> None:
    same = CosignatureSigner("vote.example/log/e", Ed25519PrivateKey.from_private_bytes(
        b"\x01" * 32))
    log = Ed25519Signer("vote.example/log/e", Ed25519PrivateKey.from_private_bytes(b"\x01" * 32))
    doc = _declared(minimal)
    doc["log"]["key"] = encode_verifier_key(log.verifier())
    doc["log"]["witnesses"]["members"][0]["key"] = encode_verifier_key(same.verifier())
    assert ("/log/witnesses/members/0/key", "must not be the log's key") in _problems(doc)
