"""Helpers of the dashboard tests: casting, a witness round, an official's cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tohyo.app.auth.officials import Role
from tohyo.app.auth.sessions import COOKIE_NAME
from tohyo.app.auth.totp import totp_at
from tohyo.cli.witness import witness_round
from tohyo.log import CosignatureSigner, Witness, encode_verifier_key, verifier_from_key

CHOICE = {"services": ["internet-voting"], "mobility": [], "healthcare": ["home-care"]}
PASSWORD = "correct horse battery staple"


def cast(election: Any, voter: Any, n: int) -> list[dict[str, Any]]:
    info = voter.election(election.id)
    out = []
    for _ in range(n):
        session = voter.start_session(election.id, election.next_code())
        out.append(voter.cast(info, session, CHOICE).receipt)
    return out


class Cosigner:
    """A real witness (its own state file) that cosigns the latest head through HTTP."""

    def __init__(self, http: Any, election_id: str, tmp: Path, name: str) -> None:
        self.http = http
        self.election_id = election_id
        log_key = http.get(f"/api/v1/elections/{election_id}/log/key").text.strip()
        self.signer = CosignatureSigner.generate(name)
        self.vkey = encode_verifier_key(self.signer.verifier())
        self.witness = Witness(self.signer, [verifier_from_key(log_key)], tmp / f"{name}.json")

    def cosign(self) -> int:
        return witness_round(self.http, self.election_id, self.witness, self.vkey).size


def official_cookie(app: Any, clock: Any, name: str, role: Role) -> dict[str, str]:
    """A signed-in official's session cookie, as the browser would send it."""
    directory = app.state.auth.officials
    made = directory.create(name, name.title(), role, PASSWORD, actor="setup", now=clock())
    clock.advance(seconds=31)
    signed = directory.sign_in(
        name, PASSWORD, totp_at(made.totp_secret, clock()), source="test", now=clock()
    )
    return {"cookie": f"{COOKIE_NAME}={signed.token}"}
