"""Staff broadcasts: an audience, texts per language, a moment; progress, cancel."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services import staff
from bot.services.outbox import Held, enqueue, held_back, held_now
from domain import LOCALES, Audience, Notice, NotFound, Priority, ResidentType, Role
from storage.models import Broadcast
from storage.uow import UnitOfWork

async def recipient_count(uow: UnitOfWork, staff_id: int, audience: Audience) -> int:
    await staff.require(uow, staff_id, Role.EDITOR)
    return await uow.outbox.count_audience(audience)


async def send_broadcast(
    uow: UnitOfWork,
    staff_id: int | None,
    texts: dict[str, str],
    audience: Audience,
    *,
    now: datetime,
    urgent: bool = False,
    send_at: datetime | None = None,
    media: tuple[str, str] | None = None,
    progress: tuple[int, int] | None = None,
) -> Broadcast:
    """A staff broadcast (staff_id None: from the shell); committed, so the sender picks it up.

    `progress` is (chat id, message id) of the message the live progress is edited into.
    """
    if staff_id is not None:
        await staff.require(uow, staff_id, Role.EDITOR)
    broadcast_id = await enqueue(uow, audience, Notice(texts), kind="broadcast", now=now,
                                 priority=Priority.BULK, urgent=urgent, created_by=staff_id,
                                 send_at=send_at, media=media)
    broadcast = await get(uow, broadcast_id)
    if progress is not None:
        broadcast.progress_chat_id, broadcast.progress_message_id = progress
    await uow.commit()
    return broadcast


async def expected_wait(
    uow: UnitOfWork, staff_id: int, audience: Audience, urgent: bool, moment: datetime, zone: ZoneInfo
) -> Held:
    """Of the audience, those whose quiet hours would hold a broadcast sent at `moment`."""
    await staff.require(uow, staff_id, Role.EDITOR)
    return Held(0, None) if urgent else await held_now(uow, audience, moment, zone)


async def progress(
    uow: UnitOfWork, staff_id: int, broadcast_id: int, now: datetime
) -> tuple[Broadcast, Held]:
    """A broadcast, and how many of its messages wait for quiet hours to end."""
    broadcast = await status(uow, staff_id, broadcast_id)
    return broadcast, await held_back(uow, broadcast.id, now)


async def audience_by_codes(
    uow: UnitOfWork, area_codes: Sequence[str], resident_types: Sequence[str], locales: Sequence[str]
) -> Audience:
    """An audience written in words (the shell); NotFound names what is unknown."""
    known = await uow.outbox.area_ids(area_codes)
    unknown = [code for code in area_codes if code not in known]
    unknown += [value for value in resident_types if value not in ResidentType.__members__.values()]
    unknown += [code for code in locales if code not in LOCALES]
    if unknown:
        raise NotFound(f"unknown area, resident type or language: {', '.join(unknown)}")
    return Audience(tuple(known[code] for code in area_codes), tuple(resident_types), tuple(locales))


async def get(uow: UnitOfWork, broadcast_id: int) -> Broadcast:
    broadcast = await uow.outbox.get(broadcast_id)
    if broadcast is None:
        raise NotFound("no such broadcast")
    return broadcast


async def status(uow: UnitOfWork, staff_id: int | None, broadcast_id: int) -> Broadcast:
    """A staff broadcast; NotFound for any other row of the outbox (a notice to a resident)."""
    if staff_id is not None:
        await staff.require(uow, staff_id, Role.EDITOR)
    broadcast = await uow.outbox.staff_broadcast(broadcast_id)
    if broadcast is None:
        raise NotFound("no such broadcast")
    return broadcast


async def recent(uow: UnitOfWork, staff_id: int, limit: int = 10) -> Sequence[Broadcast]:
    await staff.require(uow, staff_id, Role.EDITOR)
    return await uow.outbox.recent(limit)


async def cancel(uow: UnitOfWork, staff_id: int | None, broadcast_id: int, now: datetime) -> Broadcast:
    """Stop a scheduled or running staff broadcast; messages already sent stay sent."""
    broadcast = await status(uow, staff_id, broadcast_id)
    if broadcast.status not in ("scheduled", "sending"):
        raise NotFound("broadcast already finished")
    await uow.outbox.cancel(broadcast, now)
    await uow.commit()
    return broadcast


async def follow_progress(uow: UnitOfWork, broadcast: Broadcast, chat_id: int, message_id: int) -> None:
    broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id
    await uow.commit()


async def stop_following(uow: UnitOfWork, broadcast: Broadcast) -> None:
    broadcast.progress_chat_id = broadcast.progress_message_id = None
    await uow.commit()


DATE_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M")  # a full date and time
MOMENT_FORMATS = (*DATE_TIME_FORMATS, "%d.%m. %H:%M")
CLOCK_WORDS = ("klo", "kl.", "kl", "at")
CLOCK_WITH_DOT = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\.(\d{2})$")  # "9.00" at the end: a time


def parse_moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A local time written by staff as UTC: "2026-12-01 09:00", "1.12.2026 9:00", "1.12. 9:00",
    or "9:00" (the next time the clock shows it). Times may be written "9.00" too, as Finns and
    Finland-Swedes do, with "klo" / "kl." before them. ValueError when unreadable or not in the
    future.
    """
    text = _clock_notation(text)
    local_now = now.astimezone(zone)
    moment = None
    for pattern in MOMENT_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern == "%d.%m. %H:%M":
            parsed = parsed.replace(year=local_now.year)
        moment = parsed.replace(tzinfo=zone)
        break
    if moment is None:
        clock_time = datetime.strptime(text, "%H:%M")  # raises ValueError when unreadable
        moment = local_now.replace(hour=clock_time.hour, minute=clock_time.minute, second=0, microsecond=0)
        if moment <= local_now:
            moment += timedelta(days=1)
    if moment <= local_now:
        raise ValueError("that moment has passed")
    return moment.astimezone(now.tzinfo)


def parse_date_time(text: str, zone: ZoneInfo) -> datetime:
    """A full local date and time written by staff, as UTC: "2026-12-01 09:00" or
    "1.12.2026 klo 9.00". No year-less or clock-only forms, and no check that it is in the
    future. ValueError when unreadable.
    """
    text = _clock_notation(text)
    for pattern in DATE_TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    raise ValueError(f"not a date and time: {text!r}")


def _clock_notation(text: str) -> str:
    """Without "klo" / "kl." and with "9.00" written "9:00"."""
    text = " ".join(word for word in text.split() if word.lower() not in CLOCK_WORDS)
    return CLOCK_WITH_DOT.sub(r"\1:\2", text)
