"""Forums: the meeting itself, who is coming and how, reminders queued, remote questions, the summary.

The database keeps the bookkeeping honest: one RSVP per resident per forum and one reminder per
(forum, resident, reminder) – so a reminder is queued once however many processes try.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Forum(Base):
    __tablename__ = "forums"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        Index("ix_forums_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    title: Mapped[dict]  # {locale: text}, at least one language
    description: Mapped[dict]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    remote_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]  # seats in the room; None: no limit
    reminders: Mapped[list[int]] = mapped_column(JSON)  # minutes before the start, e.g. [1440, 60]
    audience: Mapped[dict]  # {"kind": ForumAudience, "area_ids": [...]}
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    announced_at: Mapped[datetime | None]


class Rsvp(Base):
    """A resident's answer to a forum's invitation, with who they were then (attendance figures)."""

    __tablename__ = "forum_rsvps"
    __table_args__ = (
        CheckConstraint("attendance IN ('in_person', 'remote', 'waiting', 'not_coming')", name="known_attendance"),
        Index("ix_forum_rsvps_attendance", "forum_id", "attendance", "responded_at"),
    )

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    attendance: Mapped[str] = mapped_column(String(16))
    resident_type: Mapped[str | None] = mapped_column(String(16))
    area_id: Mapped[int | None]
    responded_at: Mapped[datetime]


class ForumReminder(Base):
    """A reminder queued in the outbox: the primary key lets each go to each resident once."""

    __tablename__ = "forum_reminders"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    minutes_before: Mapped[int] = mapped_column(primary_key=True)
    queued_at: Mapped[datetime]


class ForumQuestion(Base):
    """A remote attendee's question or comment; seen only by moderators until approved."""

    __tablename__ = "forum_questions"
    __table_args__ = (Index("ix_forum_questions_queue", "forum_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[datetime | None]


class ForumSummary(Base):
    """What the forum came to, published afterwards: text per language, files, attendance figures."""

    __tablename__ = "forum_summaries"

    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True)
    texts: Mapped[dict]  # {locale: text}
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"kind": "photo"|"document", "file_id": ...}]
    attendance: Mapped[dict]  # the figures taken when published
    published_by: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(index=True)
