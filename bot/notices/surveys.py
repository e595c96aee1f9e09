"""Survey invitations and the reminder to finish one, composed in every language."""
from __future__ import annotations

from html import escape

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.ballots import only_in
from bot.notices.compose import Composer
from bot.notices.survey_buttons import SurveyOpen
from bot.notices.words import short
from bot.services.survey_invitations import minutes_to_answer
from bot.telegram.keyboards import Button, packed
from domain import Notice, localized_text, survey_command
from storage.models import Survey

INTRO_SHOWN = 300  # characters of the intro in an invitation: its beginning, the rest in the survey


def survey_title(survey: Survey, locale: str, default: str) -> tuple[str, str]:
    """The title in bold (HTML, with the note when another language is shown) and its language."""
    text, used = localized_text(survey.title, locale, default)
    return f"<b>{escape(text)}</b>{only_in(used, locale)}", used


def intro_start(survey: Survey, locale: str, default: str, title_used: str) -> str | None:
    """The intro's beginning; its language noted unless the title's note already says it."""
    if not any(text.strip() for text in survey.intro.values()):
        return None
    text, used = localized_text(survey.intro, locale, default)
    return escape(short(text, INTRO_SHOWN)) + ("" if used == title_used else only_in(used, locale))


def size_line(survey: Survey, locale: str) -> str:
    questions = ngettext("{count} question", "{count} questions", len(survey.questions)).format(
        count=format_count(len(survey.questions), locale))
    minutes = minutes_to_answer(survey)
    duration = ngettext("about {count} minute", "about {count} minutes", minutes).format(
        count=format_count(minutes, locale))
    return f"📋 {questions}, {duration}"


def privacy_line(survey: Survey) -> str:
    if survey.anonymous:
        return _("🔒 Anonymous: your answers are not linked to you.")
    return _("👤 Not anonymous: your answers are kept with your name.")


def invitation_text(survey: Survey, locale: str, settings: Settings) -> str:
    title, used = survey_title(survey, locale, settings.default_locale)
    closes = format_moment(survey.closes_at, locale, settings.zone)
    return "\n\n".join(filter(None, [
        _("📝 <b>Your feedback, please</b>") + "\n" + title,
        intro_start(survey, locale, settings.default_locale, used),
        size_line(survey, locale) + "\n" + privacy_line(survey),
        _("Open until {closes}. You can stop and continue later: {command}").format(
            closes=closes, command=survey_command(survey.id)),
    ]))


def reminder_text(survey: Survey, questions_left: int, locale: str, settings: Settings) -> str:
    title, _used = survey_title(survey, locale, settings.default_locale)
    closes = format_moment(survey.closes_at, locale, settings.zone)
    return "\n\n".join([
        _("⏰ <b>Reminder</b>") + "\n" + ngettext(
            "You started the survey {title} and have {count} question left.",
            "You started the survey {title} and have {count} questions left.", questions_left,
        ).format(title=title, count=format_count(questions_left, locale)),
        _("It closes {closes}. Continue where you left off: {command}").format(
            closes=closes, command=survey_command(survey.id)),
    ])


def open_button(survey: Survey, label: str) -> list[list[Button]]:
    return [[(label, SurveyOpen(survey=survey.id))]]


class SurveyNotices(Composer):
    def survey_invitation(self, survey: Survey) -> Notice:
        """A survey is open for the reader: what it is, how long it takes, whether it is anonymous."""
        return self._each_locale(lambda locale: invitation_text(survey, locale, self.settings),
                                 lambda locale: packed(open_button(survey, _("📝 Answer the survey"))))

    def survey_reminder(self, survey: Survey, questions_left: int) -> Notice:
        """To a resident who started a survey and has not finished it: how much is left, until when."""
        return self._each_locale(lambda locale: reminder_text(survey, questions_left, locale, self.settings),
                                 lambda locale: packed(open_button(survey, _("▶️ Continue"))))
