"""Broadcasts and the outbox: one row per recipient per message; the sender's lease."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Broadcast(Base):
    """One message to its recipients: texts (and buttons) per language, and its running totals.

    `kind` says what it is (a staff broadcast, a notice, a moderator's card); `subject` what it
    is about ("proposal:12"), so that every copy of a card can be found and edited later.

    The totals change in the same transaction as the outbox rows they count, so they are exact.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    texts: Mapped[dict] = mapped_column()
    buttons: Mapped[dict | None] = mapped_column()
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[dict | None] = mapped_column()
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    send_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]  # rows not sent by then are dropped (a reminder after the start)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    total: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    blocked: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def remaining(self) -> int:
        return self.total - self.sent - self.failed - self.blocked - self.cancelled


class Delivery(Base):
    """The outbox: one message to one resident (or one chat that is no resident) and its fate."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "resident_id"),
        UniqueConstraint("broadcast_id", "chat_id"),
        CheckConstraint("(resident_id IS NULL) <> (chat_id IS NULL)", name="one_recipient"),
        Index("ix_deliveries_due", "broadcast_id", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    locale: Mapped[str | None] = mapped_column(String(8))
    edit_message_id: Mapped[int | None] = mapped_column(BigInteger)  # set: edit that message instead
    status: Mapped[str] = mapped_column(String(16))
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))


class SenderLease(Base):
    """Who may send: only the holder of an unexpired lease claims outbox rows."""

    __tablename__ = "sender_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
