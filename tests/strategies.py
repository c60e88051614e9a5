"""Hypothesis strategies for Tohyo's values, shared by every test package.

Import as ``from strategies import ...`` (``tests/`` is on ``sys.path`` through
``tests/conftest.py``). Strategies build values only through the public
constructors, so they never produce something the library itself would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from tohyo.crypto.ballot import BallotStyle, QuestionStyle
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import MAX_MESSAGE, KeyPair, PublicKey
from tohyo.crypto.group import ORDER, Element, Scalar, base_mul

__all__ = [
    "ballot_styles",
    "choices_for",
    "contexts",
    "elements",
    "identifiers",
    "keypairs",
    "messages",
    "nonzero_scalars",
    "question_styles",
    "ranges",
    "scalars",
    "styled_choices",
]


def scalars() -> st.SearchStrategy[Scalar]:
    """Any scalar in [0, ℓ), with the edges (0, 1, ℓ − 1) favoured by Hypothesis."""
    return st.integers(min_value=0, max_value=ORDER - 1).map(Scalar.from_int)


def nonzero_scalars() -> st.SearchStrategy[Scalar]:
    return st.integers(min_value=1, max_value=ORDER - 1).map(Scalar.from_int)


def elements() -> st.SearchStrategy[Element]:
    """Non-identity elements: multiples of G and outputs of the one-way map (unknown log)."""
    return st.one_of(
        nonzero_scalars().map(base_mul),
        st.binary(min_size=64, max_size=64)
        .map(Element.from_uniform_bytes)
        .filter(lambda e: not e.is_identity()),
    )


def keypairs() -> st.SearchStrategy[KeyPair]:
    return nonzero_scalars().map(lambda x: KeyPair(x, PublicKey(base_mul(x))))


def messages(max_value: int = MAX_MESSAGE) -> st.SearchStrategy[int]:
    """Plaintexts an encryption accepts: 0 ≤ m ≤ ``max_value``."""
    return st.integers(min_value=0, max_value=max_value)


def identifiers() -> st.SearchStrategy[str]:
    """Question/option/election ids: non-empty Unicode text not starting with '#'."""
    return st.text(st.characters(codec="utf-8"), min_size=1, max_size=8).filter(
        lambda s: not s.startswith("#")
    )


def contexts(*, with_key: bool | None = None) -> st.SearchStrategy[ProofContext]:
    """Proof contexts; ``with_key`` forces a public key present (True) or absent (False)."""
    keys: st.SearchStrategy[Element | None]
    if with_key is None:
        keys = st.one_of(st.none(), elements())
    elif with_key:
        keys = elements()
    else:
        keys = st.none()
    return st.builds(
        ProofContext,
        election_id=identifiers(),
        manifest_hash=st.binary(min_size=32, max_size=32),
        public_key=keys,
        binding=st.lists(st.text(st.characters(codec="utf-8"), max_size=6), max_size=4).map(tuple),
    )


@st.composite
def ranges(draw: st.DrawFn, *, max_width: int = 6, max_lo: int = 50) -> tuple[int, int, int]:
    """``(lo, hi, m)`` with 0 ≤ lo ≤ m ≤ hi and hi − lo + 1 ≤ ``max_width``."""
    lo = draw(st.integers(min_value=0, max_value=max_lo))
    hi = draw(st.integers(min_value=lo, max_value=lo + max_width - 1))
    m = draw(st.integers(min_value=lo, max_value=hi))
    return lo, hi, m


@st.composite
def question_styles(
    draw: st.DrawFn, *, question_id: str | None = None, max_options: int = 5
) -> QuestionStyle:
    qid = question_id if question_id is not None else draw(identifiers())
    options = draw(st.lists(identifiers(), min_size=1, max_size=max_options, unique=True))
    hi = draw(st.integers(min_value=1, max_value=len(options)))
    lo = draw(st.integers(min_value=0, max_value=hi))
    return QuestionStyle(qid, tuple(options), lo, hi, draw(st.booleans()))


@st.composite
def ballot_styles(draw: st.DrawFn, *, max_questions: int = 3, max_options: int = 5) -> BallotStyle:
    ids = draw(st.lists(identifiers(), min_size=1, max_size=max_questions, unique=True))
    return BallotStyle(
        tuple(draw(question_styles(question_id=q, max_options=max_options)) for q in ids)
    )


def _question_choices(q: QuestionStyle) -> st.SearchStrategy[list[str]]:
    # Spec §10.2: the empty choice is a blank answer, refused where blank is not
    # allowed (even when min = 0); otherwise between max(min, 1) and max options.
    chosen = st.integers(min_value=max(q.min_selections, 1), max_value=q.max_selections).flatmap(
        lambda k: st.permutations(q.option_ids).map(lambda p: sorted(p[:k]))
    )
    return st.one_of(st.just([]), chosen) if q.allow_blank else chosen


def choices_for(style: BallotStyle) -> st.SearchStrategy[Mapping[str, Sequence[str]]]:
    """Valid choices for ``style``: question id → chosen option ids."""
    return st.fixed_dictionaries({q.question_id: _question_choices(q) for q in style.questions})


@st.composite
def styled_choices(
    draw: st.DrawFn, *, max_questions: int = 3, max_options: int = 5
) -> tuple[BallotStyle, Mapping[str, Sequence[str]]]:
    """A ballot style together with valid choices for it."""
    style = draw(ballot_styles(max_questions=max_questions, max_options=max_options))
    return style, draw(choices_for(style))
