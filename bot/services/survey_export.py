"""A survey's finished responses as CSV: the same bytes from `foorumi survey export` and the bot.

One row per response: its random id, the resident group and one column per question – a number
(rating, scale; yes 1 / no 0), the chosen options' labels in the city's language joined by "; ",
or the text written; empty when skipped. Never a resident id, Telegram id, name or time; rows
are in the order of the random ids. The group of a response in a group too small to show (the
ballots' rule, see domain.hidden_groups) reads "hidden", so no row gives anyone away by it.

UTF-8 with a byte order mark, so Excel opens the letters ä and ö right; Python reads it with
encoding="utf-8-sig". A text that starts like a formula (= + - @) gets a leading apostrophe, so a
spreadsheet shows it instead of running it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.services import staff, surveys
from bot.services.ballot_counts import group_key
from domain import QuestionKind, Role, hidden_groups, localized_text
from storage.models import Survey, SurveyQuestion
from storage.repositories.survey_results import ExportedAnswer
from storage.uow import UnitOfWork

ENCODING = "utf-8-sig"
HIDDEN = "hidden"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def export_for(uow: UnitOfWork, actor_telegram_id: int, survey_id: int, locale: str) -> bytes:
    """The CSV for a member of staff (editors and admins)."""
    await staff.require(uow, actor_telegram_id, Role.EDITOR)
    return await export(uow, survey_id, locale)


async def export(uow: UnitOfWork, survey_id: int, locale: str) -> bytes:
    """The CSV (see above), question texts and option labels in `locale` (the city's language)."""
    chosen = await surveys.survey(uow, survey_id)
    rows = _rows(chosen, await uow.survey_results.export(chosen.id), locale)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["response", "resident_group", *(_heading(q, locale) for q in chosen.questions)])
    writer.writerows(rows)
    return text.getvalue().encode(ENCODING)


def _rows(chosen: Survey, answers: Sequence[ExportedAnswer], locale: str) -> list[list[str]]:
    columns = {question.id: column for column, question in enumerate(chosen.questions)}
    responses: dict[str, tuple[str, list[str]]] = {}
    for answer in answers:
        _group, cells = responses.setdefault(
            answer.response_id, (group_key(answer.resident_type), [""] * len(chosen.questions)))
        if answer.question_id in columns:
            column = columns[answer.question_id]
            cells[column] = _cell(chosen.questions[column], answer, locale)
    sizes: dict[str, int] = {}
    for group, _cells in responses.values():
        sizes[group] = sizes.get(group, 0) + 1
    hidden = hidden_groups(sizes)
    return [[response_id, HIDDEN if group in hidden else group, *cells]
            for response_id, (group, cells) in responses.items()]


def _heading(question: SurveyQuestion, locale: str) -> str:
    return _safe(f"{question.position}. {localized_text(question.texts, locale, locale)[0]}")


def _cell(question: SurveyQuestion, answer: ExportedAnswer, locale: str) -> str:
    if answer.text is not None:
        return _safe(answer.text)
    if answer.choices is not None:
        return _safe("; ".join(_label(question, option, locale) for option in answer.choices))
    if answer.number is None:
        return ""
    if question.kind == QuestionKind.SINGLE:
        return _safe(_label(question, answer.number, locale))
    return str(answer.number)


def _label(question: SurveyQuestion, option: int, locale: str) -> str:
    return localized_text(question.options[option], locale, locale)[0]


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
