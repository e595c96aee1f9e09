"""Feedback surveys: the questions, who has answered (one response each), and the answers.

One response per person per survey is kept by the primary key of `survey_participants`: a keyed
hash of (survey, resident), so even an anonymous survey refuses a second response. An anonymous
survey's response carries no resident, no time and a random id; while a resident is still
answering, their progress is kept with their participant row and is cleared once they finish.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        Index("ix_surveys_open", "closes_at", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict]  # {locale: text}
    intro: Mapped[dict]  # {locale: text}, may be empty
    anonymous: Mapped[bool]
    # Linked to a forum: its attendees (in person and remote) are invited `invite_delay` minutes
    # after it ends. Otherwise open to `audience` (an Audience as JSON), invited when it opens.
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"), index=True)
    invite_delay: Mapped[int | None]
    audience: Mapped[dict | None]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    invited_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the one reminder to those who started and did not finish
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", lazy="selectin", cascade="all, delete-orphan")


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position"), UniqueConstraint("survey_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, …
    kind: Mapped[str] = mapped_column(String(16))
    texts: Mapped[dict]  # {locale: text}
    options: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{locale: label}] for choices
    max_choices: Mapped[int | None] = mapped_column(SmallInteger)
    required: Mapped[bool]


class SurveyParticipant(Base):
    """A resident taking a survey: the keyed hash that keeps them to one response, and their progress.

    While answering: the resident, the question they are at, their answers so far. Once they
    finish an anonymous survey, only (survey, key, finished, furthest) remain.
    """

    __tablename__ = "survey_participants"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 of (survey, resident)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=1)  # the question being answered
    furthest: Mapped[int] = mapped_column(SmallInteger, default=1)  # the furthest question reached
    draft: Mapped[dict | None]  # {question id: answer} until finished
    started_at: Mapped[datetime | None]
    finished: Mapped[bool] = mapped_column(default=False)


class SurveyResponse(Base):
    """A finished response. Anonymous: a random id, the resident group only (for breakdowns)."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "resident_id"),)  # named surveys: one each, again

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random (uuid4 hex): no order to join on
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    resident_type: Mapped[str | None] = mapped_column(String(16))
    finished_at: Mapped[datetime | None]  # named surveys only


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"),
                                             primary_key=True)
    number: Mapped[int | None]  # rating, scale, yes (1) / no (0), a single choice's option index
    choices: Mapped[list[int] | None] = mapped_column(JSON)  # a multiple choice's option indexes
    text: Mapped[str | None] = mapped_column(Text)
