"""The public results page in Chromium: axe-core clean in every language, before and
after publication, keyboard-usable, charts load under the CSP (reports.md §REP-5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from booth_harness import BoothServer, all_kinds_manifest
from test_accessibility import assert_accessible

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.elections import close_election
from tohyo.app.services.tally import (
    board_snapshot,
    propose_tally,
    publish_record,
    record_tally,
    trustee_shares,
)
from tohyo.app.voter_client import VoterClient
from tohyo.crypto.dkg_state import TrusteeKey

PUBLISHED = "test-results"
PENDING = "test-results-pending"
DEV = DevApproval("test")


def _publish(booth: BoothServer, tmp: Any) -> None:
    runtime = booth.runtime
    with httpx.Client(base_url=booth.base_url) as http:
        client = VoterClient(http)
        info = client.election(PUBLISHED)
        for n in range(3):
            choices = {q.id: [q.option_ids[n % len(q.option_ids)]]
                       for q in info.manifest.questions}
            client.cast(info, client.start_session(PUBLISHED, booth.code(PUBLISHED)), choices)
    close_election(runtime, PUBLISHED, approval=DEV, reason="test over")
    snapshot = board_snapshot(runtime, PUBLISHED)
    board = propose_tally(snapshot)
    (path,) = (runtime.settings.trustee_dir / PUBLISHED).glob("*.key.json")  # one trustee
    key = TrusteeKey.from_json(json.loads(path.read_bytes()))
    record_tally(runtime, PUBLISHED, trustee_shares(snapshot, key, board.aggregates),
                 approval=DEV)
    publish_record(runtime, PUBLISHED, tmp / "record", actor="test")


@pytest.fixture(scope="module")
def published(booth: BoothServer, tmp_path_factory: pytest.TempPathFactory) -> BoothServer:
    now = booth.clock()
    booth.add_election(all_kinds_manifest(PUBLISHED, now), voters=4)
    booth.add_election(all_kinds_manifest(PENDING, now), voters=1)
    _publish(booth, tmp_path_factory.mktemp("results"))
    # The first request exports the record and builds the report (seconds on a busy
    # machine); make it before the browser's navigation timeout starts counting.
    assert httpx.get(booth.url(f"/ja/elections/{PUBLISHED}/results"), timeout=300).is_success
    return booth


@pytest.mark.parametrize("lang", ["ja", "en", "easy"])
def test_results_pages_are_accessible(
    page: Any, published: BoothServer, lang: str, artifacts: Path
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(published.url(f"/{lang}/elections/{PENDING}/results"))
    assert page.locator("[role=status] h2").is_visible()
    assert_accessible(page, "results not yet published")

    page.goto(published.url(f"/{lang}/elections/{PUBLISHED}/results"))
    assert page.get_attribute("html", "lang") == {"ja": "ja", "en": "en", "easy": "ja-x-easy"}[lang]
    page.wait_for_load_state("load")
    charts = page.locator("img.results-figure__chart")
    assert charts.count() >= 2
    for i in range(charts.count()):  # every chart loaded under the CSP, not a broken image
        chart = charts.nth(i).element_handle()
        assert page.evaluate("(e) => e.complete && e.naturalWidth > 0", chart)
    assert_accessible(page, "results")
    page.screenshot(path=str(artifacts / f"results-{lang}.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_results_page_with_the_keyboard(page: Any, published: BoothServer) -> None:
    page.goto(published.url(f"/en/elections/{PUBLISHED}/results"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    for _ in range(60):  # the downloads are reachable by Tab, with a visible focus
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement.getAttribute('href') || ''")
        if href.endswith("result-report-en.pdf"):
            style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert style == "solid"
            break
    else:
        raise AssertionError("the PDF download is not reachable with Tab")
    with page.expect_download(timeout=180_000) as download:  # laid out on first request
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "result-report-en.pdf"
