"""/broadcast and /broadcasts for staff: compose per language, choose the audience, confirm, follow.

Also keeps `blocked_at` up to date from my_chat_member updates (a resident blocks or restarts the bot).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter, Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _, format_count, ngettext
from bot.outbox.progress import Pace
from bot.outbox.sender import OutboxSender
from bot.services import areas, broadcasts, outbox
from bot.services.outbox import Held, InvalidBroadcast
from domain import Audience, localized_text
from handlers.broadcast_views import (
    AudienceKind,
    AudienceToggle,
    BroadcastCancel,
    BroadcastOpen,
    BroadcastStep,
    Step,
    ask_time_text,
    audience_keyboard,
    audience_text,
    cancel_keyboard,
    compose_keyboard,
    compose_prompt,
    confirm_keyboard,
    confirm_text,
    describe_audience,
    listing_keyboard,
    listing_text,
    progress_text,
    when_text,
)
from handlers.staff_access import editor, language_order, toggled
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="broadcasts")
private = F.chat.type == "private"

STAFF_COMMANDS = [
    ("broadcast", N_("Send a message to residents")),
    ("broadcasts", N_("Recent broadcasts and their progress")),
]


class Compose(StatesGroup):
    text = State()
    audience = State()
    confirm = State()
    time = State()


# --- compose ------------------------------------------------------------------------------

@router.message(Command("broadcast"), private)
async def start_broadcast(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings
) -> None:
    await editor(uow, resident)
    todo = language_order(settings.default_locale)
    await state.set_state(Compose.text)
    await state.set_data({"texts": {}, "media": None, "todo": todo, "audience": Audience().as_json(),
                          "urgent": False, "send_at": None})
    await message.answer(compose_prompt(todo[0], []), reply_markup=compose_keyboard(True))


@router.message(StateFilter(Compose.text), ~F.text.startswith("/"))
async def take_text(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings
) -> None:
    await editor(uow, resident)
    data = await state.get_data()
    media = _media(message) or (tuple(data["media"]) if data["media"] else None)
    text = message.html_text if (message.text or message.caption) else ""
    if not text.strip():
        await message.answer(_("Please send the text of the message – a photo or document needs a caption."))
        return
    try:
        outbox.check_texts({data["todo"][0]: text}, media)  # type: ignore[arg-type]
    except InvalidBroadcast:
        limit = outbox.CAPTION_LIMIT if media else outbox.TEXT_LIMIT
        await message.answer(ngettext(
            "That is too long: at most {limit} character, please.",
            "That is too long: at most {limit} characters, please.", limit,
        ).format(limit=format_count(limit)))
        return
    data["texts"][data["todo"][0]] = text
    data["media"] = list(media) if media else None
    await next_language(message, data, resident, uow, state, settings)


def _media(message: Message) -> tuple[str, str] | None:
    if message.photo:
        return "photo", message.photo[-1].file_id
    if message.document:
        return "document", message.document.file_id
    return None


@router.callback_query(BroadcastStep.filter(F.step == Step.SKIP), StateFilter(Compose.text))
async def skip_language(
    query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings
) -> None:
    await editor(uow, resident)
    data = await state.get_data()
    if len(data["todo"]) == 1 and not data["texts"]:
        await query.answer(_("Write the message in at least one language."), show_alert=True)
        return
    await next_language(query, data, resident, uow, state, settings)


async def next_language(
    event: Message | CallbackQuery, data: dict, resident: Resident, uow: UnitOfWork, state: FSMContext,
    settings: Settings,
) -> None:
    data["todo"] = data["todo"][1:]
    await state.set_data(data)
    if data["todo"]:
        await show(event, compose_prompt(data["todo"][0], list(data["texts"])), compose_keyboard(True))
        return
    await state.set_state(Compose.audience)
    await show_audience(event, uow, resident, state, 0)


# --- audience -----------------------------------------------------------------------------

async def show_audience(
    event: Message | CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext, page: int
) -> None:
    audience = Audience.from_json((await state.get_data())["audience"])
    listing, page, pages = await areas.page(uow, page)
    count = await broadcasts.recipient_count(uow, resident.telegram_id, audience)
    description = describe_audience(audience, await _chosen_areas(uow, audience), resident.locale)
    await show(event, audience_text(description, count),
               audience_keyboard(audience, listing, page, pages, resident.locale))


async def _chosen_areas(uow: UnitOfWork, audience: Audience) -> list:
    chosen = [await uow.areas.get(area_id) for area_id in audience.area_ids]
    return [area for area in chosen if area is not None]


@router.callback_query(AudienceToggle.filter(), StateFilter(Compose.audience))
async def toggle_audience(
    query: CallbackQuery, callback_data: AudienceToggle, resident: Resident, uow: UnitOfWork,
    state: FSMContext,
) -> None:
    await editor(uow, resident)
    data = await state.get_data()
    audience = Audience.from_json(data["audience"])
    match callback_data.kind:
        case AudienceKind.EVERYONE:
            audience = Audience()
        case AudienceKind.AREA if callback_data.value:  # checked before the draft changes
            area_id = await areas.known(uow, int(callback_data.value))
            audience = replace(audience, area_ids=toggled(audience.area_ids, area_id))
        case AudienceKind.TYPE:
            audience = replace(audience,
                               resident_types=toggled(audience.resident_types, callback_data.value))
        case AudienceKind.LANGUAGE:
            audience = replace(audience, locales=toggled(audience.locales, callback_data.value))
    data["audience"] = audience.as_json()
    await state.set_data(data)
    await show_audience(query, uow, resident, state, callback_data.page)


@router.callback_query(BroadcastStep.filter(F.step == Step.AUDIENCE), StateFilter(Compose.audience))
async def audience_chosen(
    query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings,
    clock: Clock,
) -> None:
    await editor(uow, resident)
    await state.set_state(Compose.confirm)
    await show_confirm(query, uow, resident, state, settings, clock)


# --- confirm, schedule, send -----------------------------------------------------------------

async def show_confirm(
    event: Message | CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
    settings: Settings, clock: Clock,
) -> None:
    data = await state.get_data()
    audience = Audience.from_json(data["audience"])
    preview, _used = localized_text(data["texts"], resident.locale, settings.default_locale)
    if data["media"]:
        preview = (_("📷 With a photo") if data["media"][0] == "photo" else _("📎 With a document")) \
            + "\n\n" + preview
    send_at = datetime.fromisoformat(data["send_at"]) if data["send_at"] else None
    count = await broadcasts.recipient_count(uow, resident.telegram_id, audience)
    held = await broadcasts.expected_wait(uow, resident.telegram_id, audience, data["urgent"],
                                          send_at or clock.now(), settings.zone)
    description = describe_audience(audience, await _chosen_areas(uow, audience), resident.locale)
    text = confirm_text(preview, description, count, data["urgent"],
                        when_text(send_at, resident.locale, settings.zone), held, settings.zone,
                        resident.locale)
    await show(event, text, confirm_keyboard(data["urgent"], send_at is not None))


@router.callback_query(BroadcastStep.filter(F.step.in_({Step.URGENT, Step.NOW})), StateFilter(Compose.confirm))
async def change_option(
    query: CallbackQuery, callback_data: BroadcastStep, resident: Resident, uow: UnitOfWork,
    state: FSMContext, settings: Settings, clock: Clock,
) -> None:
    await editor(uow, resident)
    data = await state.get_data()
    if callback_data.step is Step.URGENT:
        data["urgent"] = not data["urgent"]
    else:
        data["send_at"] = None
    await state.set_data(data)
    await show_confirm(query, uow, resident, state, settings, clock)


@router.callback_query(BroadcastStep.filter(F.step == Step.LATER), StateFilter(Compose.confirm))
async def ask_time(
    query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings
) -> None:
    await editor(uow, resident)
    await state.set_state(Compose.time)
    await show(query, ask_time_text(settings.zone), None)


@router.message(StateFilter(Compose.time), F.text, ~F.text.startswith("/"))
async def take_time(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings,
    clock: Clock,
) -> None:
    await editor(uow, resident)
    try:
        moment = broadcasts.parse_moment(message.text or "", clock.now(), settings.zone)
    except ValueError:
        await message.answer(_("I could not read that as a time in the future.") + "\n\n"
                             + ask_time_text(settings.zone))
        return
    await state.update_data(send_at=moment.isoformat())
    await state.set_state(Compose.confirm)
    await show_confirm(message, uow, resident, state, settings, clock)


@router.callback_query(BroadcastStep.filter(F.step == Step.SEND), StateFilter(Compose.confirm))
async def send(
    query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext, settings: Settings,
    clock: Clock, sender: OutboxSender,
) -> None:
    data = await state.get_data()
    assert isinstance(query.message, Message)
    now = clock.now()
    audience = Audience.from_json(data["audience"])
    send_at = datetime.fromisoformat(data["send_at"]) if data["send_at"] else None
    held = await broadcasts.expected_wait(uow, resident.telegram_id, audience, data["urgent"],
                                          send_at or now, settings.zone)
    broadcast = await broadcasts.send_broadcast(
        uow, resident.telegram_id, data["texts"], audience, now=now, urgent=data["urgent"],
        send_at=send_at, media=tuple(data["media"]) if data["media"] else None,  # type: ignore[arg-type]
        progress=(query.message.chat.id, query.message.message_id),
    )
    await state.clear()
    sender.wake()
    text = progress_text(broadcast, Pace(None), held, now, settings.zone, resident.locale)
    await show(query, text, cancel_keyboard(broadcast))


@router.callback_query(BroadcastStep.filter(F.step == Step.ABORT))
async def abort(query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext) -> None:
    await editor(uow, resident)
    await state.clear()
    await show(query, _("Broadcast discarded – nothing was sent."), None)


# --- running broadcasts --------------------------------------------------------------------

@router.callback_query(BroadcastCancel.filter())
async def cancel_broadcast(
    query: CallbackQuery, callback_data: BroadcastCancel, resident: Resident, uow: UnitOfWork,
    settings: Settings, clock: Clock,
) -> None:
    now = clock.now()
    broadcast = await broadcasts.cancel(uow, resident.telegram_id, callback_data.broadcast_id, now)
    await show(query, progress_text(broadcast, Pace(None), Held(0, None), now, settings.zone,
                                    resident.locale), None)


@router.message(Command("broadcasts"), private)
async def list_broadcasts(message: Message, resident: Resident, uow: UnitOfWork, settings: Settings) -> None:
    recent = await broadcasts.recent(uow, resident.telegram_id)
    await message.answer(listing_text(recent, resident.locale, settings.zone),
                         reply_markup=listing_keyboard(recent))


@router.callback_query(BroadcastOpen.filter())
async def open_broadcast(
    query: CallbackQuery, callback_data: BroadcastOpen, resident: Resident, uow: UnitOfWork,
    settings: Settings, clock: Clock,
) -> None:
    """The broadcast's progress in a new message, kept up to date while it runs."""
    now = clock.now()
    broadcast, held = await broadcasts.progress(uow, resident.telegram_id, callback_data.broadcast_id, now)
    await query.answer()
    assert isinstance(query.message, Message)
    shown = await query.message.answer(
        progress_text(broadcast, Pace(None), held, now, settings.zone, resident.locale),
        reply_markup=cancel_keyboard(broadcast))
    if broadcast.status in ("scheduled", "sending"):
        await broadcasts.follow_progress(uow, broadcast, shown.chat.id, shown.message_id)


# --- residents blocking and restarting the bot ------------------------------------------------

@router.my_chat_member(ChatMemberUpdatedFilter(KICKED), private)
async def blocked_the_bot(event: ChatMemberUpdated, resident: Resident, uow: UnitOfWork, clock: Clock) -> None:
    await outbox.resident_blocked(uow, resident, clock.now())


@router.my_chat_member(ChatMemberUpdatedFilter(MEMBER), private)
async def restarted_the_bot(event: ChatMemberUpdated, resident: Resident, uow: UnitOfWork) -> None:
    await outbox.resident_returned(uow, resident)
