"""Authentication tables: challenges, OIDC transactions, envelopes, roll links, rate
counters, officials, their sessions, approvals and audit (docs/spec/authentication.md).

The tables belong to ``tohyo.app.auth.tables`` (a metadata of its own, docs/adr/0019);
this migration freezes their first shape. Forward-only in production; the downgrade
exists for tests.

Revision ID: auth_0001
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "auth_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "auth_challenges",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(32), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name="pk_auth_challenges"),
    )
    op.create_table(
        "auth_oidc_transactions",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name="pk_auth_oidc_transactions"),
    )
    op.create_table(
        "auth_envelopes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("ballot_hash", sa.String(64), nullable=False),
        sa.Column("voter_key", sa.String(128), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        _ts("signed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_auth_envelopes"),
        sa.UniqueConstraint(
            "election_id", "ballot_hash", name="uq_auth_envelopes_election_id_ballot_hash"
        ),
    )
    op.create_table(
        "auth_roll_links",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("voter_key", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "person_key", name="pk_auth_roll_links"),
    )
    op.create_table(
        "auth_rate_counters",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _ts("window_start"),
        _ts("last_failure_at"),
        sa.PrimaryKeyConstraint("key", name="pk_auth_rate_counters"),
    )
    op.create_table(
        "auth_officials",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("totp_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("username", name="pk_auth_officials"),
    )
    op.create_table(
        "auth_official_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("last_seen_at"),
        _ts("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_official_sessions"),
    )
    op.create_index("ix_auth_official_sessions_username", "auth_official_sessions", ["username"])
    op.create_table(
        "auth_approvals",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        _ts("requested_at"),
        _ts("expires_at"),
        sa.Column("approved_by", sa.String(64), nullable=True),
        _ts("approved_at", nullable=True),
        _ts("executed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_approvals"),
    )
    op.create_table(
        "auth_audit",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_auth_audit"),
    )


def downgrade() -> None:
    for name in (
        "auth_audit",
        "auth_approvals",
        "auth_official_sessions",
        "auth_officials",
        "auth_rate_counters",
        "auth_roll_links",
        "auth_envelopes",
        "auth_oidc_transactions",
        "auth_challenges",
    ):
        if name == "auth_official_sessions":
            op.drop_index("ix_auth_official_sessions_username", table_name=name)
        op.drop_table(name)
