"""forums: RSVPs, reminders, remote questions, summaries; weekly digest

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:23:19.181638
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forums',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('starts_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('remote_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('reminders', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('announced_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_forums_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_forums_ends_after_start')),
    sa.ForeignKeyConstraint(['theme_id'], ['proposals.id'], name=op.f('fk_forums_theme_id_proposals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forums'))
    )
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.create_index('ix_forums_starts_at', ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_forums_theme_id'), ['theme_id'], unique=False)

    op.create_table('forum_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('taken_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_questions_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_forum_questions_resident_id_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_questions'))
    )
    with op.batch_alter_table('forum_questions', schema=None) as batch_op:
        batch_op.create_index('ix_forum_questions_queue', ['forum_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_questions_resident_id'), ['resident_id'], unique=False)

    op.create_table('forum_reminders',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('queued_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_reminders_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_forum_reminders_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', 'resident_id', 'minutes_before', name=op.f('pk_forum_reminders'))
    )
    op.create_table('forum_rsvps',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.String(length=16), nullable=False),
    sa.Column('resident_type', sa.String(length=16), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("attendance IN ('in_person', 'remote', 'waiting', 'not_coming')", name=op.f('ck_forum_rsvps_known_attendance')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_rsvps_forum_id_forums'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_forum_rsvps_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', 'resident_id', name=op.f('pk_forum_rsvps'))
    )
    with op.batch_alter_table('forum_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_forum_rsvps_attendance', ['forum_id', 'attendance', 'responded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_rsvps_resident_id'), ['resident_id'], unique=False)

    op.create_table('forum_summaries',
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('attendance', sa.JSON(), nullable=False),
    sa.Column('published_by', sa.BigInteger(), nullable=False),
    sa.Column('published_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_forum_summaries_forum_id_forums'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forum_id', name=op.f('pk_forum_summaries'))
    )
    with op.batch_alter_table('forum_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_summaries_published_at'), ['published_at'], unique=False)

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', storage.models.base.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_weekday', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('digest_hour', sa.SmallInteger(), server_default='18', nullable=False))
        batch_op.add_column(sa.Column('digest_sent_at', storage.models.base.UtcDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('digest_hour')
        batch_op.drop_column('digest_weekday')

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('forum_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_summaries_published_at'))

    op.drop_table('forum_summaries')
    with op.batch_alter_table('forum_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_rsvps_resident_id'))
        batch_op.drop_index('ix_forum_rsvps_attendance')

    op.drop_table('forum_rsvps')
    op.drop_table('forum_reminders')
    with op.batch_alter_table('forum_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_questions_resident_id'))
        batch_op.drop_index('ix_forum_questions_queue')

    op.drop_table('forum_questions')
    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forums_theme_id'))
        batch_op.drop_index('ix_forums_starts_at')

    op.drop_table('forums')
