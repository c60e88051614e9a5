"""``tohyo monitor`` against a real server on loopback, and a forked log (§TL-9, §TL-13).

The server is the real app under uvicorn (``live_server``) on SQLite and
PostgreSQL. The fork is what a dishonest operator would do: re-sign, with the
log's own key, another root for a size the monitor already saw, and serve it.
The monitor writes fork evidence that ``tohyo verify --fork-evidence`` reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.log import Checkpoint, parse_note, sign_checkpoint
from tohyo.log.evidence import check_evidence, load_evidence, open_heads

CHOICE = {"healthcare": ["lifestyle"]}


def _cast(election: Any, voter: Any, count: int) -> None:
    info = voter.election(election.id)
    for _ in range(count):
        voter.cast(info, voter.start_session(election.id, election.next_code()), CHOICE)


def _monitor(url: str, tmp_path: Path, *extra: str) -> Any:
    _register()
    return CliRunner().invoke(app, ["monitor", url, "--state", str(tmp_path / "state.note"),
                                    "--evidence", str(tmp_path / "evidence.json"),
                                    "--interval", "0", *extra])


@pytest.fixture
def log_url(live_server: str, election: Any) -> str:
    return f"{live_server}/api/v1/elections/{election.id}/log"


def _fork(runtime: Any, election_id: str, size: int) -> str:
    """The operator re-signs another root for ``size`` and serves it as the latest head."""
    forged = sign_checkpoint(
        Checkpoint.timestamped(runtime.ledger.origin(election_id), size, b"\x07" * 32, 2**41),
        runtime.ledger.signer(election_id),
    ).to_text()
    with runtime.uow(write=True) as uow:
        row = uow.checkpoint(election_id, size)
        row.note = forged
        uow.commit()
    return forged


def test_the_monitor_follows_a_consistent_log(
    log_url: str, election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    _cast(election, voter, 3)
    first = _monitor(log_url, tmp_path, "--once", "--log-key",
                     runtime.ledger.verifier_key(election.id))
    assert first.exit_code == 0, first.output
    assert "head 3 consistent" in first.output
    _cast(election, voter, 2)
    second = _monitor(log_url, tmp_path, "--max-polls", "2", "--log-key",
                      runtime.ledger.verifier_key(election.id))
    assert second.exit_code == 0, second.output
    assert second.output.count("head 5 consistent") == 2
    assert not (tmp_path / "evidence.json").exists()


def test_a_forked_log_leaves_evidence(
    log_url: str, election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    _cast(election, voter, 3)
    assert _monitor(log_url, tmp_path, "--once").exit_code == 0  # trust on first use
    forged = _fork(runtime, election.id, 3)
    result = _monitor(log_url, tmp_path, "--once")
    assert result.exit_code == 3, result.output
    assert "ALARM" in result.output
    evidence = load_evidence((tmp_path / "evidence.json").read_bytes())
    assert evidence.heads[-1] == forged and "inconsistent_head" in evidence.reason
    heads = open_heads(evidence, [runtime.ledger.verifier(election.id)])
    assert all(h.head is not None for h in heads)
    assert check_evidence(heads) == ("heads 0 and 1: two roots for tree size 3 (fork)",)
    # The state keeps the last good head: the forked one is never accepted.
    assert parse_note((tmp_path / "state.note").read_text()).text.split("\n")[1] == "3"


def test_gossip_with_a_witness_head_that_the_log_contradicts(
    log_url: str, election: Any, voter: Any, runtime: Any, tmp_path: Path
) -> None:
    """A witness published a head of size 3; the log shows the monitor another size 3."""
    _cast(election, voter, 3)
    witness_head = tmp_path / "witness-head.note"
    witness_head.write_text(_served(log_url))
    _fork(runtime, election.id, 3)
    result = _monitor(log_url, tmp_path, "--once", "--witness-head", str(witness_head),
                      "--log-key", runtime.ledger.verifier_key(election.id))
    assert result.exit_code == 3, result.output
    evidence = load_evidence((tmp_path / "evidence.json").read_bytes())
    assert str(witness_head) in evidence.source


def _served(log_url: str) -> str:
    import httpx

    return httpx.get(f"{log_url}/checkpoint", timeout=10).text


def test_a_state_file_from_another_log_is_refused(log_url: str, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tohyo.log import EMPTY_ROOT, Ed25519Signer

    other = Ed25519Signer("elsewhere.example/log", Ed25519PrivateKey.generate())
    (tmp_path / "state.note").write_text(sign_checkpoint(
        Checkpoint.timestamped("elsewhere.example/log", 0, EMPTY_ROOT, 1), other).to_text())
    result = _monitor(log_url, tmp_path, "--once")
    assert result.exit_code == 2 and "not usable" in result.output
