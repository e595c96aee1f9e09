"""Survey invitations and the one reminder to finish, queued through the outbox when they are due.

Invitations. A forum's survey goes to its attendees (in person and remote) `invite_delay` minutes
after the forum ends, never before the survey opens; a survey open to an audience goes to it when
it opens. A survey that closed before its invitations went out (the bot was down) is marked and
none is sent.

The reminder. Once per survey, to those who started and have not finished: the day before it
closes, at the same time of day (as the forums' day-before reminder, also across a clock change).
A survey open for a shorter time is reminded of halfway between its invitations and its closing
instead: at its opening, nobody would have started yet.

Once. Each is marked on the survey with a conditional update in the same transaction as the
outbox rows it queues, so however many processes tick, exactly one sends it. Both respect quiet
hours and expire at closing: a message that could only arrive after the survey closed is dropped.
"""
from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.services import outbox, surveys
from bot.services.forum_reminders import reminder_moment
from bot.services.outbox import quiet_hours_end
from domain import Notice, Priority, QuestionKind
from domain.surveys import TYPED_KINDS
from storage.models import Survey
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

INVITATION = "survey"
REMINDER = "survey_reminder"
DAY = 24 * 60  # minutes
SECONDS_TO_ANSWER = {"typed": 60, "button": 15}


class Notices(Protocol):
    def survey_invitation(self, survey: Survey) -> Notice: ...

    def survey_reminder(self, survey: Survey, questions_left: int) -> Notice: ...


def subject(survey: Survey) -> str:
    return f"survey:{survey.id}"


def minutes_to_answer(survey: Survey) -> int:
    """About how long the survey takes: a written answer a minute, a tap a quarter of one."""
    seconds = sum(SECONDS_TO_ANSWER["typed" if QuestionKind(q.kind) in TYPED_KINDS else "button"]
                  for q in survey.questions)
    return max(1, math.ceil(seconds / 60))


def reminder_due_at(survey: Survey, forum_ends: datetime | None, zone: ZoneInfo) -> datetime:
    """The day before closing on the wall clock, or halfway from the invitations when that is later."""
    invited = surveys.invitation_moment(survey, forum_ends)
    return max(reminder_moment(survey.closes_at, DAY, zone), invited + (survey.closes_at - invited) / 2)


async def invite_due(uow: UnitOfWork, notices: Notices, now: datetime) -> list[int]:
    """Invite to every survey whose moment has come, once each; returns the surveys invited."""
    invited = []
    for survey, forum_ends in await uow.survey_invitations.not_invited(now):
        closed = survey.closes_at <= now
        if not closed and surveys.invitation_moment(survey, forum_ends) > now:
            continue
        if not await uow.survey_invitations.mark(survey.id, "invited_at", now):
            continue  # another process invited to it
        if closed:
            await uow.commit()
            log.info("survey %s closed before its invitations went out: none sent", survey.id)
            continue
        await outbox.enqueue(uow, await _invited(uow, survey), notices.survey_invitation(survey),
                             kind=INVITATION, subject=subject(survey), created_by=survey.created_by, now=now,
                             priority=Priority.BULK, expires_at=survey.closes_at)
        await uow.commit()
        invited.append(survey.id)
    return invited


async def _invited(uow: UnitOfWork, survey: Survey) -> outbox.Recipients:
    audience = surveys.audience_of(survey)
    if audience is not None:
        return audience
    if survey.forum_id is None:
        return []  # its forum was deleted: nobody to invite
    return await uow.survey_invitations.attendee_ids(survey.forum_id)


async def remind_due(uow: UnitOfWork, notices: Notices, now: datetime, zone: ZoneInfo) -> int:
    """The one reminder of every survey whose moment has come; returns how many residents it went to.

    Grouped by the questions each has left, one message per group. Residents whose quiet hours
    last until after closing get none.
    """
    reminded = 0
    for survey, forum_ends in await uow.survey_invitations.not_reminded(now):
        if reminder_due_at(survey, forum_ends, zone) > now:
            continue
        if not await uow.survey_invitations.mark(survey.id, "reminded_at", now):
            continue  # another process reminded
        groups: dict[int, list[int]] = {}
        too_late = 0
        for straggler in await uow.survey_invitations.stragglers(survey.id):
            arrives = quiet_hours_end(now, zone, straggler.quiet_from, straggler.quiet_until) or now
            if arrives >= survey.closes_at:
                too_late += 1
            else:
                left = len(survey.questions) - straggler.furthest + 1
                groups.setdefault(left, []).append(straggler.resident_id)
        for left, resident_ids in sorted(groups.items()):
            await outbox.enqueue(uow, resident_ids, notices.survey_reminder(survey, left), kind=REMINDER,
                                 subject=subject(survey), now=now, priority=Priority.BULK,
                                 expires_at=survey.closes_at)
        await uow.commit()
        if too_late:
            log.info("survey %s: %s reminders not sent, quiet hours last until after closing",
                     survey.id, too_late)
        reminded += sum(map(len, groups.values()))
    return reminded
