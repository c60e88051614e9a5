"""Tables for purging and disposing of personal data (docs/adr/0056).

``voter_session_marks`` keeps (election, credential, method) of voting sessions
the periodic purge deleted; ``disposal_files`` registers directories outside
the database that disposal must delete (the printed letters). Both belong to
``tohyo.app.store.retention``. A branch of its own from ``0001``, like
``auth_0001``: the service upgrades to every head. Forward-only in production;
the downgrade exists for tests.

Revision ID: h2_0001
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "h2_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter_session_marks",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("credential", sa.String(32), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint(
            "election_id", "credential", "method", name="pk_voter_session_marks"
        ),
    )
    op.create_table(
        "disposal_files",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "kind", "path", name="pk_disposal_files"),
    )


def downgrade() -> None:
    op.drop_table("disposal_files")
    op.drop_table("voter_session_marks")
