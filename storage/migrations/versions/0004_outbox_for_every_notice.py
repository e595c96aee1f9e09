"""outbox for every notice: buttons, priority and subject on broadcasts; chats that are no resident;
edits of messages sent before; the name of the staff member who decided

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch_op:
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.SmallInteger(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("subject", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_broadcasts_subject"), ["subject"], unique=False)
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.alter_column("resident_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_broadcast_id_chat_id"), ["broadcast_id", "chat_id"])
        batch_op.create_check_constraint(
            "one_recipient", "(resident_id IS NULL) <> (chat_id IS NULL)")
    with op.batch_alter_table("moderation_actions") as batch_op:
        batch_op.add_column(sa.Column("actor_name", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_actions") as batch_op:
        batch_op.drop_column("actor_name")
    op.execute("DELETE FROM deliveries WHERE resident_id IS NULL")
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_constraint("ck_deliveries_one_recipient", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_deliveries_broadcast_id_chat_id"), type_="unique")
        batch_op.drop_column("edit_message_id")
        batch_op.drop_column("locale")
        batch_op.drop_column("chat_id")
        batch_op.alter_column("resident_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("broadcasts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcasts_subject"))
        batch_op.drop_column("subject")
        batch_op.drop_column("priority")
        batch_op.drop_column("buttons")
