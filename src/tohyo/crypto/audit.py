"""The cast-as-intended check: a Benaloh "audit or cast" challenge.

Normative description: docs/spec/booth-crypto.md §B3. The booth encrypts a
ballot and shows its tracking code; the voter then either casts it or audits
it. Auditing reveals the ElGamal nonce ``r`` of every ciphertext, so anyone can
check ``α = [r]G`` and read the bit from ``β − [r]K ∈ {0, G}``: the choice the
ballot encodes, shown on a second device (``tohyo verify-audit``). An audited
ballot is spoiled and can never be cast.

Nonces revealed here open *only* the audited ballot, never a cast one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tohyo import PROTOCOL_VERSION
from tohyo.crypto import _json
from tohyo.crypto.ballot import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    BallotStyle,
    EncryptedBallot,
    _encrypt_ballot,
    ballot_hash,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import GENERATOR, Scalar, base_mul
from tohyo.crypto.randomness import NonceSource

__all__ = [
    "AuditedBallot",
    "QuestionNonces",
    "RevealedNonces",
    "check_audited_ballot",
    "open_audited_ballot",
]

#: The label of the nonces an audit reveals (spec §1.3).
_ELGAMAL_LABEL = "elgamal-nonce"


@dataclass(frozen=True, slots=True)
class QuestionNonces:
    """The ElGamal nonces of one question: one per option in order, then the blank's."""

    question_id: str
    selections: tuple[Scalar, ...]
    blank: Scalar | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "selections": [r.to_hex() for r in self.selections],
            "blank": None if self.blank is None else self.blank.to_hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> QuestionNonces:
        fields = _json.expect_object(obj, {"id", "selections", "blank"}, "revealed question")
        if not isinstance(fields["id"], str):
            raise InvalidEncoding("revealed question.id: expected a string")
        selections = _json.scalar_list(
            fields["selections"], "revealed question.selections", max_len=MAX_OPTIONS
        )
        blank = (
            None
            if fields["blank"] is None
            else _json.scalar(fields["blank"], "revealed question.blank")
        )
        return cls(fields["id"], selections, blank)


@dataclass(frozen=True, slots=True)
class RevealedNonces:
    """Every ElGamal nonce of an audited ballot, in ballot order (booth-crypto.md §B3.1)."""

    questions: tuple[QuestionNonces, ...]

    def to_json(self) -> dict[str, Any]:
        return {"questions": [q.to_json() for q in self.questions]}

    @classmethod
    def from_json(cls, obj: Any) -> RevealedNonces:
        fields = _json.expect_object(obj, {"questions"}, "revealed nonces")
        questions = _json.expect_list(
            fields["questions"], "revealed nonces.questions", max_len=MAX_QUESTIONS
        )
        return cls(tuple(QuestionNonces.from_json(q) for q in questions))


@dataclass(frozen=True, slots=True)
class AuditedBallot:
    """The document a booth hands over when the voter audits (booth-crypto.md §B3.2).

    Attributes:
        election_id: the election the ballot was made for.
        credential: the binding label of the voter's credential (spec §4.1).
        ballot_hash: the 32-byte hash whose tracking code the booth showed.
        ballot: the audited (spoiled) ballot.
        nonces: its revealed ElGamal nonces.
    """

    election_id: str
    credential: str
    ballot_hash: bytes
    ballot: EncryptedBallot
    nonces: RevealedNonces

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PROTOCOL_VERSION,
            "election_id": self.election_id,
            "credential": self.credential,
            "ballot_hash": self.ballot_hash.hex(),
            "ballot": self.ballot.to_json(),
            "nonces": self.nonces.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> AuditedBallot:
        """Parse the document; nothing is checked beyond its encoding.

        Raises:
            InvalidEncoding: missing or extra fields, another protocol version,
                or a value that is not canonically encoded.
        """
        keys = {"version", "election_id", "credential", "ballot_hash", "ballot", "nonces"}
        fields = _json.expect_object(obj, keys, "audited ballot")
        if fields["version"] != PROTOCOL_VERSION:
            raise InvalidEncoding("audited ballot: unsupported protocol version")
        for name in ("election_id", "credential"):
            if not isinstance(fields[name], str):
                raise InvalidEncoding(f"audited ballot.{name}: expected a string")
        digest = fields["ballot_hash"]
        if not isinstance(digest, str) or len(digest) != 64 or digest.lower() != digest:
            raise InvalidEncoding("audited ballot.ballot_hash: expected 64 lowercase hex digits")
        try:
            hash_bytes = bytes.fromhex(digest)
        except ValueError:
            raise InvalidEncoding("audited ballot.ballot_hash: not hexadecimal") from None
        return cls(
            fields["election_id"],
            fields["credential"],
            hash_bytes,
            EncryptedBallot.from_json(fields["ballot"]),
            RevealedNonces.from_json(fields["nonces"]),
        )


def _open_bit(key: PublicKey, ct: Ciphertext, r: Scalar, where: str) -> int:
    """The bit ``ct`` encrypts, given its nonce: α = [r]G and β − [r]K ∈ {0, G}."""
    if r.is_zero() or base_mul(r) != ct.alpha:
        raise InvalidProof(f"audit: {where}: the nonce does not match the ciphertext")
    m = ct.beta - key.element * r
    if m.is_identity():
        return 0
    if m == GENERATOR:
        return 1
    raise InvalidProof(f"audit: {where}: the ciphertext encrypts neither 0 nor 1")


def open_audited_ballot(
    context: ProofContext,
    key: PublicKey,
    style: BallotStyle,
    ballot: EncryptedBallot,
    revealed_nonces: RevealedNonces,
) -> dict[str, tuple[str, ...]]:
    """Recompute the choices an audited ballot encodes (booth-crypto.md §B3.3).

    The ballot is verified first, so the opening describes a ballot the server
    would have accepted; then every ciphertext is opened with its nonce.

    Args:
        context: the election context bound to the voter's credential.
        key: the joint election key.
        style: the ballot style from the manifest.
        ballot: the audited ballot.
        revealed_nonces: its ElGamal nonces, as revealed by the booth.

    Returns:
        Question id → chosen option ids in ballot order (empty for a blank
        answer), in style order.

    Raises:
        InvalidProof: the ballot does not verify, the nonces do not have the
            ballot's shape, a nonce does not open its ciphertext, or the opened
            bits are not a valid answer.
    """
    verify_ballot(context, key, style, ballot)
    if len(revealed_nonces.questions) != len(style.questions):
        raise InvalidProof("audit: wrong number of questions in the revealed nonces")
    choices: dict[str, tuple[str, ...]] = {}
    for q, eq, rq in zip(style.questions, ballot.questions, revealed_nonces.questions, strict=True):
        if rq.question_id != q.question_id:
            raise InvalidProof(f"audit: expected nonces of question {q.question_id}")
        if len(rq.selections) != len(q.option_ids) or (rq.blank is None) == q.allow_blank:
            raise InvalidProof(f"audit: question {q.question_id}: wrong number of nonces")
        chosen = tuple(
            option
            for option, sel, r in zip(q.option_ids, eq.selections, rq.selections, strict=True)
            if _open_bit(key, sel.ciphertext, r, f"{q.question_id}/{option}") == 1
        )
        blank = False
        if eq.blank is not None and rq.blank is not None:
            blank = _open_bit(key, eq.blank.ciphertext, rq.blank, f"{q.question_id}/#blank") == 1
        lo, hi = q.total_range()
        if not (not chosen if blank else lo <= len(chosen) <= hi):
            raise InvalidProof(f"audit: question {q.question_id}: not a valid answer")
        choices[q.question_id] = chosen
    return choices


def check_audited_ballot(
    audited: AuditedBallot,
    *,
    election_id: str,
    manifest_hash: bytes,
    key: PublicKey,
    style: BallotStyle,
) -> dict[str, tuple[str, ...]]:
    """The second-device check: open an audited-ballot document (booth-crypto.md §B3.3).

    The election's parameters come from its record, never from the document.

    Raises:
        InvalidProof: another election, a ballot hash that does not match the
            ballot, or any failure of :func:`open_audited_ballot`.
    """
    if audited.election_id != election_id:
        raise InvalidProof("audit: the ballot belongs to another election")
    context = ProofContext(election_id, manifest_hash, key.element, (audited.credential,))
    if ballot_hash(context, audited.ballot) != audited.ballot_hash:
        raise InvalidProof("audit: the ballot hash does not match the ballot")
    return open_audited_ballot(context, key, style, audited.ballot, audited.nonces)


class _RecordingNonces:
    """A nonce source that remembers the ElGamal nonces it hands out, in order."""

    def __init__(self, inner: NonceSource) -> None:
        self._inner = inner
        self.elgamal: list[Scalar] = []

    def scalar(self, label: str) -> Scalar:
        value = self._inner.scalar(label)
        # A zero ElGamal nonce is always drawn again (elgamal._fresh_nonce): skip it.
        if label == _ELGAMAL_LABEL and not value.is_zero():
            self.elgamal.append(value)
        return value


def _encrypt_ballot_for_audit(
    context: ProofContext,
    key: PublicKey,
    style: BallotStyle,
    choices: Mapping[str, Sequence[str]],
    nonces: NonceSource,
) -> tuple[EncryptedBallot, RevealedNonces]:
    """Encrypt as :func:`tohyo.crypto.ballot.encrypt_ballot` does, keeping the nonces.

    The Python twin of the booth's ``prepareBallot`` + ``auditBallot``: for
    tests, the shared vectors and tools; a production cast never keeps them.
    """
    recorder = _RecordingNonces(nonces)
    ballot = _encrypt_ballot(context, key, style, choices, recorder)
    drawn = iter(recorder.elgamal)
    questions = []
    for q in style.questions:
        selections = tuple(next(drawn) for _ in q.option_ids)
        blank = next(drawn) if q.allow_blank else None
        questions.append(QuestionNonces(q.question_id, selections, blank))
    return ballot, RevealedNonces(tuple(questions))
