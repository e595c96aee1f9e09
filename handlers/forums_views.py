"""Texts and keyboards of /forums and a forum's page (/f7, t.me/<bot>?start=f7)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import N_, _, format_count, format_moment
from bot.notices.forum_buttons import AskQuestion, ForumOpen
from bot.notices.forums import rsvp_rows, title_of, when_and_where
from bot.notices.words import short
from bot.services import forums
from bot.services.forum_rsvp import AlreadyStarted, Answer, ForumEnded, ForumView, Headcount, NoRemoteLink
from bot.telegram.keyboards import Button, inline_keyboard
from domain import ATTENDANCE_LABELS, ATTENDING, Attendance, ForumPhase, localized_text
from domain.ids import Natural
from storage.models import Forum

PAGE_SIZE = 5

REFUSALS = {
    ForumEnded: N_("This forum has ended: RSVPs are closed."),
    AlreadyStarted: N_("The forum has already started, so no more seats are given."),
    NoRemoteLink: N_("This forum has no remote participation."),
}

ANSWERED = {
    Attendance.IN_PERSON: N_("✅ See you there!"),
    Attendance.REMOTE: N_("✅ You are taking part remotely."),
    Attendance.WAITING: N_("⏳ You are on the waiting list. You will be told if a seat frees up."),
    Attendance.NOT_COMING: N_("Thanks for letting us know."),
}


class ForumList(CallbackData, prefix="fpg"):
    """A page of the forums not yet over."""

    page: Natural = 0


class ForumMap(CallbackData, prefix="fmap"):
    """The forum's place on a map."""

    forum: Natural


class ForumCalendar(CallbackData, prefix="fcal"):
    """The forum's .ics again, for an attendee."""

    forum: Natural


# --- /forums -------------------------------------------------------------------------------------

def list_text(found: Sequence[Forum], now: datetime, locale: str, settings: Settings) -> str:
    if not found:
        return _("No forums are coming up right now. When one is announced, it will be listed here.")
    lines = [_("🗣 <b>Forums coming up</b> – tap one to see it and to RSVP."), ""]
    for forum in found:
        title = escape(_title(forum, locale, settings))
        if forums.phase_of(forum, now) == ForumPhase.LIVE:
            lines.append(_("• 🔴 <b>Happening now:</b> {title} – /f{id}").format(title=title, id=forum.id))
        else:
            lines.append(f"• {format_moment(forum.starts_at, locale, settings.zone)}: {title} – /f{forum.id}")
    return "\n".join(lines)


def list_keyboard(found: Sequence[Forum], page: int, more: bool, now: datetime, locale: str,
                  settings: Settings) -> InlineKeyboardMarkup | None:
    rows: list[list[Button]] = [
        [(("🔴 " if forums.phase_of(forum, now) == ForumPhase.LIVE else "") + short(_title(forum, locale, settings)),
          ForumOpen(forum=forum.id))]
        for forum in found
    ]
    navigation = [(_("‹ Previous"), ForumList(page=page - 1))] if page > 0 else []
    navigation += [(_("Next ›"), ForumList(page=page + 1))] if more else []
    rows.append(navigation)
    return inline_keyboard(rows) if any(rows) else None


def _title(forum: Forum, locale: str, settings: Settings) -> str:
    return localized_text(forum.title, locale, settings.default_locale)[0]


# --- a forum's page --------------------------------------------------------------------------------

def page_text(view: ForumView, locale: str, settings: Settings) -> str:
    forum = view.forum
    heading = "🗣 " + title_of(forum, locale, settings.default_locale)
    if view.phase == ForumPhase.LIVE:
        heading += "\n" + _("🔴 Happening now")
    elif view.phase == ForumPhase.PAST:
        heading += "\n" + _("🏁 This forum has ended.")
    description = escape(localized_text(forum.description, locale, settings.default_locale)[0])
    place = when_and_where(forum, locale, settings)
    if view.theme is not None:
        place += "\n" + _("🧭 Theme: {title} – /p{id}").format(title=escape(view.theme.title), id=view.theme.id)
    parts = [heading, description, place, _headcount_text(view.headcount, forum)]
    if view.phase != ForumPhase.PAST:
        parts.append(_mine_text(view.mine))
    return "\n\n".join(parts)


def _headcount_text(counted: Headcount, forum: Forum) -> str:
    if forum.remote_url:
        lines = [_("👥 Coming: {in_person} in person, {remote} remotely").format(
            in_person=format_count(counted.in_person), remote=format_count(counted.remote))]
    else:
        lines = [_("👥 Coming: {in_person} in person").format(in_person=format_count(counted.in_person))]
    if counted.capacity is not None:
        lines.append(_("🪑 Seats left: {left} of {capacity}").format(
            left=format_count(counted.seats_left), capacity=format_count(counted.capacity)))
    if counted.waiting:
        lines.append(_("⏳ On the waiting list: {count}").format(count=format_count(counted.waiting)))
    return "\n".join(lines)


def _mine_text(mine: Attendance | None) -> str:
    if mine is None:
        return _("Will you come? Choose below.")
    line = _("Your RSVP: {answer}").format(answer=_(ATTENDANCE_LABELS[mine]))
    if mine == Attendance.WAITING:
        line += "\n" + _("You will be told if a seat frees up.")
    return line


def page_keyboard(view: ForumView) -> InlineKeyboardMarkup:
    forum = view.forum
    rows: list[list[Button]] = []
    if view.phase != ForumPhase.PAST:
        rows += rsvp_rows(forum, view.mine, view.headcount.full, view.phase == ForumPhase.LIVE)
        if view.mine in ATTENDING:
            rows.append([(_("📅 Add to calendar"), ForumCalendar(forum=forum.id))])
    if view.phase == ForumPhase.LIVE and view.mine == Attendance.REMOTE:
        rows.append([(_("❓ Ask a question"), AskQuestion(forum=forum.id))])
    if forum.latitude is not None and forum.longitude is not None:
        rows.append([(_("📍 Map"), ForumMap(forum=forum.id))])
    rows.append([(_("‹ All forums"), ForumList())])
    return inline_keyboard(rows)


# --- answering -------------------------------------------------------------------------------------

def answer_toast(answer: Answer) -> str:
    if not answer.changed:
        return _("That is already your RSVP.")
    return _(ANSWERED[answer.after])


def full_alert(remote: bool) -> str:
    if remote:
        return _("All seats are taken. You can take part remotely or join the waiting list.")
    return _("All seats are taken. You can join the waiting list: you will be told if a seat frees up.")


def refused_toast(error: ForumEnded | AlreadyStarted | NoRemoteLink) -> str:
    return _(REFUSALS[type(error)])


def calendar_caption() -> str:
    return _("📅 Open the file to add the forum to your calendar. It reminds you an hour before.")


def calendar_name(forum: Forum) -> str:
    return f"foorumi-{forum.id}.ics"
