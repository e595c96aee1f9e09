"""Moderators' cards: approve, reject (listed or written reason), merge, show a reported one."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, ExceptionTypeFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.notices import Notices
from bot.notices.cards import WRITE_REASON, Moderate, Step, card_buttons, card_text, decided_line
from bot.services import moderation
from bot.telegram.keyboards import inline_keyboard
from domain import Chat
from domain.ids import ID_DIGITS
from handlers.moderation_views import (
    merge_confirm_keyboard,
    merge_confirm_text,
    merge_keyboard,
    merge_text,
    reasons_keyboard,
    reasons_text,
    write_reason_prompt,
)
from handlers.views import show
from storage.models import Proposal
from storage.uow import UnitOfWork, UnitOfWorkFactory

router = Router(name="moderation")

STAFF_COMMANDS = [("moderation", N_("Proposals waiting for a moderator"))]


class Moderating(StatesGroup):
    reason = State()
    merge_target = State()


@router.message(Command("moderation"))
async def show_queue(
    message: Message, uow: UnitOfWork, settings: Settings, i18n: I18n, notices: Notices, clock: Clock
) -> None:
    waiting = await moderation.queue(uow, message.from_user.id)
    if not waiting:
        await message.answer(_("Nothing is waiting for a moderator. 🎉"))
        return
    here = Chat(message.chat.id, i18n.current_locale)
    for proposal in waiting:
        shown = await message.answer(
            card_text(proposal, here.locale, settings.zone),
            reply_markup=inline_keyboard(card_buttons(proposal)),
        )
        await moderation.listed(uow, proposal, here, shown.message_id, notices, clock.now())


def _seen(query: CallbackQuery) -> moderation.Seen:
    """The moderator by first name, and the copy of the card they pressed (the handler edits it)."""
    card = (query.message.chat.id, query.message.message_id) if query.message else None
    return moderation.Seen(query.from_user.first_name, card)


async def decided_card(
    uow: UnitOfWork, proposal_id: int, chat_id: int, settings: Settings, i18n: I18n
) -> str | None:
    """The card with its decision, who made it (by first name only in the staff group) and when
    (None: nothing decided)."""
    found = await moderation.decision(uow, proposal_id)
    if found is None:
        return None
    proposal, decision = found
    locale = i18n.current_locale
    named = chat_id == settings.staff_chat_id
    return (card_text(proposal, locale, settings.zone) + "\n\n"
            + decided_line(proposal, decision, locale, settings.zone, named))


def _chat_of(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


async def _decided(
    query: CallbackQuery, proposal: Proposal, uow: UnitOfWork, settings: Settings, i18n: I18n
) -> None:
    text = await decided_card(uow, proposal.id, _chat_of(query), settings, i18n)
    assert text is not None  # just decided
    await show(query, text, None, _("Done – the author will be told."))


@router.errors(ExceptionTypeFilter(moderation.AlreadyModerated), F.update.callback_query.as_("query"))
async def decided_already(
    event: ErrorEvent, query: CallbackQuery, uow_factory: UnitOfWorkFactory, settings: Settings,
    i18n: I18n,
) -> None:
    """A card pressed after someone decided: it shows the decision, and nothing changes."""
    async with uow_factory() as uow:
        text = await decided_card(uow, event.exception.proposal_id, _chat_of(query), settings, i18n)
    if text is None:
        await query.answer(_("That is no longer available – it may have been changed or removed."),
                           show_alert=True)
        return
    await show(query, text, None, _("This was already decided – the card now shows how."))


@router.callback_query(Moderate.filter(F.step == Step.APPROVE))
async def approve(
    query: CallbackQuery,
    callback_data: Moderate,
    uow: UnitOfWork,
    settings: Settings,
    clock: Clock,
    notices: Notices,
    i18n: I18n,
) -> None:
    proposal = await moderation.approve(
        uow, query.from_user.id, callback_data.id, notices, clock.now(), _seen(query))
    await _decided(query, proposal, uow, settings, i18n)


@router.callback_query(Moderate.filter(F.step == Step.RESTORE))
async def restore(
    query: CallbackQuery,
    callback_data: Moderate,
    uow: UnitOfWork,
    settings: Settings,
    clock: Clock,
    notices: Notices,
    i18n: I18n,
) -> None:
    proposal = await moderation.restore(
        uow, query.from_user.id, callback_data.id, notices, clock.now(), _seen(query))
    await _decided(query, proposal, uow, settings, i18n)


@router.callback_query(Moderate.filter(F.step == Step.REJECT))
async def ask_reason(query: CallbackQuery, callback_data: Moderate, uow: UnitOfWork) -> None:
    proposal = await moderation.awaiting(uow, query.from_user.id, callback_data.id)
    await show(query, reasons_text(proposal), reasons_keyboard(proposal.id))


@router.callback_query(Moderate.filter(F.step == Step.REASON))
async def reject_with_reason(
    query: CallbackQuery,
    callback_data: Moderate,
    uow: UnitOfWork,
    settings: Settings,
    clock: Clock,
    notices: Notices,
    i18n: I18n,
    state: FSMContext,
) -> None:
    if callback_data.reason == WRITE_REASON:
        await moderation.awaiting(uow, query.from_user.id, callback_data.id)
        await state.set_state(Moderating.reason)
        await state.update_data(proposal_id=callback_data.id)
        await show(query, write_reason_prompt(callback_data.id), None)
        return
    proposal = await moderation.reject(
        uow, query.from_user.id, callback_data.id, callback_data.reason, notices, clock.now(),
        _seen(query),
    )
    await _decided(query, proposal, uow, settings, i18n)


@router.message(StateFilter(Moderating.reason), F.text, ~F.text.startswith("/"))
async def written_reason(
    message: Message,
    uow: UnitOfWork,
    settings: Settings,
    clock: Clock,
    notices: Notices,
    i18n: I18n,
    state: FSMContext,
) -> None:
    proposal_id = (await state.get_data())["proposal_id"]
    await state.clear()
    proposal = await moderation.reject(
        uow, message.from_user.id, proposal_id, message.text, notices, clock.now(),
        moderation.Seen(message.from_user.first_name),
    )
    text = await decided_card(uow, proposal.id, message.chat.id, settings, i18n)
    assert text is not None  # just decided
    await message.answer(text)


@router.callback_query(Moderate.filter(F.step == Step.MERGE))
async def choose_merge_target(
    query: CallbackQuery, callback_data: Moderate, uow: UnitOfWork, state: FSMContext
) -> None:
    proposal = await moderation.awaiting(uow, query.from_user.id, callback_data.id)
    targets = await moderation.merge_targets(uow, query.from_user.id, proposal.id)
    await state.set_state(Moderating.merge_target)
    await state.update_data(proposal_id=proposal.id)
    await show(query, merge_text(proposal, targets), merge_keyboard(proposal.id, targets))


@router.callback_query(Moderate.filter(F.step == Step.MERGE_INTO))
async def confirm_merge(
    query: CallbackQuery, callback_data: Moderate, uow: UnitOfWork, state: FSMContext
) -> None:
    proposal, target = await moderation.merge_pair(
        uow, query.from_user.id, callback_data.id, callback_data.target
    )
    await state.clear()
    await show(
        query, merge_confirm_text(proposal, target), merge_confirm_keyboard(proposal.id, target.id)
    )


@router.message(StateFilter(Moderating.merge_target), F.text.regexp(rf"^#?{ID_DIGITS}$"))
async def typed_merge_target(message: Message, uow: UnitOfWork, state: FSMContext) -> None:
    proposal_id = (await state.get_data())["proposal_id"]
    proposal, target = await moderation.merge_pair(
        uow, message.from_user.id, proposal_id, int(message.text.lstrip("#"))
    )
    await state.clear()
    await message.answer(
        merge_confirm_text(proposal, target),
        reply_markup=merge_confirm_keyboard(proposal.id, target.id),
    )


@router.callback_query(Moderate.filter(F.step == Step.MERGE_CONFIRMED))
async def merge(
    query: CallbackQuery,
    callback_data: Moderate,
    uow: UnitOfWork,
    settings: Settings,
    clock: Clock,
    notices: Notices,
    i18n: I18n,
) -> None:
    proposal = await moderation.merge(
        uow, query.from_user.id, callback_data.id, callback_data.target, notices, clock.now(),
        _seen(query),
    )
    await _decided(query, proposal, uow, settings, i18n)


@router.callback_query(Moderate.filter(F.step == Step.BACK))
async def back_to_card(
    query: CallbackQuery,
    callback_data: Moderate,
    uow: UnitOfWork,
    settings: Settings,
    i18n: I18n,
    state: FSMContext,
) -> None:
    proposal = await moderation.awaiting(uow, query.from_user.id, callback_data.id)
    await state.clear()
    await show(query, card_text(proposal, i18n.current_locale, settings.zone),
               inline_keyboard(card_buttons(proposal)))


@router.message(Command("cancel"), StateFilter(Moderating))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Stopped. The proposal still waits on its card."))


@router.message(StateFilter(Moderating), ~F.text.startswith("/"))
async def needs_text(message: Message, state: FSMContext) -> None:
    if await state.get_state() == Moderating.merge_target.state:
        await message.answer(
            _("Send the number of the proposal to merge into, e.g. 12 – or /cancel.")
        )
    else:
        await message.answer(_("Write the reason as text – or /cancel."))
