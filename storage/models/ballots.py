"""Theme votes: ballots, their options and the votes cast.

The database keeps the ballot honest: a vote's option must belong to its ballot, a resident has
at most `max_choices` votes in a ballot (one for single choice) and never two on one option.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, SmallInteger, String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("id", "max_choices"),  # lets each vote carry its ballot's max_choices
        CheckConstraint("max_choices >= 1", name="max_choices_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        Index("ix_ballots_open", "closed_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[dict]  # {locale: text}, at least one language
    method: Mapped[str] = mapped_column(String(16))
    max_choices: Mapped[int] = mapped_column(SmallInteger)
    # Who may vote: residents in any of these areas and of any of these resident types; an
    # empty list does not restrict.
    area_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    resident_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    visibility: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[dict | None]  # the counts and breakdowns taken when it closed
    decided_option_id: Mapped[int | None]  # the winner, or the option staff chose on a tie

    options: Mapped[list[BallotOption]] = relationship(
        order_by="BallotOption.position", lazy="selectin", cascade="all, delete-orphan")


class BallotOption(Base):
    __tablename__ = "ballot_options"
    __table_args__ = (UniqueConstraint("ballot_id", "id"), UniqueConstraint("ballot_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    labels: Mapped[dict]  # {locale: text}; a theme's title when the option is a theme


class Vote(Base):
    """One choice of one resident; with who they were then, for the breakdowns."""

    __tablename__ = "votes"
    __table_args__ = (
        ForeignKeyConstraint(["ballot_id", "max_choices"], ["ballots.id", "ballots.max_choices"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["ballot_id", "option_id"], ["ballot_options.ballot_id", "ballot_options.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("ballot_id", "resident_id", "option_id"),
        CheckConstraint("slot >= 1 AND slot <= max_choices", name="within_max_choices"),
        Index("ix_votes_tally", "ballot_id", "option_id", "resident_type", "area_id", "slot"),  # covers the count
    )

    ballot_id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # 1..max_choices
    option_id: Mapped[int]
    max_choices: Mapped[int] = mapped_column(SmallInteger)
    resident_type: Mapped[str | None] = mapped_column(String(16))
    area_id: Mapped[int | None]
    cast_at: Mapped[datetime]
