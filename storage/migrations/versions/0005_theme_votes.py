"""theme votes: ballots, their options, and votes the database keeps to one ballot each

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:12:34
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('max_choices', sa.SmallInteger(), nullable=False),
    sa.Column('area_ids', sa.JSON(), nullable=False),
    sa.Column('resident_types', sa.JSON(), nullable=False),
    sa.Column('opens_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('announced_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('decided_option_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_ballots_closes_after_opening')),
    sa.CheckConstraint('max_choices >= 1', name=op.f('ck_ballots_max_choices_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('id', 'max_choices', name=op.f('uq_ballots_id_max_choices'))
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index('ix_ballots_open', ['closed_at', 'closes_at'], unique=False)

    op.create_table('ballot_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_options_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['proposals.id'], name=op.f('fk_ballot_options_theme_id_proposals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_options')),
    sa.UniqueConstraint('ballot_id', 'id', name=op.f('uq_ballot_options_ballot_id_id')),
    sa.UniqueConstraint('ballot_id', 'position', name=op.f('uq_ballot_options_ballot_id_position'))
    )
    op.create_table('votes',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('max_choices', sa.SmallInteger(), nullable=False),
    sa.Column('resident_type', sa.String(length=16), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('cast_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('slot >= 1 AND slot <= max_choices', name=op.f('ck_votes_within_max_choices')),
    sa.ForeignKeyConstraint(['ballot_id', 'max_choices'], ['ballots.id', 'ballots.max_choices'], name=op.f('fk_votes_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ballot_id', 'option_id'], ['ballot_options.ballot_id', 'ballot_options.id'], name=op.f('fk_votes_ballot_id_ballot_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_votes_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'resident_id', 'slot', name=op.f('pk_votes')),
    sa.UniqueConstraint('ballot_id', 'resident_id', 'option_id', name=op.f('uq_votes_ballot_id_resident_id_option_id'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_tally', ['ballot_id', 'option_id', 'resident_type', 'area_id', 'slot'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_tally')

    op.drop_table('votes')
    op.drop_table('ballot_options')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index('ix_ballots_open')

    op.drop_table('ballots')
