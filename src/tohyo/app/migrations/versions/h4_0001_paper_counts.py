"""Paper counts: pending and accepted entries; ``paper_count`` log leaves.

Tables of ``tohyo.app.results.tables`` (docs/spec/results.md §RES-2.3), and
the log's leaf-kind check widened to ``paper_count`` (§RES-2.4). A branch of
its own from ``0001``: the service upgrades to every head. Forward-only in
production; the downgrade exists for tests.

Revision ID: h4_0001
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "h4_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

_KINDS = "kind IN ('early', 'election_day', 'mobile', 'absentee')"
_OLD_LEAVES = "kind IN ('ballot', 'paper_override', 'withdrawal', 'close')"
_NEW_LEAVES = "kind IN ('ballot', 'paper_override', 'withdrawal', 'close', 'paper_count')"


def _leaf_kinds(check: str) -> None:
    with op.batch_alter_table("log_leaves", recreate="auto") as batch:
        batch.drop_constraint("ck_log_leaves_kind", type_="check")
        batch.create_check_constraint("ck_log_leaves_kind", sa.text(check))


def upgrade() -> None:
    op.create_table(
        "paper_entries",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("official", sa.String(64), nullable=False),
        sa.Column("count_json", sa.Text(), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "place", "kind", name="pk_paper_entries"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_paper_entries_election_id_elections"
        ),
        sa.CheckConstraint(_KINDS, name="ck_paper_entries_kind"),
    )
    op.create_table(
        "paper_counts",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("first_official", sa.String(64), nullable=False),
        sa.Column("second_official", sa.String(64), nullable=False),
        sa.Column("count_json", sa.Text(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("accepted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "place", "kind", name="pk_paper_counts"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_paper_counts_election_id_elections"
        ),
        sa.UniqueConstraint("election_id", "leaf_index",
                            name="uq_paper_counts_election_id_leaf_index"),
        sa.CheckConstraint(_KINDS, name="ck_paper_counts_kind"),
        sa.CheckConstraint("first_official < second_official",
                           name="ck_paper_counts_two_officials"),
    )
    _leaf_kinds(_NEW_LEAVES)


def downgrade() -> None:
    _leaf_kinds(_OLD_LEAVES)
    op.drop_table("paper_counts")
    op.drop_table("paper_entries")
