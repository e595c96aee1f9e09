"""/surveyresults for staff: the surveys, each one's results in the chat, a chart per question,
the written answers page by page, the breakdown by resident group, and the CSV. Editors and
admins, in a private chat; every button asks the service again, which checks the role."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.charts import results_chart
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.services import survey_export, survey_results, surveys
from bot.services.survey_results import question_at, values_of
from domain import TYPED_KINDS, NotFound, QuestionKind, localized_text
from handlers.survey_results_views import (
    PAGE_SIZE,
    ResultsDo,
    SurveyResults,
    SurveyResultsPage,
    back_keyboard,
    chart_axis,
    chart_caption,
    chart_colours,
    chart_labels,
    csv_caption,
    csv_name,
    groups_text,
    listing_keyboard,
    listing_text,
    summary_keyboard,
    summary_text,
    texts_keyboard,
    texts_text,
)
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="survey_results")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STAFF_COMMANDS = [("surveyresults", N_("Survey results"))]

Event = Message | CallbackQuery


async def show_page(event: Event, uow: UnitOfWork, resident: Resident, page: int, settings: Settings,
                    now: datetime) -> None:
    page = max(page, 0)
    found = await survey_results.recent(uow, resident.telegram_id, page * PAGE_SIZE, PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    responses = await uow.surveys.response_counts([survey.id for survey in shown])
    rows = [(survey, surveys.phase_of(survey, now), responses.get(survey.id, 0)) for survey in shown]
    await show(event, listing_text(rows, resident.locale, settings),
               listing_keyboard(rows, page, len(found) > PAGE_SIZE, resident.locale, settings))


@router.message(Command("surveyresults"))
async def list_surveys(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_page(message, uow, resident, 0, settings, clock.now())


@router.callback_query(SurveyResultsPage.filter())
async def turn_page(query: CallbackQuery, callback_data: SurveyResultsPage, uow: UnitOfWork, resident: Resident,
                    settings: Settings, clock: Clock) -> None:
    await show_page(query, uow, resident, callback_data.page, settings, clock.now())


@router.callback_query(SurveyResults.filter(F.do == ResultsDo.OPEN))
async def open_summary(query: CallbackQuery, callback_data: SurveyResults, uow: UnitOfWork, resident: Resident,
                       settings: Settings, clock: Clock) -> None:
    results = await survey_results.results(uow, resident.telegram_id, callback_data.survey)
    phase = surveys.phase_of(results.survey, clock.now())
    await show(query, summary_text(results, phase, resident.locale, settings),
               summary_keyboard(results))


@router.callback_query(SurveyResults.filter(F.do == ResultsDo.CHART))
async def send_chart(query: CallbackQuery, callback_data: SurveyResults, uow: UnitOfWork, resident: Resident,
                     settings: Settings) -> None:
    """A question's answers as a PNG, in reply to the staff member who asked (drawn off the event loop)."""
    results = await survey_results.results(uow, resident.telegram_id, callback_data.survey)
    question = question_at(results.survey, callback_data.question)
    if QuestionKind(question.kind) in TYPED_KINDS:
        raise NotFound("a written question has no chart")
    answers = results.question(question.position).answers
    locale = resident.locale
    png = await asyncio.to_thread(
        results_chart, localized_text(question.texts, locale, settings.default_locale)[0],
        chart_labels(question, locale, settings), [answers.count(value) for value in values_of(question)],
        answers.answered, axis_label=chart_axis(answers.answered, locale), locale=locale,
        colours=chart_colours(question))
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.answer_photo(
        BufferedInputFile(png, f"survey-{results.survey.id}-{question.position}.png"),
        caption=chart_caption(results.survey, question, locale, settings))


@router.callback_query(SurveyResults.filter(F.do == ResultsDo.TEXTS))
async def show_texts(query: CallbackQuery, callback_data: SurveyResults, uow: UnitOfWork, resident: Resident,
                     settings: Settings) -> None:
    page = await survey_results.texts(uow, resident.telegram_id, callback_data.survey, callback_data.question,
                                      callback_data.page)
    await show(query, texts_text(page, resident.locale, settings), texts_keyboard(page))


@router.callback_query(SurveyResults.filter(F.do == ResultsDo.GROUPS))
async def show_groups(query: CallbackQuery, callback_data: SurveyResults, uow: UnitOfWork, resident: Resident,
                      settings: Settings) -> None:
    results = await survey_results.results(uow, resident.telegram_id, callback_data.survey)
    await show(query, groups_text(results, resident.locale, settings), back_keyboard(results.survey.id))


@router.callback_query(SurveyResults.filter(F.do == ResultsDo.CSV))
async def send_csv(query: CallbackQuery, callback_data: SurveyResults, uow: UnitOfWork, resident: Resident,
                   settings: Settings) -> None:
    """The same file as `foorumi survey export`: labels in the city's language."""
    data = await survey_export.export_for(uow, resident.telegram_id, callback_data.survey, settings.default_locale)
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.answer_document(BufferedInputFile(data, csv_name(callback_data.survey)),
                                        caption=csv_caption(callback_data.survey))
