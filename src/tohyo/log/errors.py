"""Typed failures of the transparency log (docs/spec/transparency-log.md §TL-10).

Every decoder and verifier in :mod:`tohyo.log` raises one of these; nothing
returns ``None`` or ``False`` for failure and nothing validates with
``assert``. Each class subclasses ``ValueError`` (through :class:`LogError`)
so that callers that only know the builtin category still catch it.

Each class carries a stable machine-readable ``code`` and the HTTP status the
witness protocol (c2sp.org/tlog-witness, §TL-8) assigns to it, so that the web
layer maps errors without string matching. The library itself never speaks
HTTP.

Hierarchy::

    LogError(ValueError)
    ├── InvalidEncoding        400  bytes/text that are not the canonical encoding
    │   └── InvalidCheckpoint  400  a note body that is not a valid checkpoint
    ├── InvalidRequest         400  well-formed but impossible (old size > size)
    ├── InvalidSignature       403  no trusted signature verifies, or one fails
    ├── UnknownOrigin          404  the witness is not configured for this log
    ├── Conflict               409  disagrees with recorded state
    │   ├── OldSizeMismatch    409  old size is not the size last cosigned
    │   └── InconsistentHead   409  rollback, fork (same size, other root), time travel
    └── InvalidProof           422  an inclusion or consistency proof fails
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "Conflict",
    "InconsistentHead",
    "InvalidCheckpoint",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidRequest",
    "InvalidSignature",
    "LogError",
    "OldSizeMismatch",
    "UnknownOrigin",
]


class LogError(ValueError):
    """Base class of every error raised by :mod:`tohyo.log`."""

    code: ClassVar[str] = "log_error"
    http_status: ClassVar[int] = 400


class InvalidEncoding(LogError):
    """Bytes or text that are not the one canonical encoding of a value (§TL-4)."""

    code = "invalid_encoding"
    http_status = 400


class InvalidCheckpoint(InvalidEncoding):
    """A note body that is not a canonical checkpoint, or lacks the Tohyo time line (§TL-5)."""

    code = "invalid_checkpoint"
    http_status = 400


class InvalidRequest(LogError):
    """A well-formed request that can never succeed, e.g. old size above the new size (§TL-8)."""

    code = "invalid_request"
    http_status = 400


class InvalidSignature(LogError):
    """No trusted key signed the note, or a trusted key's signature fails (§TL-4.3)."""

    code = "invalid_signature"
    http_status = 403


class UnknownOrigin(LogError):
    """The witness or monitor holds no key for this log origin (§TL-8)."""

    code = "unknown_origin"
    http_status = 404


class Conflict(LogError):
    """The submission disagrees with state recorded earlier (§TL-8)."""

    code = "conflict"
    http_status = 409


class OldSizeMismatch(Conflict):
    """The claimed old size is not the size this witness last cosigned (§TL-8.2 step 4).

    Attributes:
        latest_size: the size of the latest checkpoint the witness cosigned for
            the origin (0 if none). tlog-witness returns it as the 409 body,
            ``text/x.tlog.size``, so that the log can retry with a proof from it.
    """

    code = "old_size_mismatch"

    def __init__(self, message: str, *, latest_size: int) -> None:
        super().__init__(message)
        self.latest_size = latest_size


class InconsistentHead(Conflict):
    """Two heads that cannot both come from one append-only log (§TL-9).

    Raised for a rolled-back size, an older timestamp, or a different root at
    the same size. Two validly signed heads that trigger this are evidence of
    log misbehaviour and should be kept.
    """

    code = "inconsistent_head"


class InvalidProof(LogError):
    """An inclusion or consistency proof that does not verify (§TL-2, §TL-3)."""

    code = "invalid_proof"
    http_status = 422
