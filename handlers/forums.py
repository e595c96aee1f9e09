"""Forums for residents: /forums, a forum's page (/f7, t.me/<bot>?start=f7), RSVP and the .ics."""
from __future__ import annotations

import re
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.notices import Notices
from bot.notices.forum_buttons import ForumOpen, RsvpPick
from bot.notices.forum_calendar import forum_calendar
from bot.notices.words import short
from bot.services import forum_rsvp, forums
from bot.services.forum_rsvp import AlreadyStarted, ForumEnded, ForumView, Full, NoRemoteLink
from domain import ATTENDING, FORUM_COMMAND, FORUM_START, Attendance, ForumPhase, NotFound, localized_text
from handlers.forums_views import (
    PAGE_SIZE,
    ForumCalendar,
    ForumList,
    ForumMap,
    answer_toast,
    calendar_caption,
    calendar_name,
    full_alert,
    list_keyboard,
    list_text,
    page_keyboard,
    page_text,
    refused_toast,
)
from handlers.views import show
from storage.models import Forum, Resident
from storage.uow import UnitOfWork

router = Router(name="forums")
router.message.filter(F.chat.type == "private")  # a resident's RSVP is their own business
router.callback_query.filter(F.message.chat.type == "private")

COMMANDS = [("forums", N_("Upcoming forums"))]

Event = Message | CallbackQuery


async def show_list(event: Event, uow: UnitOfWork, resident: Resident, page: int, settings: Settings,
                    now: datetime) -> None:
    page = max(page, 0)
    found = await forums.upcoming(uow, now, page * PAGE_SIZE, PAGE_SIZE + 1)
    shown = found[:PAGE_SIZE]
    await show(event, list_text(shown, now, resident.locale, settings),
               list_keyboard(shown, page, len(found) > PAGE_SIZE, now, resident.locale, settings))


async def show_forum(event: Event, uow: UnitOfWork, resident: Resident, forum_id: int, settings: Settings,
                     now: datetime, toast: str | None = None) -> ForumView:
    """The forum's page as a new message, or in place of the pressed one."""
    view = await forum_rsvp.view(uow, resident, forum_id, now)
    await show(event, page_text(view, resident.locale, settings), page_keyboard(view), toast)
    return view


@router.message(Command("forums"))
async def open_forums(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings,
                      clock: Clock) -> None:
    await show_list(message, uow, resident, 0, settings, clock.now())


@router.callback_query(ForumList.filter())
async def turn_page(query: CallbackQuery, callback_data: ForumList, uow: UnitOfWork, resident: Resident,
                    settings: Settings, clock: Clock) -> None:
    await show_list(query, uow, resident, callback_data.page, settings, clock.now())


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(FORUM_START).as_("match")))
@router.message(F.text.regexp(FORUM_COMMAND).as_("match"))
async def open_by_number(message: Message, match: re.Match[str], uow: UnitOfWork, resident: Resident,
                         settings: Settings, clock: Clock) -> None:
    """/f7, or the link t.me/<bot>?start=f7 (from a poster's QR code)."""
    await show_forum(message, uow, resident, int(match.group(1)), settings, clock.now())


@router.callback_query(ForumOpen.filter())
async def open_forum(query: CallbackQuery, callback_data: ForumOpen, uow: UnitOfWork, resident: Resident,
                     settings: Settings, clock: Clock) -> None:
    await show_forum(query, uow, resident, callback_data.forum, settings, clock.now())


@router.callback_query(RsvpPick.filter())
async def pick(query: CallbackQuery, callback_data: RsvpPick, uow: UnitOfWork, resident: Resident,
               settings: Settings, clock: Clock, notices: Notices, bot: Bot) -> None:
    """Answer or change the answer; the page shows it, and an attendee gets the forum's .ics.
    A refused tap changes nothing and the page shows where the forum stands."""
    now, forum_id = clock.now(), callback_data.forum
    try:
        attendance = Attendance(callback_data.attendance)
    except ValueError:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    bot_username = await username_of(bot)  # asked before the write: no call while it is open
    try:
        answer = await forum_rsvp.rsvp(uow, resident, forum_id, attendance, notices, now)
    except Full as error:
        await show_forum(query, uow, resident, forum_id, settings, now, full_alert(error.remote))
        return
    except (ForumEnded, AlreadyStarted, NoRemoteLink) as error:
        await show_forum(query, uow, resident, forum_id, settings, now, refused_toast(error))
        return
    view = await show_forum(query, uow, resident, forum_id, settings, now, answer_toast(answer))
    if answer.changed and answer.after in ATTENDING and isinstance(query.message, Message):
        await send_calendar(query.message, view.forum, answer.after, resident, settings, bot_username, now)


@router.callback_query(ForumCalendar.filter())
async def calendar_again(query: CallbackQuery, callback_data: ForumCalendar, uow: UnitOfWork,
                         resident: Resident, settings: Settings, clock: Clock, bot: Bot) -> None:
    now = clock.now()
    view = await forum_rsvp.view(uow, resident, callback_data.forum, now)
    if view.phase == ForumPhase.PAST or view.mine not in ATTENDING or not isinstance(query.message, Message):
        await show_forum(query, uow, resident, callback_data.forum, settings, now,
                         _("This button is no longer valid."))
        return
    await query.answer()
    await send_calendar(query.message, view.forum, view.mine, resident, settings, await username_of(bot), now)


@router.callback_query(ForumMap.filter())
async def show_map(query: CallbackQuery, callback_data: ForumMap, uow: UnitOfWork, resident: Resident,
                   settings: Settings) -> None:
    chosen = await forums.forum(uow, callback_data.forum)
    if chosen.latitude is None or chosen.longitude is None or not isinstance(query.message, Message):
        raise NotFound("the forum has no location")
    await query.answer()
    title = localized_text(chosen.title, resident.locale, settings.default_locale)[0]
    await query.message.answer_venue(chosen.latitude, chosen.longitude, short(title, 64), chosen.place)


async def username_of(bot: Bot) -> str:
    """The bot's username for its t.me links (asked once, then remembered by aiogram)."""
    return (await bot.me()).username or ""


async def send_calendar(message: Message, chosen: Forum, attendance: Attendance, resident: Resident,
                        settings: Settings, bot_username: str, now: datetime) -> None:
    ics = forum_calendar(chosen, attendance, resident.locale, settings, bot_username, now)
    await message.answer_document(BufferedInputFile(ics, calendar_name(chosen)), caption=calendar_caption())
