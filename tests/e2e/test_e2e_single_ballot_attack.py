"""Issue 9 item 2: a server cannot get one voter's ballot decrypted (THREATS #15, #46).

The attack: after the close, the server (which holds the log key) hands a
trustee a "board" holding only the victim's ballot and the close, under a final
head it signs itself, with the aggregate of that one ballot as the proposal.
On the code before this change the trustee checked the head against the log
key *taken from the board* and decrypted: the victim's choices came out.

Now the trustee pins the manifest by the hash confirmed at the ceremony, the
log key and the witnesses from that manifest, requires the declared witness
quorum on the final head (witnesses never cosign a head that does not extend
the one they saw), checks the published close size, and decrypts at most once
per election.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_local import run_local_ceremony
from tohyo.log import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    MerkleTree,
    encode_verifier_key,
    sign_checkpoint,
)
from tohyo.record.canonical import dumps_canonical
from tohyo.record.counting import count_board
from tohyo.record.format import LogInfo, RollCommitment
from tohyo.record.leaves import close_leaf
from tohyo.record.manifest import Manifest, manifest_hash
from tohyo.record.writer import RecordWriter
from tohyo.simulate.direct import _encrypt_one, credential_for

_GEN = Path(__file__).parents[1] / "vectors" / "records" / "generate.py"
_spec = importlib.util.spec_from_file_location("record_vectors", _GEN)
assert _spec is not None and _spec.loader is not None
_vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_vectors)

T0 = 1_800_000_000


class Election:
    """A closed election: trustees' keys, the log key (the server's), two witnesses."""

    def __init__(self, declare: bool) -> None:
        base = Manifest.from_json(_vectors.MANIFEST)
        self.origin = f"tohyo.example/log/{base.id}"
        self.log = Ed25519Signer(self.origin, Ed25519PrivateKey.generate())
        self.witnesses = [CosignatureSigner.generate(f"witness-{i}.example") for i in (1, 2)]
        if declare:
            from tohyo.record.transparency import declare_log

            base = declare_log(base, encode_verifier_key(self.log.verifier()),
                               [encode_verifier_key(w.verifier()) for w in self.witnesses], 2)
        self.manifest = base
        self.mhash = manifest_hash(base)
        ceremony = run_local_ceremony(ProofContext(base.id, self.mhash), 2, 3)
        self.ceremony, self.keys, self.joint = ceremony.transcript, ceremony.keys, ceremony.joint
        manifest_json = dumps_canonical(base.to_json()).decode()
        key = self.joint.public_key.element.to_bytes()
        self.ballots = [
            _encrypt_one((manifest_json, self.mhash, credential_for(n, "attack"),
                          {q: list(c) for q, c in votes[0].items()}, key))
            for n, votes in enumerate(_vectors.VOTES[:4])
        ]
        self.close = dumps_canonical(close_leaf(base.id))

    def board(self, out: Path, leaves: list[bytes], *, cosign: bool) -> dict[str, Any]:
        """Write a board directory and its proposal, as ``tohyo record board`` does."""
        tree = MerkleTree()
        with RecordWriter(out) as writer:
            writer.write_manifest(self.manifest.to_json())
            writer.write_ceremony(self.ceremony.to_json(), self.joint.to_json())
            for leaf in leaves:
                writer.add_entry(leaf)
                tree.append(leaf)
            note = sign_checkpoint(Checkpoint.timestamped(self.origin, tree.size, tree.root(),
                                                          T0 * 1000 + tree.size), self.log)
            if cosign:
                note = note.with_signatures(*(w.sign_at(note.text.encode(), T0)
                                              for w in self.witnesses))
            writer.add_head(note.to_text())
            count = count_board(self.manifest, self.mhash, self.joint.public_key, leaves)
            proposal = {"aggregates": [{"label": lab, "ct": ct.to_json()}
                                       for lab, ct in count.aggregates.items()]}
            writer.write_tally(proposal)
            writer.finish(election_id=self.manifest.id, manifest_hash=self.mhash,
                          roll=RollCommitment(4, "0" * 64),
                          log=LogInfo(self.origin, encode_verifier_key(self.log.verifier()),
                                      ()))
        (out / "proposal.json").write_text(json.dumps(proposal))
        return proposal

    def secret(self, path: Path, trustee: int) -> Path:
        """A trustee's secret file as ``tohyo trustee confirm`` leaves it."""
        path.write_text(json.dumps({
            "transport": {}, "key": self.keys[trustee - 1].to_json(),
            "election": {"election_id": self.manifest.id, "manifest_hash": self.mhash.hex()},
        }))
        path.chmod(0o600)
        return path


def _decrypt(board: Path, secret: Path, out: Path, *extra: str) -> Any:
    _register()
    return CliRunner().invoke(app, ["trustee", "decrypt", "--board", str(board), "--proposal",
                                    str(board / "proposal.json"), "--secret", str(secret),
                                    "--out", str(out), *extra])


def _attack(tmp_path: Path, declare: bool, *extra: str) -> tuple[Any, Path]:
    election = Election(declare)
    victim = election.ballots[1]
    board = tmp_path / "one-ballot-board"
    election.board(board, [victim, election.close], cosign=False)
    shares = tmp_path / "shares.json"
    result = _decrypt(board, election.secret(tmp_path / "t1.secret", 1), shares, *extra)
    return result, shares


@pytest.mark.parametrize("declare", [True, False], ids=["declared-witnesses", "manifest-v1"])
def test_the_single_ballot_board_is_refused(tmp_path: Path, declare: bool) -> None:
    result, shares = _attack(tmp_path, declare)
    assert result.exit_code != 0 and "REFUSED" in result.output, result.output
    assert not shares.exists()  # nothing decrypted


def test_a_pinned_log_key_alone_does_not_help_without_witnesses(tmp_path: Path) -> None:
    """tohyo-manifest/1: the log key signs the fake board; the close size catches it."""
    election = Election(declare=False)
    board = tmp_path / "board"
    election.board(board, [election.ballots[1], election.close], cosign=False)
    vkey = encode_verifier_key(election.log.verifier())
    result = _decrypt(board, election.secret(tmp_path / "s", 1), tmp_path / "shares.json",
                      "--log-key", vkey, "--close-size", str(len(election.ballots) + 1))
    assert result.exit_code == 1 and "published close" in result.output, result.output
    assert not (tmp_path / "shares.json").exists()


def test_witnesses_refuse_to_cosign_the_fake_board(tmp_path: Path) -> None:
    """The server cannot obtain the quorum: the witnesses saw the real board."""
    from tohyo.log import LogError, Witness

    election = Election(declare=True)
    real = [*election.ballots, election.close]
    tree = MerkleTree(real)
    head = sign_checkpoint(Checkpoint.timestamped(election.origin, tree.size, tree.root(), T0),
                           election.log)
    witness = Witness(election.witnesses[0], [election.log.verifier()], tmp_path / "w.json")
    witness.add_checkpoint(0, (), head)
    fake = MerkleTree([election.ballots[1], election.close])
    forged = sign_checkpoint(Checkpoint.timestamped(election.origin, fake.size, fake.root(),
                                                    T0 + 1), election.log)
    for old_size in (0, fake.size, tree.size):  # whatever the server claims to extend
        with pytest.raises(LogError):
            witness.add_checkpoint(old_size, (), forged)
    assert witness.latest(election.origin).size == tree.size


def test_the_witnessed_board_decrypts_once(tmp_path: Path) -> None:
    election = Election(declare=True)
    board = tmp_path / "board"
    election.board(board, [*election.ballots, election.close], cosign=True)
    secret = election.secret(tmp_path / "t1.secret", 1)
    first = _decrypt(board, secret, tmp_path / "shares.json", "--close-size",
                     str(len(election.ballots) + 1))
    assert first.exit_code == 0, first.output
    assert json.loads((tmp_path / "shares.json").read_bytes())
    second = _decrypt(board, secret, tmp_path / "again.json")
    assert second.exit_code == 1 and "already decrypted" in second.output, second.output
    assert not (tmp_path / "again.json").exists()


def test_a_board_under_another_manifest_is_refused(tmp_path: Path) -> None:
    """The manifest is pinned by the hash confirmed at the ceremony, not read from the board."""
    election = Election(declare=True)
    other = Election(declare=True)  # same id, other keys: another manifest hash
    board = tmp_path / "board"
    other.board(board, [*other.ballots, other.close], cosign=True)
    result = _decrypt(board, election.secret(tmp_path / "s", 1), tmp_path / "shares.json")
    assert result.exit_code == 1 and "manifest" in result.output, result.output
