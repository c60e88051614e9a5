"""Witness statements (record.md §REC-10): signature, declared witness, existing head."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.log import (
    EMPTY_ROOT,
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    encode_verifier_key,
    sign_checkpoint,
)
from tohyo.record.statements import (
    InvalidStatement,
    StatementEvent,
    UnknownHead,
    UnknownWitness,
    WitnessStatement,
    sign_statement,
)
from tohyo.record.transparency import DeclaredWitness, LogDeclaration

ORIGIN = "tohyo.example/log/e"
LOG = Ed25519Signer(ORIGIN, Ed25519PrivateKey.generate())
SEED = Ed25519PrivateKey.generate()
WITNESS_SIGNER = Ed25519Signer("witness-1.example", SEED)
WITNESS_KEY = encode_verifier_key(CosignatureSigner("witness-1.example", SEED).verifier())
DECLARED = LogDeclaration(encode_verifier_key(LOG.verifier()),
                          (DeclaredWitness("witness-1", "w1", WITNESS_KEY),), 1)
HEAD = Checkpoint.timestamped(ORIGIN, 0, EMPTY_ROOT, 1_800_000_000_000).to_text()


def _statement(event: StatementEvent = StatementEvent.OPENING) -> WitnessStatement:
    return sign_statement("e", event, "the ballot box is empty", HEAD, WITNESS_SIGNER,
                          WITNESS_KEY)


def test_round_trip_and_verification() -> None:
    statement = _statement()
    again = WitnessStatement.from_json(statement.to_json())
    assert again == statement
    assert again.witness(DECLARED).id == "witness-1"
    again.check_head({0: EMPTY_ROOT}, ORIGIN)


def test_the_events_are_a_closed_enumeration() -> None:
    assert [e.value for e in StatementEvent] == ["opening", "close", "sealed", "unsealed",
                                                 "decryption"]
    obj = _statement().to_json()
    obj["event"] = "lunch"
    with pytest.raises(InvalidStatement):
        WitnessStatement.from_json(obj)


@pytest.mark.parametrize("field", ["checked", "event", "election_id", "head"])
def test_any_change_breaks_the_signature(field: str) -> None:
    obj = _statement().to_json()
    obj[field] = {"checked": "the ballot box is full", "event": "close", "election_id": "f",
                  "head": Checkpoint.timestamped(ORIGIN, 0, EMPTY_ROOT, 1).to_text()}[field]
    with pytest.raises(InvalidStatement):
        WitnessStatement.from_json(obj).witness(DECLARED)


def test_an_unlisted_witness_is_refused() -> None:
    stranger = Ed25519PrivateKey.generate()
    key = encode_verifier_key(CosignatureSigner("witness-1.example", stranger).verifier())
    statement = sign_statement("e", StatementEvent.CLOSE, "final head seen", HEAD,
                               Ed25519Signer("witness-1.example", stranger), key)
    with pytest.raises(UnknownWitness):
        statement.witness(DECLARED)


def test_a_head_that_does_not_exist_is_refused() -> None:
    with pytest.raises(UnknownHead):
        _statement().check_head({0: b"\x01" * 32}, ORIGIN)
    with pytest.raises(UnknownHead):
        _statement().check_head({1: EMPTY_ROOT}, ORIGIN)


def test_a_cosignature_is_not_a_statement() -> None:
    """Domain separation: the same key's cosignature of the head never verifies as one."""
    note = sign_checkpoint(Checkpoint.from_text(HEAD), LOG)
    cosig = CosignatureSigner("witness-1.example", SEED).sign(note.text.encode())
    obj = _statement().to_json()
    import base64

    obj["signature"] = base64.b64encode(cosig.signature[8:]).decode()
    with pytest.raises(InvalidStatement):
        WitnessStatement.from_json(obj).witness(DECLARED)


@pytest.mark.parametrize("checked", ["", " padded", "two\nlines", "x" * 501])
def test_the_checked_text_is_one_short_line(checked: str) -> None:
    with pytest.raises(InvalidStatement):
        sign_statement("e", StatementEvent.OPENING, checked, HEAD, WITNESS_SIGNER, WITNESS_KEY)


def test_the_signing_key_must_match_the_witness_key() -> None:
    with pytest.raises(InvalidStatement):
        sign_statement("e", StatementEvent.OPENING, "ok", HEAD, LOG, WITNESS_KEY)


def test_where_each_event_may_stand_in_the_log() -> None:
    from tohyo.record.statements import StatementOutOfPlace, check_position

    opening, close = StatementEvent.OPENING, StatementEvent.CLOSE
    check_position(opening, 0, 0, None, None)  # the empty box
    check_position(opening, 3, 2, 9, 4)  # before the first ballot and the close
    check_position(close, 10, 10, 9, 4)  # after the close, over a head that includes it
    check_position(StatementEvent.DECRYPTION, 12, 11, 9, 4)
    for event, index, head, closed, ballot in [
        (opening, 5, 0, None, 4),  # after a ballot
        (opening, 10, 0, 9, None),  # after the close
        (close, 8, 8, None, 4),  # no close yet
        (close, 10, 9, 9, 4),  # over a head before the close
        (StatementEvent.SEALED, 10, 11, 9, 4),  # the head does not precede the statement
        (opening, 0, 1, None, None),  # likewise
    ]:
        with pytest.raises(StatementOutOfPlace):
            check_position(event, index, head, closed, ballot)


def test_a_statement_leaf_is_the_statement_and_its_kind() -> None:
    from tohyo.record.leaves import InvalidLeaf, StatementLeaf, parse_leaf, statement_leaf

    leaf = statement_leaf(_statement().to_json())
    parsed = parse_leaf(leaf)
    assert isinstance(parsed, StatementLeaf) and parsed.election_id == "e"
    assert WitnessStatement.from_json(parsed.statement) == _statement()
    with pytest.raises(InvalidLeaf):
        parse_leaf({**leaf, "event": "lunch"})
    with pytest.raises(InvalidLeaf):
        parse_leaf({**leaf, "extra": "field"})
