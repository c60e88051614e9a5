"""The seals table (storage.md §ST-8.2): recorded seal and unseal statements.

A branch of its own from ``0001``, like ``auth_0001``: the service upgrades to
every head. Forward-only in production; the downgrade exists for tests.

Revision ID: h7_0001
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "h7_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seals",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "seq", name="pk_seals"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_seals_election_id_elections"
        ),
        sa.UniqueConstraint("digest", name="uq_seals_digest"),
        sa.CheckConstraint("kind IN ('seal', 'unseal')", name="ck_seals_kind"),
        sa.CheckConstraint("seq >= 1", name="ck_seals_seq"),
    )


def downgrade() -> None:
    op.drop_table("seals")
