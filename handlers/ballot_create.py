"""/newballot: staff make a theme vote step by step – the question (per language), options (themes
and written ones), one or several choices, who may vote, opening and closing, when the results show
– then see the announcement residents will get, and create it. The scheduler opens it on time.

The draft lives in the conversation store, so it survives a restart of the bot.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _
from bot.notices.ballots import announcement_text
from bot.services import areas, ballots, broadcasts
from bot.services.ballots import LABEL_LIMIT, QUESTION_LIMIT, BallotDraft, InvalidBallot, OptionDraft
from bot.services.proposals import TextProblem, clean_text
from domain import MAX_OPTIONS, MIN_OPTIONS, Audience, Method, NotFound, Visibility
from handlers.ballot_admin_views import facts
from handlers.ballot_create_views import (
    CreateDo,
    MaxChoices,
    NewBallotStep,
    ThemeToggle,
    cancel_keyboard,
    choices_keyboard,
    choices_prompt,
    closes_prompt,
    closes_too_early_text,
    created_text,
    discarded_text,
    label_count_text,
    may_vote_line,
    method_keyboard,
    method_prompt,
    moment_text,
    not_a_time_text,
    opens_keyboard,
    opens_prompt,
    options_keyboard,
    options_needed_text,
    options_text,
    preview_keyboard,
    preview_text,
    problems_keyboard,
    problems_text,
    question_keyboard,
    question_prompt,
    unexpected_text,
    visibility_keyboard,
    visibility_prompt,
    voters_keyboard,
    voters_text,
    when_opens,
)
from handlers.broadcast_views import AudienceKind, AudienceToggle, describe_audience
from handlers.staff_access import editor, language_order, toggled
from handlers.propose_views import text_problem
from handlers.steps import OnCurrentStep, moves, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="ballot_create")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STAFF_COMMANDS = [("newballot", N_("Create a theme vote"))]

THEMES_PER_PAGE = 5
Event = Message | CallbackQuery
View = tuple[str, InlineKeyboardMarkup]


class NewBallot(StatesGroup):
    question = State()
    options = State()
    method = State()
    max_choices = State()
    voters = State()
    opens = State()
    closes = State()
    visibility = State()
    preview = State()


VISIBILITY_CHOICES = {CreateDo.LIVE: Visibility.LIVE, CreateDo.AFTER: Visibility.AFTER_CLOSE}

# Steps shown from the draft alone: (draft data, settings) → text and keyboard.
PLAIN_STEPS: dict[str, Callable[[dict, Settings], View]] = {
    NewBallot.question.state: lambda data, _settings: (
        question_prompt(data["todo"][0], bool(data["question"])), question_keyboard()),
    NewBallot.method.state: lambda _data, _settings: (method_prompt(), method_keyboard()),
    NewBallot.max_choices.state: lambda data, _settings: (
        choices_prompt(), choices_keyboard(len(data["options"]))),
    NewBallot.opens.state: lambda _data, settings: (opens_prompt(settings.zone), opens_keyboard()),
    NewBallot.closes.state: lambda _data, settings: (closes_prompt(settings.zone), cancel_keyboard()),
    NewBallot.visibility.state: lambda _data, _settings: (visibility_prompt(), visibility_keyboard()),
}


def new_draft(languages: list[str]) -> dict:
    return {"todo": languages, "question": {}, "options": [], "theme_page": 0, "method": Method.SINGLE.value,
            "max_choices": 1, "audience": Audience().as_json(), "area_page": 0, "opens_at": None,
            "closes_at": None, "visibility": Visibility.AFTER_CLOSE.value, "editing": False}


def draft_of(data: dict, now: datetime) -> BallotDraft:
    """The conversation's draft as the service takes it (no opening time: right away)."""
    audience = Audience.from_json(data["audience"])
    return BallotDraft(
        question=data["question"],
        options=[OptionDraft(option["labels"], option["theme_id"]) for option in data["options"]],
        opens_at=_moment(data["opens_at"]) or now, closes_at=_moment(data["closes_at"]) or now,
        method=Method(data["method"]), max_choices=data["max_choices"], area_ids=audience.area_ids,
        resident_types=audience.resident_types, visibility=Visibility(data["visibility"]),
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- showing a step ----------------------------------------------------------------------------

async def ask(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
              clock: Clock) -> None:
    """Show the conversation's current step: in place of the pressed message, or as a new one."""
    data, step = await state.get_data(), await state.get_state()
    if step in PLAIN_STEPS:
        text, markup = PLAIN_STEPS[step](data, settings)
    elif step == NewBallot.options.state:
        text, markup = await options_view(uow, resident, data)
    elif step == NewBallot.voters.state:
        text, markup = await voters_view(uow, resident, data)
    else:
        text, markup = await preview_view(uow, resident, data, settings, clock.now())
    await present(event, state, text, markup)


go, ask_again = moves(ask)


async def options_view(uow: UnitOfWork, resident: Resident, data: dict) -> View:
    page = data["theme_page"]
    themes, total = await ballots.candidate_themes(uow, resident.telegram_id, page * THEMES_PER_PAGE,
                                                   THEMES_PER_PAGE)
    pages = max(1, -(-total // THEMES_PER_PAGE))
    chosen = [option["theme_id"] for option in data["options"] if option["theme_id"]]
    return (options_text(data["options"], list(data["question"]), total),
            options_keyboard(themes, chosen, page, pages, bool(data["options"])))


async def voters_view(uow: UnitOfWork, resident: Resident, data: dict) -> View:
    audience = Audience.from_json(data["audience"])
    listing, page, pages = await areas.page(uow, data["area_page"])
    return (voters_text(await _who(uow, resident, audience)),
            voters_keyboard(audience, listing, page, pages, resident.locale))


async def _who(uow: UnitOfWork, resident: Resident, audience: Audience) -> str:
    """Who may vote, in words, and how many residents that is now."""
    named = list((await ballots.areas_by_id(uow)).values())
    count = await broadcasts.recipient_count(uow, resident.telegram_id, audience)
    return describe_audience(audience, named, resident.locale) + "\n" + may_vote_line(count)


async def preview_view(uow: UnitOfWork, resident: Resident, data: dict, settings: Settings,
                       now: datetime) -> View:
    """The announcement as residents will get it, and the facts; or what keeps it from being made."""
    try:
        ballot = await ballots.unsaved(uow, resident.telegram_id, draft_of(data, now), now)
    except InvalidBallot as invalid:
        return problems_text(invalid.problems), problems_keyboard()
    locale, zone = resident.locale, settings.zone
    who = await _who(uow, resident, Audience.from_json(data["audience"]))
    lines = facts(when_opens(moment_text(data["opens_at"], locale, zone)),
                  moment_text(data["closes_at"], locale, zone) or "", who, Visibility(ballot.visibility))
    return preview_text(announcement_text(ballot, locale, settings), lines), preview_keyboard()


# --- start, cancel, anything unexpected --------------------------------------------------------

@router.message(Command("newballot"))
async def start(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                clock: Clock) -> None:
    await editor(uow, resident)
    await state.set_state(NewBallot.question)
    await state.set_data(new_draft(language_order(settings.default_locale)))
    await ask(message, uow, resident, state, settings, clock)


@router.message(Command("cancel"), StateFilter(NewBallot))
async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(discarded_text())


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.CANCEL), StateFilter(NewBallot), OnCurrentStep())
async def cancel_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(query, discarded_text(), None)


# --- 1. the question, one language at a time ---------------------------------------------------

@router.message(StateFilter(NewBallot.question), F.text, ~F.text.startswith("/"))
async def take_question(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    try:
        data["question"][data["todo"][0]] = clean_text(message.text, QUESTION_LIMIT)
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    await next_language(message, data, uow, resident, state, settings, clock)


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.SKIP), StateFilter(NewBallot.question),
                       OnCurrentStep())
async def skip_language(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    if len(data["todo"]) == 1 and not data["question"]:
        await query.answer(_("Write the question in at least one language."), show_alert=True)
        return
    await next_language(query, data, uow, resident, state, settings, clock)


async def next_language(event: Event, data: dict, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data["todo"] = data["todo"][1:]
    await state.set_data(data)
    following = NewBallot.question if data["todo"] else NewBallot.options
    await go(event, following, uow, resident, state, settings, clock)


# --- 2. the options: themes and written ones ---------------------------------------------------

@router.message(StateFilter(NewBallot.options), F.text, ~F.text.startswith("/"))
async def take_option(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    problem = _add_option(message.text, data["options"], list(data["question"]))
    if problem:
        await message.answer(problem)
    else:
        await state.update_data(options=data["options"])
    await ask(message, uow, resident, state, settings, clock)


def _add_option(text: str, options: list[dict], languages: list[str]) -> str | None:
    """A written option added to `options`: once, or once per language of the question with |
    between them. What is wrong with it, when something is."""
    parts = text.split("|")
    if len(parts) not in (1, len(languages)):
        return label_count_text(languages)
    if len(options) >= MAX_OPTIONS:
        return options_needed_text()
    try:
        labels = {code: clean_text(part, LABEL_LIMIT) for code, part in zip(languages, parts)}
    except TextProblem as problem:
        return text_problem(problem)
    options.append({"labels": labels, "theme_id": None, "title": None})
    return None


@router.callback_query(ThemeToggle.filter(), StateFilter(NewBallot.options), OnCurrentStep())
async def toggle_theme(query: CallbackQuery, callback_data: ThemeToggle, uow: UnitOfWork, resident: Resident,
                       state: FSMContext, settings: Settings, clock: Clock) -> None:
    """Offer a theme of the page shown, or take it out; theme 0 only turns the page."""
    options = (await state.get_data())["options"]
    kept = [option for option in options if option["theme_id"] != callback_data.theme]
    if len(kept) < len(options):
        options = kept
    elif callback_data.theme and len(options) >= MAX_OPTIONS:
        await query.answer(options_needed_text(), show_alert=True)
        return
    elif callback_data.theme:
        options.append(await _theme_option(uow, resident, callback_data))
    await state.update_data(options=options, theme_page=callback_data.page)
    await ask(query, uow, resident, state, settings, clock)


async def _theme_option(uow: UnitOfWork, resident: Resident, toggle: ThemeToggle) -> dict:
    """The theme pressed, found on the page it was offered on (still public, still before the forum)."""
    themes, _total = await ballots.candidate_themes(uow, resident.telegram_id, toggle.page * THEMES_PER_PAGE,
                                                    THEMES_PER_PAGE)
    theme = next((found for found in themes if found.id == toggle.theme), None)
    if theme is None:
        raise NotFound("not a theme that may be voted on")
    return {"labels": {}, "theme_id": theme.id, "title": theme.title}


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.UNDO), StateFilter(NewBallot.options),
                       OnCurrentStep())
async def remove_last_option(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                             settings: Settings, clock: Clock) -> None:
    options = (await state.get_data())["options"]
    await go(query, NewBallot.options, uow, resident, state, settings, clock, options=options[:-1])


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.DONE), StateFilter(NewBallot.options),
                       OnCurrentStep())
async def options_done(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    if not MIN_OPTIONS <= len((await state.get_data())["options"]) <= MAX_OPTIONS:
        await query.answer(options_needed_text(), show_alert=True)
        return
    await go(query, NewBallot.method, uow, resident, state, settings, clock)


# --- 3. one choice or several ------------------------------------------------------------------

@router.callback_query(NewBallotStep.filter(F.do == CreateDo.SINGLE), StateFilter(NewBallot.method),
                       OnCurrentStep())
async def one_choice(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.voters, uow, resident, state, settings, clock,
             method=Method.SINGLE.value, max_choices=1)


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.SEVERAL), StateFilter(NewBallot.method),
                       OnCurrentStep())
async def several_choices(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.max_choices, uow, resident, state, settings, clock,
             method=Method.APPROVAL.value)


@router.callback_query(MaxChoices.filter(), StateFilter(NewBallot.max_choices), OnCurrentStep())
async def take_max_choices(query: CallbackQuery, callback_data: MaxChoices, uow: UnitOfWork,
                           resident: Resident, state: FSMContext, settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.voters, uow, resident, state, settings, clock, max_choices=callback_data.count)


# --- 4. who may vote ---------------------------------------------------------------------------

@router.callback_query(AudienceToggle.filter(), StateFilter(NewBallot.voters), OnCurrentStep())
async def toggle_voters(query: CallbackQuery, callback_data: AudienceToggle, uow: UnitOfWork,
                        resident: Resident, state: FSMContext, settings: Settings, clock: Clock) -> None:
    audience = Audience.from_json((await state.get_data())["audience"])
    match callback_data.kind:
        case AudienceKind.EVERYONE:
            audience = Audience()
        case AudienceKind.AREA if callback_data.value:
            area_id = await areas.known(uow, int(callback_data.value))
            audience = Audience(toggled(audience.area_ids, area_id), audience.resident_types)
        case AudienceKind.TYPE:
            audience = Audience(audience.area_ids, toggled(audience.resident_types, callback_data.value))
    await go(query, NewBallot.voters, uow, resident, state, settings, clock, audience=audience.as_json(),
             area_page=callback_data.page)


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.VOTERS), StateFilter(NewBallot.voters),
                       OnCurrentStep())
async def voters_chosen(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.opens, uow, resident, state, settings, clock)


# --- 5.–7. opening, closing, when the results show ---------------------------------------------

@router.callback_query(NewBallotStep.filter(F.do == CreateDo.NOW), StateFilter(NewBallot.opens),
                       OnCurrentStep())
async def open_right_away(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.closes, uow, resident, state, settings, clock, opens_at=None)


@router.message(StateFilter(NewBallot.opens, NewBallot.closes), F.text, ~F.text.startswith("/"))
async def take_time(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                    settings: Settings, clock: Clock) -> None:
    """A local time as staff write it (as for broadcasts); closing must come after opening."""
    data, now = await state.get_data(), clock.now()
    try:
        moment = broadcasts.parse_moment(message.text, now, settings.zone)
    except ValueError:
        await ask_again(message, not_a_time_text(), uow, resident, state, settings, clock)
        return
    if await state.get_state() == NewBallot.opens.state:
        await go(message, NewBallot.closes, uow, resident, state, settings, clock,
                 opens_at=moment.isoformat())
        return
    opens = _moment(data["opens_at"]) or now
    if moment <= opens:
        opening = when_opens(moment_text(data["opens_at"], resident.locale, settings.zone))
        await ask_again(message, closes_too_early_text(opening), uow, resident, state, settings, clock)
        return
    following = NewBallot.preview if data["editing"] else NewBallot.visibility
    await go(message, following, uow, resident, state, settings, clock, closes_at=moment.isoformat())


@router.callback_query(NewBallotStep.filter(F.do.in_(set(VISIBILITY_CHOICES))),
                       StateFilter(NewBallot.visibility), OnCurrentStep())
async def take_visibility(query: CallbackQuery, callback_data: NewBallotStep, uow: UnitOfWork,
                          resident: Resident, state: FSMContext, settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.preview, uow, resident, state, settings, clock,
             visibility=VISIBILITY_CHOICES[callback_data.do].value)


# --- the preview: create, or change the times --------------------------------------------------

@router.callback_query(NewBallotStep.filter(F.do == CreateDo.TIMES), StateFilter(NewBallot.preview),
                       OnCurrentStep())
async def change_times(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    await go(query, NewBallot.opens, uow, resident, state, settings, clock, editing=True)


@router.callback_query(NewBallotStep.filter(F.do == CreateDo.CREATE), StateFilter(NewBallot.preview),
                       OnCurrentStep())
async def create(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                 settings: Settings, clock: Clock) -> None:
    data, now = await state.get_data(), clock.now()
    try:
        ballot = await ballots.create(uow, resident.telegram_id, draft_of(data, now), now)
    except InvalidBallot:
        await ask(query, uow, resident, state, settings, clock)  # the preview says what to fix
        return
    await state.clear()
    await show(query, created_text(ballot.id, moment_text(data["opens_at"], resident.locale, settings.zone)),
               None)


# --- anything else -----------------------------------------------------------------------------

@router.message(StateFilter(NewBallot), ~F.text.startswith("/"))
async def unexpected(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    """A sticker, a photo or text where buttons are expected: say what is needed and ask again."""
    step = (await state.get_state() or "").partition(":")[2]
    await ask_again(message, unexpected_text(step), uow, resident, state, settings, clock)


@router.callback_query(AudienceToggle.filter(), StateFilter(NewBallot))
@router.callback_query(NewBallotStep.filter())
@router.callback_query(ThemeToggle.filter())
@router.callback_query(MaxChoices.filter())
async def stale_button(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    """A button of an earlier step, or of a draft already created or discarded, changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in NewBallot:
        assert isinstance(query.message, Message)
        await ask(query.message, uow, resident, state, settings, clock)
