"""The key ceremony through the server's relay, 3 of 5, with ``tohyo trustee --server``.

Every trustee round runs as the CLI over real HTTP (a uvicorn server on
loopback) against SQLite and PostgreSQL; the officials' steps (open the
relay, install the key, board, tally, export) run as the CLI on the same
database. An honest ceremony ends in an election that is voted in, tallied
with the trustees' own ``decrypt`` and verified; a cheating trustee (a bad
share to one trustee, then silence) is named by the trustees, by ``finish``
and by the server; the relay refuses at intake what threshold.md §7.8 says
it must.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.elections import (
    close_election,
    create_election,
    get_election,
    open_election,
)
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.voter_client import VoterClient
from tohyo.cli.main import _register, app
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg import Dealing, DkgTranscript, Roster, TransportKey, deal, verify_transcript
from tohyo.crypto.dkg_messages import dealing_body
from tohyo.crypto.transport import TransportKeyPair, seal_share, sign_message
from tohyo.verify import verify_record

from .approvals import ADMIN, Clerk, approved

N, T = 5, 3


def _manifest(manifest_for: Any, election_id: str) -> bytes:
    manifest = json.loads(manifest_for(election_id))
    manifest["trustees"] = {"threshold": T, "members": [
        {"id": f"t{i}", "name": f"Trustee {i}"} for i in range(1, N + 1)]}
    return json.dumps(manifest, ensure_ascii=False).encode()


class Ceremony:
    """One election's relay, driven through the CLI like the trustees and officials would."""

    def __init__(self, runtime: Any, manifest_for: Any, url: str, tmp: Path, eid: str,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        _register()
        self.runtime, self.url, self.tmp, self.eid = runtime, url, tmp, eid
        create_election(runtime, _manifest(manifest_for, eid), actor="t")
        roll = "voter_id,name,birth_date,address_code,district\n" + "".join(
            f"V{n:04d},投票者,1985-05-01,082201,\n" for n in range(4))
        import_roll(runtime, eid, roll.encode(), actor="t")
        s = runtime.settings
        self.db = ["--data-dir", str(s.data_dir), "--database-url", s.database_url]
        self.relay = ["--server", url, "--election", eid]
        self.secrets = {i: tmp / f"trustee-{i}.secret" for i in range(1, N + 1)}
        self.clerk = Clerk(runtime.engine, s.keys_dir, monkeypatch)
        out = self.signed("trustee", "init", "--election", eid, *self.db)
        self.tokens = {int(line.split("\t")[0].split()[1]): line.split("\t")[2]
                       for line in out.splitlines() if line.startswith("trustee ")}

    def run(self, *args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    def signed(self, *args: str, code: int = 0) -> str:
        """An officials' command: the administrator signs in (authentication.md §AUTH-APPR-2)."""
        result = self.clerk.invoke(app, *args)
        assert result.exit_code == code, result.output
        return result.output

    def round(self, step: str, i: int, code: int = 0) -> str:
        return self.run("trustee", step, *self.relay, "--secret", str(self.secrets[i]),
                        code=code)

    def keygen(self, i: int) -> None:
        self.run("trustee", "keygen", *self.relay, "--index", str(i), "--token",
                 self.tokens[i], "--secret", str(self.secrets[i]))

    def post(self, kind: str, i: int, message: Any, token: str | None = None) -> Any:
        return httpx.post(f"{self.url}/api/v1/elections/{self.eid}/ceremony/{kind}",
                          json={"message": message},
                          headers={"Authorization": f"Bearer {token or self.tokens[i]}"})

    def get(self, path: str = "") -> Any:
        return httpx.get(f"{self.url}/api/v1/elections/{self.eid}/ceremony{path}")


def test_a_3_of_5_ceremony_through_the_relay_keys_a_verified_election(
    runtime: Any, manifest_for: Any, live_server: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = Ceremony(runtime, manifest_for, live_server, tmp_path, "relay-honest", monkeypatch)
    assert get_election(runtime, c.eid).state == "key_ceremony" and len(c.tokens) == N
    for i in range(1, N + 1):
        c.keygen(i)
    for step in ("deal", "check", "answer", "confirm"):
        for i in range(1, N + 1):
            c.round(step, i)
    assert c.get().json()["received"]["confirmation"] == [1, 2, 3, 4, 5]
    ceremony = tmp_path / "ceremony.json"
    assert f"({T} of {N})" in c.run("trustee", "finish", *c.relay, "--out", str(ceremony))
    for path in c.secrets.values():  # secrets stay in the trustees' own files, private
        assert path.stat().st_mode & 0o077 == 0
    c.signed("trustee", "install", "--election", c.eid, *c.db)
    with runtime.uow() as uow:
        actors = {(e.kind, e.actor) for e in uow.audit_events(c.eid)}
    assert {("ceremony.open", ADMIN), ("election.key_installed", ADMIN)} <= actors
    trail = [(a, b) for a, b, _ in c.clerk.trail()]
    assert (ADMIN, "cli.trustee.init") in trail and (ADMIN, "cli.trustee.install") in trail
    published = json.loads(ceremony.read_bytes())
    assert get_election(runtime, c.eid).public_key == published["joint_key"]["public_key"]
    server = c.get("/transcript").json()
    assert server == published  # the server's verified transcript is the trustees' own
    context = ProofContext(c.eid, bytes.fromhex(get_election(runtime, c.eid).manifest_hash))
    verify_transcript(context, DkgTranscript.from_json(server["transcript"]))
    assert c.post("dealing", 1, {}).json()["error"]["code"] == "ceremony.closed"

    # The election runs on the ceremony's key; three trustees decrypt on their own.
    open_election(runtime, c.eid, approval=DevApproval("test"))
    codes = [x.code for x in issue_codes(runtime, c.eid, actor="t")]
    with httpx.Client(base_url=live_server) as http:
        voter = VoterClient(http)
        info = voter.election(c.eid)
        for code, pick in zip(codes, ("internet-voting", "ai-voice", "internet-voting"),
                              strict=False):
            voter.cast(info, voter.start_session(c.eid, code), {"services": [pick]})
    close_election(runtime, c.eid, approval=DevApproval("test"), reason="test over")
    board = tmp_path / "board"
    c.signed("record", "board", "--election", c.eid, "--out", str(board), *c.db)
    shares = []
    # A tohyo-manifest/1 election declares no log key: each trustee pins the one
    # published before the vote and the close size published at the close.
    pins = ["--log-key", runtime.ledger.verifier_key(c.eid), "--close-size", "4"]  # 3 + close
    for i in (2, 4, 5):
        out = tmp_path / f"shares-{i}.json"
        c.run("trustee", "decrypt", "--board", str(board), "--proposal",
              str(board / "proposal.json"), "--secret", str(c.secrets[i]), "--out", str(out),
              *pins)
        shares += ["--shares", str(out)]
    again = c.run("trustee", "decrypt", "--board", str(board), "--proposal",
                  str(board / "proposal.json"), "--secret", str(c.secrets[2]), "--out",
                  str(tmp_path / "again.json"), *pins, code=1)
    assert "already decrypted" in again  # issue 9: once per election
    assert "tallied with trustees 2, 4, 5: 3 ballots" in c.run(
        "record", "tally", "--election", c.eid, *shares, *c.db, "--approval",
        approved(runtime.engine, runtime.settings.keys_dir, "tally", c.eid))
    record = tmp_path / "record"
    c.signed("record", "export", "--election", c.eid, "--out", str(record), *c.db)
    report = verify_record(record, workers=0)
    assert report.ok, report.to_json()
    votes = json.loads((record / "tally.json").read_bytes())["results"]["questions"][0]
    assert {o["id"]: o["votes"] for o in votes["options"]}["internet-voting"] == 2


def _cheating_dealing(c: Ceremony, cheater: int, victim: int) -> dict[str, Any]:
    """A dealing signed by ``cheater`` whose envelope for ``victim`` holds a wrong share."""
    info = c.get().json()
    context = ProofContext(c.eid, bytes.fromhex(info["manifest_hash"]))
    keys = [TransportKey.from_json(m["message"]) for m in c.get("/transport").json()["messages"]]
    roster = Roster(info["threshold"], tuple(keys))
    pair = TransportKeyPair.from_json(json.loads(c.secrets[cheater].read_bytes())["transport"])
    honest = deal(context, roster, pair)
    ceremony = roster.ceremony(context)
    wrong = honest.polynomial(victim) + honest.polynomial(victim)
    envelopes = tuple(seal_share(ceremony, pair, roster.key(victim), wrong)
                      if e.recipient == victim else e for e in honest.dealing.envelopes)
    d = honest.dealing
    body = dealing_body(cheater, d.commitments, d.proof, envelopes)
    signature = sign_message(ceremony, pair, "dealing", body)
    return Dealing(cheater, d.commitments, d.proof, envelopes, signature).to_json()


def test_a_cheating_trustee_is_named_and_the_relay_refuses_bad_messages(
    runtime: Any, manifest_for: Any, live_server: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = Ceremony(runtime, manifest_for, live_server, tmp_path, "relay-cheat", monkeypatch)
    assert c.post("transport", 1, {}, token="not-a-token").status_code == 403
    c.keygen(1)
    assert c.post("dealing", 1, {}).json()["error"]["code"] == "ceremony.too_early"
    for i in range(2, N + 1):
        c.keygen(i)
    own = c.get("/transport").json()["messages"][0]["message"]
    assert c.post("transport", 2, own).json()["error"]["code"] == "ceremony.invalid_message"

    cheat = _cheating_dealing(c, cheater=2, victim=4)
    forged = {**cheat, "signature": _cheating_dealing(c, cheater=2, victim=4)["signature"]}
    assert c.post("dealing", 2, forged).json()["error"]["code"] == "ceremony.bad_signature"
    assert c.post("dealing", 2, cheat).status_code == 201
    assert c.post("dealing", 2, cheat).status_code == 201  # the same again: harmless
    for i in (1, 3, 4, 5):
        c.round("deal", i)
    assert c.post("dealing", 2, _cheating_dealing(c, 2, 5)).json()["error"]["code"] \
        == "ceremony.repeated"
    for i in range(1, N + 1):
        out = c.round("check", i)
        assert ("1 complaints" in out) == (i == 4)
    complaint = c.get("/complaints").json()["messages"][3]["message"][0]
    assert complaint["dealer"] == 2
    answer = {"dealer": 3, "accuser": 4, "share": "00" * 32, "signature": complaint["signature"]}
    assert c.post("answers", 3, [answer]).json()["error"]["code"] == "ceremony.invalid_message"
    for i in (1, 3, 4, 5):
        c.round("answer", i)
    assert c.post("answers", 2, []).status_code == 201  # the cheater stays silent

    refused = c.round("confirm", 1, code=1)
    assert "CEREMONY ABORTED (trustees 2)" in refused
    assert "did not answer the complaint of trustee 4" in refused
    assert "CEREMONY ABORTED (trustees 2)" in c.run("trustee", "finish", *c.relay, code=1)
    transcript = c.get("/transcript")  # the server names the cheater too
    assert transcript.status_code == 409
    assert transcript.json()["error"]["code"] == "ceremony.aborted"
    assert "trustee 2: did not answer" in transcript.json()["error"]["message"]
    confirmation = {"trustee": 1, "proof": complaint["signature"]}
    assert c.post("confirmation", 1, confirmation).json()["error"]["code"] == "ceremony.aborted"
    refused = c.signed("trustee", "install", "--election", c.eid, *c.db, code=1)
    assert "ceremony.aborted" in refused
    assert get_election(runtime, c.eid).public_key is None

    # The officials restart: a new attempt, fresh tokens; the old ones no longer count.
    old = dict(c.tokens)
    c2 = c.signed("trustee", "init", "--election", c.eid, *c.db)
    assert "trustee 5\tt5\t" in c2 and c.get().json()["attempt"] == 2
    assert c.post("transport", 1, own, token=old[1]).json()["error"]["code"] \
        == "ceremony.bad_token"
    assert c.get("/transport").json()["messages"] == []


@pytest.mark.parametrize("path", ["/nonsense", ""])
def test_reading_a_relay_that_was_never_opened(runtime: Any, client: Any, path: str,
                                               manifest_for: Any) -> None:
    create_election(runtime, manifest_for("never-opened"), actor="t")
    found = client.get(f"/api/v1/elections/never-opened/ceremony{path}")
    assert found.status_code == 404
    assert found.json()["error"]["code"] == "ceremony.not_open"
