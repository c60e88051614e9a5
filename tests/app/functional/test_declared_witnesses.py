"""Witnesses declared in the manifest: intake and the final head's quorum (§MAN-21, §CAST-8).

Runs on SQLite and PostgreSQL (the ``runtime`` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tohyo.app.auth.authority import DevApproval
from tohyo.app.errors import BadRequest, Conflict
from tohyo.app.services import tally
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import close_election, create_election, open_election
from tohyo.cli.witness import witness_round
from tohyo.log import (
    CosignatureSigner,
    Ed25519Signer,
    Witness,
    encode_verifier_key,
    parse_note,
    verifier_from_key,
)
from tohyo.record.manifest import parse_manifest
from tohyo.record.transparency import declare_log

EID = "declared-witnesses"


def _signers(clock: Any) -> list[CosignatureSigner]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return [CosignatureSigner(f"witness-{i}.example", Ed25519PrivateKey.generate(),
                              clock=lambda: clock().timestamp()) for i in (1, 2)]


def _declared(manifest_for: Any, signers: list[CosignatureSigner], log_key: str) -> bytes:
    base = parse_manifest(manifest_for(EID))
    manifest = declare_log(base, log_key, [encode_verifier_key(s.verifier()) for s in signers], 2)
    from tohyo.record.canonical import dumps_canonical

    return dumps_canonical(manifest.to_json())


@pytest.fixture
def declared(runtime: Any, clock: Any, manifest_for: Any) -> list[CosignatureSigner]:
    signers = _signers(clock)
    create_election(runtime, _declared(manifest_for, signers, runtime.ledger.verifier_key(EID)),
                    actor="test")
    install_dev_key(runtime, EID, actor="test")
    open_election(runtime, EID, approval=DevApproval("test"))
    return signers


def test_a_manifest_declaring_another_log_key_is_refused(
    runtime: Any, clock: Any, manifest_for: Any
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519Signer(runtime.ledger.origin(EID), Ed25519PrivateKey.generate())
    body = _declared(manifest_for, _signers(clock), encode_verifier_key(other.verifier()))
    with pytest.raises(BadRequest) as refused:
        create_election(runtime, body, actor="test")
    assert refused.value.code == "manifest.log_key_mismatch"


def _witness(client: Any, signer: CosignatureSigner, tmp_path: Path) -> Witness:
    log_key = client.get(f"/api/v1/elections/{EID}/log/key").text.strip()
    return Witness(signer, [verifier_from_key(log_key)], tmp_path / f"{signer.name}.json")


def test_only_declared_witnesses_may_cosign(
    declared: list[CosignatureSigner], client: Any, clock: Any, tmp_path: Path
) -> None:
    base = f"/api/v1/elections/{EID}/log"
    stranger = _signers(clock)[0]  # same name as witness-1, another key
    head = parse_note(client.get(f"{base}/checkpoint").text)
    body = {"size": 0, "witness_key": encode_verifier_key(stranger.verifier()),
            "signature": stranger.sign(head.text.encode()).to_line()}
    response = client.post(f"{base}/cosignatures", json=body)
    assert (response.status_code, response.json()["error"]["code"]) == (
        403, "cosignature.unlisted_witness")
    assert client.get(f"{base}/checkpoint").text.count("\u2014") == 1  # nothing kept
    listed = declared[0]
    witness_round(client, EID, _witness(client, listed, tmp_path),
                  encode_verifier_key(listed.verifier()))
    assert client.get(f"{base}/checkpoint").text.count("\u2014") == 2


def test_the_board_for_the_trustees_needs_the_quorum(
    declared: list[CosignatureSigner], client: Any, runtime: Any, clock: Any, tmp_path: Path
) -> None:
    close_election(runtime, EID, approval=DevApproval("test"), reason="test")
    witnesses = [(_witness(client, s, tmp_path), encode_verifier_key(s.verifier()))
                 for s in declared]
    witness_round(client, EID, *witnesses[0])
    with pytest.raises(Conflict) as refused:
        tally.export_board(runtime, EID, tmp_path / "board")
    assert refused.value.code == "board.witness_quorum"
    witness_round(client, EID, *witnesses[1])
    tally.export_board(runtime, EID, tmp_path / "board")
    snapshot = tally.board_snapshot(runtime, EID)
    assert len(snapshot.manifest.log.witnesses) == 2  # type: ignore[union-attr]
    with pytest.raises(BadRequest) as other:
        tally.publish_record(runtime, EID, tmp_path / "record", actor="test",
                             witness_keys=(encode_verifier_key(_signers(clock)[0].verifier()),))
    assert other.value.code == "record.witnesses_declared"


def test_the_cli_prints_the_log_key_to_declare(runtime: Any) -> None:
    from typer.testing import CliRunner

    from tohyo.cli.main import _register, app

    _register()
    result = CliRunner().invoke(app, ["election", "log-key", "--election", EID, "--data-dir",
                                      str(runtime.settings.data_dir), "--database-url",
                                      runtime.settings.database_url])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == runtime.ledger.verifier_key(EID)


def test_the_dashboard_follows_the_declared_witnesses(
    declared: list[CosignatureSigner], client: Any, runtime: Any, tmp_path: Path
) -> None:
    """observe.md §OBS-3: the dashboard lists the manifest's witnesses, in its order; one
    that never cosigned shows with size 0 (the alerts can then name it)."""
    from tohyo.app.observe.snapshot import take_snapshot

    first = declared[0]
    witness_round(client, EID, _witness(client, first, tmp_path),
                  encode_verifier_key(first.verifier()))
    snapshot = take_snapshot(runtime, EID).to_json()
    assert [w["name"] for w in snapshot["witnesses"]] == [s.name for s in declared]
    never = snapshot["witnesses"][1]
    assert never["last_size"] == 0 and never["cosignatures"] == 0 if "cosignatures" in never \
        else never["last_size"] == 0
