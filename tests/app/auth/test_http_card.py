"""Card sign-in and outer envelopes through the service's real HTTP path (issue 6).

Every refusal of the issue's "bad input" list comes back with its stable code
and leaves no voter and no voting session behind.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tohyo.app.auth import tables
from tohyo.app.auth.jpki_profile import CardHolder
from tohyo.app.services.envelopes import audit_envelopes
from tohyo.testca import IssuedCard, TestCA, sign_challenge, sign_envelope

from .conftest import TARO, Cards
from .helpers import PIN, card_sign_in, cast_with_envelope, counts, error_code, make_election
from .helpers import make_election as _make

CARDS_ONLY = ["jpki"]
#: Refusals are checked before any write: SQLite suffices (the flows run on both).
SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture(scope="module")
def hanako(ca: TestCA) -> IssuedCard:
    holder = CardHolder("筑波 花子", "茨城県つくば市天王台1", date(1985, 5, 5), "2")
    return ca.issue_card(holder, password=PIN)


def test_card_voter_signs_in_casts_with_envelope_and_the_auditor_checks(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, ca: TestCA
) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    first = card_sign_in(http, "cards", cards.rsa)
    assert first.status_code == 201, first.text
    session = first.json()
    assert counts(runtime, "cards") == (1, 1)  # enrolled at first sign-in (open roll)

    from tohyo.app.voter_client import Session

    voter = Session("cards", session["token"], session["credential"])
    cast, tracker, _ = cast_with_envelope(http, "cards", voter, cards.rsa)
    assert cast.status_code == 201, cast.text
    assert cast.json()["ballot_hash"] == tracker

    # The same person with the card re-issued after a move: same voter, same credential.
    again = card_sign_in(http, "cards", cards.reissued)
    assert again.json()["credential"] == session["credential"]
    assert counts(runtime, "cards") == (1, 2)
    voter2 = Session("cards", again.json()["token"], again.json()["credential"])
    recast, tracker2, _ = cast_with_envelope(http, "cards", voter2, cards.reissued)
    assert recast.status_code == 201, recast.text

    report = audit_envelopes(runtime, "cards", root=ca.root_cert)
    assert report.to_json() == {
        "election_id": "cards",
        "counted": 1,
        "card_signed": 1,
        "other_methods": 0,
        "problems": [],
        "ok": True,
    }

    # The envelopes never reach the public board: no leaf, no head, no API answer
    # holds a certificate, a signature or the holder's name.
    with runtime.uow() as uow:
        stored = uow.session.execute(select(tables.envelopes)).all()
        board = "".join(leaf.data for leaf in uow.leaves("cards"))
    assert len(stored) == 2
    for row in stored:
        for secret in (row.certificate, row.signature):
            assert base64.b64encode(secret).decode()[:40] not in board
            assert secret.hex()[:40] not in board
    assert TARO.name not in board and "研究学園" not in board
    for path in ("/api/v1/elections/cards", f"/api/v1/elections/cards/ballots/{tracker2}"):
        text = http.get(path).text
        assert base64.b64encode(stored[0].certificate).decode()[:40] not in text


@SQLITE
@pytest.mark.parametrize(
    ("card", "status", "code"),
    [
        ("expired", 401, "auth.cert.expired"),
        ("not_yet_valid", 401, "auth.cert.not_yet_valid"),
        ("revoked", 401, "auth.cert.revoked"),
        ("foreign", 401, "auth.cert.untrusted"),
        ("wrong_usage", 401, "auth.cert.wrong_usage"),
        ("outside", 403, "auth.eligibility.outside_area"),
        ("minor", 403, "auth.eligibility.under_age"),
    ],
)
def test_certificate_refusals(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, card: str, status: int, code: str
) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    response = card_sign_in(http, "cards", getattr(cards, card))
    assert error_code(response) == (status, code)
    assert counts(runtime, "cards") == (0, 0)


@SQLITE
@pytest.mark.parametrize(
    ("certificate", "code"),
    [
        ("not base64!", "auth.cert.malformed"),
        (base64.b64encode(b"\x30\x82garbage").decode(), "auth.cert.malformed"),
        ("", "auth.cert.malformed"),
        ("A" * 40_000, "auth.cert.malformed"),
    ],
)
def test_malformed_certificates(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, certificate: str, code: str
) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    response = card_sign_in(http, "cards", cards.rsa, certificate=certificate)
    assert error_code(response) == (401, code)
    assert counts(runtime, "cards") == (0, 0)


@SQLITE
def test_truncated_certificate(http: Any, runtime: Any, manifest_for: Any, cards: Cards) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    got = http.post("/auth/jpki/challenge", json={"election_id": "cards"}).json()
    signed = sign_challenge(cards.rsa.pkcs12, PIN, "cards", got["challenge"])
    response = http.post(
        "/auth/jpki/response",
        json={
            "election_id": "cards",
            "challenge": got["challenge"],
            "certificate": base64.b64encode(signed.certificate[:-30]).decode(),
            "signature": base64.b64encode(signed.signature).decode(),
        },
    )
    assert error_code(response) == (401, "auth.cert.malformed")


@SQLITE
def test_reused_challenge(http: Any, runtime: Any, manifest_for: Any, cards: Cards) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    got = http.post("/auth/jpki/challenge", json={"election_id": "cards"}).json()
    signed = sign_challenge(cards.rsa.pkcs12, PIN, "cards", got["challenge"])
    body = {
        "election_id": "cards",
        "challenge": got["challenge"],
        "certificate": base64.b64encode(signed.certificate).decode(),
        "signature": base64.b64encode(signed.signature).decode(),
    }
    assert http.post("/auth/jpki/response", json=body).status_code == 201
    assert error_code(http.post("/auth/jpki/response", json=body)) == (401, "auth.challenge.used")
    assert counts(runtime, "cards") == (1, 1)


@SQLITE
def test_wrong_signature_and_unknown_challenge(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, hanako: IssuedCard
) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    other = http.post("/auth/jpki/challenge", json={"election_id": "cards"}).json()["challenge"]
    wrong = sign_challenge(cards.rsa.pkcs12, PIN, "cards", other).signature
    response = card_sign_in(http, "cards", cards.rsa, signature=base64.b64encode(wrong).decode())
    assert error_code(response) == (401, "auth.signature.invalid")
    # Hanako's signature under Taro's certificate.
    got = http.post("/auth/jpki/challenge", json={"election_id": "cards"}).json()["challenge"]
    hers = sign_challenge(hanako.pkcs12, PIN, "cards", got).signature
    taro = sign_challenge(cards.rsa.pkcs12, PIN, "cards", other)
    response = http.post(
        "/auth/jpki/response",
        json={
            "election_id": "cards",
            "challenge": got,
            "certificate": base64.b64encode(taro.certificate).decode(),
            "signature": base64.b64encode(hers).decode(),
        },
    )
    assert error_code(response) == (401, "auth.signature.invalid")
    unknown = card_sign_in(http, "cards", cards.rsa, challenge="A" * 43)
    assert error_code(unknown) == (401, "auth.challenge.unknown")
    assert counts(runtime, "cards") == (0, 0)


@SQLITE
def test_challenge_of_another_election(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards
) -> None:
    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    make_election(runtime, manifest_for, "other", CARDS_ONLY)
    got = http.post("/auth/jpki/challenge", json={"election_id": "other"}).json()["challenge"]
    signed = sign_challenge(cards.rsa.pkcs12, PIN, "cards", got)
    response = http.post(
        "/auth/jpki/response",
        json={
            "election_id": "cards",
            "challenge": got,
            "certificate": base64.b64encode(signed.certificate).decode(),
            "signature": base64.b64encode(signed.signature).decode(),
        },
    )
    assert error_code(response) == (401, "auth.challenge.wrong_election")


@SQLITE
def test_no_challenge_for_an_unknown_or_closed_election(http: Any) -> None:
    unknown = http.post("/auth/jpki/challenge", json={"election_id": "nope"})
    assert error_code(unknown) == (404, "election.not_found")
    assert error_code(http.post("/auth/jpki/challenge", json={"election_id": "../x"})) == (
        400,
        "request.invalid_fields",
    )


def test_envelope_refusals(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, hanako: IssuedCard
) -> None:
    from tohyo.app.voter_client import Session

    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    data = card_sign_in(http, "cards", cards.rsa).json()
    voter = Session("cards", data["token"], data["credential"])
    missing, _, _ = cast_with_envelope(http, "cards", voter, None, envelope=None)
    assert error_code(missing) == (400, "auth.envelope.missing")
    junk, _, _ = cast_with_envelope(
        http, "cards", voter, None, envelope={"certificate": "!", "signature": "!"}
    )
    assert error_code(junk) == (400, "auth.envelope.malformed")
    # Signed with another person's card (eligible, but not the signed-in voter).
    foreign, _, _ = cast_with_envelope(http, "cards", voter, hanako)
    assert error_code(foreign) == (403, "auth.envelope.wrong_voter")
    # Taro's certificate with a signature over another ballot hash.
    sign_other = sign_envelope(cards.rsa.pkcs12, PIN, "cards", bytes(32))
    bad = {
        "certificate": base64.b64encode(sign_other.certificate).decode(),
        "signature": base64.b64encode(sign_other.signature).decode(),
    }
    wrong, _, _ = cast_with_envelope(http, "cards", voter, None, envelope=bad)
    assert error_code(wrong) == (401, "auth.envelope.bad_signature")
    revoked, _, _ = cast_with_envelope(http, "cards", voter, cards.revoked)
    assert error_code(revoked) == (401, "auth.cert.revoked")
    with runtime.uow() as uow:
        assert list(uow.leaves("cards")) == []
        assert uow.session.execute(select(tables.envelopes)).all() == []


def test_closed_roll_one_person_one_credential_whatever_the_method(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, hanako: IssuedCard
) -> None:
    """Letters and cards in one election: the card finds the roll entry by name and birth."""
    roll = [("R1", "筑波　太郎", TARO.birth_date.isoformat()), ("R2", "別の 人", "1970-01-01")]
    codes = _make(runtime, manifest_for, "mixed", ["jpki", "code"], roll)
    by_card = card_sign_in(http, "mixed", cards.rsa)
    by_code = http.post("/api/v1/elections/mixed/sessions", json={"code": codes[0]})
    assert by_card.status_code == by_code.status_code == 201
    assert by_card.json()["credential"] == by_code.json()["credential"]
    assert counts(runtime, "mixed")[0] == 2  # nobody enrolled: the roll is closed
    # Hanako's card is authentic and her address eligible, but she is not on this roll.
    refused = card_sign_in(http, "mixed", hanako)
    assert error_code(refused) == (403, "voter.not_eligible")
    assert refused.json()["error"]["message"] == "this voter may not vote in this election"


@SQLITE
def test_method_not_offered(http: Any, runtime: Any, manifest_for: Any, cards: Cards) -> None:
    _make(runtime, manifest_for, "codes", ["code"], [("R1", "x", "1980-01-01")])
    assert error_code(card_sign_in(http, "codes", cards.rsa)) == (403, "auth.method.not_offered")


@SQLITE
def test_auditor_command_finds_bad_and_missing_envelopes(
    http: Any,
    runtime: Any,
    manifest_for: Any,
    cards: Cards,
    ca: TestCA,
    hanako: IssuedCard,
    tmp_path: Any,
) -> None:
    from sqlalchemy import delete, update
    from typer.testing import CliRunner

    from tohyo.app.voter_client import Session
    from tohyo.cli.envelopes import cli
    from tohyo.testca import build_crl

    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    trackers = []
    for card in (cards.rsa, hanako):
        data = card_sign_in(http, "cards", card).json()
        voter = Session("cards", data["token"], data["credential"])
        cast, tracker, _ = cast_with_envelope(http, "cards", voter, card)
        assert cast.status_code == 201
        trackers.append(tracker)
    root = tmp_path / "root.pem"
    root.write_bytes((ca.directory / "root.crt.pem").read_bytes())
    crl = tmp_path / "end.crl"
    crl.write_bytes(build_crl(ca))
    settings = runtime.settings
    args = [
        "envelopes",
        "--election",
        "cards",
        "--root",
        str(root),
        "--crl",
        str(crl),
        "--data-dir",
        str(settings.data_dir),
        "--database-url",
        settings.database_url,
    ]
    good = CliRunner().invoke(cli, args)
    assert good.exit_code == 0, good.output
    assert '"card_signed": 2' in good.output

    t = tables.envelopes
    with runtime.engine.begin() as conn:
        conn.execute(update(t).where(t.c.ballot_hash == trackers[0]).values(signature=b"x" * 256))
        conn.execute(delete(t).where(t.c.ballot_hash == trackers[1]))
    bad = CliRunner().invoke(cli, args)
    assert bad.exit_code == 1
    report = __import__("json").loads(bad.output)
    assert {(p["ballot_hash"], p["code"]) for p in report["problems"]} == {
        (trackers[0], "auth.signature.invalid"),
        (trackers[1], "auth.envelope.missing"),
    }


@SQLITE
def test_a_paper_vote_cancels_an_open_roll_voters_internet_votes(
    http: Any, runtime: Any, manifest_for: Any, cards: Cards, hanako: IssuedCard
) -> None:
    """Issue 10 item 6: an open roll has no roll numbers, so no paper vote could be recorded."""
    from tohyo.app.errors import Conflict
    from tohyo.app.services.counts import check_count_invariant
    from tohyo.app.services.overrides import record_paper_vote_for_resident
    from tohyo.app.voter_client import Session

    make_election(runtime, manifest_for, "cards", CARDS_ONLY)
    signed = card_sign_in(http, "cards", cards.rsa).json()
    voter = Session("cards", signed["token"], signed["credential"])
    assert cast_with_envelope(http, "cards", voter, cards.rsa)[0].status_code == 201
    # Taro then votes at the polling station, which checks his name and birth date.
    credential = record_paper_vote_for_resident(
        runtime, "cards", "筑波　太郎", TARO.birth_date, actor="clerk"  # a full-width space
    )
    assert credential == signed["credential"]
    assert check_count_invariant(runtime, "cards") == 0  # his internet ballot no longer counts
    assert error_code(card_sign_in(http, "cards", cards.reissued)) == (
        403,
        "voter.voted_on_paper",
    )
    # Hanako never signed in: the paper vote enrols her, so she cannot vote online after it.
    record_paper_vote_for_resident(runtime, "cards", "筑波 花子", date(1985, 5, 5), actor="clerk")
    assert error_code(card_sign_in(http, "cards", hanako)) == (403, "voter.voted_on_paper")
    with pytest.raises(Conflict) as twice:
        record_paper_vote_for_resident(runtime, "cards", "筑波 花子", date(1985, 5, 5), actor="c")
    assert twice.value.code == "override.exists"
    # A closed roll names paper voters by roll number.
    make_election(runtime, manifest_for, "letters", ["code", "jpki"], [("R1", "a", "1980-01-01")])
    with pytest.raises(Conflict) as closed:
        record_paper_vote_for_resident(runtime, "letters", "a", date(1980, 1, 1), actor="clerk")
    assert closed.value.code == "override.closed_roll"
