"""Officials' accounts, roles and strong sign-in (docs/spec/authentication.md §AUTH-OFF).

One role per account (§AUTH-OFF-1): administrator, trustee, witness or
operator. Roles do not nest: an administrator is not a trustee, so the person
who runs the election cannot also hold a key share under the same login.

Sign-in (§AUTH-OFF-3) needs the password (scrypt) *and* a TOTP code (RFC 6238,
never the same step twice). Every failure gives the same refusal,
``auth.signin.failed``, whether the account exists or not, and an unknown
account still costs one scrypt so timing does not tell either. Attempts go
through the :class:`RateLimiter` (scope ``official``), and every outcome is
written to the audit log without secrets.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from tohyo.app.auth import tables
from tohyo.app.auth._time import utcnow
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.errors import AuthError, PermissionDenied
from tohyo.app.auth.passwords import hash_password, verify_password
from tohyo.app.auth.ratelimit import RateLimiter
from tohyo.app.auth.sessions import OfficialSession, SessionStore
from tohyo.app.auth.totp import ReusedCode, new_secret, provisioning_uri, verify_totp
from tohyo.app.store.db import begin_write

__all__ = ["NewOfficial", "Official", "OfficialDirectory", "Role", "SignedIn", "require_role"]

SCOPE = "official"
_DUMMY_HASH = hash_password("not-a-real-password-0000")


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  #: runs elections; requests and approves open/close/tally
    TRUSTEE = "trustee"  #: holds a share of the election key
    WITNESS = "witness"  #: observes and co-signs; reads, never changes
    OPERATOR = "operator"  #: takes phone bookings for the mobile station


@dataclass(frozen=True, slots=True)
class Official:
    username: str
    display_name: str
    role: Role
    disabled: bool


@dataclass(frozen=True, slots=True)
class NewOfficial:
    """A created account: the TOTP secret is shown once, for the authenticator app."""

    official: Official
    totp_secret: bytes
    totp_uri: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    official: Official
    token: str  #: goes into the ``__Host-`` cookie only
    csrf_token: str


def _failed() -> AuthError:
    return AuthError("auth.signin.failed", "The user name, password or one-time code is wrong.")


def require_role(official: Official, *roles: Role) -> None:
    """Raises: PermissionDenied: ``auth.forbidden.role``."""
    if official.role not in roles:
        raise PermissionDenied("auth.forbidden.role", "Your role does not allow this action.")


class OfficialDirectory:
    """Accounts in ``auth_officials``; TOTP secrets sealed with AES-GCM under ``seal_key``."""

    def __init__(
        self,
        engine: Engine,
        *,
        seal_key: bytes,
        sessions: SessionStore,
        limiter: RateLimiter,
        audit: AuditLog,
    ) -> None:
        if len(seal_key) != 32:
            raise ValueError("the TOTP sealing key must be 32 bytes")
        self.engine = engine
        self._aead = AESGCM(seal_key)
        self.sessions = sessions
        self.limiter = limiter
        self.audit = audit

    def _seal(self, username: str, secret: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, secret, username.encode())

    def _unseal(self, username: str, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], username.encode())

    def create(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        *,
        actor: str,
        now: datetime | None = None,
    ) -> NewOfficial:
        """Create an account; the caller shows ``totp_uri`` once.

        Raises:
            ValueError: a weak password, a bad user name, or the name is taken.
        """
        if not username.isascii() or not username.replace("-", "").replace("_", "").isalnum():
            raise ValueError("a user name is ASCII letters, digits, '-' and '_'")
        moment = utcnow(now)
        secret = new_secret()
        try:
            with begin_write(self.engine) as conn:
                conn.execute(
                    insert(tables.officials).values(
                        username=username,
                        display_name=display_name,
                        role=role.value,
                        password_hash=hash_password(password),
                        totp_sealed=self._seal(username, secret),
                        totp_last_step=0,
                        disabled=False,
                        created_at=moment,
                    )
                )
        except IntegrityError as exc:
            raise ValueError("that user name is taken") from exc
        self.audit.append(
            actor, "official.create", {"username": username, "role": role.value}, now=moment
        )
        official = Official(username, display_name, role, False)
        return NewOfficial(official, secret, provisioning_uri(secret, account=username))

    def get(self, username: str) -> Official:
        """Raises: KeyError: no such account."""
        t = tables.officials
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.username == username)).first()
        if row is None:
            raise KeyError(username)
        return Official(row.username, row.display_name, Role(row.role), bool(row.disabled))

    def list(self) -> tuple[Official, ...]:
        t = tables.officials
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.username)).all()
        return tuple(
            Official(r.username, r.display_name, Role(r.role), bool(r.disabled)) for r in rows
        )

    def set_disabled(
        self, username: str, disabled: bool, *, actor: str, now: datetime | None = None
    ) -> None:
        t = tables.officials
        with begin_write(self.engine) as conn:
            conn.execute(update(t).where(t.c.username == username).values(disabled=disabled))
        if disabled:
            self.sessions.end_all(username, now=now)
        self.audit.append(
            actor,
            "official.disable" if disabled else "official.enable",
            {"username": username},
            now=now,
        )

    def sign_in(
        self,
        username: str,
        password: str,
        totp: str,
        *,
        source: str,
        previous_token: str = "",
        now: datetime | None = None,
    ) -> SignedIn:
        """Password + TOTP; on success a *new* session token (rotation).

        Raises:
            RateLimited: too many recent failures (never permanent).
            AuthError: ``auth.signin.failed`` for every other failure.
        """
        moment = utcnow(now)
        self.limiter.check(scope=SCOPE, source=source, account=username, now=moment)
        t = tables.officials
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.username == username)).first()
        try:
            verify_password(password, row.password_hash if row is not None else _DUMMY_HASH)
            if row is None or row.disabled:
                raise ValueError("no such active account")
            step = verify_totp(
                self._unseal(username, row.totp_sealed),
                totp,
                now=moment,
                last_step=int(row.totp_last_step),
            )
            with begin_write(self.engine) as conn:
                done = conn.execute(
                    update(t)
                    .where(t.c.username == username, t.c.totp_last_step < step)
                    .values(totp_last_step=step)
                )
            if done.rowcount != 1:
                raise ReusedCode("TOTP step already used")  # a concurrent replay
        except ReusedCode as exc:
            # Only after the right password: tell the truth, it is no secret to its owner.
            self.limiter.failure(scope=SCOPE, source=source, account=username, now=moment)
            reused = {"code_reused": True}
            self.audit.append(username, "official.sign_in_failed", reused, now=moment)
            raise AuthError(
                "auth.signin.code_reused",
                "This one-time code was already used to sign in. Wait for the next code of "
                "your authenticator app (a new one every 30 seconds).",
            ) from exc
        except (ValueError, InvalidTag) as exc:
            self.limiter.failure(scope=SCOPE, source=source, account=username, now=moment)
            self.audit.append(username, "official.sign_in_failed", {}, now=moment)
            raise _failed() from exc
        self.limiter.success(scope=SCOPE, source=source, account=username, now=moment)
        token = self.sessions.create(username, previous=previous_token, now=moment)
        self.audit.append(username, "official.sign_in", {}, now=moment)
        official = Official(row.username, row.display_name, Role(row.role), False)
        return SignedIn(official, token, self.sessions.csrf_for(token))

    def current(
        self, token: str, *, now: datetime | None = None
    ) -> tuple[Official, OfficialSession]:
        """The official behind a session token.

        Raises:
            SessionRejected: no live session; PermissionDenied: the account is disabled.
        """
        session = self.sessions.resolve(token, now=now)
        try:
            official = self.get(session.username)
        except KeyError as exc:
            raise PermissionDenied("auth.forbidden.disabled", "This account is disabled.") from exc
        if official.disabled:
            raise PermissionDenied("auth.forbidden.disabled", "This account is disabled.")
        return official, session

    def sign_out(self, token: str, *, now: datetime | None = None) -> None:
        session = self.sessions.resolve(token, now=now)
        self.sessions.end(token, now=now)
        self.audit.append(session.username, "official.sign_out", {}, now=now)
