"""Ballot encryption and verification: the recipe layer (spec §10).

A question with options o_1..o_n, limits min..max and an optional blank answer
is encrypted as one 0/1 ciphertext per option, one 0/1 "blank" ciphertext when
blank answers are allowed, and one range proof on their weighted sum:

* without blank: Σ E_i ∈ [min, max];
* with blank:    Σ E_i + max·E_blank ∈ [max(min, 1), max], so the blank flag is
  1 exactly when no option is chosen, and blank answers are counted as such.

Every proof is bound to the election context, the voter's credential, and the
question and option ids, so a ballot copied to another voter, question or
election fails verification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tohyo.crypto import _json
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, PublicKey, _encrypt_with_nonce, _fresh_nonce
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import Scalar
from tohyo.crypto.hashing import Dst, digest, encode_parts, utf8
from tohyo.crypto.proofs.range import MAX_RANGE_WIDTH, RangeProof, _prove_range, verify_range
from tohyo.crypto.randomness import SYSTEM, NonceSource

__all__ = [
    "QuestionStyle",
    "BallotStyle",
    "EncryptedSelection",
    "EncryptedQuestion",
    "EncryptedBallot",
    "encrypt_ballot",
    "verify_ballot",
    "ballot_hash",
    "BLANK_LABEL",
    "TOTAL_LABEL",
]

#: Binding labels of the blank flag and the total proof (spec §10.2); option ids
#: never start with "#", so they cannot collide.
BLANK_LABEL = "#blank"
TOTAL_LABEL = "#total"
MAX_OPTIONS = MAX_RANGE_WIDTH - 1
MAX_QUESTIONS = 64


@dataclass(frozen=True, slots=True)
class QuestionStyle:
    """What the crypto layer needs to know about one question (spec §10.1)."""

    question_id: str
    option_ids: tuple[str, ...]
    min_selections: int
    max_selections: int
    allow_blank: bool

    def __post_init__(self) -> None:
        n = len(self.option_ids)
        if not self.question_id or self.question_id.startswith("#"):
            raise InvalidEncoding("question id must be non-empty and not start with '#'")
        if not 1 <= n <= MAX_OPTIONS:
            raise InvalidEncoding(f"question {self.question_id}: 1..{MAX_OPTIONS} options")
        if len(set(self.option_ids)) != n or any(
            not o or o.startswith("#") for o in self.option_ids
        ):
            raise InvalidEncoding(f"question {self.question_id}: option ids must be unique")
        if not 0 <= self.min_selections <= self.max_selections <= n or self.max_selections < 1:
            raise InvalidEncoding(f"question {self.question_id}: need 0 <= min <= max <= options")

    def total_range(self) -> tuple[int, int]:
        """[lo, hi] of the weighted total of spec §10.1."""
        # An empty answer is a blank answer (spec §10.1): never valid without the
        # blank flag, whatever min says, so the floor is 1 in both cases.
        return max(self.min_selections, 1), self.max_selections


@dataclass(frozen=True, slots=True)
class BallotStyle:
    questions: tuple[QuestionStyle, ...]

    def __post_init__(self) -> None:
        ids = [q.question_id for q in self.questions]
        if not 1 <= len(ids) <= MAX_QUESTIONS or len(set(ids)) != len(ids):
            raise InvalidEncoding(f"ballot style: 1..{MAX_QUESTIONS} questions, unique ids")


@dataclass(frozen=True, slots=True)
class EncryptedSelection:
    ciphertext: Ciphertext
    proof: RangeProof

    def to_json(self) -> dict[str, Any]:
        return {"ct": self.ciphertext.to_json(), "proof": self.proof.to_json()}

    @classmethod
    def from_json(cls, obj: Any) -> EncryptedSelection:
        fields = _json.expect_object(obj, {"ct", "proof"}, "selection")
        return cls(Ciphertext.from_json(fields["ct"]), RangeProof.from_json(fields["proof"]))


@dataclass(frozen=True, slots=True)
class EncryptedQuestion:
    question_id: str
    selections: tuple[EncryptedSelection, ...]
    blank: EncryptedSelection | None
    total_proof: RangeProof

    def total(self, style: QuestionStyle) -> Ciphertext:
        """The weighted total whose range the total proof shows (spec §10.1)."""
        acc = self.selections[0].ciphertext
        for sel in self.selections[1:]:
            acc = acc + sel.ciphertext
        if self.blank is not None:
            weight = Scalar.from_int(style.max_selections)
            acc = acc + (
                self.blank.ciphertext
                if style.max_selections == 1
                else self.blank.ciphertext.scale(weight)
            )
        return acc

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "selections": [s.to_json() for s in self.selections],
            "blank": None if self.blank is None else self.blank.to_json(),
            "total_proof": self.total_proof.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> EncryptedQuestion:
        fields = _json.expect_object(obj, {"id", "selections", "blank", "total_proof"}, "question")
        if not isinstance(fields["id"], str):
            raise InvalidEncoding("question.id: expected a string")
        selections = tuple(
            EncryptedSelection.from_json(s)
            for s in _json.expect_list(
                fields["selections"], "question.selections", max_len=MAX_OPTIONS, min_len=1
            )
        )
        blank = None if fields["blank"] is None else EncryptedSelection.from_json(fields["blank"])
        return cls(fields["id"], selections, blank, RangeProof.from_json(fields["total_proof"]))


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    questions: tuple[EncryptedQuestion, ...]

    def to_json(self) -> dict[str, Any]:
        return {"questions": [q.to_json() for q in self.questions]}

    @classmethod
    def from_json(cls, obj: Any) -> EncryptedBallot:
        fields = _json.expect_object(obj, {"questions"}, "ballot")
        questions = _json.expect_list(
            fields["questions"], "ballot.questions", max_len=MAX_QUESTIONS, min_len=1
        )
        return cls(tuple(EncryptedQuestion.from_json(q) for q in questions))


def _selection_context(context: ProofContext, qid: str, label: str) -> ProofContext:
    return context.bound(qid, label)


def encrypt_ballot(
    context: ProofContext,
    key: PublicKey,
    style: BallotStyle,
    choices: Mapping[str, Sequence[str]],
) -> EncryptedBallot:
    """Encrypt a voter's choices with proofs (spec §10.2).

    Args:
        context: the election context bound to the voter's credential.
        key: the joint election key.
        style: the ballot style from the manifest.
        choices: question id → chosen option ids; an empty sequence is a blank answer.

    Raises:
        InvalidEncoding: unknown question or option, duplicates, a count outside
            min..max, or a blank answer where none is allowed.
    """
    return _encrypt_ballot(context, key, style, choices, SYSTEM)


def _check_choices(style: BallotStyle, choices: Mapping[str, Sequence[str]]) -> None:
    known = {q.question_id for q in style.questions}
    unknown = set(choices) - known
    if unknown:
        raise InvalidEncoding(f"unknown questions: {sorted(unknown)}")
    for q in style.questions:
        chosen = list(choices.get(q.question_id, ()))
        if len(set(chosen)) != len(chosen) or not set(chosen) <= set(q.option_ids):
            raise InvalidEncoding(f"question {q.question_id}: unknown or repeated options")
        if not chosen and q.allow_blank:
            continue
        if not chosen and not q.allow_blank:
            raise InvalidEncoding(f"question {q.question_id}: a blank answer is not allowed")
        if not q.min_selections <= len(chosen) <= q.max_selections:
            raise InvalidEncoding(f"question {q.question_id}: wrong number of selections")


def _encrypt_ballot(
    context: ProofContext,
    key: PublicKey,
    style: BallotStyle,
    choices: Mapping[str, Sequence[str]],
    nonces: NonceSource,
) -> EncryptedBallot:
    _check_choices(style, choices)
    questions = []
    for q in style.questions:
        chosen = set(choices.get(q.question_id, ()))

        def encrypt_bit(
            bit: int, label: str, qid: str = q.question_id
        ) -> tuple[EncryptedSelection, Scalar]:
            r = _fresh_nonce(nonces)
            ct, _ = _encrypt_with_nonce(key, bit, r)
            ctx = _selection_context(context, qid, label)
            return EncryptedSelection(ct, _prove_range(ctx, key, ct, bit, r, 0, 1, nonces)), r

        selections, total_nonce, total_value = [], Scalar.from_int(0), 0
        for option in q.option_ids:
            bit = int(option in chosen)
            sel, r = encrypt_bit(bit, option)
            selections.append(sel)
            total_nonce, total_value = total_nonce + r, total_value + bit
        blank = None
        if q.allow_blank:
            bit = int(not chosen)
            blank, r = encrypt_bit(bit, BLANK_LABEL)
            weight = Scalar.from_int(q.max_selections)
            total_nonce = total_nonce + r * weight
            total_value += bit * q.max_selections
        partial = EncryptedQuestion(q.question_id, tuple(selections), blank, _EMPTY_PROOF)
        lo, hi = q.total_range()
        total_proof = _prove_range(
            _selection_context(context, q.question_id, TOTAL_LABEL),
            key,
            partial.total(q),
            total_value,
            total_nonce,
            lo,
            hi,
            nonces,
        )
        questions.append(EncryptedQuestion(q.question_id, tuple(selections), blank, total_proof))
    return EncryptedBallot(tuple(questions))


_EMPTY_PROOF = RangeProof((), ())


def verify_ballot(
    context: ProofContext, key: PublicKey, style: BallotStyle, ballot: EncryptedBallot
) -> None:
    """Check a ballot's shape against the style and every proof (spec §10.3).

    Raises:
        InvalidProof: wrong shape (questions, options, blank flag) or a failing proof.
    """
    if len(ballot.questions) != len(style.questions):
        raise InvalidProof("ballot: wrong number of questions")
    for q, eq in zip(style.questions, ballot.questions, strict=True):
        if eq.question_id != q.question_id:
            raise InvalidProof(f"ballot: expected question {q.question_id}")
        if len(eq.selections) != len(q.option_ids):
            raise InvalidProof(f"question {q.question_id}: wrong number of selections")
        if (eq.blank is not None) != q.allow_blank:
            raise InvalidProof(f"question {q.question_id}: blank flag present iff allowed")
        for option, sel in zip(q.option_ids, eq.selections, strict=True):
            ctx = _selection_context(context, q.question_id, option)
            verify_range(ctx, key, sel.ciphertext, sel.proof, 0, 1)
        if eq.blank is not None:
            ctx = _selection_context(context, q.question_id, BLANK_LABEL)
            verify_range(ctx, key, eq.blank.ciphertext, eq.blank.proof, 0, 1)
        lo, hi = q.total_range()
        ctx = _selection_context(context, q.question_id, TOTAL_LABEL)
        verify_range(ctx, key, eq.total(q), eq.total_proof, lo, hi)


def ballot_hash(context: ProofContext, ballot: EncryptedBallot) -> bytes:
    """The 32-byte ballot hash behind the tracking code (spec §10.4).

    It covers the context (election, manifest, key, credential) and every
    ciphertext and proof scalar, in ballot order.
    """
    parts: list[bytes] = [*context.parts()]
    for q in ballot.questions:
        parts.append(utf8(q.question_id))
        sels = list(q.selections) + ([] if q.blank is None else [q.blank])
        parts.append(encode_parts(*(_selection_bytes(s) for s in sels)))
        parts.append(_proof_bytes(q.total_proof))
    return digest(Dst.BALLOT_TRACKER, *parts)[:32]


def _selection_bytes(sel: EncryptedSelection) -> bytes:
    return encode_parts(
        sel.ciphertext.alpha.to_bytes(), sel.ciphertext.beta.to_bytes(), _proof_bytes(sel.proof)
    )


def _proof_bytes(proof: RangeProof) -> bytes:
    return encode_parts(
        encode_parts(*(c.to_bytes() for c in proof.challenges)),
        encode_parts(*(z.to_bytes() for z in proof.responses)),
    )
