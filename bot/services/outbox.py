"""The one door out: every message the bot sends on its own is enqueued here; quiet hours.

`enqueue` never commits: the caller's commit makes the message durable in the same transaction
as the change it announces. The running sender (bot/outbox/sender.py) polls the outbox every
second, so a committed message starts going out within about a second.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain import LOCALES, Audience, Chat, Notice, NotFound, Priority
from storage.models import Resident
from storage.uow import UnitOfWork

NOTE_ROOM = 120  # a language-fallback note may be put in front of the text
CAPTION_LIMIT = 1024 - NOTE_ROOM
TEXT_LIMIT = 4096 - NOTE_ROOM
MEDIA_KINDS = ("photo", "document")

Recipients = Audience | Sequence[int] | Sequence[Chat]


class InvalidBroadcast(ValueError):
    """The broadcast cannot be sent as given (no text, too long, unknown media...)."""


async def enqueue(
    uow: UnitOfWork,
    recipients: Recipients,
    notice: Notice,
    *,
    kind: str,
    now: datetime,
    priority: Priority = Priority.NOTICE,
    urgent: bool = False,
    subject: str | None = None,
    created_by: int | None = None,
    send_at: datetime | None = None,
    media: tuple[str, str] | None = None,
) -> int:
    """Put one message for every recipient into the outbox; returns the broadcast id.

    `recipients` is an Audience filter, explicit resident ids (Resident.id; residents who
    blocked the bot are left out) or chats that are no resident (the staff group). `subject`
    names what the message is about (e.g. "proposal:12") so its copies can be found later.
    `media` is (kind, Telegram file_id) with kind "photo" or "document". Does NOT commit.
    """
    texts = check_texts(notice.texts, media)
    when = send_at or now
    broadcast = await uow.outbox.create(
        kind=kind, texts=texts, buttons=notice.buttons or None, priority=int(priority),
        subject=subject, urgent=urgent, created_by=created_by, send_at=when, created_at=now,
        status="scheduled", media_kind=media[0] if media else None,
        media_file_id=media[1] if media else None,
        audience=recipients.as_json() if isinstance(recipients, Audience) else None,
    )
    if isinstance(recipients, Audience):
        await uow.outbox.fill_from_audience(broadcast, recipients)
    elif recipients and isinstance(recipients[0], Chat):
        await uow.outbox.fill_from_chats(broadcast, recipients)  # type: ignore[arg-type]
    else:
        await uow.outbox.fill_from_residents(broadcast, recipients)  # type: ignore[arg-type]
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


# --- residents ----------------------------------------------------------------------------------

async def resident_blocked(uow: UnitOfWork, resident: Resident, now: datetime) -> None:
    """They blocked the bot: nothing more is sent to them until they return."""
    await uow.outbox.mark_blocked([resident.id], now)
    await uow.commit()


async def resident_returned(uow: UnitOfWork, resident: Resident) -> None:
    if resident.blocked_at is not None:
        await uow.outbox.mark_returned(resident.id)
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


