"""Texts and keyboards of live questions: asking one, and the host's /next."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import _, format_count, ngettext
from bot.notices.forum_buttons import AskQuestion
from bot.notices.forums import title_of
from bot.notices.words import short
from bot.services.forum_questions import QUESTION_LIMIT, NotLive, NotRemote, Queue, TooManyPending
from bot.telegram.keyboards import inline_keyboard
from domain import ForumPhase, localized_text
from storage.models import Forum


class QuestionCancel(CallbackData, prefix="qc"):
    """Stop writing a question; nothing is sent."""


def prompt_text(forum: Forum, locale: str, settings: Settings) -> str:
    return "\n\n".join([
        _("❓ <b>Your question to the forum</b>"),
        title_of(forum, locale, settings.default_locale),
        ngettext("Write your question or comment in one message (at most {limit} character). "
                 "A moderator reads it first; other residents do not see it.",
                 "Write your question or comment in one message (at most {limit} characters). "
                 "A moderator reads it first; other residents do not see it.",
                 QUESTION_LIMIT).format(limit=format_count(QUESTION_LIMIT)),
    ])


def cancel_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("✖️ Cancel"), QuestionCancel())]])


def sent_text() -> str:
    return _("✅ Thank you! Your question waits for a moderator. If it is approved, the host takes it "
             "up in turn – you will hear when that happens.")


def not_text() -> str:
    return _("Please write your question as text – or press Cancel.")


def discarded_text() -> str:
    return _("Your question was not sent.")


def refusal_text(refused: NotLive | NotRemote | TooManyPending) -> str:
    """Why no question can be sent now."""
    if isinstance(refused, NotLive) and refused.phase == ForumPhase.UPCOMING:
        return _("The forum has not started yet. Questions can be sent while it is on.")
    if isinstance(refused, NotLive):
        return _("The forum is over, so questions can no longer be sent.")
    if isinstance(refused, NotRemote):
        return _("Questions are sent here by those taking part remotely. In the room, ask the host directly.")
    return ngettext("You already have {count} question waiting for a moderator. Please wait until it has "
                    "been read.",
                    "You already have {count} questions waiting for a moderator. Please wait until they "
                    "have been read.", refused.limit).format(count=format_count(refused.limit))


def none_live_text() -> str:
    return _("No forum you take part in remotely is on right now. You can send questions while one is.")


def choose_text() -> str:
    return _("Which forum is your question for?")


def choose_keyboard(forums: Sequence[Forum], locale: str, settings: Settings) -> InlineKeyboardMarkup:
    return inline_keyboard([[(short(localized_text(forum.title, locale, settings.default_locale)[0]),
                              AskQuestion(forum=forum.id))] for forum in forums])


def already_decided_text() -> str:
    return _("This question was already decided – the card shows how.")


def decided_toast(approved: bool) -> str:
    return _("Approved – it is in the host's queue.") if approved else _("Skipped.")


def waiting_line(queue: Queue) -> str:
    return _("Still waiting: {approved} approved, {pending} for a moderator").format(
        approved=format_count(queue.approved), pending=format_count(queue.pending))


def next_text(queue: Queue, locale: str, settings: Settings) -> str:
    """The host's next question with its forum, and what still waits; or why there is none."""
    if not queue.live:
        return _("No forum is on right now.")
    if queue.question is None or queue.forum is None:
        return ngettext("No approved questions are waiting. {count} question waits for a moderator.",
                        "No approved questions are waiting. {count} questions wait for a moderator.",
                        queue.pending).format(count=format_count(queue.pending))
    return "\n\n".join([
        _("🎤 <b>Next question</b> (#{id})").format(id=queue.question.id),
        title_of(queue.forum, locale, settings.default_locale),
        f"<i>{escape(queue.question.text)}</i>",
        waiting_line(queue),
    ])
