"""Forums: when one is upcoming, live or past, how a resident takes part, what a question goes through."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.text import N_


class Attendance(StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    WAITING = "waiting"  # on the waiting list for a full forum's seats
    NOT_COMING = "not_coming"


ATTENDING = (Attendance.IN_PERSON, Attendance.REMOTE)

ATTENDANCE_LABELS = {
    Attendance.IN_PERSON: N_("🙋 In person"),
    Attendance.REMOTE: N_("💻 Remotely"),
    Attendance.WAITING: N_("⏳ On the waiting list"),
    Attendance.NOT_COMING: N_("✖️ Not coming"),
}


class ForumPhase(StrEnum):
    UPCOMING = "upcoming"
    LIVE = "live"
    PAST = "past"


def forum_phase(starts_at: datetime, ends_at: datetime, now: datetime) -> ForumPhase:
    if now < starts_at:
        return ForumPhase.UPCOMING
    if now < ends_at:
        return ForumPhase.LIVE
    return ForumPhase.PAST


DEFAULT_REMINDERS = (24 * 60, 60)  # minutes before the start


class ForumAudience(StrEnum):
    """Who a forum's invitation reaches."""

    THEME = "theme"  # the theme's followers and supporters
    AREAS = "areas"  # residents of chosen areas
    EVERYONE = "everyone"


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator; never shown to anyone else
    APPROVED = "approved"  # in the host's queue
    SKIPPED = "skipped"
    TAKEN = "taken"  # the host has taken it up
