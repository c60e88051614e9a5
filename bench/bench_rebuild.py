"""Rebuild of the ballot store from the second medium, and the seal's hashing (issue 13).

    .venv/bin/python bench/bench_rebuild.py [--ballots 100000] [--database-url URL]

Builds one closed election in a temporary directory (SQLite unless a URL is
given) whose log holds N ballot leaves and the close, each with its signed head
and its journal line, as casting leaves them (storage.md §ST-5, §ST-6). Then it
times, in order: the seal's digests of the three media (``prepare_seal``), the
destruction of the primary (every ``ballots`` and ``log_leaves`` row of the
election deleted), and ``rebuild_from_second_medium`` (every signed head
verified, the copy checked against each, the leaves and the ballot index
written in one transaction). Prints one JSON object.

What is synthetic: casting 100,000 real ballots through HTTP takes far longer
than a benchmark should, so the leaves are written through the ledger directly
(``Ledger.append``: a signed head and a checkpoint row per leaf, as a cast
does). Each leaf is a real ``ballot`` leaf of the three-question survey; its
ballot is one of 64 ballots really encrypted under the election key, with the
last 12 hex digits of one ciphertext field replaced by the leaf's number so
that every ballot (and its content hash) is distinct. Those ballots' proofs no
longer verify; the rebuild does not verify proofs (it checks hashes against
the signed heads), so its work is the same as for valid ballots of that size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "app"))

from conftest import roll_csv, survey_manifest  # noqa: E402
from tohyo.app.auth.authority import DevApproval  # noqa: E402
from tohyo.app.seals.rebuild import rebuild_from_second_medium  # noqa: E402
from tohyo.app.seals.service import prepare_seal  # noqa: E402
from tohyo.app.services.devkeys import install_dev_key  # noqa: E402
from tohyo.app.services.elections import create_election, open_election  # noqa: E402
from tohyo.app.services.roll import import_roll  # noqa: E402
from tohyo.app.services.runtime import Runtime, build_runtime  # noqa: E402
from tohyo.app.settings import Settings  # noqa: E402
from tohyo.app.store.journal import entry_for  # noqa: E402
from tohyo.app.store.models import Ballot, Election, LogLeaf  # noqa: E402
from tohyo.crypto.ballot import encrypt_ballot  # noqa: E402
from tohyo.crypto.context import ProofContext  # noqa: E402
from tohyo.crypto.elgamal import PublicKey  # noqa: E402
from tohyo.crypto.group import Element  # noqa: E402
from tohyo.record.canonical import dumps_canonical  # noqa: E402
from tohyo.record.counting import ballot_style  # noqa: E402
from tohyo.record.leaves import ballot_leaf, close_leaf  # noqa: E402
from tohyo.record.manifest import parse_manifest  # noqa: E402
from tohyo.simulate.direct import credential_for  # noqa: E402

EID = "bench-rebuild"
POOL = 64
BATCH = 5000
DEV = DevApproval("simulation")


def _first_hex(obj: Any, path: list[Any]) -> list[Any] | None:
    """The path of the first 64-hex-digit string in ``obj``."""
    if isinstance(obj, str) and len(obj) == 64 and all(c in "0123456789abcdef" for c in obj):
        return path
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) \
        else ()
    for key, value in items:
        found = _first_hex(value, [*path, key])
        if found is not None:
            return found
    return None


def _pool(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.uow() as uow:
        row = uow.election(EID)
        manifest = parse_manifest(row.manifest_json.encode())
        mhash = bytes.fromhex(row.manifest_hash)
        key = bytes.fromhex(row.public_key or "")
    public = PublicKey(Element.from_bytes(key))
    style = ballot_style(manifest)
    out = []
    for n in range(POOL):
        context = ProofContext(EID, mhash, public.element).bound(credential_for(n))
        choices = {"services": ["internet-voting"], "mobility": [], "healthcare": ["home-care"]}
        out.append(encrypt_ballot(context, public, style, choices).to_json())
    return out


def _leaf(pool: list[dict[str, Any]], at: list[Any], i: int) -> bytes:
    ballot = json.loads(json.dumps(pool[i % POOL]))
    holder = ballot
    for key in at[:-1]:
        holder = holder[key]
    holder[at[-1]] = holder[at[-1]][:52] + f"{i:012x}"
    tracker = ballot_hash_hex(i)
    return dumps_canonical(ballot_leaf(EID, credential_for(i, "bench"), ballot, tracker))


def ballot_hash_hex(i: int) -> str:
    import hashlib

    return hashlib.sha256(f"tracker-{i}".encode()).hexdigest()


def _fill(runtime: Runtime, ballots: int) -> float:
    """Append ``ballots`` leaves and the close through the ledger; seconds taken."""
    pool = _pool(runtime)
    at = _first_hex(pool[0], [])
    if at is None:
        raise SystemExit("no hex field in the ballot to make distinct")
    started = time.perf_counter()
    now = runtime.now()
    datas = [(_leaf(pool, at, i), "ballot") for i in range(ballots)]
    datas.append((dumps_canonical(close_leaf(EID)), "close"))
    for start in range(0, len(datas), BATCH):
        chunk = datas[start:start + BATCH]
        entries = []
        with runtime.ledger.lock(EID), runtime.uow(write=True) as uow:
            state = uow.log_state(EID, lock=True)
            for data, kind in chunk:
                done = runtime.ledger.append(uow, state, kind, data, now)
                entries.append(entry_for(EID, done.index, kind, data))
            uow.commit()
        runtime.journal.append(entries)
    with runtime.engine.begin() as conn:
        conn.execute(update(Election).where(Election.id == EID).values(state="closed"))
    return time.perf_counter() - started


def run(ballots: int, database_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tohyo-bench-rebuild-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", database_url=database_url)
        runtime = build_runtime(settings)
        try:
            now = datetime.now(UTC)
            create_election(runtime, survey_manifest(EID, now - timedelta(hours=1),
                                                     now + timedelta(days=1)), actor="bench")
            import_roll(runtime, EID, roll_csv(["V0001"]), actor="bench")
            install_dev_key(runtime, EID, actor="bench")
            open_election(runtime, EID, approval=DEV)
            fill_s = _fill(runtime, ballots)
            journal_bytes = runtime.journal.path(EID).stat().st_size

            started, cpu = time.perf_counter(), time.process_time()
            prepare_seal(runtime, EID)
            seal_s, seal_cpu = time.perf_counter() - started, time.process_time() - cpu

            with runtime.engine.begin() as conn:  # the primary fails
                conn.execute(delete(Ballot).where(Ballot.election_id == EID))
                conn.execute(delete(LogLeaf).where(LogLeaf.election_id == EID))
            started = time.perf_counter()
            cpu = time.process_time()
            report = rebuild_from_second_medium(runtime, EID, approval=DEV)
            rebuild_s = time.perf_counter() - started
            rebuild_cpu = time.process_time() - cpu
            started = time.perf_counter()
            after = prepare_seal(runtime, EID)  # the rebuilt store hashes as before
            check_s = time.perf_counter() - started
        finally:
            runtime.close()
    return {
        "database": database_url.split(":", 1)[0] or "sqlite",
        "ballots": ballots,
        "leaves": report.size,
        "heads_checked": report.heads_checked,
        "journal_mib": round(journal_bytes / (1 << 20), 1),
        "rebuild_s": round(rebuild_s, 2),
        "rebuild_cpu_s": round(rebuild_cpu, 2),
        "rebuild_ballots_per_s": round(ballots / rebuild_s),
        "seal_digests_s": round(seal_s, 2),
        "seal_digests_cpu_s": round(seal_cpu, 2),
        "seal_digests_after_rebuild_s": round(check_s, 2),
        "rebuilt_store_matches": after.media["log"] == after.root,
        "setup_fill_s": round(fill_s, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "synthetic": "leaves written through Ledger.append (a signed head each); ballots are "
                     f"{POOL} real encryptions made distinct in one hex field (see docstring)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    print(json.dumps(run(args.ballots, args.database_url)))


if __name__ == "__main__":
    main()
