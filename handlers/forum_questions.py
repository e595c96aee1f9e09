"""Live questions: a remote attendee asks (❓ on the forum, or /ask), moderators approve or skip
from the card, the host takes the next approved one with /next in the staff group."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.notices import Notices
from bot.notices.forum_buttons import AskQuestion
from bot.notices.forum_talk import QuestionDecision, question_decided_text
from bot.services import forum_questions
from bot.services.forum_questions import NotLive, NotRemote, QuestionDecided, TooManyPending
from bot.services.proposals import TextProblem
from handlers.forum_questions_views import (
    QuestionCancel, already_decided_text, cancel_keyboard, choose_keyboard, choose_text, decided_toast,
    discarded_text, next_text, none_live_text, not_text, prompt_text, refusal_text, sent_text,
)
from handlers.propose_views import text_problem
from handlers.steps import OnCurrentStep, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="forum_questions")
private = F.chat.type == "private"

COMMANDS = [("ask", N_("Ask a question at a forum you take part in remotely"))]
STAFF_COMMANDS = [("next", N_("The host's next question (in the staff group)"))]

Refused = (NotLive, NotRemote, TooManyPending)


class Asking(StatesGroup):
    text = State()


class InStaffGroup(Filter):
    async def __call__(self, message: Message, settings: Settings) -> bool:
        return message.chat.id == settings.staff_chat_id


# --- a remote attendee asks ----------------------------------------------------------------------

async def start_question(message: Message, forum_id: int, uow: UnitOfWork, resident: Resident,
                         state: FSMContext, settings: Settings, clock: Clock) -> str | None:
    """Ask for the question in a new message below `message`; why not, when it cannot be asked."""
    try:
        forum = await forum_questions.askable(uow, resident, forum_id, clock.now())
    except Refused as refused:
        return refusal_text(refused)
    await state.set_state(Asking.text)
    await state.set_data({"forum": forum.id})
    await present(message, state, prompt_text(forum, resident.locale, settings), cancel_keyboard())
    return None


@router.callback_query(AskQuestion.filter(), F.message.chat.type == "private")
async def ask_from_button(query: CallbackQuery, callback_data: AskQuestion, uow: UnitOfWork, resident: Resident,
                          state: FSMContext, settings: Settings, clock: Clock) -> None:
    assert isinstance(query.message, Message)
    refused = await start_question(query.message, callback_data.forum, uow, resident, state, settings, clock)
    await query.answer(refused, show_alert=refused is not None)


@router.message(Command("ask"), private)
async def ask_command(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    """The one live forum the resident attends remotely, or a choice when there are several."""
    live = await forum_questions.live_for(uow, resident, clock.now())
    if len(live) == 1:
        refused = await start_question(message, live[0].id, uow, resident, state, settings, clock)
        if refused:
            await message.answer(refused)
    elif live:
        await message.answer(choose_text(), reply_markup=choose_keyboard(live, resident.locale, settings))
    else:
        await message.answer(none_live_text())


@router.message(StateFilter(Asking.text), private, F.text, ~F.text.startswith("/"))
async def take_question(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock, notices: Notices) -> None:
    forum_id = (await state.get_data())["forum"]
    try:
        await forum_questions.ask(uow, resident, forum_id, message.text, notices, clock.now())
    except TextProblem as problem:
        await message.answer(text_problem(problem))
        await start_question(message, forum_id, uow, resident, state, settings, clock)
        return
    except Refused as refused:
        await state.clear()
        await message.answer(refusal_text(refused))
        return
    await state.clear()
    await message.answer(sent_text())


@router.message(Command("cancel"), StateFilter(Asking), private)
async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(discarded_text())


@router.callback_query(QuestionCancel.filter(), StateFilter(Asking), OnCurrentStep())
async def cancel_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(query, discarded_text(), None)


@router.callback_query(QuestionCancel.filter())
async def stale_cancel(query: CallbackQuery) -> None:
    await refuse_stale(query)


@router.message(StateFilter(Asking.text), private, ~F.text.startswith("/"))
async def not_text_answer(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    """A sticker, photo or file where the question is expected: say so and ask again."""
    await message.answer(not_text())
    refused = await start_question(message, (await state.get_data())["forum"], uow, resident, state, settings,
                                   clock)
    if refused:
        await state.clear()
        await message.answer(refused)


# --- moderators decide from the card ---------------------------------------------------------------

@router.callback_query(QuestionDecision.filter())
async def decide(query: CallbackQuery, callback_data: QuestionDecision, uow: UnitOfWork, settings: Settings,
                 clock: Clock, notices: Notices, i18n: I18n) -> None:
    """Approve or skip; every copy of the card then shows it (this one edited here), no buttons left."""
    assert isinstance(query.message, Message)
    who = query.from_user.first_name
    try:
        question, forum = await forum_questions.decide(
            uow, query.from_user.id, callback_data.question, callback_data.approve, notices, clock.now(), who,
            (query.message.chat.id, query.message.message_id))
    except QuestionDecided:
        await query.answer(already_decided_text(), show_alert=True)
        return
    # The card in the staff group is in the city's language and names the moderator by first name;
    # a private copy is in the moderator's language and names no one.
    in_group = query.message.chat.id == settings.staff_chat_id
    locale = settings.default_locale if in_group else i18n.current_locale
    with i18n.use_locale(locale):
        text = question_decided_text(question, forum, who if in_group else None, locale, settings)
    await show(query, text, None, decided_toast(callback_data.approve))


# --- the host ----------------------------------------------------------------------------------------

@router.message(Command("next"), InStaffGroup())
async def next_question(message: Message, uow: UnitOfWork, settings: Settings, clock: Clock,
                        notices: Notices, i18n: I18n) -> None:
    """The oldest approved question, taken; in the group's language, the city's."""
    queue = await forum_questions.take_next(uow, message.from_user.id, notices, clock.now())
    with i18n.use_locale(settings.default_locale):
        text = next_text(queue, settings.default_locale, settings)
    await message.answer(text)
