"""Discrete-log recovery of decrypted totals: baby-step giant-step (spec §9).

Decryption yields M = [m]G; the total m is recovered by Shanks' baby-step
giant-step over [0, B]: a table of the m_b baby steps [i]G (0 ≤ i < m_b), then
giant steps M − [k·m_b]G for k = 0, 1, …, ⌊B / m_b⌋ until one lands in the
table. Each ristretto255 addition costs about 15 µs in libsodium (it decodes and
re-encodes), so the work is m_b additions once per bound and at most
⌊B / m_b⌋ additions per lookup. The default m_b = ⌊√B⌋ + 1 balances the two
(so neither exceeds about √B additions): for B = 10^8, about 0.2 s each on an
idle machine. Realistic totals (at most the number of voters) are found within
a few giant steps.

The table is built on first use, once per (bound, table size), and shared.
"""

from __future__ import annotations

import math
import threading

from tohyo.crypto import _wire
from tohyo.crypto.errors import DiscreteLogNotFound
from tohyo.crypto.group import GENERATOR, IDENTITY, Element, Scalar, base_mul

__all__ = ["DEFAULT_BOUND", "MAX_BOUND", "DiscreteLogTable", "recover", "table_for"]

#: B: the largest total recovered by default (spec §9.1).
DEFAULT_BOUND = 10**8
#: The largest bound accepted: its table has 10^6 entries (about 15 s to build).
MAX_BOUND = 10**12


def default_table_size(bound: int) -> int:
    """m_b = ⌊√B⌋ + 1 (spec §9.2): then m_b² > B, so at most m_b giant steps."""
    return math.isqrt(bound) + 1


class DiscreteLogTable:
    """Baby-step giant-step for totals in [0, bound] (spec §9.2).

    Args:
        bound: B, the largest total to recover, 0 ≤ B ≤ MAX_BOUND.
        table_size: m_b, the number of baby steps; by default ⌊√B⌋ + 1.

    Raises:
        InvalidEncoding: a bound or table size out of range.
    """

    def __init__(self, bound: int = DEFAULT_BOUND, table_size: int | None = None) -> None:
        self.bound = _wire.integer(bound, "dlog bound", lo=0, hi=MAX_BOUND)
        size = default_table_size(self.bound) if table_size is None else table_size
        self.table_size = _wire.integer(size, "dlog table size", lo=1, hi=bound + 1)
        self._giant = -base_mul(Scalar.from_int(self.table_size))
        self._baby: dict[bytes, int] | None = None
        self._lock = threading.Lock()

    def _table(self) -> dict[bytes, int]:
        with self._lock:  # one build even when several threads ask at once
            baby = self._baby
            if baby is None:
                baby, point = {}, IDENTITY
                for i in range(self.table_size):
                    baby[point.to_bytes()] = i
                    point = point + GENERATOR
                self._baby = baby
            return baby

    def recover(self, element: Element) -> int:
        """m such that element = [m]G and 0 ≤ m ≤ bound (spec §9.2).

        Raises:
            DiscreteLogNotFound: no such m.
        """
        baby = self._table()
        point = element
        for k in range(self.bound // self.table_size + 1):
            i = baby.get(point.to_bytes())
            if i is not None:
                # The first hit is the only m < (k + 1)·m_b; if it exceeds B, none is ≤ B.
                value = k * self.table_size + i
                if value <= self.bound:
                    return value
                break
            point = point + self._giant
        raise DiscreteLogNotFound(f"the total is not in [0, {self.bound}]")


_TABLES: dict[tuple[int, int | None], DiscreteLogTable] = {}
_TABLES_LOCK = threading.Lock()


def table_for(bound: int = DEFAULT_BOUND, table_size: int | None = None) -> DiscreteLogTable:
    """The shared table for ``bound`` (built lazily on its first lookup)."""
    _wire.integer(bound, "dlog bound", lo=0, hi=MAX_BOUND)
    with _TABLES_LOCK:
        table = _TABLES.get((bound, table_size))
        if table is None:
            table = DiscreteLogTable(bound, table_size)
            _TABLES[(bound, table_size)] = table
        return table


def recover(element: Element, bound: int = DEFAULT_BOUND) -> int:
    """m with element = [m]G, 0 ≤ m ≤ bound, using the shared table (spec §9).

    Args:
        element: a decrypted total [m]G (from :func:`tohyo.crypto.decryption.combine`).
        bound: B; the default 10^8 covers any municipal election.

    Raises:
        DiscreteLogNotFound: m is not in [0, bound].
        InvalidEncoding: a bound outside [0, MAX_BOUND].
    """
    return table_for(bound).recover(element)
