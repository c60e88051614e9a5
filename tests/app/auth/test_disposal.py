"""Disposal after the retention date (manifest.md §MAN-3.1, docs/adr/0056; issue 10 item 5).

A whole election over the real HTTP path — a card voter with an outer envelope,
a letter (code) voter, a started OIDC sign-in, an unanswered card challenge, a
wrong code (a rate-limit row), printed letters — is tallied and published.
Then a scan of every table and column of the database and of every file of
the data directory (and, on SQLite, of the database files) looks for every
value that came from the roll or a certificate. Before disposal it finds each
kind (so the scan can see them); after, none. The refusals (before the
retention date, without approval, twice) delete nothing. Runs on SQLite and
PostgreSQL (on PostgreSQL the server's own files are out of reach: the scan
reads every row, and disposal runs ``VACUUM`` on the tables it emptied).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import LargeBinary, MetaData, select

from tohyo.app.auth.approvals import ApprovalBook, ApprovalTicket, GuardedAction
from tohyo.app.auth.authority import DevApproval
from tohyo.app.auth.errors import ApprovalRejected
from tohyo.app.auth.officials import Role
from tohyo.app.auth.wiring import officials_directory
from tohyo.app.disposal.errors import DisposalRefused
from tohyo.app.disposal.files import register_directory
from tohyo.app.disposal.service import dispose_election
from tohyo.app.services.counts import report_counts
from tohyo.app.services.elections import close_election, get_election
from tohyo.app.services.letters import Addressee, issue_letters
from tohyo.app.services.runtime import build_runtime
from tohyo.app.services.tally import (
    board_snapshot,
    propose_tally,
    publish_record,
    record_tally,
    trustee_shares,
)
from tohyo.app.voter_client import Session, VoterClient
from tohyo.app.web.letters import write_letters
from tohyo.crypto.dkg_state import TrusteeKey
from tohyo.record.manifest import parse_manifest
from tohyo.verify import verify_record

from .conftest import TARO, Cards
from .helpers import card_sign_in, cast_with_envelope, make_election

EID = "disposal"
DEV = DevApproval("test")
#: The roll: (roll number, name, birth date). Taro matches the test card (§AUTH-ROLL).
ROLL = [
    ("DSP7Q0001", TARO.name, TARO.birth_date.isoformat()),
    ("DSP7Q0002", "筑波 花子", "1985-05-05"),
    ("DSP7Q0003", "研究 学子", "1979-11-23"),
]


def _manifest_for(manifest_for: Any, retain_days: int) -> Any:
    def build(election_id: str) -> bytes:
        doc = json.loads(manifest_for(election_id))
        end = date.fromisoformat(doc["period"]["end"][:10])
        doc["retain_until"] = (end + timedelta(days=retain_days)).isoformat()
        return json.dumps(doc, ensure_ascii=False).encode()

    return build


# ------------------------------------------------------------------------- the needles


def _variants(text: str) -> set[bytes]:
    """A string as UTF-8 and as JSON with ``\\u`` escapes (some JSON is ASCII-only)."""
    return {text.encode(), json.dumps(text)[1:-1].encode()}


def _needles(cards: Cards, voter_keys: list[str]) -> dict[str, set[bytes]]:
    cert = cards.rsa.certificate
    der = cert.public_bytes(Encoding.DER)
    serial = cert.serial_number
    subject = cert.subject.public_bytes()
    found: dict[str, set[bytes]] = {
        "name": set(),
        "roll_number": set(),
        "birth_date": set(),
        "address": _variants(TARO.address),
        "certificate": {
            der,
            der[64:128],  # any stretch of it, as stored or as sent
            base64.b64encode(der)[:80],
            der.hex()[:80].encode(),
            der.hex()[:80].upper().encode(),
        },
        "certificate_serial": {str(serial).encode(), f"{serial:x}".encode()},
        "certificate_subject": {subject, subject.hex().encode()},
        "voter_key": {k.encode() for k in voter_keys},
    }
    for number, name, born in ROLL:
        found["roll_number"] |= _variants(number)
        found["name"] |= _variants(name)
        found["birth_date"] |= _variants(born)
    return found


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def _database_blobs(runtime: Any) -> Iterator[tuple[str, bytes]]:
    """Every value of every column of every table (reflected: tables of every package)."""
    meta = MetaData()
    meta.reflect(bind=runtime.engine)
    with runtime.engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if value is not None:
                        data = _as_bytes(value)
                        yield f"db:{table.name}.{column.name}", data
                        if isinstance(column.type, LargeBinary):
                            yield f"db:{table.name}.{column.name}(hex)", data.hex().encode()


def _file_blobs(*roots: Path) -> Iterator[tuple[str, bytes]]:
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            yield f"file:{path}", path.read_bytes()


def _scan(runtime: Any, roots: list[Path], needles: dict[str, set[bytes]]) -> dict[str, set[str]]:
    """For each kind of needle, where it was found."""
    hits: dict[str, set[str]] = {kind: set() for kind in needles}
    for where, blob in [*_database_blobs(runtime), *_file_blobs(*roots)]:
        for kind, values in needles.items():
            if any(v in blob for v in values):
                hits[kind].add(where)
    return {kind: places for kind, places in hits.items() if places}


# ------------------------------------------------------------------------- the election


def _approval(runtime: Any, action: GuardedAction, *, approve: bool = True) -> ApprovalTicket:
    directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
    for name in ("ada", "ben"):
        try:
            directory.get(name)
        except KeyError:
            directory.create(name, name, Role.ADMINISTRATOR, "correct horse battery", actor="t")
    book = ApprovalBook(runtime.engine, directory.audit)
    made = book.request(directory.get("ada"), action, EID, now=runtime.now())
    if approve:
        book.approve(directory.get("ben"), made.id, now=runtime.now())
    return ApprovalTicket(book, made.id)


def _run_election(runtime: Any, http: Any, manifest: Any, cards: Cards, record: Path) -> None:
    codes = make_election(runtime, manifest, EID, ["jpki", "oidc", "code"], ROLL)
    # The card voter: sign-in (a roll link), a ballot with its outer envelope.
    signed = card_sign_in(http, EID, cards.rsa)
    assert signed.status_code == 201, signed.text
    session = Session(EID, signed.json()["token"], signed.json()["credential"])
    cast, _, _ = cast_with_envelope(http, EID, session, cards.rsa)
    assert cast.status_code == 201, cast.text
    # A letter voter casts; a wrong code leaves a rate-limit row.
    client = VoterClient(http)
    info = client.election(EID)
    client.cast(info, client.start_session(EID, codes[1]), {"services": ["ai-voice"]})
    wrong = http.post(f"/api/v1/elections/{EID}/sessions", json={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 401
    # An unanswered card challenge and a begun OIDC sign-in.
    assert http.post("/auth/jpki/challenge", json={"election_id": EID}).status_code == 201
    begun = http.get("/auth/oidc/begin", params={"election_id": EID}, follow_redirects=False)
    assert begun.status_code == 303
    # Printed letters in the data directory, registered for disposal.
    out = runtime.settings.data_dir / "letters"
    lost = ROLL[2][0]  # a lost letter: a new code, a new letter
    made = issue_letters(
        runtime, EID, [Addressee(v, n) for v, n, _ in ROLL], actor="t", only=[lost]
    )
    write_letters(made, parse_manifest(manifest(EID)), "https://vote.example", out)
    register_directory(runtime, EID, "letters", out)
    assert [p.name for p in out.iterdir()] == [f"letter-{lost}.html"]
    close_election(runtime, EID, approval=DEV, reason="test over")
    snapshot = board_snapshot(runtime, EID)
    board = propose_tally(snapshot)
    shares = []
    for i in (1, 2):
        path = runtime.settings.trustee_dir / EID / f"t{i}.key.json"
        key = TrusteeKey.from_json(json.loads(path.read_bytes()))
        shares += trustee_shares(snapshot, key, board.aggregates)
    record_tally(runtime, EID, shares, approval=DEV)
    publish_record(runtime, EID, record, actor="t")
    assert get_election(runtime, EID).state == "published"


def _voter_keys(runtime: Any) -> list[str]:
    from tohyo.app.store.models import Voter

    with runtime.uow() as uow:
        return list(uow.session.scalars(select(Voter.voter_key).where(Voter.election_id == EID)))


def test_disposal_deletes_every_value_from_the_roll_and_the_cards(
    runtime: Any, http: Any, manifest_for: Any, cards: Cards, clock: Any, tmp_path: Path
) -> None:
    manifest = _manifest_for(manifest_for, retain_days=30)
    record = runtime.settings.data_dir / "record"
    _run_election(runtime, http, manifest, cards, record)
    roots = [runtime.settings.data_dir]
    if runtime.engine.dialect.name == "sqlite":  # the database's own files, WAL included
        db_file = Path(str(runtime.engine.url.database))
        roots += sorted(db_file.parent.glob(db_file.name + "*"))
    needles = _needles(cards, _voter_keys(runtime))
    before = _scan(runtime, roots, needles)
    # The scan sees every kind that is stored: names and roll numbers in the letters,
    # the certificate (subject, serial, address, DER) in the envelopes, the voter keys.
    assert {"name", "roll_number", "address", "certificate", "certificate_serial",
            "certificate_subject", "voter_key"} <= before.keys(), before
    public = (f"file:{record}", f"file:{runtime.settings.journal_dir}")
    assert not any(p.startswith(public) for ps in before.values() for p in ps), before
    counts_before = report_counts(runtime, EID)

    # Refusals: before the day after retain_until, without approval, unapproved.
    with pytest.raises(DisposalRefused) as early:
        dispose_election(runtime, EID, approval=_approval(runtime, GuardedAction.DISPOSE))
    assert early.value.code == "disposal.retention_not_over"
    clock.advance(days=40)
    with pytest.raises(TypeError):
        dispose_election(runtime, EID, approval=None)  # type: ignore[arg-type]
    with pytest.raises(ApprovalRejected) as unapproved:
        dispose_election(
            runtime, EID, approval=_approval(runtime, GuardedAction.DISPOSE, approve=False)
        )
    assert unapproved.value.code == "auth.approval.not_approved"
    with pytest.raises(ApprovalRejected) as mismatch:
        dispose_election(runtime, EID, approval=_approval(runtime, GuardedAction.CLOSE))
    assert mismatch.value.code == "auth.approval.mismatch"
    assert _scan(runtime, roots, needles) == before  # nothing deleted
    assert get_election(runtime, EID).state == "published"

    certificate = dispose_election(
        runtime, EID, approval=_approval(runtime, GuardedAction.DISPOSE)
    )
    assert get_election(runtime, EID).state == "disposed"
    deleted = certificate.deleted
    assert deleted["voters"] == 3 and deleted["auth_roll_links"] == 3
    assert deleted["auth_envelopes"] == 1 and deleted["letters"] == 1
    assert deleted["voting_codes"] >= 3 and deleted["voter_sessions"] == 2
    assert deleted["auth_challenges"] >= 2 and deleted["auth_oidc_transactions"] == 1
    assert deleted["rate_limit_rows"] >= 1
    assert certificate.actor == "ada+ben"

    after = _scan(runtime, roots, needles)
    assert after == {}, after

    # The public record is kept and still verifies; the counts of the report are kept
    # where they are public (ballots) and the service restarts on what is left.
    assert verify_record(record, workers=0).ok
    counts_after = report_counts(runtime, EID)
    assert counts_after.casts == counts_before.casts == 2
    assert counts_after.effective == counts_before.effective
    build_runtime(runtime.settings, clock=clock).close()

    # The certificate is in both audit logs, and the officials' chain still verifies.
    directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
    entries = [e for e in directory.audit.entries() if e.action == "election.dispose"]
    assert len(entries) == 1 and entries[0].detail["deleted"] == dict(deleted)
    assert entries[0].detail["actor"] == "ada+ben" and entries[0].detail["compacted"] is True
    directory.audit.verify()
    with runtime.uow() as uow:
        kinds = [e.kind for e in uow.audit_events(EID)]
    assert kinds.count("election.dispose") == 1

    # Twice: refused before the approval is spent.
    again = _approval(runtime, GuardedAction.DISPOSE)
    with pytest.raises(DisposalRefused) as twice:
        dispose_election(runtime, EID, approval=again)
    assert twice.value.code == "disposal.already_disposed"
    book = again.book
    assert book.check(again.approval_id, GuardedAction.DISPOSE, EID, now=runtime.now())


@pytest.mark.parametrize("backend", ["sqlite"])
def test_without_a_retention_date_disposal_is_refused(
    runtime: Any, http: Any, manifest_for: Any, cards: Cards, clock: Any
) -> None:
    record = runtime.settings.data_dir / "record"
    _run_election(runtime, http, manifest_for, cards, record)
    clock.advance(days=3650)
    with pytest.raises(DisposalRefused) as refused:
        dispose_election(runtime, EID, approval=_approval(runtime, GuardedAction.DISPOSE))
    assert refused.value.code == "disposal.no_retention_date"
    assert get_election(runtime, EID).state == "published"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_dispose_over_http_with_two_administrators(
    runtime: Any, http: Any, manifest_for: Any, cards: Cards, clock: Any
) -> None:
    from .helpers import error_code
    from .test_http_officials import PW, as_official

    _run_election(runtime, http, _manifest_for(manifest_for, 30), cards,
                  runtime.settings.data_dir / "record")
    directory = http.app.state.auth.officials
    staff = {
        name: directory.create(name, name.title(), Role.ADMINISTRATOR, PW, actor="setup",
                               now=clock()).totp_secret
        for name in ("alice", "bob")
    }

    def approved_request() -> str:
        alice = as_official(http, staff, clock, "alice")
        made = http.post(f"/official/elections/{EID}/requests", json={"action": "dispose"},
                         headers=alice)
        assert made.status_code == 201, made.text
        bob = as_official(http, staff, clock, "bob")
        assert http.post(f"/official/approvals/{made.json()['id']}/approve",
                         headers=bob).status_code == 200
        return str(made.json()["id"])

    early = approved_request()
    alice = as_official(http, staff, clock, "alice")
    refused = http.post(f"/official/approvals/{early}/execute", headers=alice)
    assert error_code(refused) == (409, "disposal.retention_not_over")
    clock.advance(days=40)
    ready = approved_request()
    alice = as_official(http, staff, clock, "alice")
    done = http.post(f"/official/approvals/{ready}/execute", headers=alice)
    assert done.status_code == 200, done.text
    assert done.json()["certificate"]["deleted"]["auth_envelopes"] == 1
    assert done.json()["certificate"]["actor"] == "alice+bob"
    assert http.get(f"/api/v1/elections/{EID}").json()["state"] == "disposed"
