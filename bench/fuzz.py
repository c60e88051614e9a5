"""Longer Atheris run of every decoder of untrusted bytes (issue 10, item 3).

Usage::

    .venv/bin/python bench/fuzz.py [--seconds 60] [--only NAME ...] [--corpus DIR]

Runs each target of ``tests/fuzz/targets.py`` in its own process for ``--seconds`` and
prints one JSON object: executions, wall seconds (start-up included) and executions per
second per decoder, and any crash (the input is kept next to the corpus). The suite runs
the same targets for a few thousand executions each (``tests/fuzz/test_fuzz_decoders.py``).
The exit status is non-zero if a decoder crashed or raised anything but its typed error.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "fuzz" / "run_target.py"


def _targets() -> list[str]:
    sys.path.insert(0, str(RUNNER.parent))
    from targets import TARGETS

    return sorted(TARGETS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="per decoder")
    parser.add_argument("--only", nargs="*", default=None, help="decoder names")
    parser.add_argument("--corpus", type=Path, default=None, help="keep corpora here")
    args = parser.parse_args()
    names = args.only or _targets()
    base = args.corpus or Path(tempfile.mkdtemp(prefix="tohyo-fuzz-"))
    results: dict[str, dict[str, object]] = {}
    failed = False
    for name in names:
        corpus = base / name
        corpus.mkdir(parents=True, exist_ok=True)
        print(f"fuzzing {name} for {args.seconds} s", file=sys.stderr)
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                str(RUNNER),
                name,
                f"-max_total_time={args.seconds}",
                f"-artifact_prefix={base}/{name}-",
                str(corpus),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.monotonic() - started
        found = re.findall(r"#(\d+)\s", done.stderr)
        executed = re.search(r"Done (\d+) runs", done.stderr)
        count = int(executed.group(1)) if executed else int(found[-1]) if found else 0
        entry: dict[str, object] = {
            "executions": count,
            "seconds": round(elapsed, 1),
            "per_second": round(count / elapsed) if elapsed else 0,
            "corpus_files": sum(1 for _ in corpus.iterdir()),
        }
        if done.returncode != 0:
            failed = True
            entry["crash"] = done.stderr[-3000:]
        results[name] = entry
    print(json.dumps({"seconds_per_decoder": args.seconds, "decoders": results}, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
