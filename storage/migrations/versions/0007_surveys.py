"""feedback surveys; a proposal may have no author

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:26:36.699620
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('intro', sa.JSON(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('invite_delay', sa.Integer(), nullable=True),
    sa.Column('audience', sa.JSON(), nullable=True),
    sa.Column('opens_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('invited_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_surveys_closes_after_opening')),
    sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_surveys_forum_id_forums'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index('ix_surveys_open', ['closes_at', 'opens_at'], unique=False)

    op.create_table('survey_participants',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('furthest', sa.SmallInteger(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('started_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_survey_participants_resident_id_residents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_participants_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'key', name=op.f('pk_survey_participants'))
    )
    with op.batch_alter_table('survey_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_participants_resident_id'), ['resident_id'], unique=False)

    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('max_choices', sa.SmallInteger(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_questions_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    sa.UniqueConstraint('survey_id', 'id', name=op.f('uq_survey_questions_survey_id_id')),
    sa.UniqueConstraint('survey_id', 'position', name=op.f('uq_survey_questions_survey_id_position'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('resident_type', sa.String(length=16), nullable=True),
    sa.Column('finished_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_survey_responses_resident_id_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('survey_id', 'resident_id', name=op.f('uq_survey_responses_survey_id_resident_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_survey_answers'))
    )
    _author_optional(nullable=True)



def downgrade() -> None:
    # Themes suggested in anonymous surveys have no author, which the older schema cannot hold.
    op.execute("DELETE FROM proposals WHERE author_id IS NULL")
    _author_optional(nullable=False)

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))

    op.drop_table('survey_responses')
    op.drop_table('survey_questions')
    with op.batch_alter_table('survey_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_participants_resident_id'))

    op.drop_table('survey_participants')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_open')
        batch_op.drop_index(batch_op.f('ix_surveys_forum_id'))

    op.drop_table('surveys')


def _author_optional(nullable: bool) -> None:
    """proposals.author_id NULL or NOT NULL. SQLite rebuilds the table for that, and with foreign
    keys on, dropping the old table would cascade-delete every support, follower and timeline
    entry: they are switched off (outside the transaction, where SQLite honours it) meanwhile."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('author_id', existing_type=sa.INTEGER(), nullable=nullable)
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")
