"""Typed refusals of the authentication layer (docs/spec/authentication.md §AUTH-ERR).

Every refusal is one :class:`AuthError` subclass with a stable machine-readable
``code`` (``auth.<area>.<reason>``), an HTTP status and a human message. The
web layer renders ``{"error": {"code": ..., "message": ...}}`` without string
matching. Messages never carry secrets, identities or certificate contents, and
none of them says whether a person is on the roll (§AUTH-ABUSE).

Hierarchy::

    tohyo.app.errors.Refusal (code, message, to_json), ValueError
    └── AuthError                      401 unless noted
        ├── CertificateRejected        auth.cert.*        (malformed, expired, foreign...)
        ├── RevocationFailure          auth.cert.revoked / auth.revocation.unavailable
        ├── ChallengeRejected          auth.challenge.*   (unknown, used, expired)
        ├── SignatureRejected          auth.signature.invalid
        ├── NotEligibleVoter           auth.eligibility.* 403
        ├── OidcRejected               auth.oidc.*
        ├── CodeRejected               auth.code.invalid
        ├── RateLimited                auth.rate_limited  429 (carries retry_after)
        ├── SessionRejected            auth.session.*
        ├── CsrfRejected               auth.csrf.*        403
        ├── PermissionDenied           auth.forbidden.*   403
        └── ApprovalRejected           auth.approval.*    409
"""

from __future__ import annotations

from typing import ClassVar

from tohyo.app.errors import Refusal

__all__ = [
    "ApprovalRejected",
    "AuthError",
    "CertificateRejected",
    "ChallengeRejected",
    "CodeRejected",
    "CsrfRejected",
    "NotEligibleVoter",
    "OidcRejected",
    "PermissionDenied",
    "RateLimited",
    "RevocationFailure",
    "SessionRejected",
    "SignatureRejected",
]


class AuthError(Refusal, ValueError):
    """A refusal with a stable ``code``; subclasses fix the HTTP status."""

    http_status: ClassVar[int] = 401


class CertificateRejected(AuthError):
    """The card's certificate is malformed, out of its validity, or not ours."""


class RevocationFailure(AuthError):
    """The certificate is revoked, or its status could not be established."""


class ChallengeRejected(AuthError):
    """The challenge is unknown, already used, expired or for another election."""


class SignatureRejected(AuthError):
    """A signature that does not verify under the presented certificate."""


class NotEligibleVoter(AuthError):
    """Authentic, but the rules of this election exclude the holder (own data only)."""

    http_status = 403


class OidcRejected(AuthError):
    """A bad state, PKCE verifier, token response or ID token."""


class CodeRejected(AuthError):
    """A wrong, used or revoked voting code (one message for all, §AUTH-CODE-4)."""


class RateLimited(AuthError):
    """Too many attempts; try again after ``retry_after`` seconds (never permanent)."""

    http_status = 429

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class SessionRejected(AuthError):
    """No session, or an expired, ended or unknown one."""


class CsrfRejected(AuthError):
    """A state-changing request without the session's CSRF token or from another origin."""

    http_status = 403


class PermissionDenied(AuthError):
    """The signed-in official lacks the role for the action."""

    http_status = 403


class ApprovalRejected(AuthError):
    """A two-person approval that is unknown, self-approved, used or expired."""

    http_status = 409
