"""/proposals, a proposal's card (/p12, t.me/<bot>?start=p12), support, follow, report, /mine."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.notices import Notices
from bot.notices.words import area_name
from bot.services import areas, proposals, themes
from domain import ALL_AREAS, PROPOSAL_COMMAND, PROPOSAL_START, WHOLE_CITY, NotFound
from handlers.proposals_views import (
    Action,
    ListAreas,
    ProposalAct,
    ProposalList,
    ProposalOpen,
    Sort,
    card_keyboard,
    card_text,
    list_area_keyboard,
    list_keyboard,
    list_text,
    mine_text,
    report_confirm_keyboard,
    report_confirm_text,
)
from handlers.themes_views import back_keyboard, timeline_text
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="proposals")

COMMANDS = [
    ("proposals", N_("Browse and support residents' proposals")),
    ("mine", N_("Your proposals and supports")),
]


async def show_card(
    event: Message | CallbackQuery,
    uow: UnitOfWork,
    resident: Resident,
    proposal_id: int,
    settings: Settings,
    notice: str | None = None,
) -> None:
    """The card as a new message (command, link) or in place of the pressed one (with a toast)."""
    card = await proposals.card(uow, resident, proposal_id)
    text = card_text(card.proposal, card.supporters, resident.locale, settings)
    markup = card_keyboard(card)
    await show(event, text, markup, notice)


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(PROPOSAL_START)))
async def open_from_link(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
) -> None:
    await show_card(message, uow, resident, int(command.args[1:]), settings)


@router.message(F.text.regexp(PROPOSAL_COMMAND).as_("match"))
async def open_from_command(
    message: Message, match: re.Match[str], uow: UnitOfWork, resident: Resident, settings: Settings
) -> None:
    await show_card(message, uow, resident, int(match.group(1)), settings)


@router.callback_query(ProposalOpen.filter())
async def open_card(
    query: CallbackQuery,
    callback_data: ProposalOpen,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
) -> None:
    await show_card(query, uow, resident, callback_data.id, settings)


@router.message(Command("proposals"))
async def browse(message: Message, uow: UnitOfWork, resident: Resident) -> None:
    await show_list(message, uow, resident, ProposalList())


@router.callback_query(ProposalList.filter())
async def turn_page(
    query: CallbackQuery, callback_data: ProposalList, uow: UnitOfWork, resident: Resident
) -> None:
    await show_list(query, uow, resident, callback_data)


async def show_list(
    event: Message | CallbackQuery, uow: UnitOfWork, resident: Resident, request: ProposalList
) -> None:
    area_id = None if request.area == WHOLE_CITY else request.area
    if area_id == ALL_AREAS:
        label = _("All areas")
    else:
        label = area_name(await proposals.area_of(uow, area_id), resident.locale)
    page = await proposals.listing(uow, request.page, area_id, request.sort is Sort.SUPPORTED)
    await show(
        event,
        list_text(page, label, request.sort, resident.locale),
        list_keyboard(page, request.area, request.sort),
    )


@router.callback_query(ListAreas.filter())
async def choose_area_filter(
    query: CallbackQuery, callback_data: ListAreas, uow: UnitOfWork, resident: Resident
) -> None:
    listing, page, pages = await areas.page(uow, callback_data.page)
    await show(
        query,
        _(
            "Which proposals would you like to see? Pick an area for those about one village "
            "or district. “Whole-city proposals” are those about the city as a whole; "
            "“All proposals” shows every one."
        ),
        list_area_keyboard(listing, page, pages, callback_data.sort, resident.locale),
    )


@router.callback_query(ProposalAct.filter(F.action.in_({Action.SUPPORT, Action.WITHDRAW})))
async def toggle_support(
    query: CallbackQuery,
    callback_data: ProposalAct,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
    clock: Clock,
    notices: Notices,
) -> None:
    if callback_data.action is Action.SUPPORT:
        await proposals.support(
            uow, resident, callback_data.id, settings.support_milestones, notices, clock.now()
        )
        notice = _("👍 Thank you for your support!")
    else:
        await proposals.withdraw_support(uow, resident, callback_data.id)
        notice = _("Your support was withdrawn.")
    await show_card(query, uow, resident, callback_data.id, settings, notice)


@router.callback_query(ProposalAct.filter(F.action.in_({Action.FOLLOW, Action.UNFOLLOW})))
async def toggle_follow(
    query: CallbackQuery,
    callback_data: ProposalAct,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
    clock: Clock,
) -> None:
    if callback_data.action is Action.FOLLOW:
        await themes.follow(uow, resident, callback_data.id, clock.now())
        notice = _("🔔 You will hear about every step of this theme.")
    else:
        await themes.unfollow(uow, resident, callback_data.id)
        notice = _("🔕 You no longer follow this theme.")
    await show_card(query, uow, resident, callback_data.id, settings, notice)


@router.callback_query(ProposalAct.filter(F.action == Action.TIMELINE))
async def open_timeline(
    query: CallbackQuery,
    callback_data: ProposalAct,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
    i18n: I18n,
) -> None:
    proposal, entries = await themes.timeline(uow, resident, callback_data.id)
    text = timeline_text(proposal, entries, resident.locale, settings, i18n)
    await show(query, text, back_keyboard(proposal.id))


@router.callback_query(ProposalAct.filter(F.action == Action.REPORT))
async def ask_to_report(query: CallbackQuery, callback_data: ProposalAct, uow: UnitOfWork) -> None:
    proposal = await proposals.public(uow, callback_data.id)
    await show(query, report_confirm_text(proposal), report_confirm_keyboard(proposal.id))


@router.callback_query(ProposalAct.filter(F.action == Action.REPORT_CONFIRMED))
async def report(
    query: CallbackQuery,
    callback_data: ProposalAct,
    uow: UnitOfWork,
    resident: Resident,
    settings: Settings,
    clock: Clock,
    notices: Notices,
) -> None:
    hidden = await proposals.report(
        uow, resident, callback_data.id, settings.reports_to_hide, notices, clock.now()
    )
    if hidden is not None:
        await show(
            query, _("Thank you. The proposal is hidden until a moderator has looked at it."), None
        )
        return
    await show_card(
        query,
        uow,
        resident,
        callback_data.id,
        settings,
        _("Thank you – the moderators will take a look."),
    )


@router.callback_query(ProposalAct.filter(F.action.in_({Action.PHOTO, Action.MAP})))
async def send_attachment(
    query: CallbackQuery, callback_data: ProposalAct, uow: UnitOfWork, resident: Resident
) -> None:
    proposal = await proposals.viewable(uow, callback_data.id, resident)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if callback_data.action is Action.PHOTO and proposal.photo_file_id:
        await query.bot.send_photo(chat_id, proposal.photo_file_id)
    elif (
        callback_data.action is Action.MAP
        and proposal.latitude is not None
        and proposal.longitude is not None
    ):
        await query.bot.send_location(chat_id, proposal.latitude, proposal.longitude)
    else:
        raise NotFound("no such attachment")
    await query.answer()


@router.message(Command("mine"))
async def my_proposals(message: Message, uow: UnitOfWork, resident: Resident) -> None:
    own, supported = await proposals.mine(uow, resident)
    await message.answer(mine_text(own, supported))
