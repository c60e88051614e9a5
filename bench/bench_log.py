"""Benchmark of tohyo.log: append 1,000,000 leaves, then time roots and proofs.

Usage::

    .venv/bin/python bench/bench_log.py [--leaves N] [--samples K] [--seed S]

Prints one JSON object. Rates are operations per second on one core of the
machine it runs on; sizes and indices are drawn uniformly from the tree.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from tohyo.log import (
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def run(leaves: int, samples: int, seed: int) -> dict[str, Any]:
    import random  # noqa: TID251 - benchmark workload, not security randomness

    rng = random.Random(seed)
    tree = MerkleTree()
    payloads = [i.to_bytes(8, "big") * 8 for i in range(leaves)]  # 64-byte "ballots"

    def append_all(items: list[bytes]) -> None:
        for payload in items:
            tree.append(payload)

    _, append_seconds = _timed(lambda: append_all(payloads))
    payloads.clear()  # so max RSS reflects the tree more than the input

    sizes = [rng.randint(1, leaves) for _ in range(samples)]
    _, root_seconds = _timed(lambda: [tree.root(size) for size in sizes])
    _, full_root_seconds = _timed(lambda: [tree.root() for _ in range(samples)])

    inclusion_cases = []
    for size in sizes:
        inclusion_cases.append((rng.randrange(size), size))
    inclusion_proofs, incl_gen_seconds = _timed(
        lambda: [inclusion_proof(tree, index, size) for index, size in inclusion_cases]
    )
    roots = {size: tree.root(size) for size in sizes}
    leaf_hashes = [tree.leaf_hash(index) for index, _ in inclusion_cases]

    def verify_inclusions() -> None:
        for (index, size), leaf, proof in zip(
            inclusion_cases, leaf_hashes, inclusion_proofs, strict=True
        ):
            verify_inclusion(leaf, index, size, proof, roots[size])

    _, incl_verify_seconds = _timed(verify_inclusions)

    consistency_cases = []
    for size in sizes:
        old = rng.randint(1, size)
        consistency_cases.append((old, size))
        roots.setdefault(old, tree.root(old))
    consistency_proofs, cons_gen_seconds = _timed(
        lambda: [consistency_proof(tree, old, new) for old, new in consistency_cases]
    )

    def verify_consistencies() -> None:
        for (old, new), proof in zip(consistency_cases, consistency_proofs, strict=True):
            verify_consistency(old, new, roots[old], roots[new], proof)

    _, cons_verify_seconds = _timed(verify_consistencies)

    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "leaves": leaves,
        "samples": samples,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "append_seconds": round(append_seconds, 3),
        "append_per_second": _rate(leaves, append_seconds),
        "root_random_size_per_second": _rate(samples, root_seconds),
        "root_full_tree_per_second": _rate(samples, full_root_seconds),
        "inclusion_proof_generate_per_second": _rate(samples, incl_gen_seconds),
        "inclusion_proof_verify_per_second": _rate(samples, incl_verify_seconds),
        "consistency_proof_generate_per_second": _rate(samples, cons_gen_seconds),
        "consistency_proof_verify_per_second": _rate(samples, cons_verify_seconds),
        "tree_hash_bytes": sum(len(level) for level in tree._levels),
        "max_rss_mib": round(rss_kib / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    json.dump(run(args.leaves, args.samples, args.seed), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
