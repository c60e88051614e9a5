"""``tohyo serve --demo``: the demo election can be entered with the test card, the test
provider and a code (issue 6, "done when")."""

from __future__ import annotations

import base64
import os
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest

from tohyo.app.settings import Settings
from tohyo.cli.demo_auth import CARD_PIN, DEMO_ELECTION, start_demo_auth
from tohyo.testca import sign_challenge

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def demo_env() -> Any:
    from tohyo.cli import demo_auth

    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    while demo_auth._KEEP:
        demo_auth._KEEP.pop().close()  # type: ignore[attr-defined]


def test_demo_election_takes_card_app_and_code(tmp_path: Path, demo_env: Any) -> None:
    from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    settings = Settings(data_dir=tmp_path / "var", demo=True)
    lines = start_demo_auth(settings, origin=ORIGIN)
    assert any("demo-card.p12" in line for line in lines)
    with TestClient(create_app(settings), base_url=ORIGIN) as http:
        eid = DEMO_ELECTION
        got = http.post("/auth/jpki/challenge", json={"election_id": eid}).json()
        card = (settings.data_dir / "demo-card.p12").read_bytes()
        signed = sign_challenge(card, CARD_PIN.encode(), eid, got["challenge"])
        by_card = http.post(
            "/auth/jpki/response",
            json={
                "election_id": eid,
                "challenge": got["challenge"],
                "certificate": base64.b64encode(signed.certificate).decode(),
                "signature": base64.b64encode(signed.signature).decode(),
            },
        )
        assert by_card.status_code == 201, by_card.text

        begin = http.get(
            "/auth/oidc/begin",
            params={"election_id": eid, "login_hint": "demo-voter-2"},
            follow_redirects=False,
        )
        state = begin.headers["set-cookie"].split(";")[0]
        back = urllib.parse.urlsplit(
            httpx.get(begin.headers["location"], follow_redirects=False).headers["location"]
        )
        by_app = http.get(
            f"{back.path}?{back.query}", headers={"accept": "application/json", "cookie": state}
        )
        assert by_app.status_code == 201, by_app.text
        assert by_app.json()["credential"] != by_card.json()["credential"]

        code = (settings.data_dir / "demo-codes.txt").read_text().split()[0]
        by_code = http.post(f"/api/v1/elections/{eid}/sessions", json={"code": code})
        assert by_code.status_code == 201, by_code.text
        page = http.get(f"/ja/elections/{eid}/")
        assert f"/ja/elections/{eid}/sign-in/card" in page.text
