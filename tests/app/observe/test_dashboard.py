"""The observers' dashboard: what it shows, to whom, and what it never shows
(docs/spec/observe.md §OBS-1, §OBS-2, §OBS-3)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tohyo.app.auth.officials import Role
from tohyo.app.observe.snapshot import BUCKET_MS, WITNESS_GRACE, take_snapshot
from tohyo.app.services.overrides import record_paper_vote
from tohyo.app.services.roll import voter_key_hex

from .helpers import Cosigner, cast, official_cookie


def _ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def test_snapshot_follows_the_head_the_witnesses_and_the_turnout(
    election: Any, voter: Any, client: Any, runtime: Any, clock: Any, tmp_path: Path
) -> None:
    receipts = cast(election, voter, 3)
    first = Cosigner(client, election.id, tmp_path, "alpha.example")
    second = Cosigner(client, election.id, tmp_path, "beta.example")
    assert first.cosign() == second.cosign() == 3
    receipts += cast(election, voter, 1)
    assert first.cosign() == 4  # beta stays at 3

    shot = take_snapshot(runtime, election.id)
    assert (shot.phase, shot.head_size, shot.ballots_cast, shot.paper_votes) == ("open", 4, 4, 0)
    lags = {w.name: (w.last_size, w.lag, w.behind) for w in shot.witnesses}
    assert lags == {"alpha.example": (4, 0, False), "beta.example": (3, 1, False)}
    assert shot.alerts == ()
    assert sum(b.ballots for b in shot.buckets) == 4
    assert all(_ms(b.start) % BUCKET_MS == 0 for b in shot.buckets)

    # beta says nothing for longer than the grace period: an alert names it.
    clock.advance(seconds=WITNESS_GRACE.total_seconds() + 1)
    shot = take_snapshot(runtime, election.id)
    assert [(a.code, a.subject) for a in shot.alerts] == [("witness.behind", "beta.example")]

    # A paper vote shows in aggregate only.
    key = voter_key_hex(runtime, election.id, election.voter_ids[0])
    record_paper_vote(runtime, election.id, key, actor="official")
    shot = take_snapshot(runtime, election.id)
    assert shot.paper_votes == 1

    # Nothing in the public snapshot names a voter or a ballot.
    public = json.dumps(client.get(f"/api/v1/elections/{election.id}/observe").json())
    for receipt in receipts:
        for field in ("credential", "ballot_hash", "tracking_code", "leaf_hash"):
            assert receipt[field] not in public
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", public)  # no fine time either
    assert "detail" not in client.get(f"/api/v1/elections/{election.id}/observe").json()


def test_alerts_for_no_witness_and_a_halted_log(election: Any, voter: Any, runtime: Any) -> None:
    assert take_snapshot(runtime, election.id).alerts == ()  # the empty box needs no witness yet
    cast(election, voter, 1)
    assert [a.code for a in take_snapshot(runtime, election.id).alerts] == ["witness.none"]
    runtime.halt("the stored leaves do not match the signed head")
    codes = [a.code for a in take_snapshot(runtime, election.id).alerts]
    assert codes == ["witness.none", "log.halted"]


def test_public_page_is_a_complete_snapshot_without_javascript(
    election: Any, voter: Any, client: Any
) -> None:
    cast(election, voter, 2)
    page = client.get(f"/ja/observe/elections/{election.id}/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="ja"' in html and "立会・監視ダッシュボード" in html
    assert re.search(r'<dd id="head-size">2</dd>', html)
    assert re.search(r'<dd id="ballots-cast">2</dd>', html)
    assert "<noscript>" in html
    # The booth's discipline: a per-response nonce on every script, SRI, no inline style.
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None
    for tag in re.findall(r"<script[^>]*>", html):
        if 'type="application/json"' in tag:
            continue
        assert f'nonce="{nonce.group(1)}"' in tag
    assert 'integrity="sha384-' in html and " style=" not in html
    english = client.get(f"/en/observe/elections/{election.id}/").text
    assert "Observers&#39; dashboard" in english or "Observers' dashboard" in english
    assert client.get("/ja/observe/elections/no-such/").status_code == 404
    assert client.get("/ja/observe/").status_code == 200


def test_witness_view_needs_the_witness_role(
    election: Any, voter: Any, client: Any, clock: Any, tmp_path: Path
) -> None:
    cast(election, voter, 1)
    Cosigner(client, election.id, tmp_path, "alpha.example").cosign()
    url = f"/en/observe/elections/{election.id}/witness"
    assert client.get(url).status_code == 401
    operator = official_cookie(client.app, clock, "olga", Role.OPERATOR)
    assert client.get(url, headers=operator).status_code == 403
    witness = official_cookie(client.app, clock, "wes", Role.WITNESS)
    page = client.get(url, headers=witness)
    assert page.status_code == 200
    assert "— alpha.example " in page.text  # the head's note with the cosignature line
    assert re.search(r'<td lang="en">election\.open</td>', page.text)  # officials' actions
    stream = f"/api/v1/elections/{election.id}/observe/witness/events"
    refused = client.get(stream, headers=operator)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "auth.forbidden.role")
    assert client.get(stream).status_code == 401
