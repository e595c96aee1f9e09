"""Texts and keyboards of /surveys, a survey's page (/s4, t.me/<bot>?start=s4) and its questions."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from functools import partial
from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import N_, _, format_count, format_moment, ngettext
from bot.notices.ballots import only_in
from bot.notices.survey_buttons import SurveyOpen
from bot.notices.surveys import privacy_line, size_line, survey_title
from bot.notices.words import short
from bot.services.survey_answers import AlreadyAnswered, Progress, Standing
from bot.services.surveys import NotForYou, SurveyNotOpen
from bot.telegram.keyboards import Button, inline_keyboard
from domain import ANSWER_LIMIT, NUMBER_RANGES, NotFound, QuestionKind, SurveyPhase, localized_text
from domain.ids import Natural
from storage.models import Survey, SurveyQuestion


class Step(StrEnum):
    ANSWER = "a"  # a number, yes (1) / no (0), or a single choice's option index
    TOGGLE = "t"  # choose or remove a multiple choice's option
    DONE = "d"  # the multiple choices made, or the earlier answer kept
    BACK = "b"
    SKIP = "s"
    LATER = "l"


class SurveyStep(CallbackData, prefix="sq"):
    """A step at one question: naming the survey and the question's position makes a button
    from an earlier question, or from another survey, stale rather than wrong."""

    survey: Natural
    position: Natural
    action: Step
    value: Natural = 0


class SurveyList(CallbackData, prefix="svl"):
    """The open surveys the resident may answer."""


REFUSALS = {
    NotFound: N_("That is no longer available – it may have been changed or removed."),
    NotForYou: N_("This survey is for a forum's participants or another group of residents, so it is not "
                  "open to you."),
    AlreadyAnswered: N_("✅ You have already answered this survey – thank you! Each resident answers once."),
}


# --- /surveys and a survey's page ------------------------------------------------------------------

def list_text(found: Sequence[Standing], locale: str, settings: Settings) -> str:
    if not found:
        return _("No surveys are open for you right now. When there is one, you will hear about it here.")
    lines = [_("📝 <b>Feedback surveys</b> – tap one to answer. You can stop at any time and continue later "
               "where you left off."), ""]
    for one in found:
        title = survey_title(one.survey, locale, settings.default_locale)[0]
        if one.finished:
            lines.append(_("✅ {title} – answered, thank you").format(title=title))
        else:
            lines.append(_("• {title} – open until {closing}").format(
                title=title, closing=format_moment(one.survey.closes_at, locale, settings.zone)))
    return "\n".join(lines)


def list_keyboard(found: Sequence[Standing], locale: str, settings: Settings) -> InlineKeyboardMarkup | None:
    rows = [[list_button(one, locale, settings)] for one in found if not one.finished]
    return inline_keyboard(rows) if rows else None


def list_button(one: Standing, locale: str, settings: Settings) -> Button:
    title = short(localized_text(one.survey.title, locale, settings.default_locale)[0], 30)
    if one.position is None:
        return title, SurveyOpen(survey=one.survey.id)
    return (_("▶️ Continue: {title} ({position}/{total})").format(
        title=title, position=one.position, total=len(one.survey.questions)),
        SurveyOpen(survey=one.survey.id, start=True))


def page_text(chosen: Survey, phase: SurveyPhase, allowed: bool, standing: Standing, locale: str,
              settings: Settings) -> str:
    """The survey: title, intro, how many questions, what anonymity means, and where it stands
    for this resident."""
    title, used = survey_title(chosen, locale, settings.default_locale)
    parts = [f"📝 {title}"]
    if chosen.intro:
        intro, intro_used = localized_text(chosen.intro, locale, settings.default_locale)
        parts.append(escape(intro) + ("" if intro_used == used else only_in(intro_used, locale)))
    parts.append("\n".join([size_line(chosen, locale), privacy_line(chosen), once_line(chosen)]))
    parts.append(state_line(chosen, phase, allowed, standing, locale, settings))
    return "\n\n".join(parts)


def once_line(chosen: Survey) -> str:
    if chosen.anonymous:
        return _("Your answers are stored without your name, and no one can tell which answers are yours. "
                 "You can answer once.")
    return _("You can answer once.")


def state_line(chosen: Survey, phase: SurveyPhase, allowed: bool, standing: Standing, locale: str,
               settings: Settings) -> str:
    if standing.finished:
        return _("✅ You have answered this survey – thank you!")
    if phase == SurveyPhase.CLOSED:
        return _("🔒 This survey closed {closing}.").format(
            closing=format_moment(chosen.closes_at, locale, settings.zone))
    if not allowed:
        return "🔒 " + _(REFUSALS[NotForYou])
    if phase == SurveyPhase.UPCOMING:
        return _("⏳ This survey opens {opening}.").format(
            opening=format_moment(chosen.opens_at, locale, settings.zone))
    closing = format_moment(chosen.closes_at, locale, settings.zone)
    if standing.position is not None:
        return _("You are at question {position} of {total}. The survey is open until {closing}.").format(
            position=standing.position, total=len(chosen.questions), closing=closing)
    return _("The survey is open until {closing}. You can stop at any time and continue later.").format(
        closing=closing)


def page_keyboard(chosen: Survey, startable: bool, standing: Standing) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if startable:
        label = _("▶️ Start") if standing.position is None else _("▶️ Continue")
        rows.append([(label, SurveyOpen(survey=chosen.id, start=True))])
    rows.append([(_("‹ All surveys"), SurveyList())])
    return inline_keyboard(rows)


# --- a question ---------------------------------------------------------------------------------------

def question_text(progress: Progress, locale: str, settings: Settings, problem: str | None = None) -> str:
    """The question, how to answer it and the answer given earlier; after `problem` when the
    resident's last try was refused."""
    question = progress.question
    assert question is not None
    default = settings.default_locale
    heading = _("Question {position}/{total}").format(position=progress.position, total=progress.total)
    if not question.required:
        heading += " " + _("(optional)")
    text, used = localized_text(question.texts, locale, default)
    parts = [f"📝 {survey_title(progress.survey, locale, default)[0]}\n{heading}",
             f"<b>{escape(text)}</b>{only_in(used, locale)}", how_to_answer(question, progress.survey.anonymous)]
    earlier = progress.answers.get(question.id)
    if earlier is not None:
        shown = answer_shown(question, earlier, locale, default)
        parts.append(_("Your answer so far: {answer}").format(answer=shown))
    if problem:
        parts.insert(0, f"⚠️ {problem}")
    return "\n\n".join(parts)


def how_to_answer(question: SurveyQuestion, anonymous: bool) -> str:
    kind = QuestionKind(question.kind)
    if kind in (QuestionKind.RATING, QuestionKind.SCALE):
        low, high = NUMBER_RANGES[kind]
        return _("Tap a number from {low} to {high} – or type it.").format(low=low, high=high)
    if kind == QuestionKind.SINGLE:
        return _("Tap one option.")
    if kind == QuestionKind.MULTIPLE:
        most = question.max_choices or len(question.options)
        return ngettext("Tap the options that apply (at most {count}), then Done.",
                        "Tap the options that apply (at most {count}), then Done.", most).format(
            count=format_count(most))
    if kind == QuestionKind.YES_NO:
        return _("Tap Yes or No.")
    write = ngettext("Write your answer in one message (at most {count} character).",
                     "Write your answer in one message (at most {count} characters).", ANSWER_LIMIT).format(
        count=format_count(ANSWER_LIMIT))
    if kind == QuestionKind.THEME:
        write += " " + (_("It goes to the moderators as a proposal, without your name.") if anonymous
                        else _("It goes to the moderators as a proposal in your name."))
    return write


def answer_shown(question: SurveyQuestion, value: Any, locale: str, default: str) -> str:
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionKind.SINGLE:
        return escape(option_label(question, value, locale, default))
    if kind == QuestionKind.MULTIPLE:
        return ", ".join(escape(option_label(question, one, locale, default)) for one in value)
    if isinstance(value, str):
        return f"<i>{escape(value)}</i>"
    return format_count(value)


def option_label(question: SurveyQuestion, index: int, locale: str, default: str) -> str:
    """An option's label as plain text (for a button; escape it for a message)."""
    return localized_text(question.options[index], locale, default)[0]


def question_keyboard(progress: Progress, chosen: Sequence[int], locale: str,
                      settings: Settings) -> InlineKeyboardMarkup:
    """The answer buttons (`chosen`: a multiple choice's options ticked so far), then the way on."""
    question = progress.question
    assert question is not None
    step = partial(SurveyStep, survey=progress.survey.id, position=progress.position)
    earlier = progress.answers.get(question.id)
    rows = answer_rows(question, step, earlier, chosen, locale, settings.default_locale)
    if earlier is not None and question.kind != QuestionKind.MULTIPLE:
        rows.append([(_("✔️ Keep my answer"), step(action=Step.DONE))])
    back = [(_("‹ Back"), step(action=Step.BACK))] if progress.position > 1 else []
    skip = [(_("Skip ›"), step(action=Step.SKIP))] if not question.required else []
    rows += [back + skip, [(_("⏸ Continue later"), step(action=Step.LATER))]]
    return inline_keyboard(rows)


def answer_rows(question: SurveyQuestion, step: Callable[..., SurveyStep], earlier: Any, chosen: Sequence[int],
                locale: str, default: str) -> list[list[Button]]:
    kind = QuestionKind(question.kind)

    def marked(label: str, value: int) -> str:
        return f"✅ {label}" if earlier == value else label

    if kind in (QuestionKind.RATING, QuestionKind.SCALE):
        low, high = NUMBER_RANGES[kind]
        numbers = [(marked(str(n), n), step(action=Step.ANSWER, value=n)) for n in range(low, high + 1)]
        half = (len(numbers) + 1) // 2
        return [numbers] if kind == QuestionKind.RATING else [numbers[:half], numbers[half:]]
    if kind == QuestionKind.YES_NO:
        return [[(marked(_("Yes"), 1), step(action=Step.ANSWER, value=1)),
                 (marked(_("No"), 0), step(action=Step.ANSWER, value=0))]]
    labels = [short(option_label(question, n, locale, default), 60) for n in range(len(question.options))]
    if kind == QuestionKind.SINGLE:
        return [[(marked(label, n), step(action=Step.ANSWER, value=n))] for n, label in enumerate(labels)]
    if kind == QuestionKind.MULTIPLE:
        ticked = [[(("☑️ " if n in chosen else "⬜ ") + label, step(action=Step.TOGGLE, value=n))]
                  for n, label in enumerate(labels)]
        return ticked + [[(_("Done ›"), step(action=Step.DONE))]]
    return []


# --- after an answer, and refusals ------------------------------------------------------------------

def finished_text(progress: Progress, locale: str, settings: Settings) -> str:
    title = survey_title(progress.survey, locale, settings.default_locale)[0]
    parts = [_("✅ <b>Thank you!</b> Your response to {title} is saved.").format(title=title)]
    if progress.suggestion is not None:
        parts.append(_("Your theme suggestion went to the moderators as a proposal, without your name – "
                       "this survey is anonymous.") if progress.survey.anonymous else
                     _("Your theme suggestion went to the moderators as a proposal in your name. You will "
                       "hear what they decide."))
    return "\n\n".join(parts)


def later_text(chosen: Survey, locale: str, settings: Settings) -> str:
    return _("⏸ Your answers so far are saved. Continue where you left off with /surveys – the survey is "
             "open until {closing}.").format(closing=format_moment(chosen.closes_at, locale, settings.zone))


def refusal_text(error: Exception) -> str:
    """Why the survey cannot be answered (now)."""
    if isinstance(error, SurveyNotOpen):
        if error.phase == SurveyPhase.UPCOMING:
            return _("This survey has not opened yet.")
        return _("This survey has closed, so answers are no longer taken. Thank you for your interest!")
    return _(next(text for kind, text in REFUSALS.items() if isinstance(error, kind)))


def stale_text() -> str:
    return _("Your message answered an earlier question, so it was not saved. Here is where you are now.")


def stale_toast() -> str:
    return _("That button is from an earlier question and is no longer valid. Here is where you are now.")


def required_toast() -> str:
    return _("This question needs an answer – it cannot be skipped.")


def invalid_toast() -> str:
    return _("That is not an answer to this question.")


def choose_first_toast() -> str:
    return _("Choose at least one option first – or skip the question if it is optional.")


def buttons_expected() -> str:
    return _("Please answer this question with the buttons under it.")


def text_expected() -> str:
    return _("Please write your answer as text.")


def number_expected(kind: QuestionKind) -> str:
    low, high = NUMBER_RANGES[kind]
    return _("Please give a whole number from {low} to {high}.").format(low=low, high=high)


def too_long(length: int) -> str:
    return ngettext("Your answer is {length} character long; at most {limit} fit. Please shorten it and send it "
                    "again.",
                    "Your answer is {length} characters long; at most {limit} fit. Please shorten it and send it "
                    "again.", length).format(length=format_count(length), limit=format_count(ANSWER_LIMIT))
