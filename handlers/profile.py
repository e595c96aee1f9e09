"""/start, onboarding, /settings and /language: the resident's language, type and area."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.i18n import N_, _
from bot.services import areas, digest, outbox, residents
from bot.telegram.commands import CommandMenu
from domain import WHOLE_CITY, NotFound
from handlers import help as help_
from handlers.profile_views import (
    SKIP,
    AreaPage,
    AreaPick,
    DIGEST_OFF,
    DigestDay,
    DigestPick,
    Flow,
    LanguagePick,
    QuietPick,
    SettingsOpen,
    SettingsPart,
    TypePick,
    area_keyboard,
    area_prompt,
    digest_days_keyboard,
    digest_hours_keyboard,
    digest_hours_prompt,
    digest_prompt,
    language_keyboard,
    language_prompt,
    quiet_hours_keyboard,
    quiet_hours_prompt,
    resident_type_keyboard,
    resident_type_prompt,
    settings_keyboard,
    settings_text,
)
from handlers.steps import OnCurrentStep, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="profile")

COMMANDS = [
    ("start", N_("Welcome and what you can do here")),
    ("settings", N_("Your language, who you are and your area")),
    ("language", N_("Change the language")),
]


class Onboarding(StatesGroup):
    language = State()
    resident_type = State()
    area = State()


@router.message(CommandStart(deep_link=True))
async def start_with_unknown_link(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext, commands: CommandMenu
) -> None:
    """Feature routers handle the links they know before this one; the rest land here."""
    await message.answer(_("That link did not lead anywhere – it may be old or mistyped."))
    await start(message, resident, uow, state, commands)


@router.message(CommandStart())
async def start(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext, commands: CommandMenu
) -> None:
    if resident.onboarded_at is not None:
        await state.clear()
        await message.answer(help_.welcome_back_text(commands))
        return
    await ask(message, Onboarding.language, resident, uow, state)


@router.message(Command("settings"))
async def open_settings(message: Message, resident: Resident) -> None:
    await show(message, settings_text(resident), settings_keyboard())


@router.message(Command("language"))
async def open_language(message: Message, resident: Resident) -> None:
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard(resident.locale, Flow.SETTINGS))


@router.callback_query(SettingsOpen.filter())
async def settings_part(
    query: CallbackQuery, callback_data: SettingsOpen, resident: Resident, uow: UnitOfWork
) -> None:
    match callback_data.part:
        case SettingsPart.LANGUAGE:
            await show(query, _("Choose your language:"), language_keyboard(resident.locale, Flow.SETTINGS))
        case SettingsPart.TYPE:
            await show(query, resident_type_prompt(), resident_type_keyboard(Flow.SETTINGS))
        case SettingsPart.AREA:
            await show_areas(query, uow, resident, 0, Flow.SETTINGS)
        case SettingsPart.QUIET:
            await show(query, quiet_hours_prompt(), quiet_hours_keyboard(resident, outbox.QUIET_CHOICES))
        case SettingsPart.DIGEST:
            await show(query, digest_prompt(), digest_days_keyboard(resident))
        case SettingsPart.CLOSE:
            await show(query, settings_text(resident).rsplit("\n\n", 1)[0], None)
        case SettingsPart.OVERVIEW:
            await show(query, settings_text(resident), settings_keyboard())


@router.callback_query(QuietPick.filter())
async def pick_quiet_hours(
    query: CallbackQuery, callback_data: QuietPick, resident: Resident, uow: UnitOfWork, clock: Clock
) -> None:
    await outbox.set_quiet_hours(uow, resident, callback_data.start, callback_data.end, clock.now())
    await show(query, settings_text(resident), settings_keyboard())


@router.callback_query(DigestDay.filter(F.weekday == DIGEST_OFF))
async def turn_digest_off(query: CallbackQuery, resident: Resident, uow: UnitOfWork) -> None:
    await digest.turn_off(uow, resident)
    await show(query, settings_text(resident), settings_keyboard())


@router.callback_query(DigestDay.filter())
async def pick_digest_day(query: CallbackQuery, callback_data: DigestDay, resident: Resident) -> None:
    if not 0 <= callback_data.weekday <= 6:
        raise NotFound("no such weekday")
    await show(query, digest_hours_prompt(callback_data.weekday),
               digest_hours_keyboard(resident, callback_data.weekday, digest.HOURS))


@router.callback_query(DigestPick.filter())
async def pick_digest_hour(
    query: CallbackQuery, callback_data: DigestPick, resident: Resident, uow: UnitOfWork, clock: Clock
) -> None:
    await digest.choose(uow, resident, callback_data.weekday, callback_data.hour, clock.now())
    await show(query, settings_text(resident), settings_keyboard())


ONBOARDING = F.flow == Flow.ONBOARDING
SETTINGS = F.flow == Flow.SETTINGS


@router.callback_query(LanguagePick.filter(ONBOARDING), StateFilter(Onboarding.language), OnCurrentStep())
@router.callback_query(LanguagePick.filter(SETTINGS))
async def pick_language(
    query: CallbackQuery,
    callback_data: LanguagePick,
    resident: Resident,
    uow: UnitOfWork,
    state: FSMContext,
    i18n: I18n,
    clock: Clock,
    commands: CommandMenu,
) -> None:
    await residents.choose_language(uow, resident, callback_data.code)
    with i18n.use_locale(resident.locale):
        await next_step(query, callback_data.flow, resident, uow, state, clock, commands)


@router.callback_query(TypePick.filter(ONBOARDING), StateFilter(Onboarding.resident_type), OnCurrentStep())
@router.callback_query(TypePick.filter(SETTINGS))
async def pick_type(
    query: CallbackQuery,
    callback_data: TypePick,
    resident: Resident,
    uow: UnitOfWork,
    state: FSMContext,
    clock: Clock,
    commands: CommandMenu,
) -> None:
    if callback_data.value != "skip":
        await residents.choose_resident_type(uow, resident, callback_data.value)
    await next_step(query, callback_data.flow, resident, uow, state, clock, commands)


@router.callback_query(AreaPage.filter(ONBOARDING), StateFilter(Onboarding.area), OnCurrentStep())
@router.callback_query(AreaPage.filter(SETTINGS))
async def turn_area_page(
    query: CallbackQuery, callback_data: AreaPage, resident: Resident, uow: UnitOfWork
) -> None:
    await show_areas(query, uow, resident, callback_data.page, callback_data.flow)


@router.callback_query(AreaPick.filter(ONBOARDING), StateFilter(Onboarding.area), OnCurrentStep())
@router.callback_query(AreaPick.filter(SETTINGS))
async def pick_area(
    query: CallbackQuery,
    callback_data: AreaPick,
    resident: Resident,
    uow: UnitOfWork,
    state: FSMContext,
    clock: Clock,
    commands: CommandMenu,
) -> None:
    if callback_data.area_id != SKIP:
        chosen = None if callback_data.area_id == WHOLE_CITY else callback_data.area_id
        await residents.choose_area(uow, resident, chosen)
    await next_step(query, callback_data.flow, resident, uow, state, clock, commands)


async def next_step(
    query: CallbackQuery,
    flow: Flow,
    resident: Resident,
    uow: UnitOfWork,
    state: FSMContext,
    clock: Clock,
    commands: CommandMenu,
) -> None:
    """After a choice: the next onboarding question, or back to the settings overview."""
    if flow is Flow.SETTINGS:
        await show(query, settings_text(resident), settings_keyboard())
        return
    current = await state.get_state()
    if current == Onboarding.area.state:
        await state.clear()  # staged: written with the finished profile
        await residents.finish_onboarding(uow, resident, clock.now())
        await show(query, help_.onboarded_text(commands), None)
    else:
        following = Onboarding.area if current == Onboarding.resident_type.state else Onboarding.resident_type
        await ask(query, following, resident, uow, state)


async def ask(
    event: Message | CallbackQuery, step: State, resident: Resident, uow: UnitOfWork, state: FSMContext
) -> None:
    await state.set_state(step)
    if step == Onboarding.language:
        await present(event, state, language_prompt(), language_keyboard(resident.locale, Flow.ONBOARDING))
    elif step == Onboarding.resident_type:
        await present(event, state, resident_type_prompt(), resident_type_keyboard(Flow.ONBOARDING))
    else:
        await show_areas(event, uow, resident, 0, Flow.ONBOARDING, state)


async def show_areas(
    event: Message | CallbackQuery,
    uow: UnitOfWork,
    resident: Resident,
    page: int,
    flow: Flow,
    state: FSMContext | None = None,
) -> None:
    """A page of areas: an onboarding step (given its conversation `state`), or a settings view."""
    listing, page, pages = await areas.page(uow, page)
    text, markup = area_prompt(page, pages), area_keyboard(listing, page, pages, resident.locale, flow)
    if state is None:
        await show(event, text, markup)
    else:
        await present(event, state, text, markup)


@router.message(StateFilter(Onboarding), ~F.text.startswith("/"))
async def onboarding_needs_a_button(
    message: Message, resident: Resident, uow: UnitOfWork, state: FSMContext
) -> None:
    """Typed text (or a sticker, photo...) mid-onboarding: explain, ask the same question again."""
    await message.answer(_("Please answer with the buttons – or skip the question if you like."))
    await ask(message, await current_step(state), resident, uow, state)


@router.callback_query(LanguagePick.filter(ONBOARDING))
@router.callback_query(TypePick.filter(ONBOARDING))
@router.callback_query(AreaPage.filter(ONBOARDING))
@router.callback_query(AreaPick.filter(ONBOARDING))
async def stale_onboarding_button(
    query: CallbackQuery, resident: Resident, uow: UnitOfWork, state: FSMContext
) -> None:
    """A button of an earlier question (or of onboarding already done) changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in {step.state for step in Onboarding.__states__}:
        assert isinstance(query.message, Message)
        await ask(query.message, await current_step(state), resident, uow, state)


async def current_step(state: FSMContext) -> State:
    current = await state.get_state()
    return next((step for step in Onboarding.__states__ if step.state == current), Onboarding.language)
