"""The one door out: every message the bot sends on its own is enqueued here; quiet hours.

`enqueue` never commits: the caller's commit makes the message durable in the same transaction
as the change it announces. The running sender (bot/outbox/sender.py) polls the outbox every
second, so a committed message starts going out within about a second.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    expires_at: datetime | None = None,
    media: tuple[str, str] | None = None,
) -> int:
    """Put one message for every recipient into the outbox; returns the broadcast id.

    `recipients` is an Audience filter, explicit resident ids (Resident.id; residents who
    blocked the bot are left out) or chats that are no resident (the staff group). `subject`
    names what the message is about (e.g. "proposal:12") so its copies can be found later.
    `media` is (kind, Telegram file_id) with kind "photo" or "document". A message that cannot
    reach a resident before `expires_at` (quiet hours, the bot down) is dropped instead of sent
    late. Does NOT commit.
    """
    texts = check_texts(notice.texts, media)
    when = send_at or now
    broadcast = await uow.outbox.create(
        kind=kind, texts=texts, buttons=notice.buttons or None, priority=int(priority),
        subject=subject, urgent=urgent, created_by=created_by, send_at=when, expires_at=expires_at,
        created_at=now, status="scheduled", media_kind=media[0] if media else None,
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


async def edit_copies(
    uow: UnitOfWork,
    kind: str,
    subject: str,
    notice: Notice,
    *,
    now: datetime,
    except_message: tuple[int, int] | None = None,
    notice_in: Mapping[int, Notice] | None = None,
) -> int:
    """Every sent message of this kind about this subject is edited to `notice` (its buttons
    replace theirs; none removes them), or to `notice_in` of its Telegram chat when given there,
    except `except_message` (chat id, message id), which the caller edits itself. Edits are
    outbox rows too; they are not held by quiet hours (an edit makes no sound). Returns how many
    copies will be edited. Does NOT commit.
    """
    copies = [copy for copy in await uow.outbox.sent_copies(kind, subject)
              if (copy.shown_in, copy.message_id) != except_message]
    for copy in copies:  # one per copy: a chat may hold several (a card and a /moderation list)
        edited = (notice_in or {}).get(copy.shown_in, notice)
        broadcast = await uow.outbox.create(
            kind=f"{kind}_edit", texts=check_texts(edited.texts, None), buttons=edited.buttons or None,
            priority=int(Priority.NOTICE), subject=subject, urgent=True, send_at=now,
            created_at=now, status="scheduled",
        )
        await uow.outbox.fill_edit(broadcast, copy)
    return len(copies)


async def record_reply(
    uow: UnitOfWork, chat: Chat, notice: Notice, *, kind: str, subject: str, message_id: int,
    now: datetime,
) -> None:
    """A message sent directly as a reply, kept in the outbox as sent so later edits reach it."""
    broadcast = await uow.outbox.create(
        kind=kind, texts=check_texts(notice.texts, None), buttons=notice.buttons or None,
        priority=int(Priority.NOTICE), subject=subject, urgent=False, send_at=now, created_at=now,
        status="done",
    )
    await uow.outbox.record_sent(broadcast, chat.chat_id, chat.locale, message_id, now)


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


async def set_quiet_hours(
    uow: UnitOfWork, resident: Resident, start: int, end: int, now: datetime
) -> None:
    """Local hours when only urgent messages arrive; start == end means none.

    Messages held for the old quiet hours are due again at once: the sender holds them anew
    if the new quiet hours say so (and lets them go if there are none).
    """
    if not (0 <= start < 24 and 0 <= end < 24):
        raise NotFound("no such hour")
    resident.quiet_from, resident.quiet_until = start, end
    await uow.outbox.release_held(resident.id, now)
    await uow.commit()


@dataclass(frozen=True)
class Held:
    """Messages waiting for quiet hours to end: how many, and when the last of them may go."""

    count: int
    until: datetime | None


async def held_now(uow: UnitOfWork, audience: Audience, now: datetime, zone: ZoneInfo) -> Held:
    """Of an audience, those whose quiet hours are running now would get a non-urgent message later."""
    count, until = 0, None
    for start, end, residents in await uow.outbox.quiet_hours_of(audience):
        ends = quiet_hours_end(now, zone, start, end)
        if ends is not None:
            count += residents
            until = max(until, ends) if until else ends
    return Held(count, until)


async def held_back(uow: UnitOfWork, broadcast_id: int, now: datetime) -> Held:
    """A broadcast's messages that wait (for quiet hours) though the broadcast has started."""
    return Held(*await uow.outbox.held(broadcast_id, now))


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


