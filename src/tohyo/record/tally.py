"""The tally part of the record: aggregates, decryption shares, results (record.md §REC-7).

``tally.json`` binds the tally to one final signed head (its size and root),
publishes the encrypted aggregate of every label (§REC-7.1), every trustee's
decryption shares with their proofs and which trustees were combined or set
aside (§REC-7.2), the counts of the effective-ballot selection, and the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tohyo.crypto.ballot import EncryptedBallot
from tohyo.crypto.decryption import DecryptionShare
from tohyo.crypto.elgamal import ZERO, Ciphertext
from tohyo.crypto.errors import CryptoError
from tohyo.record.format import TALLY, InvalidRecord
from tohyo.record.results import BLANK, label

__all__ = ["Accumulator", "Exclusion", "TallyDocument", "ballot_ciphertexts"]

_COUNT_KEYS = ("effective", "superseded", "overridden", "rejected", "paper_overrides")


def ballot_ciphertexts(
    ballot: EncryptedBallot, option_ids: Mapping[str, Sequence[str]]
) -> list[tuple[str, Ciphertext]]:
    """(label, ciphertext) of every selection and blank flag, in ballot order (§REC-7.1).

    Args:
        ballot: a ballot already verified against the ballot style.
        option_ids: question id → its option ids in ballot order.
    """
    out = []
    for q in ballot.questions:
        for o, sel in zip(option_ids[q.question_id], q.selections, strict=True):
            out.append((label(q.question_id, o), sel.ciphertext))
        if q.blank is not None:
            out.append((label(q.question_id, BLANK), q.blank.ciphertext))
    return out


class Accumulator:
    """The homomorphic sum of ballots, per label (§REC-7.1).

    Args:
        labels: every label, in ballot order (:func:`~tohyo.record.results.aggregate_labels`).
        option_ids: question id → its option ids in ballot order.
    """

    def __init__(self, labels: Sequence[str], option_ids: Mapping[str, Sequence[str]]) -> None:
        self._labels = tuple(labels)
        self._options = {q: tuple(o) for q, o in option_ids.items()}
        self._sums: list[Ciphertext] = [ZERO] * len(self._labels)
        self._index = {lab: i for i, lab in enumerate(self._labels)}

    def add(self, ballot: EncryptedBallot) -> None:
        """Add a verified ballot."""
        for lab, ct in ballot_ciphertexts(ballot, self._options):
            i = self._index[lab]
            self._sums[i] = self._sums[i] + ct

    def merge(self, other: Mapping[str, Ciphertext], *, negate: bool = False) -> None:
        """Add (or subtract) another sum given label by label."""
        for lab, ct in other.items():
            i = self._index[lab]
            if negate:
                ct = Ciphertext(-ct.alpha, -ct.beta)
            self._sums[i] = self._sums[i] + ct

    def totals(self) -> dict[str, Ciphertext]:
        """label → the sum so far, in ballot order."""
        return dict(zip(self._labels, self._sums, strict=True))


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A trustee whose shares were set aside, and why (§REC-7.2)."""

    trustee: int
    reason: str


def _where(pointer: str) -> str:
    return f"{TALLY}#{pointer}"


def _int(value: Any, pointer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRecord(_where(pointer), "expected a non-negative integer")
    return value


def _obj(value: Any, keys: Iterable[str], pointer: str) -> Mapping[str, Any]:
    wanted = set(keys)
    if not isinstance(value, dict) or set(value) != wanted:
        raise InvalidRecord(_where(pointer), f"expected an object with fields {sorted(wanted)}")
    return value


def _list(value: Any, pointer: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidRecord(_where(pointer), "expected an array")
    return value


@dataclass(frozen=True, slots=True)
class TallyDocument:
    """The content of ``tally.json`` (§REC-7)."""

    final_size: int
    final_root: str
    counts: Mapping[str, int]
    aggregates: tuple[tuple[str, Ciphertext], ...]
    shares: tuple[DecryptionShare, ...]
    trustees: tuple[int, ...]
    excluded: tuple[Exclusion, ...]
    results: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "final_head": {"size": self.final_size, "root": self.final_root},
            "counts": dict(self.counts),
            "aggregates": [{"label": lab, "ct": ct.to_json()} for lab, ct in self.aggregates],
            "shares": [s.to_json() for s in self.shares],
            "decryption": {
                "trustees": list(self.trustees),
                "excluded": [{"trustee": e.trustee, "reason": e.reason} for e in self.excluded],
            },
            "results": dict(self.results),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TallyDocument:
        """Decode ``tally.json`` (§REC-7); the checks of meaning are the verifier's.

        Raises:
            InvalidRecord: a missing or malformed field, with its JSON pointer.
        """
        f = _obj(obj, ("final_head", "counts", "aggregates", "shares", "decryption",
                       "results"), "")
        head = _obj(f["final_head"], ("size", "root"), "/final_head")
        root = head["root"]
        if not isinstance(root, str) or len(root) != 64:
            raise InvalidRecord(_where("/final_head/root"), "expected 64 hex digits")
        counts = _obj(f["counts"], _COUNT_KEYS, "/counts")
        aggregates = []
        for i, item in enumerate(_list(f["aggregates"], "/aggregates")):
            a = _obj(item, ("label", "ct"), f"/aggregates/{i}")
            if not isinstance(a["label"], str):
                raise InvalidRecord(_where(f"/aggregates/{i}/label"), "expected a string")
            try:
                aggregates.append((a["label"], Ciphertext.from_json(a["ct"], aggregate=True)))
            except CryptoError as exc:
                raise InvalidRecord(_where(f"/aggregates/{i}/ct"), str(exc)) from None
        shares = []
        for i, item in enumerate(_list(f["shares"], "/shares")):
            try:
                shares.append(DecryptionShare.from_json(item))
            except CryptoError as exc:
                raise InvalidRecord(_where(f"/shares/{i}"), str(exc)) from None
        dec = _obj(f["decryption"], ("trustees", "excluded"), "/decryption")
        trustees = tuple(_int(t, f"/decryption/trustees/{i}")
                         for i, t in enumerate(_list(dec["trustees"], "/decryption/trustees")))
        excluded = []
        for i, item in enumerate(_list(dec["excluded"], "/decryption/excluded")):
            e = _obj(item, ("trustee", "reason"), f"/decryption/excluded/{i}")
            if not isinstance(e["reason"], str):
                raise InvalidRecord(_where(f"/decryption/excluded/{i}/reason"), "expected text")
            excluded.append(Exclusion(_int(e["trustee"], f"/decryption/excluded/{i}/trustee"),
                                      e["reason"]))
        if not isinstance(f["results"], dict):
            raise InvalidRecord(_where("/results"), "expected an object")
        return cls(
            final_size=_int(head["size"], "/final_head/size"),
            final_root=root,
            counts={k: _int(counts[k], f"/counts/{k}") for k in _COUNT_KEYS},
            aggregates=tuple(aggregates),
            shares=tuple(shares),
            trustees=trustees,
            excluded=tuple(excluded),
            results=f["results"],
        )
