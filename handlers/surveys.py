"""Answering a survey: /surveys, a survey's page (/s4, t.me/<bot>?start=s4), then one question
per message with Back, Skip and Continue later.

The store keeps each resident's progress (bot/services/survey_answers.py), so answering goes on
after a restart. The conversation keeps only what the store does not: which survey and question
a typed answer is for, and a multiple choice's options ticked before Done.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.notices import Notices
from bot.notices.survey_buttons import SurveyOpen
from bot.services import survey_answers, surveys
from bot.services.survey_answers import AlreadyAnswered, InvalidAnswer, Progress, Required, StaleStep, TooManyChoices
from bot.services.surveys import NotForYou, SurveyNotOpen
from domain import ANSWER_LIMIT, SURVEY_COMMAND, SURVEY_START, TYPED_KINDS, NotFound, QuestionKind, SurveyPhase
from handlers.ballots_views import too_many_text
from handlers.surveys_views import (
    Step, SurveyList, SurveyStep, buttons_expected, choose_first_toast, finished_text, invalid_toast, later_text,
    list_keyboard, list_text, number_expected, page_keyboard, page_text, question_keyboard, question_text,
    refusal_text, required_toast, stale_text, stale_toast, text_expected, too_long,
)
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="surveys")
router.message.filter(F.chat.type == "private")  # a resident's answers are their own business
router.callback_query.filter(F.message.chat.type == "private")

COMMANDS = [("surveys", N_("Feedback surveys"))]

Event = Message | CallbackQuery
Refused = (NotFound, NotForYou, SurveyNotOpen, AlreadyAnswered)


class Answering(StatesGroup):
    question = State()  # data: survey, position, chosen (a multiple choice's ticked options)


# --- /surveys and a survey's page --------------------------------------------------------------------

async def show_list(event: Event, uow: UnitOfWork, resident: Resident, settings: Settings, now: datetime) -> None:
    found = await survey_answers.standings(uow, resident, settings.survey_secret, now)
    await show(event, list_text(found, resident.locale, settings), list_keyboard(found, resident.locale, settings))


async def show_survey(event: Event, uow: UnitOfWork, resident: Resident, survey_id: int, settings: Settings,
                      now: datetime) -> None:
    chosen = await surveys.survey(uow, survey_id)
    phase, allowed = surveys.phase_of(chosen, now), await surveys.may_answer(uow, chosen, resident)
    standing = await survey_answers.standing(uow, resident, chosen, settings.survey_secret)
    startable = phase == SurveyPhase.OPEN and allowed and not standing.finished
    await show(event, page_text(chosen, phase, allowed, standing, resident.locale, settings),
               page_keyboard(chosen, startable, standing))


@router.message(Command("surveys"))
async def open_surveys(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_list(message, uow, resident, settings, clock.now())


@router.callback_query(SurveyList.filter())
async def back_to_list(query: CallbackQuery, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_list(query, uow, resident, settings, clock.now())


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(SURVEY_START).as_("match")))
@router.message(F.text.regexp(SURVEY_COMMAND).as_("match"))
async def open_by_number(message: Message, match: re.Match[str], uow: UnitOfWork, resident: Resident,
                         settings: Settings, clock: Clock) -> None:
    """/s4, or the link t.me/<bot>?start=s4 (from an invitation or a poster)."""
    await show_survey(message, uow, resident, int(match.group(1)), settings, clock.now())


@router.callback_query(SurveyOpen.filter(~F.start))
async def open_survey(query: CallbackQuery, callback_data: SurveyOpen, uow: UnitOfWork, resident: Resident,
                      settings: Settings, clock: Clock) -> None:
    await show_survey(query, uow, resident, callback_data.survey, settings, clock.now())


@router.callback_query(SurveyOpen.filter(F.start))
async def start(query: CallbackQuery, callback_data: SurveyOpen, uow: UnitOfWork, resident: Resident,
                state: FSMContext, settings: Settings, clock: Clock) -> None:
    """Start the survey, or continue at the question the resident left it."""
    try:
        progress = await survey_answers.begin(uow, resident, callback_data.survey, settings.survey_secret,
                                              clock.now())
    except Refused as error:
        await refuse(query, state, callback_data.survey, error)
        return
    await ask(query, state, progress, resident, settings)


# --- a question: shown, answered with a button, stepped past -------------------------------------------

async def ask(event: Event, state: FSMContext, progress: Progress, resident: Resident, settings: Settings,
              chosen: list[int] | None = None, problem: str | None = None) -> None:
    """Show the question the resident is at (in place of the pressed message, or as a new one)
    and remember it in the conversation, for a typed answer and for the ticks of a multiple choice."""
    if chosen is None:
        chosen = earlier_choices(progress)
    await state.set_state(Answering.question)
    await state.set_data({"survey": progress.survey.id, "position": progress.position, "chosen": chosen})
    await show(event, question_text(progress, resident.locale, settings, problem),
               question_keyboard(progress, chosen, resident.locale, settings))


def earlier_choices(progress: Progress) -> list[int]:
    earlier = progress.answers.get(progress.question.id) if progress.question else None
    return list(earlier) if isinstance(earlier, list) else []


async def ticked(state: FSMContext, progress: Progress) -> list[int]:
    """The options ticked at this question so far: in the conversation, or the earlier answer."""
    data = await state.get_data()
    if (data.get("survey"), data.get("position")) == (progress.survey.id, progress.position):
        return list(data.get("chosen", []))
    return earlier_choices(progress)


async def moved_on(event: Event, state: FSMContext, progress: Progress, resident: Resident,
                   settings: Settings) -> None:
    """After an answer, a skip or a step back: the next question, or thanks after the last."""
    if not progress.finished:
        await ask(event, state, progress, resident, settings)
        return
    await state.clear()
    await show(event, finished_text(progress, resident.locale, settings), None)


async def refuse(event: Event, state: FSMContext, survey_id: int, error: Exception) -> None:
    """The survey cannot be answered (now): say why, and let the conversation forget it."""
    if (await state.get_data()).get("survey") == survey_id:
        await state.clear()
    if isinstance(event, CallbackQuery):
        await event.answer(refusal_text(error), show_alert=True)
    else:
        await event.answer(refusal_text(error))


async def show_current(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, survey_id: int,
                       settings: Settings, now: datetime, problem: str | None = None) -> None:
    """The question the resident is at, as a new message at the bottom of the chat."""
    try:
        progress = await survey_answers.begin(uow, resident, survey_id, settings.survey_secret, now)
    except Refused as error:
        await refuse(message, state, survey_id, error)
        return
    await ask(message, state, progress, resident, settings, problem=problem)


async def checked(query: CallbackQuery, callback_data: SurveyStep, step: Awaitable[Progress], uow: UnitOfWork,
                  resident: Resident, state: FSMContext, settings: Settings, now: datetime) -> Progress | None:
    """The step's outcome; None when it was refused, after telling the resident why. A button from
    an earlier question (or another survey's) changes nothing: the question the resident is at
    is shown again below."""
    try:
        return await step
    except StaleStep:
        await query.answer(stale_toast())
        if isinstance(query.message, Message):
            await show_current(query.message, uow, resident, state, callback_data.survey, settings, now)
    except Required:
        await query.answer(required_toast(), show_alert=True)
    except InvalidAnswer:
        await query.answer(invalid_toast(), show_alert=True)
    except Refused as error:
        await refuse(query, state, callback_data.survey, error)
    return None


@router.callback_query(SurveyStep.filter(F.action == Step.LATER))
async def continue_later(query: CallbackQuery, callback_data: SurveyStep, uow: UnitOfWork, resident: Resident,
                         state: FSMContext, settings: Settings) -> None:
    """Nothing to store: every answer already is. Say how to come back."""
    chosen = await surveys.survey(uow, callback_data.survey)
    if (await state.get_data()).get("survey") == chosen.id:
        await state.clear()
    await show(query, later_text(chosen, resident.locale, settings), None)


@router.callback_query(SurveyStep.filter(F.action == Step.TOGGLE))
async def toggle(query: CallbackQuery, callback_data: SurveyStep, uow: UnitOfWork, resident: Resident,
                 state: FSMContext, settings: Settings, clock: Clock) -> None:
    """Tick or untick a multiple choice's option; the ticks are kept in the conversation until Done."""
    now = clock.now()
    at = await checked(query, callback_data, survey_answers.current(
        uow, resident, callback_data.survey, callback_data.position, settings.survey_secret, now),
        uow, resident, state, settings, now)
    if at is None:
        return
    try:
        chosen = survey_answers.toggled(at.question, await ticked(state, at), callback_data.value)
    except TooManyChoices as error:
        await query.answer(too_many_text(error.limit), show_alert=True)
        return
    except InvalidAnswer:
        await query.answer(invalid_toast(), show_alert=True)
        return
    await ask(query, state, at, resident, settings, chosen)


@router.callback_query(SurveyStep.filter(F.action == Step.DONE))
async def done(query: CallbackQuery, callback_data: SurveyStep, uow: UnitOfWork, resident: Resident,
               state: FSMContext, settings: Settings, clock: Clock, notices: Notices) -> None:
    """A multiple choice's ticked options, or (back at an answered question) the earlier answer kept."""
    now, secret, survey_id, position = clock.now(), settings.survey_secret, callback_data.survey, callback_data.position
    at = await checked(query, callback_data, survey_answers.current(uow, resident, survey_id, position, secret, now),
                       uow, resident, state, settings, now)
    if at is None:
        return
    if at.question.kind == QuestionKind.MULTIPLE:
        value = await ticked(state, at)
        if not value:
            await query.answer(choose_first_toast(), show_alert=True)
            return
    else:
        value = at.answers.get(at.question.id)
    progress = await checked(query, callback_data, survey_answers.answer(
        uow, resident, survey_id, position, value, secret, notices, now), uow, resident, state, settings, now)
    if progress is not None:
        await moved_on(query, state, progress, resident, settings)


@router.callback_query(SurveyStep.filter())
async def take_step(query: CallbackQuery, callback_data: SurveyStep, uow: UnitOfWork, resident: Resident,
                    state: FSMContext, settings: Settings, clock: Clock, notices: Notices) -> None:
    """Answer with a button, skip an optional question, or go back one."""
    now, secret, survey_id, position = clock.now(), settings.survey_secret, callback_data.survey, callback_data.position
    if callback_data.action == Step.BACK:
        step = survey_answers.back(uow, resident, survey_id, position, secret, now)
    elif callback_data.action == Step.SKIP:
        step = survey_answers.skip(uow, resident, survey_id, position, secret, notices, now)
    else:
        step = survey_answers.answer(uow, resident, survey_id, position, callback_data.value, secret, notices, now)
    progress = await checked(query, callback_data, step, uow, resident, state, settings, now)
    if progress is not None:
        await moved_on(query, state, progress, resident, settings)


# --- a typed answer ----------------------------------------------------------------------------------

def typed_value(kind: QuestionKind, text: str | None) -> str | int | None:
    """What a message answers: a text, a number for a rating or scale; None where buttons are for."""
    if text is None:
        return None
    if kind in TYPED_KINDS:
        return text
    if kind in (QuestionKind.RATING, QuestionKind.SCALE) and re.fullmatch(r"\s*-?\d{1,3}\s*", text):
        return int(text)
    return None


def typed_problem(kind: QuestionKind, text: str | None) -> str:
    """Why a message did not answer the question."""
    if kind in TYPED_KINDS:
        return too_long(len(text.strip())) if text and len(text.strip()) > ANSWER_LIMIT else text_expected()
    if kind in (QuestionKind.RATING, QuestionKind.SCALE):
        return number_expected(kind)
    return buttons_expected()


@router.message(StateFilter(Answering.question), ~F.text.startswith("/"))
async def take_typed(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                     clock: Clock, notices: Notices) -> None:
    """A free-text answer, a theme suggestion or a typed number; anything else is refused and the
    question shown again."""
    now, secret, data = clock.now(), settings.survey_secret, await state.get_data()
    survey_id, position = data["survey"], data["position"]
    try:
        at = await survey_answers.current(uow, resident, survey_id, position, secret, now)
        value = typed_value(QuestionKind(at.question.kind), message.text)
        progress = None if value is None else await survey_answers.answer(
            uow, resident, survey_id, position, value, secret, notices, now)
    except InvalidAnswer:  # only answering refuses it: `at` is known
        progress = None
    except StaleStep:
        await show_current(message, uow, resident, state, survey_id, settings, now, problem=stale_text())
        return
    except Refused as error:
        await refuse(message, state, survey_id, error)
        return
    if progress is None:
        problem = typed_problem(QuestionKind(at.question.kind), message.text)
        await ask(message, state, at, resident, settings, problem=problem)
        return
    await moved_on(message, state, progress, resident, settings)
