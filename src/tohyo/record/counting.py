"""Counting a closed board: effective ballots, aggregate, decryption (record.md §REC-5–7).

:func:`count_board` is what the service's tally and every trustee run on the
final committed board (THREATS #15): it reads the leaves in log order, checks
each ballot, applies the effective-ballot rules of :mod:`tohyo.record.effective`
and sums the effective ballots per label. :func:`finish_tally` combines the
trustees' decryption shares, naming and setting aside bad ones, recovers the
counts and derives the results. The verifier checks the same things in
parallel, with the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tohyo.crypto.ballot import BallotStyle, EncryptedBallot, verify_ballot
from tohyo.crypto.ballot import QuestionStyle as CryptoQuestionStyle
from tohyo.crypto.context import ProofContext
from tohyo.crypto.decryption import DecryptionShare, combine_robust
from tohyo.crypto.dkg_messages import JointKey
from tohyo.crypto.dlog import DiscreteLogTable
from tohyo.crypto.elgamal import Ciphertext, PublicKey
from tohyo.crypto.errors import CryptoError
from tohyo.record.canonical import loads_canonical
from tohyo.record.effective import EffectiveSelector, Selection
from tohyo.record.errors import InvalidJson, RecordError
from tohyo.record.leaves import (
    BallotLeaf,
    CloseLeaf,
    InvalidLeaf,
    OverrideLeaf,
    WithdrawalLeaf,
    parse_leaf,
)
from tohyo.record.manifest import Manifest
from tohyo.record.results import aggregate_labels, compute_results
from tohyo.record.tally import Accumulator, Exclusion, TallyDocument

__all__ = [
    "BoardCount",
    "BoardError",
    "ballot_style",
    "count_board",
    "finish_tally",
    "option_map",
]


class BoardError(RecordError):
    """The board cannot be counted: not closed, or a leaf that is not a leaf."""


def ballot_style(manifest: Manifest) -> BallotStyle:
    """The crypto layer's ballot style for a manifest (manifest.md §MAN-15)."""
    return BallotStyle(tuple(
        CryptoQuestionStyle(q.question_id, q.option_ids, q.min_selections, q.max_selections,
                            q.allow_blank)
        for q in manifest.ballot_style()
    ))


def option_map(manifest: Manifest) -> dict[str, tuple[str, ...]]:
    """question id → option ids in ballot order."""
    return {q.question_id: q.option_ids for q in manifest.ballot_style()}


@dataclass(frozen=True, slots=True)
class BoardCount:
    """The outcome of :func:`count_board`.

    Attributes:
        selection: the effective-ballot selection (§REC-5).
        aggregates: label → the sum of the effective ballots (§REC-7.1).
        withdrawn: (question id, candidate id) of the withdrawals on the log.
        size: the number of leaves, close leaf included.
    """

    selection: Selection
    aggregates: Mapping[str, Ciphertext]
    withdrawn: frozenset[tuple[str, str]]
    size: int


def count_board(
    manifest: Manifest,
    manifest_hash: bytes,
    public_key: PublicKey,
    leaves: Sequence[bytes],
    *,
    check_proofs: bool = True,
) -> BoardCount:
    """Select and sum the effective ballots of a closed board (§REC-5, §REC-7.1).

    Args:
        manifest: the election manifest.
        manifest_hash: its hash, bound into every proof.
        public_key: the joint election key.
        leaves: every leaf's canonical bytes, in log order; the last must be the close.
        check_proofs: verify every ballot (a trustee does; the service may skip the
            proofs it checked at cast time).

    Raises:
        BoardError: the last leaf is not the close, a leaf is not canonical JSON
            or not of a known kind, or the close appears twice.
    """
    context = ProofContext(manifest.id, manifest_hash, public_key.element)
    style = ballot_style(manifest)
    selector = EffectiveSelector()
    withdrawn: set[tuple[str, str]] = set()
    ballots: dict[int, EncryptedBallot] = {}
    closed_at: int | None = None
    for index, raw in enumerate(leaves):
        try:
            leaf = parse_leaf(loads_canonical(raw, max_bytes=4 << 20, max_depth=64))
        except (InvalidJson, InvalidLeaf) as exc:
            raise BoardError(f"leaf {index}: {exc}") from None
        if isinstance(leaf, CloseLeaf):
            if closed_at is not None:
                raise BoardError(f"leaf {index}: a second close")
            closed_at = index
        elif isinstance(leaf, OverrideLeaf):
            selector.add_override(index, leaf.credential)
        elif isinstance(leaf, WithdrawalLeaf):
            withdrawn.add((leaf.question_id, leaf.candidate_id))
        elif isinstance(leaf, BallotLeaf):
            ballot = _checked(context, public_key, style, leaf, check_proofs, closed_at)
            selector.add_ballot(index, leaf.credential, valid=ballot is not None)
            if ballot is not None:
                ballots[index] = ballot
    if closed_at is None or closed_at != len(leaves) - 1:
        raise BoardError("the board is not closed: its last leaf must be the close")
    selection = selector.finish()
    acc = Accumulator(aggregate_labels(manifest), option_map(manifest))
    for index in selection.effective:
        acc.add(ballots[index])
    return BoardCount(selection, acc.totals(), frozenset(withdrawn), len(leaves))


def _checked(
    context: ProofContext,
    key: PublicKey,
    style: BallotStyle,
    leaf: BallotLeaf,
    check_proofs: bool,
    closed_at: int | None,
) -> EncryptedBallot | None:
    """The decoded ballot, or None if it is rejected (§REC-5 rule 1)."""
    if closed_at is not None or leaf.election_id != context.election_id:
        return None
    try:
        ballot = EncryptedBallot.from_json(leaf.ballot)
        if check_proofs:
            verify_ballot(context.bound(leaf.credential), key, style, ballot)
    except CryptoError:
        return None
    return ballot


def finish_tally(
    manifest: Manifest,
    context: ProofContext,
    joint: JointKey,
    board: BoardCount,
    final_head: tuple[int, bytes],
    shares: Iterable[DecryptionShare],
) -> TallyDocument:
    """Combine the trustees' shares and derive the results (§REC-7.2, §REC-7.3).

    Trustees whose shares fail are named in ``excluded``; any t valid trustees
    decrypt.

    Raises:
        NotEnoughShares: fewer than t trustees gave valid shares.
        DiscreteLogNotFound: a total outside [0, effective ballots] (impossible
            for verified ballots).
    """
    shares = tuple(shares)
    decryption = combine_robust(context, shares, joint.threshold, joint.verification_key_map(),
                                board.aggregates)
    table = DiscreteLogTable(bound=max(len(board.selection.effective), 1))
    counts = {lab: table.recover(m) for lab, m in decryption.plaintexts}
    results = compute_results(manifest, counts, len(board.selection.effective), board.withdrawn)
    return TallyDocument(
        final_size=final_head[0],
        final_root=final_head[1].hex(),
        counts=board.selection.counts(),
        aggregates=tuple(board.aggregates.items()),
        shares=shares,
        trustees=decryption.trustees,
        excluded=tuple(Exclusion(e.trustee, e.reason) for e in decryption.excluded),
        results=results.to_json(),
    )


def board_for_decryption(
    manifest: Manifest,
    manifest_hash: bytes,
    public_key: PublicKey,
    leaves: Sequence[bytes],
    final_head: str,
    log_key: str,
    proposed: Mapping[str, Ciphertext],
    *,
    close_size: int | None = None,
) -> BoardCount:
    """A trustee's checks before decrypting anything (§REC-6, THREATS #15, #46).

    The keys come from the manifest, never from the board: a manifest that
    declares its log (§MAN-21) pins the log key and the witnesses, and the final
    head must carry the cosignatures of the declared quorum. A server can sign
    any board with its own log key; it cannot make independent witnesses cosign
    a head that does not extend the one they saw (issue 9, the single-ballot
    board).

    Args:
        manifest, manifest_hash, public_key: the election (the manifest checked by
            its hash, the one confirmed at the key ceremony).
        leaves: the whole board, in log order.
        final_head: the final signed head (note text, with cosignatures).
        log_key: the log's C2SP vkey as the board states it; with a declared log it
            must be the declared key, without one it is the key the trustee pinned.
        proposed: label → the aggregate the trustee is asked to decrypt.
        close_size: if given, the size of the final head published at the close;
            the board must have exactly that size.

    Returns:
        The board's count, recomputed with every proof checked.

    Raises:
        BoardError: the head is not signed by the pinned log key, lacks the
            witness quorum, does not cover exactly these leaves or the published
            close size, the board is not closed, or the proposed aggregate is not
            the recomputed one.
    """
    from tohyo.log import LogError, MerkleTree, open_checkpoint, parse_note, verifier_from_key

    declared = manifest.log
    if declared is not None and log_key != declared.key:
        raise BoardError("the board's log key is not the log key the manifest declares")
    try:
        note = parse_note(final_head)
        head = open_checkpoint(note, [verifier_from_key(log_key)]).checkpoint
        if declared is not None:
            declared.require_quorum(note)
    except LogError as exc:
        raise BoardError(f"the final head is not a valid witnessed head: {exc}") from None
    tree = MerkleTree(leaves)
    if head.size != tree.size or head.root_hash != tree.root():
        raise BoardError(f"the final head (size {head.size}) does not cover exactly the "
                         f"{tree.size} leaves of the board")
    if close_size is not None and close_size != head.size:
        raise BoardError(f"the board has {head.size} leaves; the published close has "
                         f"{close_size}")
    board = count_board(manifest, manifest_hash, public_key, leaves, check_proofs=True)
    if set(proposed) != set(board.aggregates):
        raise BoardError("the labels to decrypt are not the election's")
    for lab, ct in board.aggregates.items():
        if proposed[lab] != ct:
            raise BoardError(f"refusing to decrypt {lab!r}: it is not the sum of the "
                             "effective ballots of the final board")
    return board
