"""What residents read of a forum – its invitation and page – in the current locale."""
from __future__ import annotations

from html import escape

from bot.config import Settings
from bot.i18n import _, format_moment
from bot.notices.ballots import only_in
from bot.notices.compose import Composer
from bot.notices.forum_buttons import RsvpPick
from bot.telegram.keyboards import Button, packed
from domain import ATTENDANCE_LABELS, Attendance, Notice, localized_text
from storage.models import Forum


def title_of(forum: Forum, locale: str, default: str) -> str:
    """The forum's title in bold (HTML), saying so when it is in another language."""
    text, used = localized_text(forum.title, locale, default)
    return f"<b>{escape(text)}</b>{only_in(used, locale)}"


def when_and_where(forum: Forum, locale: str, settings: Settings) -> str:
    starts = format_moment(forum.starts_at, locale, settings.zone)
    ends = format_moment(forum.ends_at, locale, settings.zone, "H.mm")
    lines = [_("🗓 {starts}–{ends}").format(starts=starts, ends=ends), _("📍 {place}").format(place=escape(forum.place))]
    if forum.remote_url:
        lines.append(_("💻 You can also take part remotely."))
    return "\n".join(lines)


def invitation_text(forum: Forum, locale: str, settings: Settings) -> str:
    description, used = localized_text(forum.description, locale, settings.default_locale)
    return "\n\n".join([
        _("🗣 <b>You are invited to a forum</b>"),
        title_of(forum, locale, settings.default_locale),
        escape(description) + only_in(used, locale),
        when_and_where(forum, locale, settings),
        _("Will you come? More: /f{id}").format(id="…" if forum.id is None else forum.id),  # … in a preview
    ])


def rsvp_rows(forum: Forum, chosen: Attendance | None = None, full: bool = False,
              started: bool = False) -> list[list[Button]]:
    """In person and (when it has a link) remotely on one row, not coming below them; the reader's
    answer ticked. A full room offers its waiting list instead of a seat to those without one,
    and once the forum has started no seat is offered."""
    def button(attendance: Attendance) -> Button:
        tick = "✅ " if attendance == chosen else ""
        return tick + _(ATTENDANCE_LABELS[attendance]), RsvpPick(forum=forum.id, attendance=attendance)

    seated = chosen == Attendance.IN_PERSON
    coming = [] if started and not seated else [
        button(Attendance.WAITING if full and not seated else Attendance.IN_PERSON)]
    if forum.remote_url:
        coming.append(button(Attendance.REMOTE))
    return [coming, [button(Attendance.NOT_COMING)]]


def seat_text(forum: Forum, locale: str, settings: Settings) -> str:
    return "\n\n".join([
        _("🎉 <b>A seat freed up for you</b> – you are now coming in person:"),
        title_of(forum, locale, settings.default_locale),
        when_and_where(forum, locale, settings),
        _("Add it to your calendar or change your RSVP: /f{id}").format(id=forum.id),
    ])


class ForumNotices(Composer):
    def forum_invitation(self, forum: Forum) -> Notice:
        """A forum announced: what, when and where, with the RSVP buttons."""
        return self._each_locale(lambda locale: invitation_text(forum, locale, self.settings),
                                 lambda locale: packed(rsvp_rows(forum)))

    def forum_seat(self, forum: Forum) -> Notice:
        """To the resident on the waiting list whom a seat given up went to."""
        return self._each_locale(lambda locale: seat_text(forum, locale, self.settings))
