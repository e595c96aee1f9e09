"""A conversation's buttons act only on its current step, in the message that shows it.

Each step is shown with `present`, which remembers that message in the conversation's data.
Button handlers of a conversation carry `OnCurrentStep()` beside their state filter; a press that
fails it (an older copy of a question, a step already answered, a conversation that has ended)
changes nothing: `refuse_stale` says so, and the conversation shows its current step again at
the bottom of the chat.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

STEP_MESSAGE = "step_message"


async def present(
    event: Message | CallbackQuery, state: FSMContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show a step (in place of the pressed message, or as a new one) and make it the current one."""
    if isinstance(event, CallbackQuery) and isinstance(event.message, Message):
        await show(event, text, markup)
        shown = event.message.message_id
    else:
        assert isinstance(event, Message)
        shown = (await event.answer(text, reply_markup=markup)).message_id
    await state.update_data({STEP_MESSAGE: shown})


class OnCurrentStep(Filter):
    """The button was pressed on the message that shows the conversation's current step."""

    async def __call__(self, query: CallbackQuery, state: FSMContext) -> bool:
        if not isinstance(query.message, Message):
            return False
        return (await state.get_data()).get(STEP_MESSAGE) == query.message.message_id


async def refuse_stale(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer valid – please use the latest message."))


Event = Message | CallbackQuery
AskStep = Callable[[Event, UnitOfWork, Resident, FSMContext, Settings, Clock], Awaitable[None]]


def moves(ask: AskStep) -> tuple[Callable[..., Awaitable[None]], Callable[..., Awaitable[None]]]:
    """A guided conversation's two moves, given `ask`, which shows its current step:
    `go(event, step, uow, resident, state, settings, clock, **answers)` keeps the answers and
    moves on to `step`; `ask_again(message, problem, uow, resident, state, settings, clock)` says
    what is wrong with an answer and asks the same step again."""

    async def go(event: Event, step: State, uow: UnitOfWork, resident: Resident, state: FSMContext,
                 settings: Settings, clock: Clock, **answers: Any) -> None:
        await state.update_data(**answers)
        await state.set_state(step)
        await ask(event, uow, resident, state, settings, clock)

    async def ask_again(message: Message, problem: str, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
        await message.answer(problem)
        await ask(message, uow, resident, state, settings, clock)

    return go, ask_again
