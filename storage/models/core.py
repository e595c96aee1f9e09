"""Residents, areas, staff roles, processed updates and conversation states."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow


class Area(Base):
    """A village, district or suburb, named in every language."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_fi: Mapped[str] = mapped_column(String(100))
    name_sv: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        return {"fi": self.name_fi, "sv": self.name_sv}.get(locale, self.name_en)


class Resident(Base):
    """Anyone who talks to the bot. No names are stored: the Telegram id is enough."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    locale: Mapped[str] = mapped_column(String(8))
    locale_confirmed: Mapped[bool] = mapped_column(default=False)
    resident_type: Mapped[str | None] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    onboarded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Quiet hours in the city's local time; from == until means none.
    quiet_from: Mapped[int] = mapped_column(SmallInteger, default=21, server_default="21")
    quiet_until: Mapped[int] = mapped_column(SmallInteger, default=8, server_default="8")
    blocked_at: Mapped[datetime | None]
    # The weekly digest, opted into: weekday (0 = Monday) and hour in the city's local time.
    digest_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    digest_hour: Mapped[int] = mapped_column(SmallInteger, default=18, server_default="18")
    digest_sent_at: Mapped[datetime | None]
    # Set when the resident had their data erased (/delete): the row stays as a tombstone, so
    # counts that include them hold, but nothing in it leads back to the person any more.
    erased_at: Mapped[datetime | None]

    area: Mapped[Area | None] = relationship(lazy="joined")


class StaffRole(Base):
    """A staff role held by a Telegram user; granted before or after they first write."""

    __tablename__ = "staff_roles"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so a redelivered update is ignored."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationState(Base):
    """aiogram FSM state and data for one conversation key."""

    __tablename__ = "conversation_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
