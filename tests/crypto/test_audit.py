"""The Benaloh audit, Python side (tohyo.crypto.audit; booth-crypto.md §B3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tohyo.crypto import audit
from tohyo.crypto.audit import (
    AuditedBallot,
    QuestionNonces,
    RevealedNonces,
    _encrypt_ballot_for_audit,
    _open_bit,
    check_audited_ballot,
    open_audited_ballot,
)
from tohyo.crypto.ballot import BallotStyle, QuestionStyle, ballot_hash
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import _encrypt_with_nonce, generate_keypair
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import Scalar
from tohyo.crypto.randomness import SYSTEM, DeterministicNonces

KEYPAIR = generate_keypair()
KEY = KEYPAIR.public
MANIFEST_HASH = bytes(range(32))
CONTEXT = ProofContext("audit-test", MANIFEST_HASH, KEY.element, ("cred-1",))
MAYOR = QuestionStyle("mayor", ("a", "b", "c"), 1, 1, True)
PRIORITIES = QuestionStyle("priorities", ("p", "q", "r", "s"), 0, 2, False)
STYLE = BallotStyle((MAYOR, PRIORITIES))
CHOICES: dict[str, tuple[str, ...]] = {"mayor": ("b",), "priorities": ("s", "p")}


def _audited(choices: dict[str, Any] = CHOICES) -> tuple[Any, RevealedNonces]:
    return _encrypt_ballot_for_audit(CONTEXT, KEY, STYLE, choices, SYSTEM)


def test_opening_recovers_the_choices_in_option_order() -> None:
    ballot, nonces = _audited()
    assert open_audited_ballot(CONTEXT, KEY, STYLE, ballot, nonces) == {
        "mayor": ("b",),
        "priorities": ("p", "s"),
    }


def test_opening_a_blank_answer() -> None:
    ballot, nonces = _audited({"mayor": [], "priorities": ["q"]})
    assert open_audited_ballot(CONTEXT, KEY, STYLE, ballot, nonces)["mayor"] == ()


def test_a_client_that_encrypts_another_choice_is_caught() -> None:
    """THREATS.md #43: the audit shows what the ballot encodes, not what was displayed."""
    displayed = {"mayor": ["a"], "priorities": ["p"]}
    ballot, nonces = _audited({"mayor": ["c"], "priorities": ["p"]})
    opened = open_audited_ballot(CONTEXT, KEY, STYLE, ballot, nonces)
    assert opened["mayor"] != tuple(displayed["mayor"])


def test_json_round_trip_and_document() -> None:
    ballot, nonces = _audited()
    assert RevealedNonces.from_json(json.loads(json.dumps(nonces.to_json()))) == nonces
    doc = AuditedBallot("audit-test", "cred-1", ballot_hash(CONTEXT, ballot), ballot, nonces)
    parsed = AuditedBallot.from_json(json.loads(json.dumps(doc.to_json())))
    assert parsed == doc
    opened = check_audited_ballot(
        parsed, election_id="audit-test", manifest_hash=MANIFEST_HASH, key=KEY, style=STYLE
    )
    assert opened == {"mayor": ("b",), "priorities": ("p", "s")}


def _doc() -> dict[str, Any]:
    ballot, nonces = _audited()
    return AuditedBallot(
        "audit-test", "cred-1", ballot_hash(CONTEXT, ballot), ballot, nonces
    ).to_json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("version", "tohyo/2"),
        ("election_id", 5),
        ("credential", None),
        ("ballot_hash", "AB" * 32),
        ("ballot_hash", "zz" * 32),
        ("ballot_hash", "00" * 31),
        ("ballot_hash", 0),
    ],
)
def test_malformed_documents_are_refused(field: str, value: Any) -> None:
    doc = _doc()
    doc[field] = value
    with pytest.raises(InvalidEncoding):
        AuditedBallot.from_json(doc)


def test_malformed_nonces_are_refused() -> None:
    _, nonces = _audited()
    obj = nonces.to_json()
    obj["questions"][0]["id"] = 1
    with pytest.raises(InvalidEncoding):
        RevealedNonces.from_json(obj)
    with pytest.raises(InvalidEncoding):
        RevealedNonces.from_json({"questions": [], "extra": 1})


def test_document_for_another_election_or_ballot_is_refused() -> None:
    parsed = AuditedBallot.from_json(_doc())
    kwargs: dict[str, Any] = {"manifest_hash": MANIFEST_HASH, "key": KEY, "style": STYLE}
    with pytest.raises(InvalidProof, match="another election"):
        check_audited_ballot(parsed, election_id="other", **kwargs)
    doc = _doc()
    doc["ballot_hash"] = "00" * 32
    with pytest.raises(InvalidProof, match="hash"):
        check_audited_ballot(AuditedBallot.from_json(doc), election_id="audit-test", **kwargs)
    # Another manifest changes the context: the ballot hash no longer matches.
    with pytest.raises(InvalidProof):
        check_audited_ballot(
            parsed, election_id="audit-test", manifest_hash=bytes(32), key=KEY, style=STYLE
        )


def _replace(nonces: RevealedNonces, index: int, q: QuestionNonces) -> RevealedNonces:
    qs = list(nonces.questions)
    qs[index] = q
    return RevealedNonces(tuple(qs))


def test_nonces_that_do_not_open_the_ballot_are_refused() -> None:
    ballot, nonces = _audited()
    _, other = _audited()
    q0 = nonces.questions[0]
    bad = [
        RevealedNonces(nonces.questions[:1]),
        RevealedNonces(tuple(reversed(nonces.questions))),
        _replace(nonces, 0, QuestionNonces("mayor", q0.selections[:2], q0.blank)),
        _replace(nonces, 0, QuestionNonces("mayor", q0.selections, None)),
        _replace(nonces, 1, QuestionNonces("priorities", nonces.questions[1].selections, q0.blank)),
        _replace(nonces, 0, QuestionNonces("mayor", tuple(reversed(q0.selections)), q0.blank)),
        _replace(nonces, 0, QuestionNonces("mayor", q0.selections, q0.selections[0])),
        _replace(nonces, 0, QuestionNonces("mayor", (Scalar.from_int(0),) * 3, q0.blank)),
        other,
    ]
    for revealed in bad:
        with pytest.raises(InvalidProof):
            open_audited_ballot(CONTEXT, KEY, STYLE, ballot, revealed)


def test_an_invalid_ballot_is_refused_before_opening() -> None:
    ballot, nonces = _audited()
    other_context = CONTEXT.bound("x")
    with pytest.raises(InvalidProof):
        open_audited_ballot(other_context, KEY, STYLE, ballot, nonces)


def test_bits_other_than_zero_or_one_are_refused() -> None:
    r = Scalar.from_int(77)
    ct, _ = _encrypt_with_nonce(KEY, 2, r)
    with pytest.raises(InvalidProof, match="neither"):
        _open_bit(KEY, ct, r, "q/o")
    ct1, _ = _encrypt_with_nonce(KEY, 1, r)
    assert _open_bit(KEY, ct1, r, "q/o") == 1


def test_an_opening_that_is_not_a_valid_answer_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth behind the proofs: checked even if verification were skipped."""
    two = BallotStyle((QuestionStyle("mayor", ("a", "b", "c"), 1, 2, True), PRIORITIES))
    ballot, nonces = _encrypt_ballot_for_audit(
        CONTEXT, KEY, two, {"mayor": ["a", "b"], "priorities": ["p"]}, SYSTEM
    )
    monkeypatch.setattr(audit, "verify_ballot", lambda *args: None)
    with pytest.raises(InvalidProof, match="not a valid answer"):
        open_audited_ballot(CONTEXT, KEY, STYLE, ballot, nonces)


class _ZeroFirst:
    """Hands out one zero ElGamal nonce first, which encryption must redraw."""

    def __init__(self) -> None:
        self._inner = DeterministicNonces(b"zero-first")
        self._zero_given = False

    def scalar(self, label: str) -> Scalar:
        if label == "elgamal-nonce" and not self._zero_given:
            self._zero_given = True
            return Scalar.from_int(0)
        return self._inner.scalar(label)


def test_recorded_nonces_skip_a_redrawn_zero() -> None:
    ballot, nonces = _encrypt_ballot_for_audit(CONTEXT, KEY, STYLE, CHOICES, _ZeroFirst())
    assert open_audited_ballot(CONTEXT, KEY, STYLE, ballot, nonces)["mayor"] == ("b",)
