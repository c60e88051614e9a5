"""Initial schema: elections, log, roll, sessions, ballots, overrides (§ST-3).

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("manifest_json", sa.Text(), nullable=False),
        sa.Column("manifest_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=True),
        sa.Column("key_transcript", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_elections"),
        sa.CheckConstraint(
            "state IN ('draft', 'key_ceremony', 'open', 'closed', 'tallied', 'published', "
            "'disposed')",
            name="ck_elections_state",
        ),
    )
    op.create_table(
        "log_states",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", name="pk_log_states"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_log_states_election_id_elections"
        ),
        sa.CheckConstraint("size >= 0", name="ck_log_states_size"),
    )
    op.create_table(
        "log_leaves",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "leaf_index", name="pk_log_leaves"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_log_leaves_election_id_elections"
        ),
        sa.CheckConstraint(
            "kind IN ('ballot', 'paper_override', 'withdrawal', 'close')",
            name="ck_log_leaves_kind",
        ),
    )
    op.create_table(
        "checkpoints",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "size", name="pk_checkpoints"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_checkpoints_election_id_elections"
        ),
    )
    op.create_table(
        "cosignatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("witness", sa.String(255), nullable=False),
        sa.Column("key_id", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cosignatures"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_cosignatures_election_id_elections"
        ),
        sa.UniqueConstraint(
            "election_id",
            "size",
            "witness",
            "key_id",
            name="uq_cosignatures_election_id_size_witness_key_id",
        ),
    )
    op.create_table(
        "voters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("voter_key", sa.String(128), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(255), nullable=True),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_voters"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_voters_election_id_elections"
        ),
        sa.UniqueConstraint("election_id", "voter_key", name="uq_voters_election_id_voter_key"),
    )
    op.create_table(
        "voting_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name="pk_voting_codes"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_voting_codes_election_id_elections"
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name="fk_voting_codes_voter_id_voters"
        ),
    )
    op.create_index("ix_voting_codes_voter_id", "voting_codes", ["voter_id"])
    op.create_table(
        "voter_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(32), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("last_cast_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_voter_sessions"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_voter_sessions_election_id_elections"
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voters.id"], name="fk_voter_sessions_voter_id_voters"
        ),
    )
    op.create_index("ix_voter_sessions_election_id", "voter_sessions", ["election_id"])
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("credential", sa.String(32), nullable=False),
        sa.Column("ballot_hash", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cast_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ballots"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_ballots_election_id_elections"
        ),
        sa.CheckConstraint(
            "state IN ('effective', 'superseded', 'excluded')", name="ck_ballots_state"
        ),
        sa.UniqueConstraint(
            "election_id", "ballot_hash", name="uq_ballots_election_id_ballot_hash"
        ),
        sa.UniqueConstraint(
            "election_id", "content_hash", name="uq_ballots_election_id_content_hash"
        ),
        sa.UniqueConstraint("election_id", "leaf_index", name="uq_ballots_election_id_leaf_index"),
        sa.UniqueConstraint(
            "election_id",
            "credential",
            "sequence",
            name="uq_ballots_election_id_credential_sequence",
        ),
        sa.UniqueConstraint(
            "election_id",
            "credential",
            "idempotency_key",
            name="uq_ballots_election_id_credential_idempotency_key",
        ),
    )
    # Exactly one effective ballot per voter and election (THREATS #31).
    op.create_index(
        "uq_ballots_one_effective",
        "ballots",
        ["election_id", "credential"],
        unique=True,
        sqlite_where=sa.text("state = 'effective'"),
        postgresql_where=sa.text("state = 'effective'"),
    )
    op.create_table(
        "paper_overrides",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("credential", sa.String(32), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "credential", name="pk_paper_overrides"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_paper_overrides_election_id_elections"
        ),
    )
    op.create_table(
        "withdrawals",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("candidate_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "candidate_id", name="pk_withdrawals"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_withdrawals_election_id_elections"
        ),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("election_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_audit_events_election_id_elections"
        ),
    )
    op.create_index("ix_audit_events_election_id", "audit_events", ["election_id"])


def downgrade() -> None:
    # Forward-only in production (STYLE §13); this exists for schema tests.
    for table in (
        "audit_events",
        "withdrawals",
        "paper_overrides",
        "ballots",
        "voter_sessions",
        "voting_codes",
        "voters",
        "cosignatures",
        "checkpoints",
        "log_leaves",
        "log_states",
        "elections",
    ):
        op.drop_table(table)
