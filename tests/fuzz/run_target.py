"""Run one fuzz target under Atheris: ``python tests/fuzz/run_target.py NAME [libFuzzer flags]``.

Any exception that is not the target's typed error propagates, and Atheris reports it as a
crash (exit code non-zero, the input written as ``crash-*``). ``-runs=N`` or
``-max_total_time=S`` bound the run; libFuzzer prints ``Done N runs`` at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["tohyo"]):
    from targets import TARGETS, seeds


def main() -> None:
    name = sys.argv.pop(1)
    target = TARGETS[name]
    corpus = [a for a in sys.argv[1:] if not a.startswith("-")]
    for directory in corpus:  # seed an empty corpus with the valid inputs
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        if not any(folder.iterdir()):
            for n, seed in enumerate(seeds(name)):
                (folder / f"seed-{n}").write_bytes(seed)

    def one_input(data: bytes) -> None:
        try:
            target.decode(data)
        except target.typed:
            pass

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
