"""/ballots for staff: theme votes with who took part, a reminder to the groups that lag behind,
the result of a tie, and the results as a chart. Editors and admins, in a private chat."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.charts import results_chart
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.notices import Notices
from bot.outbox.sender import OutboxSender
from bot.services import ballot_turnout, ballots
from bot.services.ballot_turnout import Turnout
from bot.services.ballots import BallotClosed
from domain import NotFound, Phase, localized_text
from handlers.ballot_admin_views import (
    PAGE_SIZE,
    AdminDo,
    BallotAdmin,
    BallotPage,
    RemindDo,
    RemindPick,
    RemindStep,
    back_keyboard,
    chart_axis,
    chart_caption,
    chart_labels,
    group_label,
    listing_keyboard,
    listing_text,
    remind_confirm_keyboard,
    remind_confirm_text,
    remind_keyboard,
    remind_text,
    remindable,
    reminded_text,
    staff_keyboard,
    staff_text,
    tie_keyboard,
    tie_text,
    undecided_tie,
)
from handlers.staff_access import editor
from handlers.steps import OnCurrentStep, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="ballot_admin")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STAFF_COMMANDS = [("ballots", N_("Theme votes: who took part, reminders and results"))]

Event = Message | CallbackQuery


class Reminding(StatesGroup):
    groups = State()
    confirm = State()


# --- the list and one ballot -------------------------------------------------------------------

async def show_page(event: Event, uow: UnitOfWork, resident: Resident, page: int, settings: Settings,
                    now: datetime) -> None:
    page = max(page, 0)
    found = await ballots.recent(uow, resident.telegram_id, page * PAGE_SIZE, PAGE_SIZE + 1)
    rows = [(ballot, ballots.phase_of(ballot, now),
             await ballot_turnout.turnout(uow, resident.telegram_id, ballot.id)) for ballot in found[:PAGE_SIZE]]
    await show(event, listing_text(rows, resident.locale, settings),
               listing_keyboard(rows, page, len(found) > PAGE_SIZE, resident.locale, settings))


async def show_ballot(event: Event, uow: UnitOfWork, resident: Resident, ballot_id: int, settings: Settings,
                      now: datetime, toast: str | None = None) -> None:
    """The staff view: the ballot, who took part and, once closed, its results."""
    turnout = await ballot_turnout.turnout(uow, resident.telegram_id, ballot_id)
    chosen = await ballots.ballot(uow, ballot_id)
    phase = ballots.phase_of(chosen, now)
    counted = await ballots.results(uow, chosen, None, now) if phase == Phase.CLOSED else None
    areas = await ballots.areas_by_id(uow)
    await show(event, staff_text(chosen, phase, turnout, counted, areas, resident.locale, settings),
               staff_keyboard(chosen, phase, counted, resident.locale, settings), toast)


@router.message(Command("ballots"))
async def list_ballots(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_page(message, uow, resident, 0, settings, clock.now())


@router.callback_query(BallotPage.filter())
async def turn_page(query: CallbackQuery, callback_data: BallotPage, uow: UnitOfWork, resident: Resident,
                    settings: Settings, clock: Clock) -> None:
    await show_page(query, uow, resident, callback_data.page, settings, clock.now())


@router.callback_query(BallotAdmin.filter(F.do == AdminDo.OPEN))
async def open_ballot(query: CallbackQuery, callback_data: BallotAdmin, uow: UnitOfWork, resident: Resident,
                      settings: Settings, clock: Clock) -> None:
    await show_ballot(query, uow, resident, callback_data.ballot, settings, clock.now())


# --- the chart ---------------------------------------------------------------------------------

@router.callback_query(BallotAdmin.filter(F.do == AdminDo.CHART))
async def send_chart(query: CallbackQuery, callback_data: BallotAdmin, uow: UnitOfWork, resident: Resident,
                     settings: Settings, clock: Clock) -> None:
    """The counts as a PNG, in reply to the staff member who asked (drawn off the event loop)."""
    await editor(uow, resident)
    chosen = await ballots.ballot(uow, callback_data.ballot)
    counted = await ballots.results(uow, chosen, None, clock.now())
    locale = resident.locale
    question = localized_text(chosen.question, locale, settings.default_locale)[0]
    votes = [count.votes for count in counted.outcome.counts]
    png = await asyncio.to_thread(
        results_chart, question, chart_labels(chosen, locale, settings), votes, counted.outcome.voters,
        axis_label=chart_axis(counted.outcome.voters, locale), locale=locale)
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.answer_photo(BufferedInputFile(png, f"vote-{chosen.id}.png"),
                                     caption=chart_caption(chosen, locale, settings))


# --- a tie -------------------------------------------------------------------------------------

@router.callback_query(BallotAdmin.filter(F.do == AdminDo.TIE))
async def confirm_tie(query: CallbackQuery, callback_data: BallotAdmin, uow: UnitOfWork, resident: Resident,
                      settings: Settings, clock: Clock) -> None:
    await editor(uow, resident)
    chosen = await ballots.ballot(uow, callback_data.ballot)
    counted = await ballots.results(uow, chosen, None, clock.now())
    if not undecided_tie(chosen, counted) or callback_data.option not in counted.outcome.leaders:
        raise NotFound("not a tied option of an undecided ballot")
    await show(query, tie_text(chosen, callback_data.option, resident.locale, settings),
               tie_keyboard(chosen, callback_data.option, resident.locale, settings))


@router.callback_query(BallotAdmin.filter(F.do == AdminDo.DECIDE))
async def decide_tie(query: CallbackQuery, callback_data: BallotAdmin, uow: UnitOfWork, resident: Resident,
                     settings: Settings, clock: Clock, notices: Notices, sender: OutboxSender) -> None:
    await ballots.decide_tie(uow, resident.telegram_id, callback_data.ballot, callback_data.option, notices,
                             clock.now())
    sender.wake()
    await show_ballot(query, uow, resident, callback_data.ballot, settings, clock.now(),
                      _("Done – the result is recorded."))


# --- a reminder to the groups that lag behind --------------------------------------------------

@router.callback_query(BallotAdmin.filter(F.do == AdminDo.REMIND))
async def start_reminder(query: CallbackQuery, callback_data: BallotAdmin, uow: UnitOfWork,
                         resident: Resident, state: FSMContext, settings: Settings) -> None:
    turnout = await ballot_turnout.turnout(uow, resident.telegram_id, callback_data.ballot)
    await state.set_state(Reminding.groups)
    await state.set_data({"ballot_id": callback_data.ballot, "groups": []})
    await show_groups(query, uow, resident, state, settings, turnout)


async def show_groups(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, turnout: Turnout) -> None:
    data = await state.get_data()
    chosen = await ballots.ballot(uow, data["ballot_id"])
    areas = await ballots.areas_by_id(uow)
    await present(event, state, remind_text(chosen, resident.locale, settings),
                  remind_keyboard(remindable(turnout), data["groups"], areas, resident.locale))


@router.callback_query(RemindPick.filter(), StateFilter(Reminding.groups), OnCurrentStep())
async def pick_group(query: CallbackQuery, callback_data: RemindPick, uow: UnitOfWork, resident: Resident,
                     state: FSMContext, settings: Settings) -> None:
    data = await state.get_data()
    turnout = await ballot_turnout.turnout(uow, resident.telegram_id, data["ballot_id"])
    pair = [callback_data.by, callback_data.group]
    if pair in data["groups"]:
        data["groups"].remove(pair)
    elif pair in ([group.by, group.group] for group in remindable(turnout)):
        data["groups"].append(pair)
    await state.update_data(groups=data["groups"])
    await show_groups(query, uow, resident, state, settings, turnout)


@router.callback_query(RemindStep.filter(F.do == RemindDo.CONFIRM), StateFilter(Reminding.groups),
                       OnCurrentStep())
async def confirm_reminder(query: CallbackQuery, uow: UnitOfWork, resident: Resident,
                           state: FSMContext) -> None:
    if not (await state.get_data())["groups"]:
        await query.answer(_("Choose at least one group."), show_alert=True)
        return
    await state.set_state(Reminding.confirm)
    await show_confirmation(query, uow, resident, state)


async def show_confirmation(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext) -> None:
    """How many residents the reminder reaches now, and in which groups."""
    data = await state.get_data()
    count = await ballot_turnout.non_voter_count(uow, resident.telegram_id, data["ballot_id"],
                                          [tuple(pair) for pair in data["groups"]])
    areas = await ballots.areas_by_id(uow)
    names = [group_label(by, group, areas, resident.locale) for by, group in data["groups"]]
    await present(event, state, remind_confirm_text(count, names, resident.locale),
                  remind_confirm_keyboard(count))


@router.callback_query(RemindStep.filter(F.do == RemindDo.BACK), StateFilter(Reminding.confirm),
                       OnCurrentStep())
async def back_to_groups(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                         settings: Settings) -> None:
    turnout = await ballot_turnout.turnout(uow, resident.telegram_id, (await state.get_data())["ballot_id"])
    await state.set_state(Reminding.groups)
    await show_groups(query, uow, resident, state, settings, turnout)


@router.callback_query(RemindStep.filter(F.do == RemindDo.SEND), StateFilter(Reminding.confirm),
                       OnCurrentStep())
async def send_reminder(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock, notices: Notices, sender: OutboxSender) -> None:
    data = await state.get_data()
    try:
        count = await ballot_turnout.remind_non_voters(
            uow, resident.telegram_id, data["ballot_id"], [tuple(pair) for pair in data["groups"]], notices,
            clock.now())
    except BallotClosed:
        await state.clear()
        await show_ballot(query, uow, resident, data["ballot_id"], settings, clock.now(),
                          _("The vote has closed – no reminder was sent."))
        return
    await state.clear()
    sender.wake()
    await show(query, reminded_text(count, resident.locale), back_keyboard(data["ballot_id"]))


@router.callback_query(RemindStep.filter(F.do == RemindDo.CANCEL), StateFilter(Reminding), OnCurrentStep())
async def cancel_reminder(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    ballot_id = (await state.get_data())["ballot_id"]
    await state.clear()
    await show_ballot(query, uow, resident, ballot_id, settings, clock.now(), _("No reminder was sent."))


@router.message(Command("cancel"), StateFilter(Reminding))
async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Stopped – no reminder was sent."))


@router.callback_query(RemindPick.filter())
@router.callback_query(RemindStep.filter())
async def stale_reminder_button(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                                settings: Settings) -> None:
    """A button of an earlier step, or of a reminder already sent or cancelled, changes nothing;
    a reminder under way shows its current step again."""
    await refuse_stale(query)
    assert isinstance(query.message, Message)
    step = await state.get_state()
    if step == Reminding.confirm.state:
        await show_confirmation(query.message, uow, resident, state)
    elif step == Reminding.groups.state:
        turnout = await ballot_turnout.turnout(uow, resident.telegram_id, (await state.get_data())["ballot_id"])
        await show_groups(query.message, uow, resident, state, settings, turnout)
