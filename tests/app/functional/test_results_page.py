"""The public results page and its downloads (docs/spec/reports.md §REP-5).

Before publication the page says "not yet" and no file is served; after the
tally and the first export, the page shows the official figures, each chart
is an SVG served under the booth's CSP, and the downloads (PDF in Japanese and
English, CSV with BOM, official JSON, the record as a ZIP) carry the same
figures; the ZIP's record verifies. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from tohyo.app.auth.authority import DevApproval
from tohyo.app.results.paper import enter_paper_count
from tohyo.app.services.elections import close_election
from tohyo.app.services.tally import (
    board_snapshot,
    propose_tally,
    publish_record,
    record_tally,
    trustee_shares,
)
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.record.official import OfficialResult
from tohyo.verify import verify_record

from .test_paper_counts import COUNT

DEV = DevApproval("test")
CHOICES = [
    {"services": ["internet-voting"], "mobility": ["tsukumobi"], "healthcare": []},
    {"services": ["digital-counters"], "mobility": [], "healthcare": ["home-care"]},
    {"services": ["internet-voting"], "mobility": ["hands-free"], "healthcare": ["home-care"]},
]


def publish(runtime: Any, election: Any, voter: Any, out: Path) -> None:
    info = voter.election(election.id)
    for choice in CHOICES:
        voter.cast(info, voter.start_session(election.id, election.next_code()), choice)
    close_election(runtime, election.id, approval=DEV, reason="test over")
    for official in ("clerk-a", "clerk-b"):  # double entry of one paper count (results.md)
        enter_paper_count(runtime, election.id, COUNT, official=official)
    snapshot = board_snapshot(runtime, election.id)
    board = propose_tally(snapshot)
    shares = []
    for i in (1, 2):
        path = runtime.settings.trustee_dir / election.id / f"t{i}.key.json"
        key = TrusteeKey.from_json(json.loads(path.read_bytes()))
        shares += trustee_shares(snapshot, key, board.aggregates)
    record_tally(runtime, election.id, shares, approval=DEV)
    publish_record(runtime, election.id, out, actor="test")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_not_yet_then_the_official_figures(
    election: Any, voter: Any, runtime: Any, client: Any, tmp_path: Path
) -> None:
    base = f"/ja/elections/{election.id}/results"
    pending = client.get(base)
    assert pending.status_code == 200
    assert "結果はまだ公表されていません" in pending.text
    assert client.get(f"{base}/result.csv").status_code == 409  # nothing before publication
    assert client.get(f"{base}/charts/services-votes.svg").status_code == 409

    publish(runtime, election, voter, tmp_path / "record")
    page = client.get(base)
    assert page.status_code == 200
    html = page.text
    assert "投票結果" in html and "結果を自分で確かめる" in html
    assert 'nonce="' in html and "style=" not in html  # CSP: no inline style attributes
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    # internet 2 + paper 4 of 3 + 7 valid votes: 60.0 % (the test manifest's labels are its ids)
    assert ('<th scope="row">internet-voting</th><td class="num">2</td><td class="num">4</td>'
            '<td class="num">6</td><td class="num">60.0</td>') in html

    svg = client.get(f"{base}/charts/services-votes.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<script" not in svg.text
    assert client.get(f"{base}/charts/services-shares.svg").status_code == 200
    assert client.get(f"{base}/charts/turnout.svg").status_code == 200
    assert client.get(f"{base}/charts/nothing.svg").status_code == 404
    assert client.get(f"{base}/passwd").status_code == 404
    assert client.get(f"/ja/elections/{election.id}/results/..%2F..%2Fkeys").status_code == 404

    official = OfficialResult.from_json(client.get(f"{base}/official.json").json())
    services = official.question("services")
    internet_voting = services.option("internet-voting")
    assert (internet_voting.electronic, internet_voting.total) == (2, 6)
    assert official.turnout.internet == 3 and official.turnout.paper_total == 10

    csv = client.get(f"{base}/result.csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("election_id,question_no,question_id")
    assert any(",internet-voting,internet-voting,internet-voting,0,2,4,6," in r for r in rows)

    ja = _pdf_text(client.get(f"{base}/result-report-ja.pdf").content, tmp_path)
    assert "選挙録・開票録" in ja and "有効投票数" in ja and "第1投票所" in ja
    en = _pdf_text(client.get(f"/en/elections/{election.id}/results/result-report-en.pdf"
                              ).content, tmp_path)
    assert "Valid votes" in en

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/record.zip").content))
    unpacked = tmp_path / "unpacked"
    archive.extractall(unpacked)
    assert verify_record(unpacked / "record", workers=0).ok

    english = client.get(f"/en/elections/{election.id}/results")
    assert "Official results" in english.text and "Check the results yourself" in english.text
    easy = client.get(f"/easy/elections/{election.id}/results")
    assert "とうひょう の けっか" in easy.text


def test_unknown_election_and_language(client: Any) -> None:
    assert client.get("/ja/elections/no-such-election/results").status_code == 404
    assert client.get("/xx/elections/no-such-election/results").status_code == 404
