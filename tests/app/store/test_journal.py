"""The second medium: append-only, fsync'ed, self-checking, reconcilable (§ST-6)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tohyo.app.errors import StartupError
from tohyo.app.store.journal import Journal, JournalCorrupt, JournalEntry, entry_for
from tohyo.app.store.keys import ServiceKeys, load_or_create_secret


def _entries(n: int, eid: str = "e1", prefix: str = "leaf") -> list[JournalEntry]:
    return [entry_for(eid, i, "ballot", f'{{"n":"{prefix}{i}"}}'.encode()) for i in range(n)]


def test_append_and_read_back(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entries = _entries(3)
    journal.append(entries[:2])
    journal.append(entries[2:])
    assert journal.read("e1") == {e.index: e for e in entries}
    assert journal.read("unknown") == {}


def test_a_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entries(2))
    with open(journal.path("e1"), "ab") as f:
        f.write(b'{"data":"half')
    assert sorted(journal.read("e1")) == [0, 1]
    assert journal.path("e1").read_bytes().endswith(b"\n")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.replace(b'"n\\":\\"leaf0', b'"n\\":\\"LEAF0', 1),  # data vs hash
        lambda raw: b"not json\n" + raw,
    ],
)
def test_damage_before_the_end_is_corruption(tmp_path: Path, damage: object) -> None:
    journal = Journal(tmp_path)
    journal.append(_entries(2))
    path = journal.path("e1")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(JournalCorrupt):
        journal.read("e1")


def test_reconcile_copies_what_is_missing(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    entries = _entries(5)
    journal.append(entries[:2])
    report = journal.reconcile("e1", entries)
    assert (report.database_size, report.journal_size, report.copied) == (5, 2, 3)
    assert journal.reconcile("e1", entries).copied == 0
    assert len(journal.read("e1")) == 5


def test_reconcile_detects_divergence(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entries(3))
    with pytest.raises(JournalCorrupt, match="differs"):
        journal.reconcile("e1", _entries(3, prefix="other"))
    with pytest.raises(JournalCorrupt, match="lost commits"):
        journal.reconcile("e1", _entries(2))


def test_two_versions_of_one_index_are_corruption(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entries(1))
    journal.append(_entries(1, prefix="other"))
    with pytest.raises(JournalCorrupt, match="two different"):
        journal.read("e1")


def test_key_files_are_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.key"
    secret = load_or_create_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    os.chmod(path, 0o644)
    with pytest.raises(StartupError, match="0600"):
        load_or_create_secret(path)
    os.chmod(path, 0o600)
    path.write_bytes(b"short")
    with pytest.raises(StartupError, match="32 bytes"):
        load_or_create_secret(path)


def test_election_secrets_are_separated(tmp_path: Path) -> None:
    keys = ServiceKeys.load(tmp_path / "a", tmp_path / "b", tmp_path / "c")
    assert keys.election_secret("credential", "e1") != keys.election_secret("credential", "e2")
    assert keys.election_secret("credential", "e1") != keys.election_secret("voting-code", "e1")
    assert keys.election_roll_key("e1") != keys.election_roll_key("e2")
    assert "secret" in repr(keys) and keys.log_seed.hex() not in repr(keys)


def test_a_long_torn_line_is_cut_reading_only_the_tail(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entries(3))
    good = journal.path("e1").stat().st_size
    with open(journal.path("e1"), "ab") as f:
        f.write(b'{"data":"' + b"x" * 300_000)  # longer than one tail chunk
    assert journal.hashes("e1") == {e.index: e.leaf_hash for e in _entries(3)}
    assert journal.path("e1").stat().st_size == good


def test_a_journal_that_is_only_a_torn_line(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.path("e1").write_bytes(b'{"data":"half')
    assert journal.read("e1") == {}
    assert journal.path("e1").stat().st_size == 0
