"""V6/V7 against the manifest: the declared log key and witnesses (record.md §REC-8, §MAN-21).

The witnesses a verifier checks are the ones the commission declared in the
manifest, whose hash every proof binds; the record header's list is only a
copy, and a header that lists other keys (witnesses swapped after the fact)
fails V7. An election whose manifest declares no witnesses is not silently
passed: V7 says, as a warning, that nobody independent was checked.
"""

from __future__ import annotations

from typing import Any

from tohyo.log import LogError, verifier_from_key
from tohyo.verify.report import Report

__all__ = ["NO_WITNESSES", "declared_witnesses"]

NO_WITNESSES = ("the manifest declares no witnesses: no independent cosignature is required, "
                "so nothing shows that the log showed everyone the same board")
_LEGACY = ("the manifest (tohyo-manifest/1) declares no witnesses: the record's own list "
           "was checked, but nothing shows the commission announced those witnesses")


def _identity(vkey: str) -> tuple[str, bytes] | None:
    try:
        found = verifier_from_key(vkey)
    except LogError:
        return None
    return found.name, found.public_key


def declared_witnesses(report: Report, manifest: Any, log: Any) -> tuple[int | None, str]:
    """Compare the header's log and witness keys with the manifest's; (quorum, warning).

    The quorum is None for a ``tohyo-manifest/1`` manifest (every witness the
    header lists must then cosign the final head, as before); the warning is
    non-empty when no witness is declared.
    """
    declared = manifest.log
    if declared is None:
        return None, _LEGACY
    if log.key != declared.key:
        report.fail("V6", "record.json#/log/key", "the log key is not the one the manifest "
                                                  "declares (manifest.json#/log/key)")
    listed = {_identity(k) for k in log.witnesses}
    wanted = {_identity(k) for k in declared.witness_keys()}
    if listed != wanted:
        report.fail("V7", "record.json#/log/witnesses",
                    "the record lists other witnesses than the manifest declares "
                    "(manifest.json#/log/witnesses)")
    return declared.quorum, NO_WITNESSES if not declared.witnesses else ""
