"""A forum as an .ics file for the resident's own calendar (iOS, Android, desktop), in their language.

icalendar writes what phone calendars need: CRLF line endings, long lines folded, text escaped.
The time zone goes along as a VTIMEZONE, so the forum stays at 18.00 local time whatever the
phone's zone or its daylight-saving rules.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, Timezone

from bot.config import Settings
from bot.i18n import _
from domain import Attendance, forum_link, localized_text
from storage.models import Forum

PRODID = "-//Foorumi//Forums//EN"
ALARM_BEFORE = timedelta(hours=1)


def forum_calendar(forum: Forum, attendance: Attendance, locale: str, settings: Settings, bot_username: str,
                   now: datetime) -> bytes:
    """The forum as an iCalendar file; remote attendees get the join link as its URL."""
    zone = settings.zone
    starts = forum.starts_at.astimezone(zone)
    title = localized_text(forum.title, locale, settings.default_locale)[0]
    page = forum_link(bot_username, forum.id)
    remote = forum.remote_url if attendance == Attendance.REMOTE else None

    event = Event()
    event.add("uid", f"forum-{forum.id}@{bot_username}.t.me")  # the same for every copy: updates, not duplicates
    event.add("dtstamp", now)
    event.add("dtstart", starts)
    event.add("dtend", forum.ends_at.astimezone(zone))
    event.add("summary", title)
    event.add("description", _description(forum, locale, settings, remote, page))
    event.add("location", forum.place)
    if forum.latitude is not None and forum.longitude is not None:
        event.add("geo", (forum.latitude, forum.longitude))
    event.add("url", remote or page)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    year = starts.year  # the zone's rules around the forum are all a calendar needs
    calendar.add_component(Timezone.from_tzinfo(zone, settings.timezone, date(year, 1, 1), date(year + 1, 1, 1)))
    calendar.add_component(event)
    return calendar.to_ical()


def _description(forum: Forum, locale: str, settings: Settings, remote: str | None, page: str) -> str:
    parts = [localized_text(forum.description, locale, settings.default_locale)[0]]
    if remote:
        parts.append(_("Join remotely: {link}").format(link=remote))
    parts.append(_("Your RSVP and the forum in Foorumi: {link}").format(link=page))
    return "\n\n".join(parts)
