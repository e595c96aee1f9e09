"""Reminders of forums and the weekly digest, composed in every language."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TypeVar

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.ballots import question_of
from bot.notices.compose import Composer
from bot.notices.forums import title_of
from bot.notices.words import short
from bot.services.digest import Digest, Listed
from domain import Attendance, Notice
from storage.models import Ballot, Forum, Proposal

T = TypeVar("T")


# --- forum reminders -----------------------------------------------------------------------------

def time_left(forum: Forum, arrives: datetime, locale: str, settings: Settings) -> str:
    """"<b>Title</b> starts in an hour." – read at `arrives`: minutes and hours close to the start,
    otherwise the day (today, tomorrow, in 3 days); the exact time is on the next line."""
    title = title_of(forum, locale, settings.default_locale)
    minutes = round((forum.starts_at - arrives).total_seconds() / 60)
    if minutes < 120 and minutes % 60 == 0:
        return ngettext("{title} starts in an hour.", "{title} starts in {count} hours.",
                        minutes // 60).format(title=title, count=format_count(minutes // 60, locale))
    if minutes < 120:
        return ngettext("{title} starts in {count} minute.", "{title} starts in {count} minutes.",
                        minutes).format(title=title, count=format_count(minutes, locale))
    days = (forum.starts_at.astimezone(settings.zone).date() - arrives.astimezone(settings.zone).date()).days
    if days == 0:
        return _("{title} is today.").format(title=title)
    if days == 1:
        return _("{title} is tomorrow.").format(title=title)
    return ngettext("{title} is in {count} day.", "{title} is in {count} days.", days).format(
        title=title, count=format_count(days, locale))


def map_url(forum: Forum) -> str | None:
    if forum.latitude is None or forum.longitude is None:
        return None
    return (f"https://www.openstreetmap.org/?mlat={forum.latitude}&mlon={forum.longitude}"
            f"#map=17/{forum.latitude}/{forum.longitude}")


def taking_part(forum: Forum, attendance: Attendance, with_link: bool) -> list[str]:
    """Where to go (in person: the place and its map) or how to join (remotely: the link in the
    last reminder, a word that it is coming in the earlier ones)."""
    if attendance == Attendance.REMOTE:
        if not forum.remote_url:
            return []
        if with_link:
            url = escape(forum.remote_url)
            return [_('💻 Join remotely: <a href="{url}">{url}</a>').format(url=url)]
        return [_("💻 The link to join remotely comes with the last reminder before the start.")]
    lines = [_("📍 {place}").format(place=escape(forum.place))]
    if url := map_url(forum):
        lines.append(_('🗺 <a href="{url}">On the map</a>').format(url=escape(url)))
    return lines


def reminder_text(forum: Forum, attendance: Attendance, with_link: bool, arrives: datetime, locale: str,
                  settings: Settings) -> str:
    starts = format_moment(forum.starts_at, locale, settings.zone)
    ends = format_moment(forum.ends_at, locale, settings.zone, "H.mm")
    return "\n\n".join([
        _("⏰ <b>Reminder</b>") + "\n" + time_left(forum, arrives, locale, settings),
        "\n".join([_("🗓 {starts}–{ends}").format(starts=starts, ends=ends),
                   *taking_part(forum, attendance, with_link)]),
        _("Your plans changed? Change your answer: /f{id}").format(id=forum.id),
    ])


# --- the weekly digest -------------------------------------------------------------------------

def section(heading: str, listed: Listed[T], line: Callable[[T], str], more_at: str) -> str:
    """A heading, a line per item and "…and 3 more: /proposals" for those left out; "" for none."""
    if not listed.total:
        return ""
    lines = [heading, *(f"• {line(item)}" for item in listed.items)]
    rest = listed.total - len(listed.items)
    if rest > 0:
        lines.append(_("…and {count} more: {command}").format(count=format_count(rest), command=more_at))
    return "\n".join(lines)


def digest_text(digest: Digest, locale: str, settings: Settings) -> str:
    default, zone = settings.default_locale, settings.zone

    def theme_line(theme: Proposal) -> str:
        return f"{escape(short(theme.title, 60))} – /p{theme.id}"

    def ballot_line(ballot: Ballot) -> str:
        question, _used = question_of(ballot, locale, default)
        closes = format_moment(ballot.closes_at, locale, zone)
        return _("{question} – closes {closes}: /b{id}").format(question=question, closes=closes, id=ballot.id)

    def forum_line(forum: Forum) -> str:
        starts = format_moment(forum.starts_at, locale, zone)
        return f"{title_of(forum, locale, default)} – {starts}: /f{forum.id}"

    def summary_line(forum: Forum) -> str:
        return f"{title_of(forum, locale, default)}: /f{forum.id}"

    sections = [
        section(_("💡 <b>New proposals</b>"), digest.themes, theme_line, "/proposals"),
        section(_("🗳 <b>Open votes</b>"), digest.ballots, ballot_line, "/vote"),
        section(_("🗣 <b>Upcoming forums</b>"), digest.forums, forum_line, "/forums"),
        section(_("📝 <b>New forum summaries</b>"), digest.summaries, summary_line, "/summaries"),
    ]
    return "\n\n".join([
        _("📰 <b>Your weekly digest</b> – what is new in Foorumi"),
        *filter(None, sections),
        _("Change the day or turn the digest off: /settings"),
    ])


class ReminderNotices(Composer):
    def forum_reminder(self, forum: Forum, attendance: Attendance, with_link: bool, arrives: datetime) -> Notice:
        """A forum is coming: when, and where to go or (remotely, in the last one) the link to join;
        worded for the moment it `arrives` (later than queued when quiet hours hold it)."""
        return self._each_locale(
            lambda locale: reminder_text(forum, attendance, with_link, arrives, locale, self.settings))

    def weekly_digest(self, digest: Digest) -> Notice:
        """What is new for a group of residents, in one message."""
        return self._each_locale(lambda locale: digest_text(digest, locale, self.settings))
