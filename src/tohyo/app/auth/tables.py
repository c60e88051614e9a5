"""Tables of the authentication layer (docs/spec/authentication.md §AUTH-STORE).

SQLAlchemy Core tables on the service's metadata (``store.models.Base``),
created in the service's database by the Alembic migration ``auth_0001``
(``migrations/versions/auth_0001_auth_tables.py``), and by :func:`create_all`
in this package's unit tests only (docs/adr/0019). Nothing secret is stored in
clear: challenges and tokens by hash, passwords by scrypt, TOTP secrets sealed
with AES-GCM under a key file (§AUTH-OFF-2). Card signatures over ballot
hashes (the outer envelopes) live here, apart from the public board.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tohyo.app.store.models import Base

__all__ = [
    "approvals",
    "audit",
    "challenges",
    "create_all",
    "envelopes",
    "metadata",
    "oidc_transactions",
    "official_sessions",
    "officials",
    "rate_counters",
    "roll_links",
]

#: The service's one metadata (docs/adr/0019): one schema, one naming convention,
#: one set of migrations, and the service's test fixtures empty these tables too.
metadata: MetaData = Base.metadata


def _ts(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


challenges = Table(
    "auth_challenges",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the challenge id
    Column("election_id", String(64), nullable=False),
    Column("nonce", LargeBinary(32), nullable=False),
    Column("purpose", String(16), nullable=False),  # "sign-in" | "envelope"
    _ts("created_at"),
    _ts("expires_at"),
    _ts("used_at", nullable=True),
)

oidc_transactions = Table(
    "auth_oidc_transactions",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("election_id", String(64), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    _ts("created_at"),
    _ts("expires_at"),
    _ts("used_at", nullable=True),
)

envelopes = Table(
    "auth_envelopes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("election_id", String(64), nullable=False),
    Column("ballot_hash", String(64), nullable=False),  # the tracker on the public board
    Column("voter_key", String(128), nullable=False),  # per-election person key (§AUTH-ROLL)
    Column("certificate", LargeBinary, nullable=False),  # DER, as the card presented it
    Column("signature", LargeBinary, nullable=False),
    _ts("signed_at"),
    UniqueConstraint("election_id", "ballot_hash"),
)

roll_links = Table(
    "auth_roll_links",
    metadata,
    # A closed roll's entry, findable by the card holder's per-election person key
    # (keyed hash of name and birth date, §AUTH-ROLL-3); never the name itself.
    Column("election_id", String(64), primary_key=True),
    Column("person_key", String(64), primary_key=True),
    Column("voter_key", String(128), nullable=False),
)

rate_counters = Table(
    "auth_rate_counters",
    metadata,
    Column("key", String(64), primary_key=True),  # SHA-256 of the scope and subject
    Column("failures", Integer, nullable=False),
    _ts("window_start"),
    _ts("last_failure_at"),
)

officials = Table(
    "auth_officials",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("totp_sealed", LargeBinary, nullable=False),
    Column("totp_last_step", Integer, nullable=False),
    Column("disabled", Boolean, nullable=False),
    _ts("created_at"),
)

official_sessions = Table(
    "auth_official_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    _ts("created_at"),
    _ts("last_seen_at"),
    _ts("ended_at", nullable=True),
)

approvals = Table(
    "auth_approvals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("action", String(16), nullable=False),  # open | close | tally
    Column("election_id", String(64), nullable=False),
    Column("requested_by", String(64), nullable=False),
    _ts("requested_at"),
    _ts("expires_at"),
    Column("approved_by", String(64), nullable=True),
    _ts("approved_at", nullable=True),
    _ts("executed_at", nullable=True),
)

audit = Table(
    "auth_audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    _ts("at"),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON, never a secret
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)


def create_all(engine: Engine) -> None:
    """Create the auth tables only (unit tests of this package; the service migrates)."""
    metadata.create_all(
        engine,
        tables=[
            challenges,
            oidc_transactions,
            envelopes,
            roll_links,
            rate_counters,
            officials,
            official_sessions,
            approvals,
            audit,
        ],
    )
