"""Ballot encryption in the browser: 1-of-10 and 1-of-40 (issue 5 targets: 0.3 s and 1 s).

    .venv/bin/python bench/bench_browser.py [--rounds 7] [--sizes 10 40]

Starts the election service on a loopback port (SQLite in a temporary
directory) with one election of N candidates (blank allowed) per size, drives
Debian's Chromium (headless, off the network) through sign-in and the ballot,
then reloads the review page ``rounds`` times. Each load encrypts the ballot
afresh with the production bundle (``prepareBallot``: every ciphertext, every
range proof, the total proof and the ballot hash) and the page records the
time it took (``performance.now()``, ``data-encrypt-ms`` of the tracking code).
Prints JSON: per size the first (cold, JIT warm-up) and the median, min and max
of the others, in milliseconds, and whether the target is met.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e" / "browser"))

from booth_harness import (  # noqa: E402
    CHROMIUM_ARGS,
    candidates_manifest,
    chromium_path,
    start_server,
)

TARGET_MS = {10: 300.0, 40: 1000.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise SystemExit(
            "bench_browser: chromium is not installed (TOHYO_NEED_BROWSER=1 scripts/setup)"
        )
    results: dict[str, object] = {"rounds": args.rounds}
    with tempfile.TemporaryDirectory() as tmp:
        booth = start_server(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
                version = browser.version
                for size in args.sizes:
                    eid = booth.add_election(
                        candidates_manifest(f"bench-{size}", booth.clock(), size), 2
                    )
                    page = browser.new_page()
                    page.goto(booth.url(f"/en/elections/{eid}/"))
                    page.fill("#voting-code", booth.code(eid))
                    page.click("#code-form button[type=submit]")
                    page.wait_for_url("**/ballot")
                    page.check(f"fieldset#q-council input[value=c{size // 2:03d}]")
                    page.click("#ballot-form button[type=submit]")
                    page.wait_for_url("**/review")
                    times = []
                    for _ in range(args.rounds):
                        page.wait_for_function(
                            "() => document.querySelector('#tracking-code').dataset.encryptMs"
                        )
                        times.append(
                            float(page.get_attribute("#tracking-code", "data-encrypt-ms") or "nan")
                        )
                        page.reload()
                    page.close()
                    warm = times[1:] or times
                    median = statistics.median(warm)
                    results[f"1-of-{size}"] = {
                        "first_ms": round(times[0], 1),
                        "median_ms": round(median, 1),
                        "min_ms": round(min(warm), 1),
                        "max_ms": round(max(warm), 1),
                        "target_ms": TARGET_MS.get(size),
                        "meets_target": median < TARGET_MS.get(size, float("inf")),
                    }
                browser.close()
            results["browser"] = f"Chromium {version} (headless)"
        finally:
            booth.stop()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
