"""Benchmark of the crypto core: ballot encryption and verification against the libsodium bound.

Run: ``.venv/bin/python bench/bench_crypto.py`` (prints one JSON document).

For a 1-of-10 and a 1-of-40 question (blank allowed, so per spec §10.1 one 0/1
range proof per option, one for the blank flag and one for the weighted total)
it measures, in one run and interleaved round by round so that a noisy neighbour
affects everything alike:

* the time to encrypt and to verify one ballot (and to decode it from JSON and
  verify it, the server's path);
* the cost of each libsodium primitive the group module calls, through the same
  ``pysodium`` wrappers;
* how many times one verification calls each of them, by wrapping the
  ``pysodium`` functions that ``tohyo.crypto.group`` holds with counters (only
  while counting, never while timing);

and prints the ratio of the measured verification time to (a) the scalar
multiplication bound, Σ count × cost over the two scalar multiplications, and
(b) the libsodium-call bound, Σ count × cost over every libsodium call; (c) adds
the SHA-512 challenge hashes. Times are process CPU time (``time.process_time_ns``),
which a busy neighbour disturbs less than wall time; wall-clock medians are
reported too. Noise is reported as the interquartile range in percent of the median.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib.metadata
import json
import os
import platform
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pysodium

from tohyo.crypto import hashing
from tohyo.crypto.ballot import (
    BallotStyle,
    EncryptedBallot,
    QuestionStyle,
    encrypt_ballot,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import generate_keypair
from tohyo.crypto.group import Scalar, base_mul

TARGET = 1.15

# The pysodium functions tohyo.crypto.group calls, by its private name, and their kind.
SODIUM: dict[str, str] = {
    "_sodium_mul": "scalarmult_variable_base",
    "_sodium_base_mul": "scalarmult_fixed_base",
    "_sodium_add": "add_sub",
    "_sodium_sub": "add_sub",
    "_sodium_is_valid": "decode_validate",
    "_sodium_from_hash": "one_way_map",
    "_sodium_reduce": "scalar_arithmetic",
    "_sodium_scalar_add": "scalar_arithmetic",
    "_sodium_scalar_sub": "scalar_arithmetic",
    "_sodium_scalar_mul": "scalar_arithmetic",
    "_sodium_scalar_negate": "scalar_arithmetic",
    "_sodium_scalar_invert": "scalar_arithmetic",
}
SCALAR_MULTS = ("_sodium_mul", "_sodium_base_mul")


def _group() -> Any:
    import tohyo.crypto.group as group

    return group


# --- counting ---------------------------------------------------------------------------


@contextmanager
def counting() -> Iterator[tuple[Counter[str], list[tuple[bytes, tuple[bytes, ...]]]]]:
    """Count libsodium calls by function, and record every SHA-512 digest's inputs."""
    group = _group()
    counts: Counter[str] = Counter()
    digests: list[tuple[bytes, tuple[bytes, ...]]] = []
    saved = {name: getattr(group, name) for name in SODIUM}
    saved_digest = hashing.digest

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any) -> Any:
            counts[name] += 1
            return fn(*args)

        return counted

    def recorded_digest(dst: bytes, *parts: bytes) -> bytes:
        digests.append((dst, parts))
        return saved_digest(dst, *parts)

    try:
        for name, fn in saved.items():
            setattr(group, name, wrap(name, fn))
        hashing.digest = recorded_digest
        yield counts, digests
    finally:
        for name, fn in saved.items():
            setattr(group, name, fn)
        hashing.digest = saved_digest


# --- timing -------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float]:
    """(CPU, wall) seconds per call of ``fn`` over ``repeat`` back-to-back calls."""
    gc.collect()
    gc.disable()
    try:
        c0, w0 = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(repeat):
            fn()
        c1, w1 = time.process_time_ns(), time.perf_counter_ns()
    finally:
        gc.enable()
    return (c1 - c0) / 1e9 / repeat, (w1 - w0) / 1e9 / repeat


def summary(samples: list[float], scale: float) -> dict[str, float]:
    q1, med, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return {
        "median": round(med * scale, 4),
        "p25": round(q1 * scale, 4),
        "p75": round(q3 * scale, 4),
        "iqr_pct": round(100 * (q3 - q1) / med, 1) if med else 0.0,
    }


def primitive_calls() -> dict[str, Callable[[], Any]]:
    """One representative call of each counted pysodium function."""
    s = Scalar.from_wide_bytes(secrets.token_bytes(64)).encoded
    t = Scalar.from_wide_bytes(secrets.token_bytes(64)).encoded
    p = base_mul(Scalar.from_wide_bytes(secrets.token_bytes(64))).encoded
    q = base_mul(Scalar.from_wide_bytes(secrets.token_bytes(64))).encoded
    wide = secrets.token_bytes(64)
    f = {name: getattr(_group(), name) for name in SODIUM}
    return {
        "_sodium_mul": lambda: f["_sodium_mul"](s, p),
        "_sodium_base_mul": lambda: f["_sodium_base_mul"](s),
        "_sodium_add": lambda: f["_sodium_add"](p, q),
        "_sodium_sub": lambda: f["_sodium_sub"](p, q),
        "_sodium_is_valid": lambda: f["_sodium_is_valid"](p),
        "_sodium_from_hash": lambda: f["_sodium_from_hash"](wide),
        "_sodium_reduce": lambda: f["_sodium_reduce"](wide),
        "_sodium_scalar_add": lambda: f["_sodium_scalar_add"](s, t),
        "_sodium_scalar_sub": lambda: f["_sodium_scalar_sub"](s, t),
        "_sodium_scalar_mul": lambda: f["_sodium_scalar_mul"](s, t),
        "_sodium_scalar_negate": lambda: f["_sodium_scalar_negate"](s),
        "_sodium_scalar_invert": lambda: f["_sodium_scalar_invert"](s),
    }


# --- the workload -------------------------------------------------------------------------


def question(n: int) -> BallotStyle:
    """A 1-of-n question where a blank answer is allowed (n + 2 range proofs)."""
    return BallotStyle((QuestionStyle("q", tuple(f"option-{i}" for i in range(n)), 0, 1, True),))


def calls_by_kind(counts: Counter[str]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for name, value in counts.items():
        out[SODIUM[name]] += value
    return {k: v for k, v in sorted(out.items()) if v}


def compare(
    measured: float, counts: Counter[str], unit: dict[str, float], sha: float | None
) -> tuple[dict[str, float], dict[str, float]]:
    """The bounds (ms) and the ratios of ``measured`` (s) to them."""
    bounds = {
        "a": sum(counts[f] * unit[f] for f in SCALAR_MULTS),
        "b": sum(counts[f] * unit[f] for f in SODIUM),
    }
    if sha is not None:
        bounds["c"] = bounds["b"] + sha
    return (
        {k: round(v * 1e3, 4) for k, v in bounds.items()},
        {k: round(measured / v, 3) for k, v in bounds.items()},
    )


def libsodium_version() -> str:
    fn = pysodium.sodium.sodium_version_string
    fn.restype = ctypes.c_char_p
    return str(fn().decode())


def run(rounds: int, batch: int, sizes: list[int]) -> dict[str, Any]:
    kp = generate_keypair()
    ctx = ProofContext("bench-election", bytes(32), kp.public.element, ("credential-0001",))
    styles = {n: question(n) for n in sizes}
    ballots = {n: encrypt_ballot(ctx, kp.public, styles[n], {"q": ["option-0"]}) for n in sizes}
    jsons = {n: json.loads(json.dumps(ballots[n].to_json())) for n in sizes}

    # Counts (one counted run each; the counts are deterministic).
    calls: dict[int, dict[str, Counter[str]]] = {}
    hashed: dict[int, list[tuple[bytes, tuple[bytes, ...]]]] = {}
    for n in sizes:
        calls[n] = {}
        with counting() as (counts, digests):
            verify_ballot(ctx, kp.public, styles[n], ballots[n])
        calls[n]["verify"], hashed[n] = Counter(counts), list(digests)
        with counting() as (counts, _):
            verify_ballot(ctx, kp.public, styles[n], EncryptedBallot.from_json(jsons[n]))
        calls[n]["decode_and_verify"] = Counter(counts)
        with counting() as (counts, _):
            encrypt_ballot(ctx, kp.public, styles[n], {"q": ["option-0"]})
        calls[n]["encrypt"] = Counter(counts)

    # Interleaved timing rounds.
    prims = primitive_calls()
    prim_cpu: dict[str, list[float]] = {name: [] for name in prims}
    hash_cpu: dict[int, list[float]] = {n: [] for n in sizes}
    work: dict[tuple[int, str], tuple[list[float], list[float]]] = {
        (n, op): ([], []) for n in sizes for op in ("encrypt", "verify", "decode_and_verify")
    }

    def ops(n: int) -> dict[str, Callable[[], Any]]:
        style, ballot, obj = styles[n], ballots[n], jsons[n]
        return {
            "encrypt": lambda: encrypt_ballot(ctx, kp.public, style, {"q": ["option-0"]}),
            "verify": lambda: verify_ballot(ctx, kp.public, style, ballot),
            "decode_and_verify": lambda: verify_ballot(
                ctx, kp.public, style, EncryptedBallot.from_json(obj)
            ),
        }

    def replay(n: int) -> Callable[[], Any]:
        recorded = hashed[n]
        return lambda: [hashing.digest(dst, *parts) for dst, parts in recorded]

    for _ in range(rounds):
        for name, call in prims.items():
            prim_cpu[name].append(timed(call, batch)[0])
        for n in sizes:
            hash_cpu[n].append(timed(replay(n))[0])
            for op, fn in ops(n).items():
                cpu_s, wall_s = timed(fn)
                work[(n, op)][0].append(cpu_s)
                work[(n, op)][1].append(wall_s)

    statistics_used: tuple[tuple[str, Callable[[list[float]], float]], ...] = (
        ("", statistics.median),
        ("_from_minima", min),
    )
    result: dict[str, Any] = {}
    for n in sizes:
        entry: dict[str, Any] = {"range_proofs": {"bit": n + 1, "total": 1}}
        for op in ("encrypt", "verify", "decode_and_verify"):
            cpu, wall = work[(n, op)]
            entry[f"{op}_ms"] = {
                **summary(cpu, 1e3),
                "min": round(min(cpu) * 1e3, 4),
                "wall_median": round(statistics.median(wall) * 1e3, 4),
            }
        entry["encrypt_libsodium_calls"] = calls_by_kind(calls[n]["encrypt"])
        for op in ("verify", "decode_and_verify"):
            entry[f"{op}_libsodium_calls"] = calls_by_kind(calls[n][op])
            if op == "verify":
                entry["verify_sha512_digests"] = len(hashed[n])
            for suffix, stat in statistics_used:
                bounds, ratios = compare(
                    stat(work[(n, op)][0]),
                    calls[n][op],
                    {name: stat(v) for name, v in prim_cpu.items()},
                    stat(hash_cpu[n]) if op == "verify" else None,
                )
                entry[f"{op}_bound_ms{suffix}"] = bounds
                entry[f"{op}_ratio{suffix}"] = ratios
        entry["verify_within_target"] = {
            key: entry["verify_ratio"][key] <= TARGET for key in ("a", "b")
        }
        result[f"1-of-{n}"] = entry

    return {
        "benchmark": "tohyo crypto core: ballot encryption and verification",
        "target_ratio": TARGET,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "libsodium": libsodium_version(),
            "pysodium": importlib.metadata.version("pysodium"),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "method": {
            "rounds": rounds,
            "primitive_batch": batch,
            "clock": "process CPU time; medians over rounds; iqr_pct = (p75 - p25) / median",
            "question": "1-of-n with blank allowed: n + 1 bit proofs and 1 total proof",
            "bounds": {
                "a": "scalar multiplications only: sum of count x median cost",
                "b": "every libsodium call (scalar mults, add/sub, decode, scalar arithmetic)",
                "c": "b plus the SHA-512 challenge digests, replayed with their real inputs",
            },
            "from_minima": "the same bounds and ratios from the minimum of every sample set, "
            "the least disturbed estimate on a shared machine",
        },
        "primitive_cost_us": {
            name: summary(samples, 1e6) for name, samples in sorted(prim_cpu.items())
        },
        "ballots": result,
    }


def profile(n: int, repeat: int) -> None:
    """cProfile of ``repeat`` verifications of a 1-of-n ballot, to stderr."""
    import cProfile
    import pstats

    kp = generate_keypair()
    ctx = ProofContext("bench-election", bytes(32), kp.public.element, ("credential-0001",))
    style = question(n)
    ballot = encrypt_ballot(ctx, kp.public, style, {"q": ["option-0"]})
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        verify_ballot(ctx, kp.public, style, ballot)
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="timing rounds (default 100)")
    parser.add_argument("--batch", type=int, default=200, help="calls per primitive sample")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40])
    parser.add_argument(
        "--profile", type=int, metavar="N", help="also print a cProfile of 1-of-N verification"
    )
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, 50)
    print(json.dumps(run(args.rounds, args.batch, args.sizes), indent=2))


if __name__ == "__main__":
    main()
