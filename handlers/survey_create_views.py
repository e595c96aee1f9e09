"""Texts and keyboards of /newsurvey: title and introduction, anonymity, a forum or an audience,
opening and closing, the questions one by one, and the preview of every question in each language."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import N_, _, format_count, ngettext
from bot.notices.ballots import only_in
from bot.notices.words import short
from bot.services.ballots import Problem
from bot.telegram.keyboards import Button, inline_keyboard
from domain import (
    LANGUAGE_IN, LANGUAGE_NAMES, LOCALES, MAX_QUESTIONS, QUESTION_KIND_LABELS, QuestionKind, localized_text,
)
from domain.ids import Natural
from domain.surveys import MAX_OPTIONS, MIN_OPTIONS
from handlers.ballot_create_views import label_count_text
from storage.models import Forum, Survey

PAGE_LIMIT = 3800  # characters of a preview page: under Telegram's 4096, with room for the headings
DELAY_PRESETS = (
    (30, N_("30 min after it ends")), (60, N_("1 h after it ends")), (180, N_("3 h after it ends")),
    (1440, N_("The next day (24 h)")),
)
PROBLEM_PARTS = {
    "title": N_("Title"), "intro": N_("Introduction"), "questions": N_("Questions"), "closes": N_("Closing time"),
    "audience": N_("Who may answer"), "areas": N_("Who may answer"), "forum": N_("The forum"),
    "invite_delay": N_("Invitations"),
}


class SurveyDo(StrEnum):
    SKIP = "skip"  # this language
    NO_INTRO = "no_intro"
    ANONYMOUS = "anonymous"
    NAMED = "named"
    AFTER_FORUM = "forum"
    BACK = "back"  # from the forums to "who is it for?"
    FOR_AUDIENCE = "audience"
    EVERYONE = "everyone"
    CHOOSE_AREAS = "areas"
    AREAS_CHOSEN = "areas_done"
    NOW = "now"  # opens right away
    UNDO_OPTION = "undo"
    OPTIONS_DONE = "options_done"
    REQUIRED = "required"
    OPTIONAL = "optional"
    ANOTHER = "another"  # one more question
    DROP_LAST = "drop"  # remove the last question
    QUESTIONS_DONE = "done"
    CREATE = "create"
    EDIT = "edit"
    TITLE = "title"  # from the edit menu
    TIMES = "times"
    PREVIEW = "preview"  # back to the preview
    CANCEL = "cancel"


class NewSurveyStep(CallbackData, prefix="ns"):
    do: SurveyDo


class ForumPick(CallbackData, prefix="nsf"):
    forum: Natural


class DelayPick(CallbackData, prefix="nsd"):
    minutes: Natural


class KindPick(CallbackData, prefix="nsk"):
    kind: QuestionKind


class MostPick(CallbackData, prefix="nsm"):
    count: Natural


class ReplacePick(CallbackData, prefix="nsr"):
    number: Natural  # a question to write again, 1…


class PreviewPage(CallbackData, prefix="nsp"):
    locale: str
    page: Natural


def header() -> str:
    return _("📋 <b>New survey</b>")


def prompt(*parts: str) -> str:
    return "\n\n".join([header(), *parts])


def cancel_row() -> list[Button]:
    return [(_("✖ Cancel"), NewSurveyStep(do=SurveyDo.CANCEL))]


def cancel_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([cancel_row()])


def step_button(label: str, do: SurveyDo) -> list[Button]:
    return [(label, NewSurveyStep(do=do))]


def discarded_text() -> str:
    return _("The draft survey was discarded – nothing was created.")



def write_text() -> str:
    return _("Please write it as text – stickers, photos and files can't be used here.")


# --- title and introduction, one language at a time --------------------------------------------

def text_prompt(part: str, locale: str, first: bool) -> str:
    language = _(LANGUAGE_IN[locale])
    asks = {
        "title": _("Write the survey's <b>title</b> {language}."),
        "intro": _("Write a short <b>introduction</b> {language}: why you ask, and how the answers are used "
                   "(optional)."),
    }
    parts = [asks[part].format(language=language)]
    if not first or part == "intro":
        parts.append(_("Skip it if you do not need this language: residents then read another language, "
                       "with a short note."))
    return prompt(*parts)


def text_keyboard(part: str, first: bool) -> InlineKeyboardMarkup:
    rows = [] if first and part == "title" else [step_button(_("Skip this language ›"), SurveyDo.SKIP)]
    if first and part == "intro":
        rows.append(step_button(_("No introduction ›"), SurveyDo.NO_INTRO))
    return inline_keyboard([*rows, cancel_row()])


# --- anonymity, and who answers ----------------------------------------------------------------

def anonymity_prompt() -> str:
    return prompt(_("🕶 <b>Anonymous or named?</b>"),
                  _("Anonymous: the answers are kept with nothing that links them to the resident – still one "
                    "response each. Named: staff can see who answered what."))


def anonymity_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("🕶 Anonymous"), SurveyDo.ANONYMOUS),
                            step_button(_("👤 Named"), SurveyDo.NAMED), cancel_row()])


def target_prompt() -> str:
    return prompt(_("👥 <b>Who is it for?</b>"),
                  _("After a forum, those who came in person or remotely are invited a set time after it "
                    "ends. Otherwise choose who may answer."))


def target_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("🗣 After a forum"), SurveyDo.AFTER_FORUM),
                            step_button(_("👥 Open to an audience"), SurveyDo.FOR_AUDIENCE), cancel_row()])


def forum_prompt(count: int) -> str:
    if not count:
        return prompt(_("There are no forums of the last 30 days or to come."))
    return prompt(_("🗣 <b>After which forum?</b>"))


def forum_keyboard(forums: Sequence[tuple[Forum, str]]) -> InlineKeyboardMarkup:
    """(forum, its title and day) each."""
    return inline_keyboard([*([(short(f"#{forum.id} {label}"), ForumPick(forum=forum.id))] for forum, label in forums),
                            step_button(_("‹ Back"), SurveyDo.BACK), cancel_row()])


def delay_prompt() -> str:
    return prompt(_("⏰ <b>When are its attendees invited?</b>"))


def delay_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([*([(_(label), DelayPick(minutes=minutes))] for minutes, label in DELAY_PRESETS),
                            cancel_row()])


def delay_label(minutes: int) -> str:
    return next(_(label) for preset, label in DELAY_PRESETS if preset == minutes)


def audience_prompt() -> str:
    return prompt(_("👥 <b>Who may answer?</b>"))


def audience_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("Everyone"), SurveyDo.EVERYONE),
                            step_button(_("Residents of chosen areas"), SurveyDo.CHOOSE_AREAS), cancel_row()])


def areas_prompt(chosen: str) -> str:
    return prompt(_("👥 <b>Which areas?</b> Choose one or more."), _("Now: {who}").format(who=chosen or "–"))


def areas_keyboard(area_rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return inline_keyboard([*area_rows, step_button(_("Continue ›"), SurveyDo.AREAS_CHOSEN), cancel_row()])



# --- opening and closing -----------------------------------------------------------------------

def opens_prompt(zone_examples: str) -> str:
    return prompt(_("🕓 <b>When does it open?</b>"), zone_examples)


def opens_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("▶ Right away"), SurveyDo.NOW), cancel_row()])


def closes_prompt(zone_examples: str) -> str:
    return prompt(_("🏁 <b>When does it close?</b>"), zone_examples)



def closes_too_early_text() -> str:
    return _("The survey has to close after it opens.")


# --- the questions -----------------------------------------------------------------------------

def question_header(number: int) -> str:
    return _("<b>Question {number}</b>").format(number=number)


def kind_prompt(number: int) -> str:
    return prompt(question_header(number), _("What kind of question is it?"))


def kind_keyboard() -> InlineKeyboardMarkup:
    buttons = [(_(label), KindPick(kind=kind)) for kind, label in QUESTION_KIND_LABELS.items()]
    return inline_keyboard([*(buttons[i:i + 2] for i in range(0, len(buttons), 2)), cancel_row()])


def question_text_prompt(number: int, kind: QuestionKind, locale: str, first: bool) -> str:
    parts = [question_header(number) + f" · {_(QUESTION_KIND_LABELS[kind])}",
             _("Write the question {language}.").format(language=_(LANGUAGE_IN[locale]))]
    if kind == QuestionKind.THEME:
        parts.append(_("For example: “Suggest a theme for a future forum”. Residents' answers become "
                       "proposals waiting for moderation; only the last question can be one."))
    if not first:
        parts.append(_("Skip it if you do not need this language."))
    return prompt(*parts)


def question_text_keyboard(first: bool) -> InlineKeyboardMarkup:
    return cancel_keyboard() if first else inline_keyboard(
        [step_button(_("Skip this language ›"), SurveyDo.SKIP), cancel_row()])


def options_prompt(number: int, options: Sequence[Mapping[str, str]], languages: Sequence[str]) -> str:
    lines = [_("Write the <b>options</b> ({least}–{most}), one per message.").format(least=MIN_OPTIONS,
                                                                                     most=MAX_OPTIONS)]
    if len(languages) > 1:
        lines.append(label_count_text(languages))
    lines += ["", _("<b>Options so far</b>:") if options else _("No options yet.")]
    lines += [f"{n}. {escape(' | '.join(option.values()))}" for n, option in enumerate(options, 1)]
    return prompt(question_header(number), "\n".join(lines))


def options_keyboard(any_options: bool) -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("↩ Remove the last option"), SurveyDo.UNDO_OPTION) if any_options else [],
                            step_button(_("Done ›"), SurveyDo.OPTIONS_DONE), cancel_row()])


def options_needed_text() -> str:
    return _("A choice question needs {least}–{most} options.").format(least=MIN_OPTIONS, most=MAX_OPTIONS)


def most_prompt(number: int) -> str:
    return prompt(question_header(number), _("How many options may each resident choose at most?"))


def most_keyboard(options: int) -> InlineKeyboardMarkup:
    numbers = [(str(count), MostPick(count=count)) for count in range(1, options)]
    return inline_keyboard([*(numbers[i:i + 5] for i in range(0, len(numbers), 5)),
                            [(_("Any number"), MostPick(count=options))], cancel_row()])


def required_prompt(number: int) -> str:
    return prompt(question_header(number), _("Must residents answer it, or may they skip it?"))


def required_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("Required"), SurveyDo.REQUIRED),
                            step_button(_("Optional – may be skipped"), SurveyDo.OPTIONAL), cancel_row()])


def questions_text(questions: Sequence[Mapping], default: str) -> str:
    lines = [f"{n}. {escape(short(localized_text(question['texts'], default, default)[0]))} "
             f"<i>({_(QUESTION_KIND_LABELS[QuestionKind(question['kind'])])})</i>"
             for n, question in enumerate(questions, 1)]
    return prompt(_("<b>Questions so far</b>:"), "\n".join(lines))


def questions_keyboard(count: int) -> InlineKeyboardMarkup:
    return inline_keyboard([
        step_button(_("➕ Another question"), SurveyDo.ANOTHER) if count < MAX_QUESTIONS else [],
        step_button(_("↩ Remove the last question"), SurveyDo.DROP_LAST),
        step_button(_("Done – preview ›"), SurveyDo.QUESTIONS_DONE),
        cancel_row(),
    ])


# --- the preview -------------------------------------------------------------------------------

def preview_pages(survey: Survey, locale: str, facts: Sequence[str]) -> list[str]:
    """The survey as residents reading `locale` get it, split into pages that fit in a message:
    the title, introduction and facts first, then the questions."""
    title, used = localized_text(survey.title, locale, locale_default(survey.title))
    head = [f"<b>{escape(title)}</b>{only_in(used, locale)}"]
    if survey.intro:
        intro, used = localized_text(survey.intro, locale, locale_default(survey.intro))
        head.append(escape(intro) + only_in(used, locale))
    pages = ["\n\n".join([*head, "———\n" + "\n".join(facts)])]
    for question in survey.questions:
        block = question_block(question.position, QuestionKind(question.kind), question.texts, question.options,
                               question.max_choices, question.required, locale)
        if len(pages[-1]) + len(block) + 2 > PAGE_LIMIT:
            pages.append(block)
        else:
            pages[-1] += "\n\n" + block
    return pages


def locale_default(texts: Mapping[str, str]) -> str:
    """A language the text is written in, for the fallback when the reader's is not."""
    return next(code for code in LOCALES if code in texts)


def question_block(number: int, kind: QuestionKind, texts: Mapping[str, str], options: Sequence[Mapping[str, str]],
                   most: int | None, required: bool, locale: str) -> str:
    text, used = localized_text(dict(texts), locale, locale_default(texts))
    how = [_(QUESTION_KIND_LABELS[kind]), _("required") if required else _("optional")]
    if kind == QuestionKind.MULTIPLE and most:
        how.append(_("at most {count}").format(count=format_count(most)))
    lines = [f"<b>{number}.</b> {escape(text)}{only_in(used, locale)}", f"<i>{' · '.join(how)}</i>"]
    for option in options:
        label, used = localized_text(dict(option), locale, locale_default(option))
        lines.append(f"  ○ {escape(label)}{only_in(used, locale)}")
    return "\n".join(lines)


def preview_text(page_text: str, locale: str, page: int, pages: int) -> str:
    heading = _("<b>Ready?</b> This is the survey {language}, as residents get it").format(
        language=_(LANGUAGE_IN[locale]))
    if pages > 1:
        heading += " " + _("(page {page} of {pages})").format(page=page + 1, pages=pages)
    return heading + ":\n\n" + page_text


def facts(anonymous: bool, who: str, invited: str, opens: str, closes: str, count: int) -> list[str]:
    return [
        _("🕶 Anonymous: answers are not linked to residents") if anonymous else _("👤 Named: staff see who answered"),
        _("👥 For: {who}").format(who=who),
        _("✉️ Invitations: {when}").format(when=invited),
        _("🗓 Open {opens} – {closes}").format(opens=opens, closes=closes),
        ngettext("{count} question", "{count} questions", count).format(count=format_count(count)),
    ]


def forum_audience(forum_id: int, title: str) -> str:
    return _("those who came to forum #{id} {title}, in person or remotely").format(id=forum_id,
                                                                                     title=escape(title))


def preview_keyboard(locale: str, page: int, pages: int) -> InlineKeyboardMarkup:
    languages = [(("· " if code == locale else "") + LANGUAGE_NAMES[code], PreviewPage(locale=code, page=0))
                 for code in LOCALES]
    turn = [(_("Page {page} of {pages} ›").format(page=(page + 1) % pages + 1, pages=pages),
             PreviewPage(locale=locale, page=(page + 1) % pages))] if pages > 1 else []
    return inline_keyboard([languages, turn, step_button(_("✅ Create the survey"), SurveyDo.CREATE),
                            step_button(_("✏️ Edit"), SurveyDo.EDIT), cancel_row()])


def problems_text(problems: Sequence[Problem]) -> str:
    """What keeps the draft from becoming a survey, in the staff member's language."""
    return _("⚠️ Something needs fixing before the survey can be created:") + "\n" + "\n".join(
        f"• {_part(problem.part)}: {escape(_(problem.msgid).format(**problem.values))}" for problem in problems)


def _part(part: str) -> str:
    """"question 2, option 3" → "Question 2, option 3", in the staff member's language."""
    if part.startswith("question "):
        number, _comma, option = part.removeprefix("question ").partition(", option ")
        named = _("Question {number}").format(number=number)
        return _("{question}, option {number}").format(question=named, number=option) if option else named
    return _(PROBLEM_PARTS[part])


def problems_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([step_button(_("✏️ Edit"), SurveyDo.EDIT), cancel_row()])


def edit_text() -> str:
    return _("✏️ <b>What do you want to change?</b> Choose a question to write it again.")


def edit_keyboard(count: int) -> InlineKeyboardMarkup:
    numbers = [(_("Question {number}").format(number=n), ReplacePick(number=n)) for n in range(1, count + 1)]
    return inline_keyboard([
        step_button(_("✏️ Title"), SurveyDo.TITLE) + step_button(_("🕓 Times"), SurveyDo.TIMES),
        *(numbers[i:i + 3] for i in range(0, len(numbers), 3)),
        step_button(_("➕ Another question"), SurveyDo.ANOTHER) if count < MAX_QUESTIONS else [],
        step_button(_("↩ Remove the last question"), SurveyDo.DROP_LAST) if count > 1 else [],
        step_button(_("‹ Back to the preview"), SurveyDo.PREVIEW),
        cancel_row(),
    ])


def created_text(survey_id: int, invited: str) -> str:
    return "\n".join([_("✅ <b>Survey #{id}</b> is created.").format(id=survey_id),
                      _("Invitations: {when}.").format(when=invited),
                      _("Residents open it with /s{id}.").format(id=survey_id)])
