"""proposals, supports, themes and moderation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:21:50.536422
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_key', sa.String(length=32), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('photo_file_id', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('milestone_reached', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_proposals_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['residents.id'], name=op.f('fk_proposals_author_id_residents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], name=op.f('fk_proposals_merged_into_id_proposals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('draft_key', name=op.f('uq_proposals_draft_key'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_proposals_status_hidden', ['status', 'hidden'], unique=False)

    op.create_table('moderation_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('actor_telegram_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_moderation_actions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_actions'))
    )
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_actions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_reports',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_reports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_proposal_reports_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'resident_id', name=op.f('pk_proposal_reports'))
    )
    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_reports_resident_id'), ['resident_id'], unique=False)

    op.create_table('proposal_supports',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_supports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_proposal_supports_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'resident_id', name=op.f('pk_proposal_supports'))
    )
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_supports_resident_id'), ['resident_id'], unique=False)

    op.create_table('theme_followers',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_theme_followers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_theme_followers_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'resident_id', name=op.f('pk_theme_followers'))
    )
    with op.batch_alter_table('theme_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_followers_resident_id'), ['resident_id'], unique=False)

    op.create_table('theme_timeline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note_fi', sa.Text(), nullable=True),
    sa.Column('note_sv', sa.Text(), nullable=True),
    sa.Column('note_en', sa.Text(), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_theme_timeline_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_timeline'))
    )
    with op.batch_alter_table('theme_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_timeline_proposal_id'), ['proposal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('theme_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_timeline_proposal_id'))

    op.drop_table('theme_timeline')
    with op.batch_alter_table('theme_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_followers_resident_id'))

    op.drop_table('theme_followers')
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_supports_resident_id'))

    op.drop_table('proposal_supports')
    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_reports_resident_id'))

    op.drop_table('proposal_reports')
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_actions_proposal_id'))

    op.drop_table('moderation_actions')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_status_hidden')
        batch_op.drop_index(batch_op.f('ix_proposals_created_at'))
        batch_op.drop_index(batch_op.f('ix_proposals_author_id'))

    op.drop_table('proposals')
