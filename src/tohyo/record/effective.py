"""Which ballots count: the effective-ballot rules (docs/spec/record.md §REC-5).

This is the one implementation of the rules, used by the service's tally, by
the trustees before they decrypt, and by the verifier:

1. a ballot leaf that is *rejected* — it does not decode, names another
   election, fails a proof, or comes after the close leaf — never counts and
   supersedes nothing;
2. of the remaining ballots of one credential, the one with the largest log
   index is the credential's last ballot; the earlier ones are *superseded*;
3. if the log holds a paper override for the credential (at any index), all of
   its ballots are *overridden*: the paper vote replaces them;
4. the *effective* ballots are the last ballots of the credentials that have
   no override.

The selector is fed in any order (the verifier's workers finish out of order):
the outcome depends only on the set of (index, credential, valid) facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from tohyo.record.errors import RecordError

__all__ = ["EffectiveSelector", "Selection", "select_effective"]


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of §REC-5: log indices in increasing order.

    Attributes:
        effective: the ballots that are counted.
        superseded: earlier ballots of a credential that voted again.
        overridden: ballots of credentials that voted on paper.
        rejected: ballots that are never counted (rule 1).
        override_credentials: how many credentials have a paper override.
    """

    effective: tuple[int, ...]
    superseded: tuple[int, ...]
    overridden: tuple[int, ...]
    rejected: tuple[int, ...]
    override_credentials: int

    def counts(self) -> dict[str, int]:
        """The published counts of §REC-7.2."""
        return {
            "effective": len(self.effective),
            "superseded": len(self.superseded),
            "overridden": len(self.overridden),
            "rejected": len(self.rejected),
            "paper_overrides": self.override_credentials,
        }


class EffectiveSelector:
    """Accumulates ballot and override facts; :meth:`finish` applies §REC-5."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._earlier: list[tuple[int, str]] = []
        self._rejected: list[int] = []
        self._overrides: set[str] = set()
        self._seen: set[int] = set()

    def _claim(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise RecordError(f"log index must be a non-negative integer, got {index!r}")
        if index in self._seen:
            raise RecordError(f"log index {index} given twice")
        self._seen.add(index)

    def add_ballot(self, index: int, credential: str, *, valid: bool) -> None:
        """A ballot leaf at ``index``; ``valid`` is false for a rejected one (rule 1).

        Raises:
            RecordError: the index is negative or was already given.
        """
        self._claim(index)
        if not valid:
            self._rejected.append(index)
            return
        previous = self._last.get(credential)
        if previous is None:
            self._last[credential] = index
        elif previous < index:
            self._earlier.append((previous, credential))
            self._last[credential] = index
        else:
            self._earlier.append((index, credential))

    def add_override(self, index: int, credential: str) -> None:
        """A paper-override leaf at ``index`` (rule 3).

        Raises:
            RecordError: the index is negative or was already given.
        """
        self._claim(index)
        self._overrides.add(credential)

    def finish(self) -> Selection:
        """Apply the rules to everything added so far."""
        overridden = [i for i, c in self._earlier if c in self._overrides]
        superseded = [i for i, c in self._earlier if c not in self._overrides]
        effective: list[int] = []
        for credential, index in self._last.items():
            (overridden if credential in self._overrides else effective).append(index)
        return Selection(
            effective=tuple(sorted(effective)),
            superseded=tuple(sorted(superseded)),
            overridden=tuple(sorted(overridden)),
            rejected=tuple(sorted(self._rejected)),
            override_credentials=len(self._overrides),
        )


def select_effective(
    ballots: list[tuple[int, str, bool]], overrides: list[tuple[int, str]]
) -> Selection:
    """§REC-5 on lists: ``ballots`` as (index, credential, valid), ``overrides`` as
    (index, credential)."""
    selector = EffectiveSelector()
    for index, credential, valid in ballots:
        selector.add_ballot(index, credential, valid=valid)
    for index, credential in overrides:
        selector.add_override(index, credential)
    return selector.finish()
