"""``python -m tohyo.verify RECORD``: verify an election record (docs/guides/auditors.md).

Exit status: 0 if every check passed, 1 if any failed or did not run, 2 on a
usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tohyo.log import LogError
from tohyo.log.evidence import load_evidence
from tohyo.verify.runner import _print, verify_record

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, verify, print the report; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="tohyo verify", description="Verify a Tohyo election record (record.md §REC-8)."
    )
    parser.add_argument("record", help="the record directory")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: all cores; 0: in this process)")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run the checks on a Dask cluster (tcp://host:8786)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--fork-evidence", metavar="FILE", action="append", default=[],
                        help="a monitor's fork evidence (tohyo monitor); its heads are held "
                             "against the record (repeatable)")
    args = parser.parse_args(argv)
    evidence = []
    for name in args.fork_evidence:
        try:
            evidence.append((name, load_evidence(Path(name).read_bytes())))
        except (OSError, LogError) as exc:
            sys.stderr.write(f"tohyo verify: cannot read fork evidence {name}: {exc}\n")
            return 2
    report = verify_record(args.record, workers=args.workers, dask=args.dask,
                           progress=None if args.quiet else _print, fork_evidence=evidence)
    if args.json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        report.print(sys.stdout)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
