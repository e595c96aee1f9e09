"""/newforum: staff make a forum step by step – the theme, title and description (per language),
start and end, place, map location, remote link, seats, reminders and who is invited – then see
the invitation exactly as residents will read it, and create it: the invitation is queued at once.

The draft lives in the conversation store, so it survives a restart of the bot.
"""
from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _, format_moment
from bot.notices import Notices
from bot.notices.forums import invitation_text
from bot.services import areas, ballots, broadcasts, forum_files, forums, proposals
from bot.services.forums import (
    DESCRIPTION_LIMIT, LONGEST, PLACE_LIMIT, TITLE_LIMIT, URL, URL_LIMIT, ForumDraft, InvalidForum,
)
from bot.services.proposals import TextProblem, clean_text
from domain import ALL_AREAS, DEFAULT_REMINDERS, ForumAudience
from handlers.broadcast_views import AudienceKind, AudienceToggle
from handlers.forum_create_views import (
    REMINDER_PRESETS, AudiencePick, EditPick, ForumDo, NewForumStep, ReminderPick, ThemePick,
    areas_keyboard, areas_prompt, audience_keyboard_of_forum, audience_prompt, audience_text, buttons_text,
    cancel_keyboard, capacity_prompt, created_text, discarded_text, edit_keyboard, edit_text, ends_prompt,
    ends_too_early_text, facts, location_prompt, no_area_text, not_a_capacity_text, not_a_link_text,
    not_a_location_text, not_a_start_text, not_an_end_text, place_prompt, preview_keyboard, preview_text,
    problems_keyboard, problems_text, reminders_keyboard, reminders_prompt, remote_prompt, skip_keyboard,
    starts_prompt, text_keyboard, text_prompt, theme_keyboard, theme_prompt, too_long_text,
)
from handlers.propose_views import text_problem
from handlers.staff_access import editor, language_order, toggled
from handlers.steps import OnCurrentStep, moves, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="forum_create")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STAFF_COMMANDS = [("newforum", N_("Create a forum"))]

Event = Message | CallbackQuery
View = tuple[str, InlineKeyboardMarkup]


class NewForum(StatesGroup):
    theme = State()
    title = State()
    description = State()
    starts = State()
    ends = State()
    place = State()
    location = State()
    remote = State()
    capacity = State()
    reminders = State()
    audience = State()
    areas = State()  # the areas invited, when the audience is areas
    edit = State()  # from the preview: which step to change
    preview = State()


ORDER = [NewForum.theme, NewForum.title, NewForum.description, NewForum.starts, NewForum.ends, NewForum.place,
         NewForum.location, NewForum.remote, NewForum.capacity, NewForum.reminders, NewForum.audience,
         NewForum.preview]
TEXT_LIMITS = {NewForum.title.state: TITLE_LIMIT, NewForum.description.state: DESCRIPTION_LIMIT}
SKIP_LABELS = {NewForum.location.state: N_("No map location ›"), NewForum.remote.state: N_("On site only ›"),
               NewForum.capacity.state: N_("No limit ›")}
OPTIONAL = {NewForum.location.state: {"latitude": None, "longitude": None},  # what Skip keeps
            NewForum.remote.state: {"remote_url": None}, NewForum.capacity.state: {"capacity": None}}


def new_draft(languages: list[str]) -> dict:
    return {"languages": languages, "todo": languages, "theme_id": None, "theme_page": 0, "title": {},
            "description": {}, "starts_at": None, "ends_at": None, "place": "", "latitude": None,
            "longitude": None, "remote_url": None, "capacity": None, "reminders": list(DEFAULT_REMINDERS),
            "audience": ForumAudience.THEME.value, "area_ids": [], "area_page": 0, "editing": False}


def draft_of(data: dict) -> ForumDraft:
    return ForumDraft(
        theme_id=data["theme_id"], title=data["title"], description=data["description"],
        starts_at=datetime.fromisoformat(data["starts_at"]), ends_at=datetime.fromisoformat(data["ends_at"]),
        place=data["place"], latitude=data["latitude"], longitude=data["longitude"],
        remote_url=data["remote_url"], capacity=data["capacity"], reminders=tuple(data["reminders"]),
        audience=ForumAudience(data["audience"]), area_ids=tuple(data["area_ids"]),
    )


# --- showing a step ----------------------------------------------------------------------------

async def ask(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
              clock: Clock) -> None:
    """Show the conversation's current step: in place of the pressed message, or as a new one."""
    data, step = await state.get_data(), await state.get_state()
    if step == NewForum.theme.state:
        page = await proposals.listing(uow, data["theme_page"], ALL_AREAS, False)
        text, markup = theme_prompt(len(page.items)), theme_keyboard(
            [theme for theme, _supporters in page.items], page.number, page.pages)
    elif step in TEXT_LIMITS:
        first = data["todo"][0] == data["languages"][0]
        text = text_prompt(2 if step == NewForum.title.state else 3, step.partition(":")[2], data["todo"][0],
                           first)
        markup = text_keyboard(first)
    elif step == NewForum.starts.state:
        text, markup = starts_prompt(settings.zone), cancel_keyboard()
    elif step == NewForum.ends.state:
        starts = format_moment(datetime.fromisoformat(data["starts_at"]), resident.locale, settings.zone)
        text, markup = ends_prompt(starts), cancel_keyboard()
    elif step == NewForum.place.state:
        text, markup = place_prompt(), cancel_keyboard()
    elif step in SKIP_LABELS:
        prompts = {NewForum.location.state: location_prompt, NewForum.remote.state: remote_prompt,
                   NewForum.capacity.state: capacity_prompt}
        text, markup = prompts[step](), skip_keyboard(_(SKIP_LABELS[step]))
    elif step == NewForum.reminders.state:
        text, markup = reminders_prompt(), reminders_keyboard()
    elif step == NewForum.audience.state:
        text, markup = audience_prompt(), audience_keyboard_of_forum()
    elif step == NewForum.areas.state:
        text, markup = await areas_view(uow, resident, data)
    elif step == NewForum.edit.state:
        text, markup = edit_text(), edit_keyboard()
    else:
        text, markup = await preview_view(uow, resident, data, settings, clock.now())
    await present(event, state, text, markup)


go, ask_again = moves(ask)


async def answered(event: Event, step: State, uow: UnitOfWork, resident: Resident, state: FSMContext,
                   settings: Settings, clock: Clock, **values: object) -> None:
    """Keep the answer to `step` and go on: to the next step, or back to the preview when
    changing one (a new start asks for the end too)."""
    editing = (await state.get_data())["editing"] and step != NewForum.starts
    following = NewForum.preview if editing else ORDER[ORDER.index(step) + 1]
    await go(event, following, uow, resident, state, settings, clock, **values)



async def areas_view(uow: UnitOfWork, resident: Resident, data: dict) -> View:
    listing, page, pages = await areas.page(uow, data["area_page"])
    named = list((await ballots.areas_by_id(uow)).values())
    chosen = audience_text(ForumAudience.AREAS, named, data["area_ids"], resident.locale) if data["area_ids"] else ""
    return areas_prompt(chosen), areas_keyboard(data["area_ids"], listing, page, pages, resident.locale)


async def preview_view(uow: UnitOfWork, resident: Resident, data: dict, settings: Settings,
                       now: datetime) -> View:
    """The invitation as residents will read it, and the facts; or what keeps it from being made."""
    try:
        forum = await forums.unsaved(uow, resident.telegram_id, draft_of(data), now)
    except InvalidForum as invalid:
        return problems_text(invalid.problems), problems_keyboard()
    theme = await proposals.public(uow, forum.theme_id)
    named = list((await ballots.areas_by_id(uow)).values())
    who = audience_text(ForumAudience(data["audience"]), named, data["area_ids"], resident.locale)
    lines = facts(forum, theme, who, await forums.invitation_count(uow, forum))
    return preview_text(invitation_text(forum, resident.locale, settings), lines), preview_keyboard()


# --- start, cancel -----------------------------------------------------------------------------

@router.message(Command("newforum"))
async def start(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                clock: Clock) -> None:
    await editor(uow, resident)
    await state.set_state(NewForum.theme)
    await state.set_data(new_draft(language_order(settings.default_locale)))
    await ask(message, uow, resident, state, settings, clock)


@router.message(Command("cancel"), StateFilter(NewForum))
@router.callback_query(NewForumStep.filter(F.do == ForumDo.CANCEL), StateFilter(NewForum), OnCurrentStep())
async def cancel(event: Event, state: FSMContext) -> None:
    await state.clear()
    await show(event, discarded_text(), None)


# --- 1. the theme ------------------------------------------------------------------------------

@router.callback_query(ThemePick.filter(), StateFilter(NewForum.theme), OnCurrentStep())
async def pick_theme(query: CallbackQuery, callback_data: ThemePick, uow: UnitOfWork, resident: Resident,
                     state: FSMContext, settings: Settings, clock: Clock) -> None:
    """A theme that is still public, or (theme 0) another page of them."""
    if not callback_data.theme:
        await go(query, NewForum.theme, uow, resident, state, settings, clock, theme_page=callback_data.page)
        return
    theme = await proposals.public(uow, callback_data.theme)
    await answered(query, NewForum.theme, uow, resident, state, settings, clock, theme_id=theme.id)


# --- 2.–3. title and description, one language at a time ---------------------------------------

@router.message(StateFilter(NewForum.title, NewForum.description), F.text, ~F.text.startswith("/"))
async def take_text(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                    settings: Settings, clock: Clock) -> None:
    data, step = await state.get_data(), await state.get_state() or ""
    try:
        data[step.partition(":")[2]][data["todo"][0]] = clean_text(message.text, TEXT_LIMITS[step])
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    await next_language(message, data, uow, resident, state, settings, clock)


@router.callback_query(NewForumStep.filter(F.do == ForumDo.SKIP), StateFilter(NewForum.title, NewForum.description),
                       OnCurrentStep())
async def skip_language(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    if data["todo"][0] == data["languages"][0]:  # the city's own language is never skipped
        await refuse_stale(query)
        return
    await next_language(query, data, uow, resident, state, settings, clock)


async def next_language(event: Event, data: dict, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    step = NewForum.title if await state.get_state() == NewForum.title.state else NewForum.description
    data["todo"] = data["todo"][1:]
    if data["todo"]:
        await state.set_data(data)
        await ask(event, uow, resident, state, settings, clock)
        return
    data["todo"] = data["languages"]
    await state.set_data(data)
    await answered(event, step, uow, resident, state, settings, clock)


# --- 4.–5. when --------------------------------------------------------------------------------

@router.message(StateFilter(NewForum.starts), F.text, ~F.text.startswith("/"))
async def take_start(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    try:
        starts = broadcasts.parse_moment(message.text, clock.now(), settings.zone)
    except ValueError:
        await ask_again(message, not_a_start_text(), uow, resident, state, settings, clock)
        return
    await answered(message, NewForum.starts, uow, resident, state, settings, clock, starts_at=starts.isoformat())


@router.message(StateFilter(NewForum.ends), F.text, ~F.text.startswith("/"))
async def take_end(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                   settings: Settings, clock: Clock) -> None:
    starts = datetime.fromisoformat((await state.get_data())["starts_at"])
    try:
        ends = forum_files.end_time(message.text, starts, settings.zone)
        problem = ends_too_early_text() if ends <= starts else too_long_text() if ends - starts > LONGEST else None
    except ValueError:
        problem = not_an_end_text()
    if problem:
        await ask_again(message, problem, uow, resident, state, settings, clock)
        return
    await answered(message, NewForum.ends, uow, resident, state, settings, clock, ends_at=ends.isoformat())


# --- 6.–9. place, map location, remote link, seats ---------------------------------------------

@router.message(StateFilter(NewForum.place), F.text, ~F.text.startswith("/"))
async def take_place(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    try:
        place = clean_text(message.text, PLACE_LIMIT)
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    await answered(message, NewForum.place, uow, resident, state, settings, clock, place=place)


@router.message(StateFilter(NewForum.location), F.location)
async def take_location(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    location = message.location
    assert location is not None
    await answered(message, NewForum.location, uow, resident, state, settings, clock,
                   latitude=location.latitude, longitude=location.longitude)


@router.message(StateFilter(NewForum.remote), F.text, ~F.text.startswith("/"))
async def take_remote_link(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                           settings: Settings, clock: Clock) -> None:
    link = (message.text or "").strip()
    if len(link) > URL_LIMIT or not URL.match(link):
        await ask_again(message, not_a_link_text(), uow, resident, state, settings, clock)
        return
    await answered(message, NewForum.remote, uow, resident, state, settings, clock, remote_url=link)


@router.message(StateFilter(NewForum.capacity), F.text, ~F.text.startswith("/"))
async def take_capacity(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    written = (message.text or "").strip()
    if not written.isdecimal() or int(written) < 1:
        await ask_again(message, not_a_capacity_text(), uow, resident, state, settings, clock)
        return
    await answered(message, NewForum.capacity, uow, resident, state, settings, clock, capacity=int(written))


@router.callback_query(NewForumStep.filter(F.do == ForumDo.SKIP),
                       StateFilter(NewForum.location, NewForum.remote, NewForum.capacity), OnCurrentStep())
async def skip_optional(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    step = await state.get_state() or ""
    current = next(candidate for candidate in ORDER if candidate.state == step)
    await answered(query, current, uow, resident, state, settings, clock, **OPTIONAL[step])


# --- 10.–11. reminders and who is invited ------------------------------------------------------

@router.callback_query(ReminderPick.filter(F.preset.in_(range(len(REMINDER_PRESETS)))),
                       StateFilter(NewForum.reminders), OnCurrentStep())
async def pick_reminders(query: CallbackQuery, callback_data: ReminderPick, uow: UnitOfWork, resident: Resident,
                         state: FSMContext, settings: Settings, clock: Clock) -> None:
    minutes, _label = REMINDER_PRESETS[callback_data.preset]
    await answered(query, NewForum.reminders, uow, resident, state, settings, clock, reminders=list(minutes))


@router.callback_query(AudiencePick.filter(), StateFilter(NewForum.audience), OnCurrentStep())
async def pick_audience(query: CallbackQuery, callback_data: AudiencePick, uow: UnitOfWork, resident: Resident,
                        state: FSMContext, settings: Settings, clock: Clock) -> None:
    if callback_data.kind == ForumAudience.AREAS:
        await go(query, NewForum.areas, uow, resident, state, settings, clock, audience=callback_data.kind.value)
        return
    await answered(query, NewForum.audience, uow, resident, state, settings, clock,
                   audience=callback_data.kind.value, area_ids=[])


@router.callback_query(AudienceToggle.filter(F.kind == AudienceKind.AREA), StateFilter(NewForum.areas),
                       OnCurrentStep())
async def toggle_area(query: CallbackQuery, callback_data: AudienceToggle, uow: UnitOfWork, resident: Resident,
                      state: FSMContext, settings: Settings, clock: Clock) -> None:
    """Invite an area of the page shown, or not; no area only turns the page."""
    area_ids = (await state.get_data())["area_ids"]
    if callback_data.value:
        area_ids = list(toggled(tuple(area_ids), await areas.known(uow, int(callback_data.value))))
    await go(query, NewForum.areas, uow, resident, state, settings, clock, area_ids=area_ids,
             area_page=callback_data.page)


@router.callback_query(NewForumStep.filter(F.do == ForumDo.AREAS), StateFilter(NewForum.areas), OnCurrentStep())
async def areas_chosen(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    if not (await state.get_data())["area_ids"]:
        await query.answer(no_area_text(), show_alert=True)
        return
    await answered(query, NewForum.audience, uow, resident, state, settings, clock)


# --- the preview: create, or change a step -----------------------------------------------------

@router.callback_query(NewForumStep.filter(F.do == ForumDo.EDIT), StateFilter(NewForum.preview), OnCurrentStep())
async def choose_edit(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    await go(query, NewForum.edit, uow, resident, state, settings, clock)


@router.callback_query(NewForumStep.filter(F.do == ForumDo.PREVIEW), StateFilter(NewForum.edit), OnCurrentStep())
async def back_to_preview(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    await go(query, NewForum.preview, uow, resident, state, settings, clock)


@router.callback_query(EditPick.filter(), StateFilter(NewForum.edit), OnCurrentStep())
async def edit_step(query: CallbackQuery, callback_data: EditPick, uow: UnitOfWork, resident: Resident,
                    state: FSMContext, settings: Settings, clock: Clock) -> None:
    """Back to one step; a text is written again from its first language."""
    step = next((candidate for candidate in ORDER if candidate.state == f"NewForum:{callback_data.step}"), None)
    if step is None or step == NewForum.preview:
        await refuse_stale(query)
        return
    cleared = {callback_data.step: {}} if callback_data.step in ("title", "description") else {}
    await go(query, step, uow, resident, state, settings, clock, editing=True, **cleared)


@router.callback_query(NewForumStep.filter(F.do == ForumDo.CREATE), StateFilter(NewForum.preview),
                       OnCurrentStep())
async def create(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                 settings: Settings, clock: Clock, notices: Notices) -> None:
    """The forum stored and its invitation queued (the editor role checked again), then the answer."""
    data, now = await state.get_data(), clock.now()
    try:
        forum = await forums.create(uow, resident.telegram_id, draft_of(data), notices, now)
    except InvalidForum:
        await ask(query, uow, resident, state, settings, clock)  # the preview says what to fix
        return
    invited = await forums.invitation_count(uow, forum)
    await state.clear()
    await show(query, created_text(forum.id, invited, format_moment(forum.starts_at, resident.locale,
                                                                    settings.zone)), None)


# --- anything else -----------------------------------------------------------------------------

@router.message(StateFilter(NewForum), ~F.text.startswith("/"))
async def unexpected(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    """A sticker, a photo, or text where buttons are expected: say what is needed and ask again."""
    step = await state.get_state()
    if step == NewForum.location.state:
        hint = not_a_location_text()
    elif step in TEXT_LIMITS or step in (NewForum.starts.state, NewForum.ends.state, NewForum.place.state,
                                         NewForum.remote.state, NewForum.capacity.state):
        hint = _("Please write it as text – stickers, photos and files can't be used here.")
    else:
        hint = buttons_text()
    await ask_again(message, hint, uow, resident, state, settings, clock)


@router.callback_query(AudienceToggle.filter(), StateFilter(NewForum))
@router.callback_query(NewForumStep.filter())
@router.callback_query(ThemePick.filter())
@router.callback_query(ReminderPick.filter())
@router.callback_query(AudiencePick.filter())
@router.callback_query(EditPick.filter())
async def stale_button(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    """A button of an earlier step, or of a draft already created or discarded, changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in NewForum:
        assert isinstance(query.message, Message)
        await ask(query.message, uow, resident, state, settings, clock)
