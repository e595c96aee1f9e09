"""Staff move a theme along its path from its card: status → public note → confirm."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _
from bot.notices import Notices
from bot.services import themes
from domain import Status
from handlers.proposals import show_card
from handlers.proposals_views import ThemeMove
from handlers.themes_views import (
    ThemeMoveConfirmed,
    confirm_keyboard,
    confirm_text,
    move_keyboard,
    move_prompt,
    note_prompt,
)
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="themes")


class MovingTheme(StatesGroup):
    note = State()


@router.callback_query(ThemeMove.filter(F.status == ""))
async def choose_status(query: CallbackQuery, callback_data: ThemeMove, uow: UnitOfWork) -> None:
    proposal = await themes.movable(uow, query.from_user.id, callback_data.id)
    await show(query, move_prompt(proposal), move_keyboard(proposal))


@router.callback_query(ThemeMove.filter(F.status != ""))
async def ask_note(
    query: CallbackQuery, callback_data: ThemeMove, uow: UnitOfWork, state: FSMContext
) -> None:
    proposal = await themes.movable(
        uow, query.from_user.id, callback_data.id, Status(callback_data.status)
    )
    await state.set_state(MovingTheme.note)
    await state.set_data({"proposal_id": proposal.id, "status": callback_data.status})
    await show(query, note_prompt(callback_data.status), None)


@router.message(StateFilter(MovingTheme.note), Command("skip"))
@router.message(StateFilter(MovingTheme.note), F.text, ~F.text.startswith("/"))
async def confirm(message: Message, uow: UnitOfWork, state: FSMContext) -> None:
    data = await state.get_data()
    note = None if message.text.startswith("/") else message.text.strip()
    proposal = await themes.movable(
        uow, message.from_user.id, data["proposal_id"], Status(data["status"])
    )
    await state.update_data(note=note)
    followers = await themes.follower_count(uow, proposal.id)
    await message.answer(
        confirm_text(proposal, data["status"], note, followers),
        reply_markup=confirm_keyboard(proposal.id, data["status"]),
    )


@router.message(Command("cancel"), StateFilter(MovingTheme))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Stopped – the theme stays where it was."))


@router.message(StateFilter(MovingTheme.note), ~F.text.startswith("/"))
async def note_needs_text(message: Message) -> None:
    await message.answer(_("Please write the note as text – or /skip, or /cancel."))


@router.callback_query(ThemeMoveConfirmed.filter())
async def move(
    query: CallbackQuery,
    callback_data: ThemeMoveConfirmed,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
    notices: Notices,
) -> None:
    data = await state.get_data()
    note = data.get("note") if data.get("proposal_id") == callback_data.id else None
    await themes.move(
        uow,
        query.from_user.id,
        callback_data.id,
        callback_data.status,
        {resident.locale: note},
        notices,
        clock.now(),
    )
    await state.clear()
    await show_card(
        query, uow, resident, callback_data.id, settings, _("Moved – followers are being told.")
    )
