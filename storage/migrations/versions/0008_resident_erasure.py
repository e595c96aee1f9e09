"""a resident's data can be erased: the row stays as a tombstone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('residents', sa.Column('erased_at', storage.models.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding `residents`
    # with foreign keys on would cascade-delete every row that refers to a resident.
    op.drop_column('residents', 'erased_at')
