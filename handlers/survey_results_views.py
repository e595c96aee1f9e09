"""Texts and keyboards of /surveyresults: the list of surveys, a survey's summary (responses ÷
invited, where people stopped, each question's answers with bars, averages and the net promoter
score), the written answers page by page, the breakdown by resident group, and the charts."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.charts import OKABE_ITO
from bot.config import Settings
from bot.i18n import _, format_count, format_moment, format_rate, format_share, ngettext
from bot.notices.ballots import group_label, only_in
from bot.notices.words import short
from bot.services.survey_results import (
    DETRACTORS, PROMOTERS, TEXT_PAGE, Distribution, GroupResult, QuestionResult, Results, TextPage, has_average, values_of,
)
from bot.telegram.keyboards import Button, inline_keyboard
from domain import (
    CHOICE_KINDS, QUESTION_KIND_LABELS, SMALL_GROUP, TYPED_KINDS, Phase, QuestionKind, SurveyPhase, bar, localized_text, share,
)
from domain.ids import Natural
from handlers.ballot_admin_views import PHASE_LABELS
from storage.models import Survey, SurveyQuestion

PAGE_SIZE = 5
MESSAGE_LIMIT = 3800  # characters: a message holds 4,096; what does not fit is counted in a line
NOTE_ROOM = 300  # for that line, and the one on hidden groups
TEXT_LIMIT = 350  # characters of one written answer on a page of ten
BUTTONS_PER_ROW = 5
NPS_BANDS = ((PROMOTERS, "9–10"), (range(7, 9), "7–8"), (DETRACTORS, "0–6"))
YES_NO = {1: "✅", 0: "❌"}


class ResultsDo(StrEnum):
    OPEN = "open"
    CHART = "chart"
    TEXTS = "texts"
    GROUPS = "groups"
    CSV = "csv"


class SurveyResults(CallbackData, prefix="sres"):
    survey: Natural
    do: ResultsDo
    question: Natural = 0  # position
    page: Natural = 0


class SurveyResultsPage(CallbackData, prefix="sresl"):
    page: Natural


# --- the list ----------------------------------------------------------------------------------

Listed = tuple[Survey, SurveyPhase, int]  # a survey, its phase and its finished responses


def listing_text(rows: Sequence[Listed], locale: str, settings: Settings) -> str:
    if not rows:
        return _("No surveys yet.")
    lines = [_("📋 <b>Surveys</b>, the latest first")]
    for survey, phase, responses in rows:
        lines += ["", f"<b>#{survey.id}</b> · {_(PHASE_LABELS[Phase(phase)])} · {_dates(survey, locale, settings)}",
                  title_of(survey, locale, settings), responses_line(responses, locale)]
    return "\n".join(lines)


def responses_line(count: int, locale: str) -> str:
    return ngettext("{count} response", "{count} responses", count).format(count=format_count(count, locale))


def _dates(survey: Survey, locale: str, settings: Settings) -> str:
    return f"{format_moment(survey.opens_at, locale, settings.zone)} – " \
           f"{format_moment(survey.closes_at, locale, settings.zone)}"


def listing_keyboard(rows: Sequence[Listed], page: int, more: bool, locale: str,
                     settings: Settings) -> InlineKeyboardMarkup:
    buttons: list[list[Button]] = [
        [(f"#{survey.id} " + short(localized_text(survey.title, locale, settings.default_locale)[0], 36),
          SurveyResults(survey=survey.id, do=ResultsDo.OPEN))]
        for survey, _phase, _responses in rows
    ]
    turns = [(_("‹ Newer"), SurveyResultsPage(page=page - 1))] if page > 0 else []
    turns += [(_("Older ›"), SurveyResultsPage(page=page + 1))] if more else []
    return inline_keyboard([*buttons, turns])


def title_of(survey: Survey, locale: str, settings: Settings) -> str:
    text, used = localized_text(survey.title, locale, settings.default_locale)
    return f"<b>{escape(text)}</b>{only_in(used, locale)}"


def question_text(question: SurveyQuestion, locale: str, settings: Settings) -> str:
    """"2. The question" (escaped), saying so when it is in another language."""
    text, used = localized_text(question.texts, locale, settings.default_locale)
    return f"{question.position}. {escape(text)}{only_in(used, locale)}"


def answer_label(question: SurveyQuestion, value: int, locale: str, settings: Settings) -> str:
    """What an answer value stands for (plain text): "2. An option", yes or no, or the number itself."""
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.YES_NO:
        return _("Yes") if value else _("No")
    if kind in CHOICE_KINDS:
        return f"{value + 1}. {localized_text(question.options[value], locale, settings.default_locale)[0]}"
    return str(value)


# --- the summary -------------------------------------------------------------------------------

def summary_text(results: Results, phase: SurveyPhase, locale: str, settings: Settings) -> str:
    """The figures, where people stopped, and each question's answers – as many questions as fit."""
    survey = results.survey
    head = [
        _("📋 <b>Survey #{id}</b> · {phase}").format(id=survey.id, phase=_(PHASE_LABELS[Phase(phase)])),
        title_of(survey, locale, settings),
        _dates(survey, locale, settings) + (" · " + _("🔒 anonymous") if survey.anonymous else ""),
        "",
        _("👥 Responses: {finished} of {invited} invited ({share})").format(
            finished=format_count(results.finished, locale), invited=format_count(results.invited, locale),
            share=format_share(results.response_rate, locale)),
        _("Started: {started} · finished: {finished}").format(
            started=format_count(results.started, locale), finished=format_count(results.finished, locale)),
    ]
    blocks = ["\n\n" + question_block(result, locale, settings) for result in results.questions]
    return fitted("\n".join(head + _stops(results, locale)), blocks, lambda left: ngettext(
        "…and {count} more question: see its chart and the CSV.",
        "…and {count} more questions: see their charts and the CSV.", left,
    ).format(count=format_count(left, locale)))


def fitted(text: str, blocks: Sequence[str], left_out: Callable[[int], str]) -> str:
    """`text` and as many of `blocks` as fit in a message, then a line saying how many were left out."""
    for shown, block in enumerate(blocks):
        if len(text) + len(block) > MESSAGE_LIMIT - NOTE_ROOM:
            return text + "\n\n" + left_out(len(blocks) - shown)
        text += block
    return text


def _stops(results: Results, locale: str) -> list[str]:
    """How many of those who started reached each question."""
    if not results.started:
        return []
    lines = ["", _("<b>Where people stopped</b> – reached each question, of those who started:")]
    lines += [f"{result.question.position}. {figures(result.reached, results.completion(result), locale)}"
              for result in results.questions]
    return lines


def question_block(result: QuestionResult, locale: str, settings: Settings) -> str:
    question, answers = result.question, result.answers
    answered = ngettext("{count} answer", "{count} answers", answers.answered).format(
        count=format_count(answers.answered, locale))
    if result.reached:
        answered += " " + _("({share} of those who reached it)").format(
            share=format_share(share(answers.answered, result.reached), locale))
    lines = [f"<b>{question_text(question, locale, settings)}</b>",
             " · ".join([_(QUESTION_KIND_LABELS[result.kind]), answered, *averages(question, answers, locale)])]
    if not answers.answered:
        return "\n".join(lines)
    if result.kind in TYPED_KINDS:
        lines.append(_("Read them with the 💬 button below."))
    elif result.kind == QuestionKind.SCALE:
        lines += [f"{label} – {figures(count, share(count, answers.answered), locale)}"
                  for label, count in nps_bands(answers)]
    else:
        lines += [f"{escape(answer_label(question, value, locale, settings))} – "
                  f"{figures(answers.count(value), answers.share(value), locale)}"
                  for value in values_of(question)]
    return "\n".join(lines)


def averages(question: SurveyQuestion, answers: Distribution, locale: str) -> list[str]:
    """"average 4,2" for ratings and scales; "NPS +20" besides for a 0–10 scale."""
    if not has_average(question) or answers.average is None:
        return []
    found = [_("average {value}").format(value=format_rate(answers.average, locale))]
    if question.kind == QuestionKind.SCALE and answers.net_promoter_score is not None:
        found.append(_("NPS {score}").format(score=signed(answers.net_promoter_score, locale)))
    return found


def signed(score: float, locale: str) -> str:
    whole = round(score)
    sign = "+" if whole > 0 else "−" if whole < 0 else "±"
    return sign + format_count(abs(whole), locale)


def nps_bands(answers: Distribution) -> list[tuple[str, int]]:
    return [(label, sum(answers.count(value) for value in band)) for band, label in NPS_BANDS]


def figures(count: int, fraction: float, locale: str) -> str:
    """"6 · 50 % ▰▰▰▰▰▱▱▱▱▱": figures first, for screen readers."""
    return f"{format_count(count, locale)} · {format_share(fraction, locale)} {bar(fraction)}"


def summary_keyboard(results: Results) -> InlineKeyboardMarkup:
    survey_id = results.survey.id
    per_question: list[Button] = [
        (("💬 " if result.kind in TYPED_KINDS else "📊 ") + str(result.question.position),
         SurveyResults(survey=survey_id, do=ResultsDo.TEXTS if result.kind in TYPED_KINDS else ResultsDo.CHART,
                       question=result.question.position))
        for result in results.questions]
    rows = [per_question[start:start + BUTTONS_PER_ROW] for start in range(0, len(per_question), BUTTONS_PER_ROW)]
    return inline_keyboard([
        *rows,
        [(_("👥 By resident group"), SurveyResults(survey=survey_id, do=ResultsDo.GROUPS)),
         (_("⬇️ CSV"), SurveyResults(survey=survey_id, do=ResultsDo.CSV))],
        [(_("‹ All surveys"), SurveyResultsPage(page=0))],
    ])


def back_keyboard(survey_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("‹ Back to the results"), SurveyResults(survey=survey_id, do=ResultsDo.OPEN))]])


# --- written answers ---------------------------------------------------------------------------

def texts_text(page: TextPage, locale: str, settings: Settings) -> str:
    lines = [_("💬 <b>Survey #{id}</b> · written answers").format(id=page.survey.id),
             f"<b>{question_text(page.question, locale, settings)}</b>", ""]
    if not page.total:
        return "\n".join([*lines, _("No written answers yet.")])
    first = page.page * TEXT_PAGE
    lines.append(_("Page {page} of {pages}, {total} answers in no particular order:").format(
        page=format_count(page.page + 1, locale), pages=format_count(page.pages, locale),
        total=format_count(page.total, locale)))
    shortened = False
    for number, text in enumerate(page.texts, first + 1):
        shown = short(text, TEXT_LIMIT)
        shortened = shortened or shown != text
        lines += ["", f"{number}. {escape(shown)}"]
    if shortened:
        lines += ["", _("Long answers are shortened here; the CSV has them in full.")]
    return "\n".join(lines)


def texts_keyboard(page: TextPage) -> InlineKeyboardMarkup:
    survey_id = page.survey.id

    def turn(to: int) -> SurveyResults:
        return SurveyResults(survey=survey_id, do=ResultsDo.TEXTS, question=page.question.position, page=to)

    turns = [(_("‹ Previous"), turn(page.page - 1))] if page.page > 0 else []
    turns += [(_("Next ›"), turn(page.page + 1))] if page.page + 1 < page.pages else []
    return inline_keyboard([turns, [(_("‹ Back to the results"), SurveyResults(survey=survey_id,
                                                                             do=ResultsDo.OPEN))]])


# --- by resident group -------------------------------------------------------------------------

def groups_text(results: Results, locale: str, settings: Settings) -> str:
    lines = [_("👥 <b>Survey #{id}</b> by resident group").format(id=results.survey.id),
             title_of(results.survey, locale, settings)]
    if not results.groups and not results.hidden:
        return "\n".join([*lines, "", _("No responses yet.")])
    blocks = ["\n\n" + "\n".join([_group_heading(group, locale)] + [
        line for result in results.questions if (line := _group_line(result, group, locale))])
        for group in results.groups]
    text = fitted("\n".join(lines), blocks, lambda left: ngettext(
        "…and {count} more group: see the CSV.", "…and {count} more groups: see the CSV.", left,
    ).format(count=format_count(left, locale)))
    if results.hidden:
        text += "\n\n" + ngettext(
            "🔒 {count} group is not shown, to keep the answers of groups with fewer than {small} "
            "respondents private.",
            "🔒 {count} groups are not shown, to keep the answers of groups with fewer than {small} "
            "respondents private.", results.hidden,
        ).format(count=format_count(results.hidden, locale), small=SMALL_GROUP)
    return text


def _group_heading(group: GroupResult, locale: str) -> str:
    return f"<b>{group_label('resident_type', group.group, {}, locale)}</b> – {responses_line(group.responses, locale)}"


def _group_line(result: QuestionResult, group: GroupResult, locale: str) -> str:
    """One question in one group: its averages, or the share of each answer; written ones left out."""
    answers = group.answers[result.question.id]
    if not answers.answered or result.kind in TYPED_KINDS:
        return ""
    if has_average(result.question):
        figures = " · ".join(averages(result.question, answers, locale))
    elif result.kind == QuestionKind.YES_NO:
        figures = " · ".join(f"{YES_NO[value]} {format_share(answers.share(value), locale)}" for value in (1, 0))
    else:
        figures = " · ".join(f"{value + 1}: {format_share(answers.share(value), locale)}"
                             for value in values_of(result.question))
    return f"{result.question.position}. {figures}"


# --- the chart ---------------------------------------------------------------------------------

def chart_labels(question: SurveyQuestion, locale: str, settings: Settings) -> list[str]:
    return [answer_label(question, value, locale, settings) for value in values_of(question)]


def chart_colours(question: SurveyQuestion) -> list[str] | None:
    """A scale's bars by net promoter band, yes and no apart, ratings in one colour; options each their own."""
    blue, orange, green, vermillion = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[5]
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.SCALE:
        return [green if value in PROMOTERS else vermillion if value in DETRACTORS else orange
                for value in values_of(question)]
    if kind == QuestionKind.YES_NO:
        return [green, vermillion]
    if kind == QuestionKind.RATING:
        return [blue] * len(values_of(question))
    return None


def chart_axis(answered: int, locale: str) -> str:
    return ngettext("Answers ({count} respondent)", "Answers ({count} respondents)", answered).format(
        count=format_count(answered, locale))


def chart_caption(survey: Survey, question: SurveyQuestion, locale: str, settings: Settings) -> str:
    return _("📊 Survey #{id}: {question}").format(id=survey.id, question=question_text(question, locale, settings))


def csv_caption(survey_id: int) -> str:
    return _("⬇️ Survey #{id}: the finished responses as CSV, one row each").format(id=survey_id)


def csv_name(survey_id: int) -> str:
    return f"survey-{survey_id}.csv"
