"""The digest of each sealed medium (storage.md §ST-8.1).

- ``ballots``: the database's ballot index as a canonical export — SHA-256 over a
  domain tag and one canonical JSON line per ``ballots`` row (``ballot_hash``,
  ``content_hash``, ``credential``, ``leaf_index``, ``sequence``, ``state``) and per
  ``paper_overrides`` row (``credential``, ``leaf_index``), ordered by leaf index.
  Only columns that the log determines are exported (not the idempotency key or
  the arrival time), so a ballot store rebuilt from the second medium (§ST-6.5)
  exports the same bytes.
- ``second_medium``: SHA-256 over a domain tag and the journal's canonical lines
  of indexes ``0 … size-1`` in index order (each line once; a missing index, a
  damaged line or two different lines for one index is a mismatch).
- ``log``: the Merkle root (RFC 9162) recomputed from the stored leaves' *data*
  (not their stored hashes) of indexes ``0 … size-1``.

Every reader streams a page at a time: memory stays small at a million ballots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from tohyo.app.services.runtime import Runtime
from tohyo.app.store.journal import JournalCorrupt
from tohyo.app.store.models import Ballot, LogLeaf, PaperOverride
from tohyo.log.tree import MerkleTree
from tohyo.record.canonical import dumps_canonical

__all__ = ["MediaDigests", "ballots_digest", "journal_digest", "log_digest", "media_digests"]

_BALLOTS_TAG = b"tohyo/1/seal/ballots\x00"
_JOURNAL_TAG = b"tohyo/1/seal/second-medium\x00"
_PAGE = 5000


@dataclass(frozen=True, slots=True)
class MediaDigests:
    """Digests of the three media at one log size, and what went wrong reading each."""

    size: int
    digests: dict[str, str]
    problems: dict[str, str]  #: medium → why it could not be read whole (a mismatch)


def _rows(runtime: Runtime, election_id: str) -> Iterator[bytes]:
    """Canonical lines of the ballot index, by leaf index, a page at a time."""
    last = -1
    while True:
        with runtime.uow() as uow:
            page = uow.session.execute(
                select(Ballot.leaf_index, Ballot.ballot_hash, Ballot.content_hash,
                       Ballot.credential, Ballot.sequence, Ballot.state)
                .where(Ballot.election_id == election_id, Ballot.leaf_index > last)
                .order_by(Ballot.leaf_index).limit(_PAGE)
            ).all()
        for index, tracker, content, credential, sequence, state in page:
            yield dumps_canonical({
                "ballot_hash": tracker, "content_hash": content, "credential": credential,
                "leaf_index": index, "sequence": sequence, "state": state,
            }) + b"\n"
        if len(page) < _PAGE:
            break
        last = page[-1][0]
    with runtime.uow() as uow:
        overrides = uow.session.execute(
            select(PaperOverride.leaf_index, PaperOverride.credential)
            .where(PaperOverride.election_id == election_id)
            .order_by(PaperOverride.leaf_index)
        ).all()
    for index, credential in overrides:
        yield dumps_canonical({"credential": credential, "kind": "paper_override",
                               "leaf_index": index}) + b"\n"


def ballots_digest(runtime: Runtime, election_id: str) -> str:
    """The canonical export's digest of the ballot index (``ballots``)."""
    digest = hashlib.sha256(_BALLOTS_TAG)
    for line in _rows(runtime, election_id):
        digest.update(line)
    return digest.hexdigest()


def log_digest(runtime: Runtime, election_id: str, size: int) -> tuple[str, str | None]:
    """The root recomputed from the leaves' data ``[0, size)``, and a problem if any."""
    tree = MerkleTree()
    problem = None
    for start in range(0, size, _PAGE):
        with runtime.uow() as uow:
            rows = uow.session.execute(
                select(LogLeaf.leaf_index, LogLeaf.data)
                .where(LogLeaf.election_id == election_id, LogLeaf.leaf_index >= start,
                       LogLeaf.leaf_index < min(size, start + _PAGE))
                .order_by(LogLeaf.leaf_index)
            ).all()
        for index, data in rows:
            if index != tree.size and problem is None:
                problem = f"leaf {tree.size} is missing"
            tree.append(data.encode())
    if tree.size != size and problem is None:
        problem = f"{size - tree.size} leaves are missing"
    return tree.root().hex(), problem


def journal_digest(runtime: Runtime, election_id: str, size: int) -> tuple[str, str | None]:
    """The digest of the journal's lines ``[0, size)``, and a problem if any.

    The journal is read twice (first its hashes by index, then the lines in
    index order are hashed in a second streaming pass) so that memory holds
    one hash per leaf, not the ballots.
    """
    try:
        hashes = runtime.journal.hashes(election_id)
    except JournalCorrupt as exc:
        return hashlib.sha256(_JOURNAL_TAG + b"unreadable").hexdigest(), str(exc)
    problem = None
    missing = [i for i in range(size) if i not in hashes]
    if missing:
        problem = f"{len(missing)} leaves are missing, the first {missing[0]}"
    lines: dict[int, bytes] = {}
    digest = hashlib.sha256(_JOURNAL_TAG)
    following = 0
    try:
        for entry in runtime.journal.entries(election_id):
            if entry.index >= size or entry.index < following or entry.index in lines:
                continue
            lines[entry.index] = entry.to_line()
            while following in lines:
                digest.update(lines.pop(following))
                following += 1
    except JournalCorrupt as exc:  # changed between the two passes
        return digest.hexdigest(), str(exc)
    return digest.hexdigest(), problem


def media_digests(runtime: Runtime, election_id: str, size: int) -> MediaDigests:
    """The three digests at log size ``size`` (§ST-8.1)."""
    problems: dict[str, str] = {}
    log_root, log_problem = log_digest(runtime, election_id, size)
    journal, journal_problem = journal_digest(runtime, election_id, size)
    if log_problem:
        problems["log"] = log_problem
    if journal_problem:
        problems["second_medium"] = journal_problem
    digests = {
        "ballots": ballots_digest(runtime, election_id),
        "second_medium": journal,
        "log": log_root,
    }
    return MediaDigests(size, digests, problems)
