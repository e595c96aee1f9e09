"""Theme votes for residents: /vote, a ballot (/b7, t.me/<bot>?start=b7), voting and results."""

from __future__ import annotations

import re
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.notices.ballot_buttons import BallotOpen, VotePick
from bot.notices.ballots import results_text
from bot.services import ballots
from bot.services.ballots import BallotClosed, NotEligible, NotYetOpen, TooManyChoices
from domain import BALLOT_COMMAND, BALLOT_START, Phase
from handlers.ballots_views import (
    VoteList,
    ballot_keyboard,
    ballot_text,
    list_keyboard,
    list_text,
    refused_toast,
    results_keyboard,
    too_many_text,
    vote_toast,
)
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="ballots")
router.message.filter(F.chat.type == "private")  # voting happens in the resident's own chat
router.callback_query.filter(F.message.chat.type == "private")

COMMANDS = [("vote", N_("Vote on the city's themes"))]

Event = Message | CallbackQuery


async def show_list(event: Event, uow: UnitOfWork, resident: Resident, settings: Settings,
                    now: datetime) -> None:
    found = await ballots.open_for(uow, resident, now)
    await show(event, list_text(found, resident.locale, settings),
               list_keyboard(found, resident.locale, settings))


async def show_ballot(event: Event, uow: UnitOfWork, resident: Resident, ballot_id: int,
                      settings: Settings, now: datetime, toast: str | None = None,
                      choices: dict[int, int] | None = None) -> None:
    """The ballot with the resident's choices ticked (read here unless a vote just gave them):
    a new message, or in place of the pressed one."""
    chosen = await ballots.ballot(uow, ballot_id)
    phase, eligible = ballots.phase_of(chosen, now), ballots.may_vote(chosen, resident)
    areas = {} if eligible else await ballots.areas_by_id(uow)  # to say who may vote
    votable = eligible and phase == Phase.OPEN
    if not votable:
        choices = None
    elif choices is None:
        choices = await ballots.choices_of(uow, chosen, resident)
    text = ballot_text(chosen, phase, eligible, areas, resident.locale, settings)
    markup = ballot_keyboard(chosen, choices, ballots.results_shown(chosen, now), resident.locale, settings)
    await show(event, text, markup, toast)


async def show_results(event: Event, uow: UnitOfWork, resident: Resident, ballot_id: int,
                       settings: Settings, now: datetime, toast: str | None = None) -> None:
    chosen = await ballots.ballot(uow, ballot_id)
    counted = await ballots.results(uow, chosen, resident, now)
    text = results_text(chosen, counted, resident.locale, await ballots.areas_by_id(uow), settings)
    await show(event, text, results_keyboard(chosen.id), toast)


@router.message(Command("vote"))
async def open_ballots(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_list(message, uow, resident, settings, clock.now())


@router.callback_query(VoteList.filter())
async def back_to_list(query: CallbackQuery, uow: UnitOfWork, resident: Resident, settings: Settings,
                       clock: Clock) -> None:
    await show_list(query, uow, resident, settings, clock.now())


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(BALLOT_START).as_("match")))
async def open_from_link(message: Message, match: re.Match[str], uow: UnitOfWork, resident: Resident,
                         settings: Settings, clock: Clock) -> None:
    await show_ballot(message, uow, resident, int(match.group(1)), settings, clock.now())


@router.message(F.text.regexp(BALLOT_COMMAND).as_("match"))
async def open_from_command(message: Message, match: re.Match[str], uow: UnitOfWork, resident: Resident,
                            settings: Settings, clock: Clock) -> None:
    await show_ballot(message, uow, resident, int(match.group(1)), settings, clock.now())


@router.callback_query(BallotOpen.filter(~F.results))
async def open_ballot(query: CallbackQuery, callback_data: BallotOpen, uow: UnitOfWork, resident: Resident,
                      settings: Settings, clock: Clock) -> None:
    await show_ballot(query, uow, resident, callback_data.ballot, settings, clock.now())


@router.callback_query(BallotOpen.filter(F.results))
async def open_results(query: CallbackQuery, callback_data: BallotOpen, uow: UnitOfWork,
                       resident: Resident, settings: Settings, clock: Clock) -> None:
    await show_results(query, uow, resident, callback_data.ballot, settings, clock.now())


@router.callback_query(VotePick.filter())
async def pick(query: CallbackQuery, callback_data: VotePick, uow: UnitOfWork, resident: Resident,
               settings: Settings, clock: Clock) -> None:
    """Vote, change the vote, or (several choices) choose or remove an option; a refused tap
    changes nothing and the message shows why."""
    now, ballot_id = clock.now(), callback_data.ballot
    chosen = await ballots.ballot(uow, ballot_id)
    method, before = chosen.method, await ballots.choices_of(uow, chosen, resident)
    try:
        after = await ballots.vote(uow, resident, ballot_id, callback_data.option, now)
    except TooManyChoices as error:
        await query.answer(too_many_text(error.limit), show_alert=True)
        return
    except BallotClosed as error:
        await show_results(query, uow, resident, ballot_id, settings, now, refused_toast(error))
        return
    except (NotYetOpen, NotEligible) as error:
        await show_ballot(query, uow, resident, ballot_id, settings, now, refused_toast(error))
        return
    toast = vote_toast(method, callback_data.option, before, after)
    await show_ballot(query, uow, resident, ballot_id, settings, now, toast, after)
