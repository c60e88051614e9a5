"""A card voter casts from the browser (authentication.md §AUTH-ENV, booth.md §BO-1.3).

The test CA issues a card; the page's own commands are run through ``tohyo card``
(the stand-in for the card-reader app), exactly as shown, so the code path is the
CLI's. A missing, malformed or wrong envelope gives a message in the page language
and nothing is cast; the right one ends with a receipt and a stored envelope.
"""

from __future__ import annotations

import base64
import json
import shlex
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from booth_harness import CARD_PIN, CARDS, BoothServer
from flows import cast, to_review, vote_all_kinds, wait_ready
from sqlalchemy import func, select
from test_accessibility import assert_accessible
from test_bad_input import ballots, log_size
from typer.testing import CliRunner

from tohyo.app.auth import tables
from tohyo.cli.card import cli as card_cli
from tohyo.testca import sign_envelope

MESSAGES = {
    "ja": ("カードの署名", "記録されていません"),
    "en": ("card's signature", "Nothing was recorded"),
}


def run_card_app(command: str, card: Path) -> str:
    """Run a ``tohyo card …`` line the page shows, with the real card file and PIN."""
    args = shlex.split(command)
    assert args[:2] == ["tohyo", "card"], command
    args = [card.as_posix() if a == "CARD.p12" else a for a in args[2:]]
    result = CliRunner().invoke(card_cli, [*args, "--pin", CARD_PIN])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    json.loads(line)
    return line


def envelopes(booth: BoothServer, eid: str) -> int:
    with booth.runtime.uow() as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(tables.envelopes)
                .where(tables.envelopes.c.election_id == eid)
            )
            or 0
        )


def card_sign_in(page: Any, booth: BoothServer, card: Path, lang: str) -> None:
    page.goto(booth.url(f"/{lang}/elections/{CARDS}/sign-in/card"))
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('#card-challenge').value.length > 20")
    page.fill("#card-answer", run_card_app(str(page.text_content("#card-command")), card))
    page.click("#card-form button[type=submit]")
    page.wait_for_url(f"**/{lang}/elections/{CARDS}/ballot")
    wait_ready(page)
    session = page.evaluate(f"JSON.parse(sessionStorage.getItem('tohyo:{CARDS}:session'))")
    assert session["method"] == "jpki"


def envelope_error(page: Any) -> str:
    page.locator("#envelope-answer-error").wait_for(state="visible")
    return str(page.text_content("#envelope-answer-error"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_card_vote_with_envelope_ends_with_a_receipt(
    page: Any, booth: BoothServer, lang: str, artifacts: Path
) -> None:
    card = booth.issue_card(f"筑波 {lang}", date(1990, 5, 1 if lang == "ja" else 2))
    card_sign_in(page, booth, card, lang)
    vote_all_kinds(page)
    tracking = to_review(page)
    page.locator("#envelope").wait_for(state="visible")
    ballot_hash = str(page.text_content("#envelope-hash"))
    assert len(ballot_hash) == 64
    command = str(page.text_content("#envelope-command"))
    assert command == (
        f"tohyo card sign-ballot --card CARD.p12 --election {CARDS} --ballot-hash {ballot_hash}"
    )
    assert_accessible(page, "review of a card session")
    before = (ballots(booth, CARDS), log_size(booth, CARDS), envelopes(booth, CARDS))
    flagged, nothing = MESSAGES[lang]

    # No envelope: refused in the page, nothing sent.
    page.click("#cast-button")
    assert nothing in envelope_error(page)
    assert page.get_attribute("#envelope-answer", "aria-invalid") == "true"
    assert_accessible(page, "review, envelope missing")

    # The card's signature of another ballot: the server refuses, nothing is cast.
    other = sign_envelope(card.read_bytes(), CARD_PIN.encode(), CARDS, bytes(32))
    wrong = json.dumps(
        {
            "certificate": base64.b64encode(other.certificate).decode(),
            "signature": base64.b64encode(other.signature).decode(),
        }
    )
    page.fill("#envelope-answer", wrong)
    page.click("#cast-button")
    page.wait_for_function(
        "() => document.querySelector('#envelope-answer-error').textContent.includes('auth.')"
    )
    text = envelope_error(page)
    assert flagged in text and nothing in text and "auth.envelope.bad_signature" in text
    assert (ballots(booth, CARDS), log_size(booth, CARDS), envelopes(booth, CARDS)) == before
    assert page.is_enabled("#cast-button")
    assert str(page.text_content("#tracking-code")) == tracking
    assert_accessible(page, "review, envelope refused")
    page.screenshot(path=str(artifacts / f"review-card-refused-{lang}.png"), full_page=True)

    # The card app's answer for this ballot: cast, receipt, envelope stored apart.
    page.fill("#envelope-answer", run_card_app(command, card))
    receipt = cast(page)
    assert receipt["ballot_hash"] == ballot_hash
    assert receipt["tracking_code"] == tracking
    assert ballots(booth, CARDS) == before[0] + 1
    assert envelopes(booth, CARDS) == before[2] + 1
    assert "certificate" not in json.dumps(receipt)


def test_code_sessions_show_no_envelope_step(page: Any, booth: BoothServer) -> None:
    from booth_harness import ALL_KINDS
    from flows import sign_in

    sign_in(page, booth, ALL_KINDS)
    vote_all_kinds(page)
    to_review(page)
    assert page.locator("#envelope").is_hidden()
