"""Concurrent casts over real HTTP (THREATS #30, #31): serialized, last by index wins.

A real uvicorn serves the app on loopback; threads cast at once. Each voter
ends with exactly one effective ballot, the one with the largest log index;
retries with one idempotency key store one ballot and return one receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tohyo.app.services.counts import check_count_invariant, report_counts
from tohyo.app.voter_client import VoterClient

CHOICES = [{"services": ["internet-voting"]}, {"services": ["ai-voice"]}, {"mobility": []}]


def _parallel(n: int, job: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(job, range(n)))


def test_one_voter_casting_from_many_devices(election: Any, live_server: str, runtime: Any) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        client = VoterClient(http)
        info = client.election(election.id)
        session = client.start_session(election.id, election.next_code())
        ballots = _parallel(6, lambda i: client.encrypt(info, session, CHOICES[i % 3]))

        def cast(i: int) -> dict[str, Any]:
            with httpx.Client(base_url=live_server, timeout=30) as own:
                return VoterClient(own).cast(info, session, ballot=ballots[i]).receipt

        receipts = _parallel(6, cast)
    assert sorted(r["sequence"] for r in receipts) == [1, 2, 3, 4, 5, 6]
    assert len({r["leaf_index"] for r in receipts}) == 6
    last = max(receipts, key=lambda r: r["leaf_index"])
    with runtime.uow() as uow:
        effective = uow.effective_ballot(election.id, session.credential)
    assert effective is not None and effective.ballot_hash == last["ballot_hash"]
    assert last["sequence"] == 6  # sequence follows log order
    assert check_count_invariant(runtime, election.id) == 1


def test_the_same_request_retried_concurrently_is_stored_once(
    election: Any, live_server: str, runtime: Any
) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        client = VoterClient(http)
        info = client.election(election.id)
        session = client.start_session(election.id, election.next_code())
        ballot = client.encrypt(info, session, CHOICES[0])

        def cast(_i: int) -> dict[str, Any]:
            with httpx.Client(base_url=live_server, timeout=30) as own:
                return (
                    VoterClient(own)
                    .cast(info, session, ballot=ballot, idempotency_key="double-click")
                    .receipt
                )

        receipts = _parallel(5, cast)
    assert all(r == receipts[0] for r in receipts)
    assert report_counts(runtime, election.id).casts == 1


def test_many_voters_at_once(election_factory: Any, live_server: str, runtime: Any) -> None:
    election = election_factory("crowd", voters=12)
    with httpx.Client(base_url=live_server, timeout=30) as http:
        info = VoterClient(http).election(election.id)

    def vote(i: int) -> dict[str, Any]:
        with httpx.Client(base_url=live_server, timeout=30) as own:
            client = VoterClient(own)
            session = client.start_session(election.id, election.codes[i])
            return client.cast(info, session, CHOICES[i % 3]).receipt

    receipts = _parallel(12, vote)
    assert sorted(r["leaf_index"] for r in receipts) == list(range(12))
    assert check_count_invariant(runtime, election.id) == 12


def test_two_server_processes_on_one_database(
    election: Any, runtime: Any, clock: Any, voter: Any
) -> None:
    """Two runtimes (as two server processes) share the database and the journal:
    the database lock alone must serialize their appends."""
    from tohyo.app.services.casting import cast_ballot
    from tohyo.app.services.runtime import build_runtime
    from tohyo.app.services.sessions import start_session_with_code
    from tohyo.record.canonical import dumps_canonical

    other = build_runtime(runtime.settings, clock=clock)
    try:
        info = voter.election(election.id)
        issued = start_session_with_code(runtime, election.id, election.next_code())
        from tohyo.app.voter_client import Session

        session = Session(election.id, issued.token, issued.session.credential)
        bodies = [
            dumps_canonical(
                {
                    "ballot": voter.encrypt(info, session, CHOICES[i % 3]).to_json(),
                    "idempotency_key": f"p{i}",
                }
            )
            for i in range(8)
        ]
        runtimes = [runtime, other]
        receipts = _parallel(
            8, lambda i: cast_ballot(runtimes[i % 2], election.id, issued.token, bodies[i])
        )
    finally:
        other.close()
    assert sorted(r.leaf_index for r in receipts) == list(range(8))
    assert check_count_invariant(runtime, election.id) == 1
    assert sorted(runtime.journal.read(election.id)) == list(range(8))
