"""Ballot encryption and verification, the recipe layer (spec §10; THREATS A.2–A.9, B.18)."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from strategies import styled_choices
from tohyo.crypto.ballot import (
    BLANK_LABEL,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    TOTAL_LABEL,
    BallotStyle,
    EncryptedBallot,
    EncryptedQuestion,
    EncryptedSelection,
    QuestionStyle,
    _encrypt_ballot,
    ballot_hash,
    encrypt_ballot,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import (
    Ciphertext,
    KeyPair,
    PublicKey,
    _encrypt_with_nonce,
    decrypt_to_element,
    encrypt,
)
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import GENERATOR, IDENTITY, ORDER, Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, hash_to_scalar
from tohyo.crypto.proofs.range import RangeProof, _prove_range
from tohyo.crypto.randomness import DeterministicNonces

from ._mutate import bit_flips, get, hex_fields, replaced

RFC = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ristretto255" / "rfc9496.json").read_text()
)
A2: list[str] = [v["encoding"] for v in RFC["invalid_encodings"]["vectors"]]

MANIFEST = hashlib.sha256(b"tohyo test manifest").digest()
SECRET = Scalar.from_int(0xB0A7)
KP = KeyPair(SECRET, PublicKey(base_mul(SECRET)))
CTX = ProofContext("election-1", MANIFEST, KP.public.element, ("credential-1",))

MAYOR = QuestionStyle("mayor", ("alice", "bob"), 0, 1, True)
COUNCIL = QuestionStyle("council", ("c1", "c2", "c3"), 1, 2, False)
STYLE = BallotStyle((MAYOR, COUNCIL))
CHOICES: dict[str, list[str]] = {"mayor": ["bob"], "council": ["c1", "c3"]}


def bits_of(ct: Ciphertext) -> int:
    m = decrypt_to_element(SECRET, ct)
    if m == IDENTITY:
        return 0
    if m == GENERATOR:
        return 1
    raise AssertionError("not a bit")


def cast(
    choices: Mapping[str, Sequence[str]] = CHOICES,
    style: BallotStyle = STYLE,
    ctx: ProofContext = CTX,
) -> EncryptedBallot:
    ballot = encrypt_ballot(ctx, KP.public, style, choices)
    verify_ballot(ctx, KP.public, style, ballot)
    return ballot


def rejected(ctx: ProofContext, style: BallotStyle, obj: Any) -> type[Exception]:
    """Decoding or verifying ``obj`` must fail with a typed error; returns which."""
    try:
        verify_ballot(ctx, KP.public, style, EncryptedBallot.from_json(obj))
    except (InvalidEncoding, InvalidProof) as exc:
        return type(exc)
    raise AssertionError("a mutated ballot verified")


# --- completeness (Hypothesis) ------------------------------------------------------------


@settings(max_examples=30)
@given(styled_choices(max_questions=3, max_options=4))
def test_ballots_with_random_styles_and_valid_choices_verify(
    sc: tuple[BallotStyle, Mapping[str, Sequence[str]]],
) -> None:
    style, choices = sc
    ballot = encrypt_ballot(CTX, KP.public, style, choices)
    verify_ballot(CTX, KP.public, style, ballot)
    # JSON round trip through text: equal, verifies, same hash.
    again = EncryptedBallot.from_json(json.loads(json.dumps(ballot.to_json())))
    assert again == ballot
    verify_ballot(CTX, KP.public, style, again)
    assert ballot_hash(CTX, again) == ballot_hash(CTX, ballot)
    # Cast as intended: the ciphertexts decrypt to the choices.
    for q, eq in zip(style.questions, ballot.questions, strict=True):
        chosen = set(choices.get(q.question_id, ()))
        assert [bits_of(s.ciphertext) for s in eq.selections] == [
            int(o in chosen) for o in q.option_ids
        ]
        if q.allow_blank:
            assert eq.blank is not None
            assert bits_of(eq.blank.ciphertext) == int(not chosen)
        else:
            assert eq.blank is None


@pytest.mark.parametrize(
    "choices",
    [
        {"mayor": [], "council": ["c2"]},
        {"council": ["c2"]},  # an absent question with blank allowed is a blank
        {"mayor": ["alice"], "council": ["c1", "c2"]},
        {"mayor": ["bob"], "council": ["c3"]},
    ],
)
def test_fixed_choices_verify(choices: dict[str, list[str]]) -> None:
    cast(choices)


@pytest.mark.parametrize("max_sel", [1, 2, 3])
@pytest.mark.parametrize("blank", [True, False])
def test_weighted_total_for_each_max(max_sel: int, blank: bool) -> None:
    q = QuestionStyle("q", ("a", "b", "c"), 0, max_sel, blank)
    style = BallotStyle((q,))
    for k in range(1, max_sel + 1):
        cast({"q": ["a", "b", "c"][:k]}, style)
    if blank:
        cast({"q": []}, style)


def test_deterministic_nonces_reproduce_a_ballot() -> None:
    a = _encrypt_ballot(CTX, KP.public, STYLE, CHOICES, DeterministicNonces(b"seed"))
    b = _encrypt_ballot(CTX, KP.public, STYLE, CHOICES, DeterministicNonces(b"seed"))
    assert a == b
    verify_ballot(CTX, KP.public, STYLE, a)


# --- choices the encryptor refuses (spec §10.2) -------------------------------------------


@pytest.mark.parametrize(
    "choices",
    [
        {"mayor": ["carol"], "council": ["c1"]},  # unknown option
        {"mayor": ["bob"], "council": ["c1"], "senate": []},  # unknown question
        {"mayor": ["bob", "bob"], "council": ["c1"]},  # repeated
        {"mayor": ["bob"], "council": ["c1", "c1"]},  # repeated, count within max
        {"mayor": ["alice", "bob"], "council": ["c1"]},  # over-vote
        {"mayor": ["bob"], "council": ["c1", "c2", "c3"]},  # over-vote
        {"mayor": ["bob"], "council": []},  # blank not allowed
        {"mayor": ["bob"]},  # absent question, blank not allowed
        {"mayor": ["council"], "council": ["c1"]},  # an id from elsewhere
        {"mayor": [BLANK_LABEL], "council": ["c1"]},
    ],
)
def test_invalid_choices_refused_before_encryption(choices: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidEncoding):
        encrypt_ballot(CTX, KP.public, STYLE, choices)


@pytest.mark.parametrize(
    "choices",
    [{"mayor": ["alice", "bob"], "council": ["c1"]}, {"mayor": [], "council": ["c1", "c2", "c3"]}],
)
def test_over_vote_refused_before_anything_is_encrypted(choices: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidEncoding, match="number of selections"):
        encrypt_ballot(CTX, KP.public, STYLE, choices)


def test_under_vote_refused() -> None:
    style = BallotStyle((QuestionStyle("q", ("a", "b", "c"), 2, 3, True),))
    with pytest.raises(InvalidEncoding, match="number of selections"):
        encrypt_ballot(CTX, KP.public, style, {"q": ["a"]})
    cast({"q": []}, style)  # blank is still allowed


def test_min_zero_without_blank_refuses_the_empty_choice() -> None:
    # Spec §10.2: the empty choice is a blank answer, refused where blank is not
    # allowed, even with min = 0; the verifier agrees (test below).
    style = BallotStyle((QuestionStyle("q", ("a", "b"), 0, 1, False),))
    with pytest.raises(InvalidEncoding):
        encrypt_ballot(CTX, KP.public, style, {"q": []})


# --- styles (spec §10.1) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("", ("a",), 0, 1, False),
        ("#q", ("a",), 0, 1, False),
        ("q", (), 0, 1, False),
        ("q", tuple(f"o{i}" for i in range(MAX_OPTIONS + 1)), 0, 1, False),
        ("q", ("a", "a"), 0, 1, False),
        ("q", ("a", "#b"), 0, 1, False),
        ("q", ("a", ""), 0, 1, False),
        ("q", ("a", "b"), 2, 1, False),
        ("q", ("a", "b"), 0, 3, False),
        ("q", ("a", "b"), 0, 0, False),
        ("q", ("a", "b"), -1, 1, False),
    ],
)
def test_question_style_validation(args: tuple[Any, ...]) -> None:
    with pytest.raises(InvalidEncoding):
        QuestionStyle(*args)


def test_ballot_style_validation() -> None:
    q = QuestionStyle("q", ("a",), 0, 1, False)
    with pytest.raises(InvalidEncoding):
        BallotStyle(())
    with pytest.raises(InvalidEncoding):
        BallotStyle((q, q))
    many = tuple(QuestionStyle(f"q{i}", ("a",), 0, 1, False) for i in range(MAX_QUESTIONS + 1))
    with pytest.raises(InvalidEncoding):
        BallotStyle(many)
    assert len(BallotStyle(many[:MAX_QUESTIONS]).questions) == MAX_QUESTIONS


# --- copying, swapping and malleating (THREATS #6, #8, #9) --------------------------------


def _ctx_variants() -> list[ProofContext]:
    return [
        ProofContext("election-1", MANIFEST, KP.public.element, ("credential-2",)),
        ProofContext("election-1", MANIFEST, KP.public.element, ()),
        ProofContext("election-1", MANIFEST, KP.public.element, ("credential-1", "x")),
        ProofContext("election-2", MANIFEST, KP.public.element, ("credential-1",)),
        ProofContext("election-1", bytes(32), KP.public.element, ("credential-1",)),
        ProofContext("election-1", MANIFEST, GENERATOR, ("credential-1",)),
    ]


@pytest.mark.parametrize("ctx", _ctx_variants(), ids=repr)
def test_ballot_copied_to_another_credential_or_election_fails(ctx: ProofContext) -> None:
    ballot = cast()
    with pytest.raises(InvalidProof):
        verify_ballot(ctx, KP.public, STYLE, ballot)
    assert ballot_hash(ctx, ballot) != ballot_hash(CTX, ballot)


def test_ballot_under_another_key_fails() -> None:
    other = PublicKey(Element.from_uniform_bytes(bytes(range(64))))
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, other, STYLE, cast())


def test_question_copied_to_another_question_fails() -> None:
    twin = BallotStyle(
        (QuestionStyle("q1", ("a", "b"), 0, 1, True), QuestionStyle("q2", ("a", "b"), 0, 1, True))
    )
    ballot = cast({"q1": ["a"], "q2": ["b"]}, twin)
    q1, q2 = ballot.questions
    moved = EncryptedBallot(
        (
            EncryptedQuestion("q1", q2.selections, q2.blank, q2.total_proof),
            EncryptedQuestion("q2", q1.selections, q1.blank, q1.total_proof),
        )
    )
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, twin, moved)
    # Same data, ids kept: a question copied from another voter's ballot fails too.
    other_voter = cast({"q1": ["b"], "q2": ["b"]}, twin, CTX.bound("other"))
    spliced = EncryptedBallot((other_voter.questions[0], q2))
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, twin, spliced)


def _with_question(ballot: EncryptedBallot, i: int, q: EncryptedQuestion) -> EncryptedBallot:
    qs = list(ballot.questions)
    qs[i] = q
    return EncryptedBallot(tuple(qs))


@pytest.mark.parametrize(("qi", "a", "b"), [(0, 0, 1), (1, 0, 2), (1, 1, 2)])
def test_selection_swapped_between_options_fails(qi: int, a: int, b: int) -> None:
    # The total stays valid; only the binding of each bit proof to its option catches it.
    ballot = cast()
    q = ballot.questions[qi]
    sels = list(q.selections)
    sels[a], sels[b] = sels[b], sels[a]
    swapped = EncryptedQuestion(q.question_id, tuple(sels), q.blank, q.total_proof)
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, STYLE, _with_question(ballot, qi, swapped))


def test_blank_and_option_swapped_fails() -> None:
    ballot = cast({"mayor": ["alice"], "council": ["c1"]})
    q = ballot.questions[0]
    assert q.blank is not None
    swapped = EncryptedQuestion(
        q.question_id, (q.blank, q.selections[1]), q.selections[0], q.total_proof
    )
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, STYLE, _with_question(ballot, 0, swapped))


def test_rerandomised_selection_fails() -> None:
    ballot = cast()
    q = ballot.questions[1]
    s = q.selections[0]
    zero, _ = encrypt(KP.public, 0)
    fresh = EncryptedSelection(s.ciphertext + zero, s.proof)
    mauled = EncryptedQuestion(q.question_id, (fresh, *q.selections[1:]), q.blank, q.total_proof)
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, STYLE, _with_question(ballot, 1, mauled))


def test_ballots_of_two_voters_do_not_combine() -> None:
    a, b = cast(), cast(ctx=CTX.bound("x"))
    qa, qb = a.questions[1], b.questions[1]
    combined = tuple(
        EncryptedSelection(sa.ciphertext + sb.ciphertext, sa.proof)
        for sa, sb in zip(qa.selections, qb.selections, strict=True)
    )
    mixed = EncryptedQuestion(qa.question_id, combined, None, qa.total_proof)
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, STYLE, _with_question(a, 1, mixed))


# --- shape (spec §10.3; THREATS #18) ------------------------------------------------------


def _shape_mutants(b: EncryptedBallot) -> list[tuple[str, EncryptedBallot]]:
    m, c = b.questions
    assert m.blank is not None
    return [
        ("question dropped", EncryptedBallot((m,))),
        ("question added", EncryptedBallot((m, c, c))),
        ("questions reordered", EncryptedBallot((c, m))),
        (
            "question id changed",
            EncryptedBallot((EncryptedQuestion("mayor2", m.selections, m.blank, m.total_proof), c)),
        ),
        (
            "selection dropped",
            EncryptedBallot(
                (EncryptedQuestion("mayor", m.selections[:1], m.blank, m.total_proof), c)
            ),
        ),
        (
            "selection added",
            EncryptedBallot(
                (EncryptedQuestion("mayor", (*m.selections, m.blank), m.blank, m.total_proof), c)
            ),
        ),
        (
            "blank missing",
            EncryptedBallot((EncryptedQuestion("mayor", m.selections, None, m.total_proof), c)),
        ),
        (
            "blank where not allowed",
            EncryptedBallot(
                (m, EncryptedQuestion("council", c.selections, m.blank, c.total_proof))
            ),
        ),
        (
            "total proof of the other question",
            EncryptedBallot((EncryptedQuestion("mayor", m.selections, m.blank, c.total_proof), c)),
        ),
    ]


def test_shape_errors_fail() -> None:
    for name, bad in _shape_mutants(cast()):
        with pytest.raises(InvalidProof):
            verify_ballot(CTX, KP.public, STYLE, bad)
        assert name


# --- forged questions: over-votes, under-votes, blank plus a choice -----------------------


def forge_question(
    q: QuestionStyle, bits: Sequence[int], blank: int | None, claimed_total: int
) -> EncryptedQuestion:
    """A cheating client: honest 0/1 proofs for arbitrary bits, then a total proof
    made by a prover that claims ``claimed_total``."""

    def bit(b: int, label: str) -> tuple[EncryptedSelection, Scalar]:
        r = hash_to_scalar(Dst.TEST_NONCE, label.encode())
        ct, _ = _encrypt_with_nonce(KP.public, b, r)
        proof = _prove_range(
            CTX.bound(q.question_id, label),
            KP.public,
            ct,
            b,
            r,
            0,
            1,
            DeterministicNonces(label.encode()),
        )
        return EncryptedSelection(ct, proof), r

    sels, nonce = [], Scalar.from_int(0)
    for o, b in zip(q.option_ids, bits, strict=True):
        s, r = bit(b, o)
        sels.append(s)
        nonce = nonce + r
    blank_sel = None
    if blank is not None:
        blank_sel, r = bit(blank, BLANK_LABEL)
        nonce = nonce + r * Scalar.from_int(q.max_selections)
    partial = EncryptedQuestion(q.question_id, tuple(sels), blank_sel, RangeProof((), ()))
    lo, hi = q.total_range()
    total = _prove_range(
        CTX.bound(q.question_id, TOTAL_LABEL),
        KP.public,
        partial.total(q),
        claimed_total,
        nonce,
        lo,
        hi,
        DeterministicNonces(b"total"),
    )
    return EncryptedQuestion(q.question_id, tuple(sels), blank_sel, total)


@pytest.mark.parametrize(
    ("q", "bits", "blank", "actual"),
    [
        (MAYOR, (1, 1), 0, 2),  # over-vote in a 1-of-2
        (MAYOR, (1, 0), 1, 2),  # a choice and the blank flag
        (MAYOR, (0, 0), 0, 0),  # neither a choice nor the blank flag
        (COUNCIL, (1, 1, 1), None, 3),  # over-vote in a 1..2-of-3
        (COUNCIL, (0, 0, 0), None, 0),  # under-vote, min 1
        (QuestionStyle("r", ("a", "b", "c"), 0, 2, True), (1, 0, 0), 1, 3),
        (QuestionStyle("r", ("a", "b", "c"), 0, 2, True), (0, 0, 0), 0, 0),
    ],
)
def test_invalid_vote_cannot_get_a_total_proof(
    q: QuestionStyle, bits: tuple[int, ...], blank: int | None, actual: int
) -> None:
    style = BallotStyle((q,))
    lo, hi = q.total_range()
    assert not lo <= actual <= hi
    with pytest.raises(InvalidEncoding):  # the honest prover refuses
        forge_question(q, bits, blank, actual)
    for claimed in range(lo, hi + 1):  # a lying prover's proof fails
        forged = forge_question(q, bits, blank, claimed)
        with pytest.raises(InvalidProof):
            verify_ballot(CTX, KP.public, style, EncryptedBallot((forged,)))


@pytest.mark.parametrize(
    ("q", "bits", "blank"),
    [(COUNCIL, (1, 0, 0), 0), (MAYOR, (1, 0), None)],
    ids=["blank where not allowed", "blank missing"],
)
def test_blank_presence_is_checked_even_when_every_proof_holds(
    q: QuestionStyle, bits: tuple[int, ...], blank: int | None
) -> None:
    # A 0-blank added (or the blank left out) with a total proof over what is
    # there: every proof verifies, only the shape check of spec §10.3 rejects it.
    forged = forge_question(q, bits, blank, 1)
    with pytest.raises(InvalidProof, match="blank"):
        verify_ballot(CTX, KP.public, BallotStyle((q,)), EncryptedBallot((forged,)))


def test_forger_reproduces_a_valid_question() -> None:
    # The forging helper is faithful: with valid bits it makes a verifying question.
    forged = forge_question(MAYOR, (0, 1), 0, 1)
    verify_ballot(CTX, KP.public, BallotStyle((MAYOR,)), EncryptedBallot((forged,)))


def test_min_zero_without_blank_verifier_refuses_the_empty_answer() -> None:
    # A cheating client proves the empty answer's total 0 in [0, max]; the verifier
    # wants [max(min, 1), max] (spec §10.1), so the empty answer never counts.
    q = QuestionStyle("q", ("a", "b"), 0, 1, False)
    honest = forge_question(q, (1, 0), None, 1)
    empty = forge_question(q, (0, 0), None, 1)
    zero_total = _prove_range(
        CTX.bound("q", TOTAL_LABEL), KP.public, empty.total(q), 0,
        hash_to_scalar(Dst.TEST_NONCE, b"a") + hash_to_scalar(Dst.TEST_NONCE, b"b"),
        0, 1, DeterministicNonces(b"total"),
    )
    forged = EncryptedQuestion("q", empty.selections, None, zero_total)
    verify_ballot(CTX, KP.public, BallotStyle((q,)), EncryptedBallot((honest,)))
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, BallotStyle((q,)), EncryptedBallot((forged,)))


# --- bit flips and invalid encodings in the JSON form (THREATS #2, #4, #5) ----------------

SMALL = BallotStyle((MAYOR,))


def test_every_byte_of_a_ballot_flipped_is_rejected() -> None:
    obj = cast({"mayor": ["alice"]}, SMALL).to_json()
    kinds = {rejected(CTX, SMALL, mutant) for _, mutant in bit_flips(obj, every_bit=False)}
    assert kinds == {InvalidEncoding, InvalidProof}


def test_every_bit_of_the_total_proof_flipped_is_rejected() -> None:
    obj = cast({"mayor": []}, SMALL).to_json()
    total = obj["questions"][0]["total_proof"]
    for _, mutant in bit_flips(total):
        rejected(CTX, SMALL, replaced(obj, ("questions", 0, "total_proof"), mutant))


def _element_paths(obj: Any) -> list[tuple[str | int, ...]]:
    return [p for p, _ in hex_fields(obj) if p[-1] in ("alpha", "beta")]


def test_invalid_encodings_rejected_at_every_element_of_a_ballot() -> None:
    obj = cast().to_json()
    paths = _element_paths(obj)
    assert len(paths) == 2 * (3 + 3)  # 2 options + blank, 3 options
    for path in paths:
        for enc in [*A2, "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6"]:
            with pytest.raises(InvalidEncoding):
                EncryptedBallot.from_json(replaced(obj, path, enc))


def test_identity_alpha_rejected_identity_beta_fails_proof() -> None:
    obj = cast().to_json()
    for path in _element_paths(obj):
        mutant = replaced(obj, path, "00" * 32)
        expected = InvalidEncoding if path[-1] == "alpha" else InvalidProof
        assert rejected(CTX, STYLE, mutant) is expected


def test_non_canonical_proof_scalars_rejected() -> None:
    obj = cast().to_json()
    scalar_paths = [p for p, _ in hex_fields(obj) if p[-2] in ("c", "z")]
    assert scalar_paths
    for path in scalar_paths:
        value = int.from_bytes(bytes.fromhex(get(obj, path)), "little") + ORDER
        with pytest.raises(InvalidEncoding):
            EncryptedBallot.from_json(replaced(obj, path, value.to_bytes(32, "little").hex()))


def _json_mutants(obj: dict[str, Any]) -> list[tuple[str, Callable[[Any], None]]]:
    return [
        ("extra top-level field", lambda o: o.update(version=1)),
        ("no questions", lambda o: o.update(questions=[])),
        ("questions not a list", lambda o: o.update(questions=o["questions"][0])),
        ("too many questions", lambda o: o.update(questions=o["questions"] * 33)),
        ("question id not a string", lambda o: o["questions"][0].update(id=1)),
        ("question missing blank key", lambda o: o["questions"][0].pop("blank")),
        ("question extra key", lambda o: o["questions"][0].update(max=1)),
        ("no selections", lambda o: o["questions"][0].update(selections=[])),
        (
            "too many selections",
            lambda o: o["questions"][0].update(selections=o["questions"][0]["selections"] * 128),
        ),
        ("selection not an object", lambda o: o["questions"][0]["selections"].append("x")),
        ("selection extra key", lambda o: o["questions"][0]["selections"][0].update(m=1)),
        ("blank false", lambda o: o["questions"][0].update(blank=False)),
        ("blank empty object", lambda o: o["questions"][0].update(blank={})),
        ("empty proof lists", lambda o: o["questions"][0].update(total_proof={"c": [], "z": []})),
        (
            "ciphertext as list",
            lambda o: o["questions"][0]["selections"][0].update(
                ct=[o["questions"][0]["selections"][0]["ct"]["alpha"]]
            ),
        ),
        (
            "uppercase hex",
            lambda o: o["questions"][0]["selections"][0]["ct"].update(
                beta=o["questions"][0]["selections"][0]["ct"]["beta"].upper()
            ),
        ),
    ]


def test_json_structure_errors_are_encoding_errors() -> None:
    obj = cast().to_json()
    for name, mutate in _json_mutants(obj):
        mutant = copy.deepcopy(obj)
        mutate(mutant)
        with pytest.raises(InvalidEncoding):
            EncryptedBallot.from_json(mutant)
        assert name


@pytest.mark.parametrize("obj", [None, [], "ballot", 0, {"questions": None}])
def test_ballot_json_not_an_object(obj: Any) -> None:
    with pytest.raises(InvalidEncoding):
        EncryptedBallot.from_json(obj)


# --- the ballot hash (spec §10.4) ---------------------------------------------------------


def test_ballot_hash_binds_every_field() -> None:
    ballot = cast()
    h = ballot_hash(CTX, ballot)
    assert len(h) == 32
    assert ballot_hash(CTX, ballot) == h
    assert ballot_hash(CTX, cast()) != h  # fresh randomness
    obj = ballot.to_json()
    hashes = [h]
    for _, mutant in bit_flips(obj, every_bit=False):
        try:
            other = EncryptedBallot.from_json(mutant)
        except InvalidEncoding:
            continue
        hashes.append(ballot_hash(CTX, other))
    assert len(hashes) > 1000
    assert len(set(hashes)) == len(hashes)  # every decodable mutant has its own hash


def test_ballot_hash_question_id_and_blank_position() -> None:
    ballot = cast()
    m, c = ballot.questions
    renamed = EncryptedBallot(
        (EncryptedQuestion("mayor2", m.selections, m.blank, m.total_proof), c)
    )
    assert ballot_hash(CTX, renamed) != ballot_hash(CTX, ballot)
    # Spec §10.4 hashes the blank as the last selection, so moving it into the
    # selection list does not change the hash: the style's shape check is what
    # rejects that variant, and it must.
    assert m.blank is not None
    moved = EncryptedBallot(
        (EncryptedQuestion("mayor", (*m.selections, m.blank), None, m.total_proof), c)
    )
    with pytest.raises(InvalidProof):
        verify_ballot(CTX, KP.public, STYLE, moved)
