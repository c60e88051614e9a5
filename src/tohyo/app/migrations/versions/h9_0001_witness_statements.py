"""Witness statements: the ``witness_statements`` table; ``statement`` log leaves.

Table of ``tohyo.app.witnessing.tables`` (record.md §REC-10), and the log's
leaf-kind check widened to ``statement``. It revises ``h4_0001``, which last
rewrote that check (adding ``paper_count``): the new check is the full union
of every kind at that revision plus ``statement``. Forward-only in production;
the downgrade exists for tests.

Revision ID: h9_0001
Revises: h4_0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tohyo.app.store.models import UtcDateTime

revision = "h9_0001"
down_revision = "h4_0001"
branch_labels = None
depends_on = None

_EVENTS = "event IN ('opening', 'close', 'sealed', 'unsealed', 'decryption')"
_OLD_LEAVES = "kind IN ('ballot', 'paper_override', 'withdrawal', 'close', 'paper_count')"
_NEW_LEAVES = ("kind IN ('ballot', 'paper_override', 'withdrawal', 'close', 'paper_count', "
               "'statement')")


def _leaf_kinds(check: str) -> None:
    with op.batch_alter_table("log_leaves", recreate="auto") as batch:
        batch.drop_constraint("ck_log_leaves_kind", type_="check")
        batch.create_check_constraint("ck_log_leaves_kind", sa.text(check))


def upgrade() -> None:
    op.create_table(
        "witness_statements",
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("witness_key", sa.String(512), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("head_size", sa.BigInteger(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("accepted_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("election_id", "witness_key", "event",
                                name="pk_witness_statements"),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name="fk_witness_statements_election_id_elections"
        ),
        sa.UniqueConstraint("election_id", "leaf_index",
                            name="uq_witness_statements_election_id_leaf_index"),
        sa.CheckConstraint(_EVENTS, name="ck_witness_statements_event"),
        sa.CheckConstraint("head_size >= 0 AND head_size <= leaf_index",
                           name="ck_witness_statements_head_before_leaf"),
    )
    _leaf_kinds(_NEW_LEAVES)


def downgrade() -> None:
    _leaf_kinds(_OLD_LEAVES)
    op.drop_table("witness_statements")
