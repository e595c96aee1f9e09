"""/newsurvey: staff make a feedback survey step by step – the title and introduction (per language),
anonymous or named, after a forum or for an audience, opening and closing, then the questions one by
one – and see every question in each language before creating it. Invitations go out when due.

The draft lives in the conversation store, so it survives a restart of the bot.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _, format_moment
from bot.services import areas, ballots, broadcasts, forums, surveys
from bot.services.proposals import TextProblem, clean_text
from bot.services.surveys import (
    INTRO_LIMIT, OPTION_LIMIT, QUESTION_LIMIT, TITLE_LIMIT, InvalidSurvey, QuestionDraft, SurveyDraft,
)
from domain import CHOICE_KINDS, MAX_QUESTIONS, Audience, QuestionKind, localized_text
from domain.surveys import MAX_OPTIONS, MIN_OPTIONS
from handlers.ballot_create_views import label_count_text, not_a_time_text, time_examples
from handlers.broadcast_views import AudienceKind, AudienceToggle, describe_audience
from handlers.forum_create_views import areas_keyboard as forum_areas_keyboard
from handlers.forum_create_views import buttons_text, no_area_text
from handlers.propose_views import text_problem
from handlers.staff_access import editor, language_order, toggled
from handlers.steps import OnCurrentStep, moves, present, refuse_stale
from handlers.survey_create_views import (
    DELAY_PRESETS, DelayPick, ForumPick, KindPick, MostPick, NewSurveyStep, PreviewPage, ReplacePick, SurveyDo,
    anonymity_keyboard, anonymity_prompt, areas_keyboard, areas_prompt, audience_keyboard, audience_prompt,
    cancel_keyboard, closes_prompt, closes_too_early_text, created_text, delay_keyboard, delay_label,
    delay_prompt, discarded_text, edit_keyboard, edit_text, facts, forum_audience, forum_keyboard, forum_prompt,
    kind_keyboard, kind_prompt, most_keyboard, most_prompt, opens_keyboard,
    opens_prompt, options_keyboard, options_needed_text, options_prompt, preview_keyboard, preview_pages,
    preview_text, problems_keyboard, problems_text, question_text_keyboard, question_text_prompt, questions_keyboard,
    questions_text, required_keyboard, required_prompt, target_keyboard, target_prompt, text_keyboard, text_prompt,
    write_text,
)
from handlers.views import show
from storage.models import Resident, Survey
from storage.uow import UnitOfWork

router = Router(name="survey_create")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

STAFF_COMMANDS = [("newsurvey", N_("Create a feedback survey"))]

RECENT = timedelta(days=30)  # forums ended this long ago may still get a survey
FORUMS_SHOWN = 8
Event = Message | CallbackQuery
View = tuple[str, InlineKeyboardMarkup]


class NewSurvey(StatesGroup):
    title = State()
    intro = State()
    anonymity = State()
    target = State()  # after a forum, or for an audience
    forum = State()
    delay = State()
    audience = State()
    areas = State()
    opens = State()
    closes = State()
    kind = State()  # of the question being written
    text = State()
    options = State()
    most = State()
    required = State()
    questions = State()  # the questions so far: another, or done
    preview = State()
    edit = State()


TEXT_LIMITS = {NewSurvey.title.state: TITLE_LIMIT, NewSurvey.intro.state: INTRO_LIMIT,
               NewSurvey.text.state: QUESTION_LIMIT}
TEXT_PARTS = {NewSurvey.title.state: "title", NewSurvey.intro.state: "intro"}


def new_draft(languages: list[str]) -> dict:
    return {"languages": languages, "todo": languages, "title": {}, "intro": {}, "anonymous": False,
            "forum_id": None, "invite_delay": 60, "audience": None, "area_page": 0, "opens_at": None,
            "closes_at": None, "questions": [], "current": None, "replacing": None, "editing": False,
            "locale": languages[0], "page": 0}


def new_question(kind: QuestionKind) -> dict:
    return {"kind": kind.value, "texts": {}, "options": [], "max_choices": None, "required": True}


def draft_of(data: dict, now: datetime) -> SurveyDraft:
    """The conversation's draft as the service takes it (no opening time: right away)."""
    return SurveyDraft(
        title=data["title"], intro=data["intro"], anonymous=data["anonymous"],
        opens_at=_moment(data["opens_at"]) or now, closes_at=_moment(data["closes_at"]) or now,
        forum_id=data["forum_id"], invite_delay=data["invite_delay"],
        audience=Audience.from_json(data["audience"]) if data["audience"] is not None else None,
        questions=[QuestionDraft(QuestionKind(question["kind"]), question["texts"],
                                 question["options"], question["max_choices"], question["required"])
                   for question in data["questions"]],
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _number(data: dict) -> int:
    """The number of the question being written."""
    return data["replacing"] or len(data["questions"]) + 1


# --- showing a step ----------------------------------------------------------------------------

async def ask(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
              clock: Clock) -> None:
    """Show the conversation's current step: in place of the pressed message, or as a new one."""
    data, step = await state.get_data(), await state.get_state()
    first = bool(data["todo"]) and data["todo"][0] == data["languages"][0]
    current = data["current"]
    if step in TEXT_PARTS:
        text, markup = text_prompt(TEXT_PARTS[step], data["todo"][0], first), text_keyboard(TEXT_PARTS[step], first)
    elif step == NewSurvey.anonymity.state:
        text, markup = anonymity_prompt(), anonymity_keyboard()
    elif step == NewSurvey.target.state:
        text, markup = target_prompt(), target_keyboard()
    elif step == NewSurvey.forum.state:
        text, markup = await forums_view(uow, resident, settings, clock.now())
    elif step == NewSurvey.delay.state:
        text, markup = delay_prompt(), delay_keyboard()
    elif step == NewSurvey.audience.state:
        text, markup = audience_prompt(), audience_keyboard()
    elif step == NewSurvey.areas.state:
        text, markup = await areas_view(uow, resident, data)
    elif step == NewSurvey.opens.state:
        text, markup = opens_prompt(time_examples(settings.zone)), opens_keyboard()
    elif step == NewSurvey.closes.state:
        text, markup = closes_prompt(time_examples(settings.zone)), cancel_keyboard()
    elif step == NewSurvey.kind.state:
        text, markup = kind_prompt(_number(data)), kind_keyboard()
    elif step == NewSurvey.text.state:
        text = question_text_prompt(_number(data), QuestionKind(current["kind"]), data["todo"][0], first)
        markup = question_text_keyboard(first)
    elif step == NewSurvey.options.state:
        text = options_prompt(_number(data), current["options"], list(current["texts"]))
        markup = options_keyboard(bool(current["options"]))
    elif step == NewSurvey.most.state:
        text, markup = most_prompt(_number(data)), most_keyboard(len(current["options"]))
    elif step == NewSurvey.required.state:
        text, markup = required_prompt(_number(data)), required_keyboard()
    elif step == NewSurvey.questions.state:
        text = questions_text(data["questions"], settings.default_locale)
        markup = questions_keyboard(len(data["questions"]))
    elif step == NewSurvey.edit.state:
        text, markup = edit_text(), edit_keyboard(len(data["questions"]))
    else:
        text, markup = await preview_view(uow, resident, data, settings, clock.now())
    await present(event, state, text, markup)


go, ask_again = moves(ask)



async def forums_view(uow: UnitOfWork, resident: Resident, settings: Settings, now: datetime) -> View:
    found = await forums.upcoming(uow, now - RECENT, 0, FORUMS_SHOWN)
    labelled = [(forum, f"{localized_text(forum.title, resident.locale, settings.default_locale)[0]} · "
                        f"{format_moment(forum.starts_at, resident.locale, settings.zone)}") for forum in found]
    return forum_prompt(len(found)), forum_keyboard(labelled)


async def areas_view(uow: UnitOfWork, resident: Resident, data: dict) -> View:
    """The area buttons of /newforum (the same toggles and page turn), with this conversation's steps."""
    area_ids = Audience.from_json(data["audience"]).area_ids
    listing, page, pages = await areas.page(uow, data["area_page"])
    shown = forum_areas_keyboard(area_ids, listing, page, pages, resident.locale).inline_keyboard[:-2]
    named = list((await ballots.areas_by_id(uow)).values())
    chosen = describe_audience(Audience(area_ids=area_ids), named, resident.locale) if area_ids else ""
    return areas_prompt(chosen), areas_keyboard([[(button.text, button.callback_data or "") for button in row]
                                                 for row in shown])


async def preview_view(uow: UnitOfWork, resident: Resident, data: dict, settings: Settings,
                       now: datetime) -> View:
    """One page of the survey in the chosen language, and the facts; or what keeps it from being made."""
    try:
        survey = await surveys.unsaved(uow, resident.telegram_id, draft_of(data, now), now)
    except InvalidSurvey as invalid:
        return problems_text(invalid.problems), problems_keyboard()
    locale = data["locale"]
    lines = facts(survey.anonymous, await _who(uow, resident, survey, settings), await _invited(
        uow, resident, survey, settings, now), format_moment(survey.opens_at, resident.locale, settings.zone),
        format_moment(survey.closes_at, resident.locale, settings.zone), len(survey.questions))
    pages = preview_pages(survey, locale, lines)
    page = min(data["page"], len(pages) - 1)
    return preview_text(pages[page], locale, page, len(pages)), preview_keyboard(locale, page, len(pages))


async def _who(uow: UnitOfWork, resident: Resident, survey: Survey, settings: Settings) -> str:
    if survey.forum_id is not None:
        forum = await forums.forum(uow, survey.forum_id)
        return forum_audience(forum.id, localized_text(forum.title, resident.locale, settings.default_locale)[0])
    named = list((await ballots.areas_by_id(uow)).values())
    return describe_audience(surveys.audience_of(survey) or Audience(), named, resident.locale)


async def _invited(uow: UnitOfWork, resident: Resident, survey: Survey, settings: Settings, now: datetime) -> str:
    """When the invitations go out, in words."""
    forum = await uow.forums.get(survey.forum_id) if survey.forum_id is not None else None
    moment = surveys.invitation_moment(survey, forum.ends_at if forum else None)
    if moment <= now:
        return _("right away, when you create it")
    when = format_moment(moment, resident.locale, settings.zone)
    return f"{delay_label(survey.invite_delay)} ({when})" if forum and survey.invite_delay is not None else when


# --- start, cancel -----------------------------------------------------------------------------

@router.message(Command("newsurvey"))
async def start(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                clock: Clock) -> None:
    await editor(uow, resident)
    await state.set_state(NewSurvey.title)
    await state.set_data(new_draft(language_order(settings.default_locale)))
    await ask(message, uow, resident, state, settings, clock)


@router.message(Command("cancel"), StateFilter(NewSurvey))
@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.CANCEL), StateFilter(NewSurvey), OnCurrentStep())
async def cancel(event: Event, state: FSMContext) -> None:
    await state.clear()
    await show(event, discarded_text(), None)


# --- texts, one language at a time: the title, the introduction, a question --------------------

@router.message(StateFilter(*TEXT_LIMITS), F.text, ~F.text.startswith("/"))
async def take_text(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                    settings: Settings, clock: Clock) -> None:
    data, step = await state.get_data(), await state.get_state() or ""
    texts = data[TEXT_PARTS[step]] if step in TEXT_PARTS else data["current"]["texts"]
    try:
        texts[data["todo"][0]] = clean_text(message.text, TEXT_LIMITS[step])
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    await next_language(message, data, uow, resident, state, settings, clock)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.SKIP), StateFilter(*TEXT_LIMITS), OnCurrentStep())
async def skip_language(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    if data["todo"][0] == data["languages"][0] and await state.get_state() != NewSurvey.intro.state:
        await refuse_stale(query)  # a title and a question are always written in the city's own language
        return
    await next_language(query, data, uow, resident, state, settings, clock)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.NO_INTRO), StateFilter(NewSurvey.intro),
                       OnCurrentStep())
async def no_intro(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                   settings: Settings, clock: Clock) -> None:
    languages = (await state.get_data())["languages"]
    await go(query, NewSurvey.anonymity, uow, resident, state, settings, clock, intro={}, todo=languages)


async def next_language(event: Event, data: dict, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    """The next language of the same text, or the step after it."""
    data["todo"] = data["todo"][1:]
    await state.set_data(data)
    if data["todo"]:
        await ask(event, uow, resident, state, settings, clock)
        return
    step = await state.get_state()
    data["todo"] = data["languages"]
    if step == NewSurvey.title.state:
        following = NewSurvey.preview if data["editing"] else NewSurvey.intro
    elif step == NewSurvey.intro.state:
        following = NewSurvey.anonymity
    else:
        kind = QuestionKind(data["current"]["kind"])
        following = NewSurvey.options if kind in CHOICE_KINDS else NewSurvey.required
    await go(event, following, uow, resident, state, settings, clock, todo=data["todo"], editing=False)


# --- anonymity, and who answers ----------------------------------------------------------------

@router.callback_query(NewSurveyStep.filter(F.do.in_({SurveyDo.ANONYMOUS, SurveyDo.NAMED})),
                       StateFilter(NewSurvey.anonymity), OnCurrentStep())
async def pick_anonymity(query: CallbackQuery, callback_data: NewSurveyStep, uow: UnitOfWork, resident: Resident,
                         state: FSMContext, settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.target, uow, resident, state, settings, clock,
             anonymous=callback_data.do == SurveyDo.ANONYMOUS)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.AFTER_FORUM), StateFilter(NewSurvey.target),
                       OnCurrentStep())
async def after_forum(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.forum, uow, resident, state, settings, clock)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.BACK), StateFilter(NewSurvey.forum), OnCurrentStep())
async def back_to_target(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                         settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.target, uow, resident, state, settings, clock)


@router.callback_query(ForumPick.filter(), StateFilter(NewSurvey.forum), OnCurrentStep())
async def pick_forum(query: CallbackQuery, callback_data: ForumPick, uow: UnitOfWork, resident: Resident,
                     state: FSMContext, settings: Settings, clock: Clock) -> None:
    """A forum that is announced (NotFound, the errors router's polite answer, otherwise)."""
    forum = await forums.forum(uow, callback_data.forum)
    await go(query, NewSurvey.delay, uow, resident, state, settings, clock, forum_id=forum.id, audience=None)


@router.callback_query(DelayPick.filter(F.minutes.in_({minutes for minutes, _label in DELAY_PRESETS})),
                       StateFilter(NewSurvey.delay), OnCurrentStep())
async def pick_delay(query: CallbackQuery, callback_data: DelayPick, uow: UnitOfWork, resident: Resident,
                     state: FSMContext, settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.opens, uow, resident, state, settings, clock, invite_delay=callback_data.minutes)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.FOR_AUDIENCE), StateFilter(NewSurvey.target),
                       OnCurrentStep())
async def for_audience(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.audience, uow, resident, state, settings, clock, forum_id=None)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.EVERYONE), StateFilter(NewSurvey.audience),
                       OnCurrentStep())
async def everyone(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                   settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.opens, uow, resident, state, settings, clock, audience=Audience().as_json())


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.CHOOSE_AREAS), StateFilter(NewSurvey.audience),
                       OnCurrentStep())
async def choose_areas(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.areas, uow, resident, state, settings, clock, audience=Audience().as_json())


@router.callback_query(AudienceToggle.filter(F.kind == AudienceKind.AREA), StateFilter(NewSurvey.areas),
                       OnCurrentStep())
async def toggle_area(query: CallbackQuery, callback_data: AudienceToggle, uow: UnitOfWork, resident: Resident,
                      state: FSMContext, settings: Settings, clock: Clock) -> None:
    """An area of the page shown in or out; no area only turns the page."""
    area_ids = Audience.from_json((await state.get_data())["audience"]).area_ids
    if callback_data.value:
        area_ids = toggled(area_ids, await areas.known(uow, int(callback_data.value)))
    await go(query, NewSurvey.areas, uow, resident, state, settings, clock,
             audience=Audience(area_ids=area_ids).as_json(), area_page=callback_data.page)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.AREAS_CHOSEN), StateFilter(NewSurvey.areas),
                       OnCurrentStep())
async def areas_chosen(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    if Audience.from_json((await state.get_data())["audience"]).everyone:
        await query.answer(no_area_text(), show_alert=True)
        return
    await go(query, NewSurvey.opens, uow, resident, state, settings, clock)


# --- opening and closing -----------------------------------------------------------------------

@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.NOW), StateFilter(NewSurvey.opens), OnCurrentStep())
async def open_right_away(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.closes, uow, resident, state, settings, clock, opens_at=None)


@router.message(StateFilter(NewSurvey.opens, NewSurvey.closes), F.text, ~F.text.startswith("/"))
async def take_time(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                    settings: Settings, clock: Clock) -> None:
    """A local time as staff write it (as for broadcasts); closing must come after opening."""
    data, now = await state.get_data(), clock.now()
    try:
        moment = broadcasts.parse_moment(message.text, now, settings.zone)
    except ValueError:
        await ask_again(message, not_a_time_text(), uow, resident, state, settings, clock)
        return
    if await state.get_state() == NewSurvey.opens.state:
        await go(message, NewSurvey.closes, uow, resident, state, settings, clock, opens_at=moment.isoformat())
        return
    if moment <= (_moment(data["opens_at"]) or now):
        await ask_again(message, closes_too_early_text(), uow, resident, state, settings, clock)
        return
    following = NewSurvey.preview if data["editing"] or data["questions"] else NewSurvey.kind
    await go(message, following, uow, resident, state, settings, clock, closes_at=moment.isoformat(),
             editing=False)


# --- a question: its kind, text, options, most choices, required or not ------------------------

@router.callback_query(KindPick.filter(), StateFilter(NewSurvey.kind), OnCurrentStep())
async def pick_kind(query: CallbackQuery, callback_data: KindPick, uow: UnitOfWork, resident: Resident,
                    state: FSMContext, settings: Settings, clock: Clock) -> None:
    languages = (await state.get_data())["languages"]
    await go(query, NewSurvey.text, uow, resident, state, settings, clock, current=new_question(callback_data.kind),
             todo=languages)


@router.message(StateFilter(NewSurvey.options), F.text, ~F.text.startswith("/"))
async def take_option(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    """An option: once, or once per language of the question with | between them."""
    current = (await state.get_data())["current"]
    languages, parts = list(current["texts"]), (message.text or "").split("|")
    if len(parts) not in (1, len(languages)):
        await ask_again(message, label_count_text(languages), uow, resident, state, settings, clock)
        return
    if len(current["options"]) >= MAX_OPTIONS:
        await ask_again(message, options_needed_text(), uow, resident, state, settings, clock)
        return
    try:
        labels = [clean_text(part, OPTION_LIMIT) for part in parts]
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    current["options"].append({code: labels[n % len(labels)] for n, code in enumerate(languages)})
    await go(message, NewSurvey.options, uow, resident, state, settings, clock, current=current)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.UNDO_OPTION), StateFilter(NewSurvey.options),
                       OnCurrentStep())
async def remove_last_option(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                             settings: Settings, clock: Clock) -> None:
    current = (await state.get_data())["current"]
    current["options"] = current["options"][:-1]
    await go(query, NewSurvey.options, uow, resident, state, settings, clock, current=current)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.OPTIONS_DONE), StateFilter(NewSurvey.options),
                       OnCurrentStep())
async def options_done(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    current = (await state.get_data())["current"]
    if not MIN_OPTIONS <= len(current["options"]) <= MAX_OPTIONS:
        await query.answer(options_needed_text(), show_alert=True)
        return
    multiple = current["kind"] == QuestionKind.MULTIPLE
    await go(query, NewSurvey.most if multiple else NewSurvey.required, uow, resident, state, settings, clock)


@router.callback_query(MostPick.filter(), StateFilter(NewSurvey.most), OnCurrentStep())
async def pick_most(query: CallbackQuery, callback_data: MostPick, uow: UnitOfWork, resident: Resident,
                    state: FSMContext, settings: Settings, clock: Clock) -> None:
    current = (await state.get_data())["current"]
    if not 1 <= callback_data.count <= len(current["options"]):
        await refuse_stale(query)
        return
    current["max_choices"] = callback_data.count if callback_data.count < len(current["options"]) else None
    await go(query, NewSurvey.required, uow, resident, state, settings, clock, current=current)


@router.callback_query(NewSurveyStep.filter(F.do.in_({SurveyDo.REQUIRED, SurveyDo.OPTIONAL})),
                       StateFilter(NewSurvey.required), OnCurrentStep())
async def pick_required(query: CallbackQuery, callback_data: NewSurveyStep, uow: UnitOfWork, resident: Resident,
                        state: FSMContext, settings: Settings, clock: Clock) -> None:
    """The question is written: added, or in place of the one being replaced (back to the preview)."""
    data = await state.get_data()
    question = data["current"] | {"required": callback_data.do == SurveyDo.REQUIRED}
    questions, replacing = data["questions"], data["replacing"]
    if replacing:
        questions[replacing - 1] = question
    else:
        questions.append(question)
    await go(query, NewSurvey.preview if replacing else NewSurvey.questions, uow, resident, state, settings, clock,
             questions=questions, current=None, replacing=None)


# --- the questions so far ----------------------------------------------------------------------

@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.ANOTHER),
                       StateFilter(NewSurvey.questions, NewSurvey.edit), OnCurrentStep())
async def another_question(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                           settings: Settings, clock: Clock) -> None:
    if len((await state.get_data())["questions"]) >= MAX_QUESTIONS:
        await refuse_stale(query)
        return
    await go(query, NewSurvey.kind, uow, resident, state, settings, clock, replacing=None)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.DROP_LAST),
                       StateFilter(NewSurvey.questions, NewSurvey.edit), OnCurrentStep())
async def drop_last_question(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                             settings: Settings, clock: Clock) -> None:
    """The last question removed: with none left, the first one is written again."""
    questions = (await state.get_data())["questions"][:-1]
    if not questions:
        following = NewSurvey.kind
    else:
        following = NewSurvey.preview if await state.get_state() == NewSurvey.edit.state else NewSurvey.questions
    await go(query, following, uow, resident, state, settings, clock, questions=questions)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.QUESTIONS_DONE), StateFilter(NewSurvey.questions),
                       OnCurrentStep())
async def questions_done(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                         settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.preview, uow, resident, state, settings, clock, page=0)


# --- the preview: turn its pages and languages, create, or change a part -----------------------

@router.callback_query(PreviewPage.filter(), StateFilter(NewSurvey.preview), OnCurrentStep())
async def turn_preview(query: CallbackQuery, callback_data: PreviewPage, uow: UnitOfWork, resident: Resident,
                       state: FSMContext, settings: Settings, clock: Clock) -> None:
    if callback_data.locale not in (await state.get_data())["languages"]:
        await refuse_stale(query)
        return
    await go(query, NewSurvey.preview, uow, resident, state, settings, clock, locale=callback_data.locale,
             page=callback_data.page)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.EDIT), StateFilter(NewSurvey.preview),
                       OnCurrentStep())
async def choose_edit(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                      settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.edit, uow, resident, state, settings, clock)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.PREVIEW), StateFilter(NewSurvey.edit), OnCurrentStep())
async def back_to_preview(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                          settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.preview, uow, resident, state, settings, clock)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.TITLE), StateFilter(NewSurvey.edit), OnCurrentStep())
async def edit_title(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    languages = (await state.get_data())["languages"]
    await go(query, NewSurvey.title, uow, resident, state, settings, clock, title={}, todo=languages, editing=True)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.TIMES), StateFilter(NewSurvey.edit), OnCurrentStep())
async def edit_times(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    await go(query, NewSurvey.opens, uow, resident, state, settings, clock, editing=True)


@router.callback_query(ReplacePick.filter(), StateFilter(NewSurvey.edit), OnCurrentStep())
async def replace_question(query: CallbackQuery, callback_data: ReplacePick, uow: UnitOfWork, resident: Resident,
                           state: FSMContext, settings: Settings, clock: Clock) -> None:
    """A question written again from its kind; the new one takes its place."""
    if not 1 <= callback_data.number <= len((await state.get_data())["questions"]):
        await refuse_stale(query)
        return
    await go(query, NewSurvey.kind, uow, resident, state, settings, clock, replacing=callback_data.number)


@router.callback_query(NewSurveyStep.filter(F.do == SurveyDo.CREATE), StateFilter(NewSurvey.preview),
                       OnCurrentStep())
async def create(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                 settings: Settings, clock: Clock) -> None:
    """The survey stored (the editor role checked again), then the answer."""
    now = clock.now()
    try:
        survey = await surveys.create(uow, resident.telegram_id, draft_of(await state.get_data(), now), now)
    except InvalidSurvey:
        await ask(query, uow, resident, state, settings, clock)  # the preview says what to fix
        return
    invited = await _invited(uow, resident, survey, settings, now)
    await state.clear()
    await show(query, created_text(survey.id, invited), None)


# --- anything else -----------------------------------------------------------------------------

@router.message(StateFilter(NewSurvey), ~F.text.startswith("/"))
async def unexpected(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    """A sticker, a photo, or text where buttons are expected: say what is needed and ask again."""
    step = await state.get_state()
    typed = (*TEXT_LIMITS, NewSurvey.opens.state, NewSurvey.closes.state, NewSurvey.options.state)
    await ask_again(message, write_text() if step in typed else buttons_text(), uow, resident, state, settings,
                    clock)


@router.callback_query(AudienceToggle.filter(), StateFilter(NewSurvey))
@router.callback_query(NewSurveyStep.filter())
@router.callback_query(ForumPick.filter())
@router.callback_query(DelayPick.filter())
@router.callback_query(KindPick.filter())
@router.callback_query(MostPick.filter())
@router.callback_query(ReplacePick.filter())
@router.callback_query(PreviewPage.filter())
async def stale_button(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    """A button of an earlier step, or of a draft already created or discarded, changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in NewSurvey:
        assert isinstance(query.message, Message)
        await ask(query.message, uow, resident, state, settings, clock)
