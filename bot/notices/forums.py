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
        _("Will you come? More: /f{id}").format(id=forum.id),
    ])


def rsvp_rows(forum: Forum) -> list[list[Button]]:
    """In person and (when it has a link) remotely on one row, not coming below them."""
    def button(attendance: Attendance) -> Button:
        return _(ATTENDANCE_LABELS[attendance]), RsvpPick(forum=forum.id, attendance=attendance)

    coming = [button(Attendance.IN_PERSON)] + ([button(Attendance.REMOTE)] if forum.remote_url else [])
    return [coming, [button(Attendance.NOT_COMING)]]


class ForumNotices(Composer):
    def forum_invitation(self, forum: Forum) -> Notice:
        """A forum announced: what, when and where, with the RSVP buttons."""
        return self._each_locale(lambda locale: invitation_text(forum, locale, self.settings),
                                 lambda locale: packed(rsvp_rows(forum)))
