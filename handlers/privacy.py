"""/mydata and /delete: everything stored about the resident as a file, and erasing it after a
confirmation. Private chats only: neither says anything about anyone in a group."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.notices import Notices
from bot.services import privacy
from handlers.privacy_views import (
    PrivacyDo,
    PrivacyStep,
    delete_keyboard,
    delete_prompt,
    erased_text,
    kept_text,
    summary_text,
)
from handlers.steps import OnCurrentStep, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="privacy")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

COMMANDS = [
    ("mydata", N_("Everything stored about you, as a file")),
    ("delete", N_("Delete your data from Foorumi")),
]

# The conversation /delete interrupted, given back as it was when the resident cancels.
INTERRUPTED = "interrupted"


class Erasing(StatesGroup):
    confirm = State()


@router.message(Command("mydata"))
async def send_my_data(message: Message, resident: Resident, uow: UnitOfWork, settings: Settings,
                       clock: Clock) -> None:
    found = await privacy.my_data(uow, resident, settings.survey_secret, clock.now())
    await message.answer_document(BufferedInputFile(found.as_json(settings.zone), privacy.FILE_NAME))
    await message.answer(summary_text(found))


@router.message(Command("delete"))
async def ask_to_delete(message: Message, state: FSMContext) -> None:
    if await state.get_state() == Erasing.confirm.state:
        interrupted = (await state.get_data())[INTERRUPTED]
    else:
        interrupted = {"state": await state.get_state(), "data": await state.get_data()}
    await state.set_state(Erasing.confirm)
    await state.set_data({INTERRUPTED: interrupted})
    await present(message, state, delete_prompt(), delete_keyboard())


@router.callback_query(PrivacyStep.filter(F.do == PrivacyDo.ERASE), StateFilter(Erasing.confirm), OnCurrentStep())
async def delete(query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext,
                 settings: Settings, clock: Clock, notices: Notices) -> None:
    await state.clear()  # first: erasing forgets the resident's conversations after this step is written
    await privacy.erase(uow, resident, notices, settings.default_locale, clock.now())
    await show(query, erased_text(), None)


@router.callback_query(PrivacyStep.filter(F.do == PrivacyDo.CANCEL), StateFilter(Erasing.confirm), OnCurrentStep())
async def keep(query: CallbackQuery, state: FSMContext) -> None:
    await resume(state)
    await show(query, kept_text(), None)


@router.message(Command("cancel"), StateFilter(Erasing.confirm))
async def cancel_command(message: Message, state: FSMContext) -> None:
    await resume(state)
    await message.answer(kept_text())


async def resume(state: FSMContext) -> None:
    """Back to the conversation /delete interrupted (a proposal's draft, say), or to none."""
    interrupted = (await state.get_data())[INTERRUPTED]
    await state.set_state(interrupted["state"])
    await state.set_data(interrupted["data"])


@router.callback_query(PrivacyStep.filter())
async def stale_button(query: CallbackQuery, state: FSMContext) -> None:
    """A button of an older question, or of one answered already, changes nothing; a question
    still open is asked again at the bottom of the chat."""
    await refuse_stale(query)
    if await state.get_state() == Erasing.confirm.state:
        assert isinstance(query.message, Message)
        await present(query.message, state, delete_prompt(), delete_keyboard())
