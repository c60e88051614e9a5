"""Verification throughput of ``tohyo verify`` (issue 4, item 7).

Builds records of N one-of-ten ballots directly with the crypto API (no HTTP;
cached under ``bench/.cache/``), verifies each with 1 and with 2 worker
processes, and prints JSON: ballots per second and the projected time for
1,000,000 ballots.

    .venv/bin/python bench/bench_verify.py --sizes 10000 100000 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from tohyo.record.manifest import Manifest
from tohyo.simulate.direct import Voter, generate_record
from tohyo.verify import verify_record

CACHE = Path(__file__).parent / ".cache"

MANIFEST = {
    "format": "tohyo-manifest/1",
    "id": "bench-one-of-ten",
    "title": {"ja": "ベンチマーク"},
    "period": {"start": "2028-10-16T08:30:00+09:00", "end": "2028-10-21T20:00:00+09:00"},
    "authentication": ["code"],
    "trustees": {"threshold": 2, "members": [{"id": f"t{i}", "name": f"委員 {i}"}
                                             for i in range(1, 4)]},
    "eligibility": {"minimum_age": 18, "election_day": "2028-10-22", "areas": ["082201"]},
    "questions": [{"id": "q", "kind": "choice", "title": {"ja": "十択"}, "allow_blank": False,
                   "options": [{"id": f"o{i}", "label": {"ja": f"選択肢 {i}"}}
                               for i in range(10)]}],
}


def record_for(size: int) -> Path:
    """The cached record of ``size`` ballots, generated on first use."""
    out = CACHE / f"verify-{size}"
    if (out / "record.json").exists():
        return out
    manifest = Manifest.from_json(MANIFEST)
    voters = [Voter(({"q": [f"o{n % 10}"]},)) for n in range(size)]
    start = time.time()

    def progress(done: int, total: int) -> None:
        if done % 5000 == 0:
            print(f"  generated {done}/{total} ({time.time() - start:.0f}s)", file=sys.stderr)

    generate_record(manifest, voters, out, workers=os.cpu_count() or 1, progress=progress,
                    salt=f"bench-{size}")
    return out


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        path = record_for(size)
        for workers in args.workers:
            cpu0 = _cpu()
            start = time.perf_counter()
            report = verify_record(path, workers=workers)
            seconds = time.perf_counter() - start
            cpu = _cpu() - cpu0
            if not report.ok:
                raise SystemExit(f"record of {size} ballots failed verification")
            rate = size / seconds
            rows.append({
                "ballots": size,
                "workers": workers,
                "seconds": round(seconds, 1),
                "ballots_per_second": round(rate, 1),
                "ms_per_ballot_per_worker": round(1000 * workers / rate, 2),
                "projected_minutes_for_1M": round(1_000_000 / rate / 60, 1),
                # CPU time (main + workers) is robust to other load on a shared machine:
                "cpu_ms_per_ballot": round(1000 * cpu / size, 2),
                "projected_minutes_for_1M_on_2_idle_cores": round(1_000_000 * cpu / size
                                                                   / 2 / 60, 1),
            })
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(json.dumps({"bench": "verify", "cpus": os.cpu_count(), "results": rows}, indent=1))


if __name__ == "__main__":
    main()
