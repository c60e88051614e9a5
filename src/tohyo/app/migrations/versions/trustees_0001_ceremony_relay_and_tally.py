"""The trustees' tables: key-ceremony relay (seats, public messages) and the tally.

The tables belong to ``tohyo.app.store.trustees`` (on the service's metadata,
docs/adr/0019); no secret is stored (enrolment tokens by SHA-256 only, dealt
shares only inside the recipients' envelopes). A branch of its own from
``0001``, like ``auth_0001``: the service upgrades to every head.
Forward-only in production; the downgrade exists for tests.

Revision ID: trustees_0001
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "trustees_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ceremony_seats",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "attempt", "trustee", name="pk_ceremony_seats"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_ceremony_seats_election_id_elections"
        ),
        sa.UniqueConstraint("token_hash", name="uq_ceremony_seats_token_hash"),
        sa.CheckConstraint("attempt >= 1", name="ck_ceremony_seats_attempt"),
        sa.CheckConstraint("trustee >= 1", name="ck_ceremony_seats_trustee"),
    )
    op.create_table(
        "ceremony_messages",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "election_id", "attempt", "kind", "trustee", name="pk_ceremony_messages"
        ),
        sa.ForeignKeyConstraint(
            ["election_id", "attempt", "trustee"],
            ["ceremony_seats.election_id", "ceremony_seats.attempt", "ceremony_seats.trustee"],
            name="fk_ceremony_messages_election_id_ceremony_seats",
        ),
        sa.CheckConstraint(
            "kind IN ('transport', 'dealing', 'complaints', 'answers', 'confirmation')",
            name="ck_ceremony_messages_kind",
        ),
    )
    op.create_table(
        "election_tallies",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("final_size", sa.BigInteger(), nullable=False),
        sa.Column("final_root", sa.String(64), nullable=False),
        sa.Column("tally_json", sa.Text(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", name="pk_election_tallies"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_election_tallies_election_id_elections"
        ),
        sa.CheckConstraint("final_size >= 1", name="ck_election_tallies_final_size"),
    )


def downgrade() -> None:
    op.drop_table("election_tallies")
    op.drop_table("ceremony_messages")
    op.drop_table("ceremony_seats")
