"""Proposals (themes on their path), supports, reports, followers, timeline and moderation log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow
from storage.models.core import Area, Resident


class Proposal(Base):
    """A resident's initiative; once approved it is a theme moving along its path."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_status_hidden", "status", "hidden"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    # None: suggested in an anonymous survey, credited to no one.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    hidden: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    milestone_reached: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Resident | None] = relationship(lazy="joined")
    area: Mapped[Area | None] = relationship(lazy="joined")


class ResidentMark:
    """One resident's mark on one proposal; the composite primary key makes it one each."""

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Support(ResidentMark, Base):
    """A resident backing a proposal."""

    __tablename__ = "proposal_supports"


class Report(ResidentMark, Base):
    """A resident flagging an approved proposal as inappropriate."""

    __tablename__ = "proposal_reports"


class Follower(ResidentMark, Base):
    """A resident who hears about every change of a theme."""

    __tablename__ = "theme_followers"


class TimelineEntry(Base):
    """One dated, public step of a theme's path with the staff's note per language."""

    __tablename__ = "theme_timeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    note_fi: Mapped[str | None] = mapped_column(Text)
    note_sv: Mapped[str | None] = mapped_column(Text)
    note_en: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def notes(self) -> dict[str, str | None]:
        return {"fi": self.note_fi, "sv": self.note_sv, "en": self.note_en}


class ModerationAction(Base):
    """Who did what to a proposal, when and why (staff Telegram id; None for automatic)."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
