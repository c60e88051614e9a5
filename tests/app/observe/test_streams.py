"""The dashboard's event stream under a real server: Server-Sent Events, heartbeats,
throttling, and bounded connections per client and in total (docs/spec/observe.md
§OBS-4; issue 13 "a dashboard event stream opened a thousand times")."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from tohyo.app.main import create_app
from tohyo.app.observe.snapshot import take_snapshot
from tohyo.app.observe.streams import SnapshotCache, StreamGate
from tohyo.app.voter_client import VoterClient

from .helpers import CHOICE

INTERVAL = 0.4
PER_CLIENT, TOTAL = 3, 5
SQLITE = pytest.mark.parametrize("backend", ["sqlite"])


@dataclass
class Server:
    url: str
    app: Any

    @property
    def gate(self) -> StreamGate:
        gate: StreamGate = self.app.state.observe_gate
        return gate


@pytest.fixture
def server(runtime: Any, election: Any) -> Iterator[Server]:
    app = create_app(runtime.settings, runtime=runtime)
    app.state.observe_gate = StreamGate(per_client=PER_CLIENT, total=TOTAL)
    app.state.observe_cache = SnapshotCache(
        lambda eid, detail: take_snapshot(runtime, eid, detail=detail), interval=INTERVAL
    )
    app.state.observe_seconds = 30.0
    app.state.observe_heartbeat = 2 * INTERVAL
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield Server(f"http://127.0.0.1:{port}", app)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def _events_url(server: Server, election: Any) -> str:
    return f"{server.url}/api/v1/elections/{election.id}/observe/events"


async def _frames(response: httpx.Response) -> AsyncIterator[tuple[float, str]]:
    """(arrival time, frame) for each SSE frame (blank-line separated)."""
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk
        while "\n\n" in buffer:
            frame, buffer = buffer.split("\n\n", 1)
            yield time.monotonic(), frame


def _data(frame: str) -> dict[str, Any]:
    lines = dict(line.split(": ", 1) for line in frame.split("\n") if ": " in line)
    assert lines["event"] == "snapshot"
    return dict(json.loads(lines["data"]))


def _cast(server: Server, election: Any, n: int) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        voter = VoterClient(http)
        info = voter.election(election.id)
        for _ in range(n):
            session = voter.start_session(election.id, election.next_code())
            voter.cast(info, session, CHOICE)


@SQLITE
def test_stream_sends_snapshots_heartbeats_and_throttled_updates(
    server: Server, election: Any
) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            async with http.stream("GET", _events_url(server, election)) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                assert "nonce-" in response.headers["content-security-policy"]
                frames = _frames(response)
                _, first = await anext(frames)
                assert first == f"retry: {int(INTERVAL * 1000)}"
                _, frame = await anext(frames)
                assert _data(frame)["head_size"] == 0
                _, frame = await anext(frames)  # nothing changed: a heartbeat comment
                assert frame == ": heartbeat"

                caster = asyncio.create_task(asyncio.to_thread(_cast, server, election, 4))
                times, sizes = [], []
                while not sizes or sizes[-1] < 4:
                    at, frame = await anext(frames)
                    if frame.startswith("id: "):
                        times.append(at)
                        sizes.append(_data(frame)["head_size"])
                await caster
        assert sizes == sorted(sizes) and sizes[-1] == 4
        # Never more than one update per interval, however fast ballots come.
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= INTERVAL * 0.8 for gap in gaps), gaps

    asyncio.run(run())


@SQLITE
def test_a_thousand_opens_are_refused_and_the_server_stays_up(
    server: Server, election: Any
) -> None:
    url = _events_url(server, election)

    async def hold(http: httpx.AsyncClient, opened: list[Any]) -> None:
        request = http.build_request("GET", url)
        response = await http.send(request, stream=True)
        assert response.status_code == 200
        opened.append(response)

    async def run() -> None:
        held: list[Any] = []
        here = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100))
        there = httpx.AsyncClient(
            timeout=30, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        )
        elsewhere = httpx.AsyncClient(
            timeout=30, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.3")
        )
        try:
            for _ in range(PER_CLIENT):
                await hold(here, held)
            assert server.gate.open_streams == PER_CLIENT

            semaphore = asyncio.Semaphore(50)

            async def knock() -> tuple[int, str]:
                async with semaphore:
                    r = await here.get(url)
                    return r.status_code, r.json()["error"]["code"]

            started = time.monotonic()
            answers = await asyncio.gather(*(knock() for _ in range(1000)))
            elapsed = time.monotonic() - started
            assert set(answers) == {(429, "observe.too_many_streams")}
            assert server.gate.open_streams == PER_CLIENT  # no slot leaked
            assert elapsed < 60

            # The server's own bound: two more from another client fill it.
            for _ in range(TOTAL - PER_CLIENT):
                await hold(there, held)
            busy = await elsewhere.get(url)
            assert (busy.status_code, busy.json()["error"]["code"]) == (503, "observe.busy")

            # Still serving everything else.
            alive = await elsewhere.get(f"{server.url}/api/v1/elections/{election.id}/observe")
            assert alive.status_code == 200

            # Closing streams frees their slots for others.
            for response in held:
                await response.aclose()
            deadline = time.monotonic() + 10
            while server.gate.open_streams and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert server.gate.open_streams == 0
            await hold(elsewhere, held)
            await held[-1].aclose()
        finally:
            for c in (here, there, elsewhere):
                await c.aclose()

    asyncio.run(run())


@SQLITE
def test_a_stream_for_an_unknown_election_is_refused_without_holding_a_slot(
    server: Server,
) -> None:
    with httpx.Client(timeout=10) as http:
        for bad in ("no-such-election", "..%2F..%2Fetc"):
            r = http.get(f"{server.url}/api/v1/elections/{bad}/observe/events")
            assert r.status_code == 404
    assert server.gate.open_streams == 0
