"""Broadcasts through the outbox: enqueue (the contract every feature uses), staff actions, quiet hours.

`enqueue` never commits: the caller's commit makes the message durable in the same transaction
as the change it announces. The running sender (bot/delivery/sender.py) polls the outbox every
second, so a committed message starts going out within about a second.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.audience import Audience
from bot.domain import LOCALES, NotFound, ResidentType, Role
from bot.services import staff
from storage.models import Broadcast, Resident, utcnow
from storage.uow import UnitOfWork

__all__ = ["Audience", "enqueue"]

NOTE_ROOM = 120  # a language-fallback note may be put in front of the text
CAPTION_LIMIT = 1024 - NOTE_ROOM
TEXT_LIMIT = 4096 - NOTE_ROOM
MEDIA_KINDS = ("photo", "document")


class InvalidBroadcast(ValueError):
    """The broadcast cannot be sent as given (no text, too long, unknown media...)."""


async def enqueue(
    uow: UnitOfWork,
    recipients: Audience | Sequence[int],
    texts: dict[str, str],
    *,
    kind: str,
    urgent: bool = False,
    created_by: int | None = None,
    send_at: datetime | None = None,
    media: tuple[str, str] | None = None,
) -> int:
    """Put one message for every recipient into the outbox; returns the broadcast id.

    `recipients` is an Audience filter or explicit resident ids (Resident.id); residents who
    blocked the bot are left out. `texts` maps locale -> HTML (already escaped). `media` is
    (kind, Telegram file_id) with kind "photo" or "document". Does NOT commit.
    """
    texts = check_texts(texts, media)
    when = send_at or utcnow()
    broadcast = await uow.deliveries.create(
        kind=kind, texts=texts, urgent=urgent, created_by=created_by, send_at=when,
        status="scheduled", media_kind=media[0] if media else None,
        media_file_id=media[1] if media else None,
        audience=recipients.as_json() if isinstance(recipients, Audience) else None,
    )
    if isinstance(recipients, Audience):
        await uow.deliveries.fill_from_audience(broadcast, recipients)
    else:
        await uow.deliveries.fill_from_residents(broadcast, recipients)
    if broadcast.total == 0:
        broadcast.status = "done"
        broadcast.finished_at = when
    return broadcast.id


def check_texts(texts: dict[str, str], media: tuple[str, str] | None) -> dict[str, str]:
    kept = {locale: text for locale, text in texts.items() if locale in LOCALES and text and text.strip()}
    if not kept:
        raise InvalidBroadcast("no text in fi, sv or en")
    if media is not None and media[0] not in MEDIA_KINDS:
        raise InvalidBroadcast(f"media must be one of {', '.join(MEDIA_KINDS)}")
    limit = CAPTION_LIMIT if media else TEXT_LIMIT
    too_long = [locale for locale, text in kept.items() if len(text) > limit]
    if too_long:
        raise InvalidBroadcast(f"text too long in {', '.join(too_long)} (at most {limit} characters)")
    return kept


# --- staff --------------------------------------------------------------------------------------

async def recipient_count(uow: UnitOfWork, staff_id: int, audience: Audience) -> int:
    await staff.require(uow, staff_id, Role.EDITOR)
    return await uow.deliveries.count_audience(audience)


async def send_broadcast(
    uow: UnitOfWork,
    staff_id: int | None,
    texts: dict[str, str],
    audience: Audience,
    *,
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
    broadcast_id = await enqueue(uow, audience, texts, kind="broadcast", urgent=urgent,
                                 created_by=staff_id, send_at=send_at, media=media)
    broadcast = await get(uow, broadcast_id)
    if progress is not None:
        broadcast.progress_chat_id, broadcast.progress_message_id = progress
    await uow.commit()
    return broadcast


async def audience_by_codes(
    uow: UnitOfWork, area_codes: Sequence[str], resident_types: Sequence[str], locales: Sequence[str]
) -> Audience:
    """An audience written in words (the shell); NotFound names what is unknown."""
    known = await uow.deliveries.area_ids(area_codes)
    unknown = [code for code in area_codes if code not in known]
    unknown += [value for value in resident_types if value not in ResidentType.__members__.values()]
    unknown += [code for code in locales if code not in LOCALES]
    if unknown:
        raise NotFound(f"unknown area, resident type or language: {', '.join(unknown)}")
    return Audience(tuple(known[code] for code in area_codes), tuple(resident_types), tuple(locales))


async def get(uow: UnitOfWork, broadcast_id: int) -> Broadcast:
    broadcast = await uow.deliveries.get(broadcast_id)
    if broadcast is None:
        raise NotFound("no such broadcast")
    return broadcast


async def status(uow: UnitOfWork, staff_id: int | None, broadcast_id: int) -> Broadcast:
    if staff_id is not None:
        await staff.require(uow, staff_id, Role.EDITOR)
    return await get(uow, broadcast_id)


async def recent(uow: UnitOfWork, staff_id: int, limit: int = 10) -> Sequence[Broadcast]:
    await staff.require(uow, staff_id, Role.EDITOR)
    return await uow.deliveries.recent(limit)


async def cancel(uow: UnitOfWork, staff_id: int | None, broadcast_id: int) -> Broadcast:
    """Stop a scheduled or running broadcast; messages already sent stay sent."""
    if staff_id is not None:
        await staff.require(uow, staff_id, Role.EDITOR)
    broadcast = await get(uow, broadcast_id)
    if broadcast.status not in ("scheduled", "sending"):
        raise NotFound("broadcast already finished")
    await uow.deliveries.cancel(broadcast, utcnow())
    await uow.commit()
    return broadcast


async def follow_progress(uow: UnitOfWork, broadcast: Broadcast, chat_id: int, message_id: int) -> None:
    broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id
    await uow.commit()


async def stop_following(uow: UnitOfWork, broadcast: Broadcast) -> None:
    broadcast.progress_chat_id = broadcast.progress_message_id = None
    await uow.commit()


# --- residents ----------------------------------------------------------------------------------

async def resident_blocked(uow: UnitOfWork, resident: Resident) -> None:
    """They blocked the bot: nothing more is sent to them until they return."""
    await uow.deliveries.mark_blocked([resident.id], utcnow())
    await uow.commit()


async def resident_returned(uow: UnitOfWork, resident: Resident) -> None:
    if resident.blocked_at is not None:
        await uow.deliveries.mark_returned(resident.id)
        await uow.commit()


QUIET_CHOICES: tuple[tuple[int, int], ...] = ((21, 8), (22, 7), (23, 7), (20, 9), (0, 0))


async def set_quiet_hours(uow: UnitOfWork, resident: Resident, start: int, end: int) -> None:
    """Local hours when only urgent messages arrive; start == end means none."""
    if not (0 <= start < 24 and 0 <= end < 24):
        raise NotFound("no such hour")
    resident.quiet_from, resident.quiet_until = start, end
    await uow.commit()


def in_quiet_hours(start: int, end: int, local_hour: int) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local_hour < end
    return local_hour >= start or local_hour < end


def quiet_hours_end(now: datetime, zone: ZoneInfo, start: int, end: int) -> datetime | None:
    """When the resident's quiet hours running at `now` end (UTC), or None when not quiet now."""
    local = now.astimezone(zone)
    if not in_quiet_hours(start, end, local.hour):
        return None
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ends <= local:
        ends = (local + timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    return ends.astimezone(now.tzinfo)


# --- scheduling ---------------------------------------------------------------------------------

MOMENT_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m. %H:%M")


def parse_moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A local time written by staff as UTC: "2026-12-01 09:00", "1.12.2026 9:00", "1.12. 9:00",
    or "9:00" (the next time the clock shows it). ValueError when unreadable or not in the future.
    """
    text = " ".join(text.split())
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
