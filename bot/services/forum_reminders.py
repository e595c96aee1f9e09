"""Forum reminders: queued through the outbox when their moment comes, once per resident and reminder.

When. A forum's reminders are minutes before its start (by default 24 h and 1 h). Whole days
keep the wall-clock time: the 24 h reminder of a forum at 18.00 comes at 18.00 the day before,
also when the clocks turn in between (then it is 23 or 25 hours before). Other reminders are
elapsed time: the 1 h reminder comes 60 minutes before the start whatever the clocks do.

Once. Each reminder to each resident is a row keyed by (forum, resident, reminder), inserted in
the same transaction as the outbox rows it queues, so a reminder is queued once however often
the clock ticks or however many processes do it.

Late. A reminder whose moment passed while the bot was down is still sent if the forum has not
started; when several are due at once only the nearest to the start is sent, the others are
recorded as done. A forum that has started gets none, and its outbox rows are dropped by the
sender rather than delivered after the start (`expires_at`), also when quiet hours hold them.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.services import forums, outbox
from bot.services.outbox import quiet_hours_end
from domain import Attendance, Notice
from storage.models import Forum
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

DAY = 24 * 60  # minutes
# Forums looked at: the furthest reminder, and a day for a whole-day reminder across a clock change.
HORIZON = timedelta(minutes=forums.REMINDER_RANGE[1]) + timedelta(days=1)
KIND = "forum_reminder"


class Notices(Protocol):
    def forum_reminder(self, forum: Forum, attendance: Attendance, with_link: bool,
                       arrives: datetime) -> Notice: ...


def reminder_moment(starts_at: datetime, minutes_before: int, zone: ZoneInfo) -> datetime:
    """When a reminder is due (UTC): whole days on the wall clock, anything else in elapsed time."""
    days, rest = divmod(minutes_before, DAY)
    if rest:
        return starts_at - timedelta(minutes=minutes_before)
    # Arithmetic on an aware datetime in its own zone moves the wall clock; the offset follows.
    return (starts_at.astimezone(zone) - timedelta(days=days)).astimezone(UTC)


async def queue_due(uow: UnitOfWork, notices: Notices, now: datetime, zone: ZoneInfo) -> int:
    """Queue every forum reminder whose moment has come; returns how many residents were reminded."""
    reminded = 0
    for forum in await uow.forum_reminders.forums_to_remind(now, HORIZON):
        forum_id = forum.id
        due = sorted(minutes for minutes in forum.reminders
                     if reminder_moment(forum.starts_at, minutes, zone) <= now)
        if not due:
            continue
        if forum.starts_at <= now:
            done = await _record_missed(uow, forum, due, now)
        else:
            done = await _remind(uow, notices, forum, due, now, zone)
        if done is None:
            # The store refused a row another process recorded at the same moment, and this
            # transaction was rolled back (the forums read are stale now): the next tick goes on.
            log.info("forum %s: another process was queuing its reminders", forum_id)
            break
        reminded += done
    return reminded


async def _remind(uow: UnitOfWork, notices: Notices, forum: Forum, due: list[int], now: datetime,
                  zone: ZoneInfo) -> int | None:
    """The nearest due reminder to those who have not had it; the earlier ones only recorded."""
    nearest, *passed = due
    recorded = await uow.forum_reminders.record(forum.id, nearest, now)
    if recorded is None or await _record_each(uow, forum, passed, now) is None:
        return None
    # Residents whose quiet hours hold the reminder read it later: the wording follows (and one
    # that could only arrive after the start is not sent at all).
    groups: dict[tuple[str, datetime], list[int]] = {}
    too_late = 0
    for resident in await uow.forum_reminders.reminded(forum.id, recorded):
        arrives = quiet_hours_end(now, zone, resident.quiet_from, resident.quiet_until) or now
        if arrives >= forum.starts_at:
            too_late += 1
        else:
            groups.setdefault((resident.attendance, arrives), []).append(resident.resident_id)
    with_link = nearest == min(forum.reminders)
    for (attendance, arrives), resident_ids in sorted(groups.items()):
        notice = notices.forum_reminder(forum, Attendance(attendance), with_link, arrives)
        await outbox.enqueue(uow, resident_ids, notice, kind=KIND, subject=forums.subject(forum), now=now,
                             expires_at=forum.starts_at)
    await uow.commit()
    if too_late:
        log.info("forum %s: %s reminders not sent, quiet hours last until after the start", forum.id, too_late)
    return len(recorded) - too_late


async def _record_missed(uow: UnitOfWork, forum: Forum, due: list[int], now: datetime) -> int | None:
    """A forum that started before its reminders went out: none is sent now, they are recorded
    (for those who had answered before the start) so that this is logged once."""
    missed = await _record_each(uow, forum, due, now, responded_before=forum.starts_at)
    if missed is None:
        return None
    await uow.commit()
    if missed:
        log.info("forum %s had started: %s reminders dropped", forum.id, missed)
    return 0


async def _record_each(uow: UnitOfWork, forum: Forum, reminders: list[int], now: datetime,
                       responded_before: datetime | None = None) -> int | None:
    """Record these reminders as done; how many rows, or None when another process was quicker."""
    count = 0
    for minutes in reminders:
        recorded = await uow.forum_reminders.record(forum.id, minutes, now, responded_before)
        if recorded is None:
            return None
        count += len(recorded)
    return count
