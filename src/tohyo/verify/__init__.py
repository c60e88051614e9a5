"""The independent verifier of Tohyo election records (docs/spec/record.md §REC-8).

It imports only :mod:`tohyo.crypto`, :mod:`tohyo.log` and :mod:`tohyo.record`
(import-linter enforces it), trusts nothing the server says, and fails closed:
a check that did not run to completion is never reported as passed.
"""

from tohyo.verify.report import CHECKS, CheckResult, Failure, Report, Status
from tohyo.verify.runner import verify_record

__all__ = ["CHECKS", "CheckResult", "Failure", "Report", "Status", "verify_record"]
