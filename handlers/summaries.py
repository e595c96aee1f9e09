"""/summary: editors write a forum's summary – the forum, the text per language, photos and PDF
files, a preview – and publish it. /summaries: the archive for everyone, newest first, by theme.

The draft lives in the conversation store, so it survives a restart of the bot.
"""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_
from bot.notices import Notices
from bot.notices.forum_talk import summary_text
from bot.services import forum_summaries
from bot.services.forum_attendance import Figures
from bot.services.forum_summaries import MOST_ATTACHMENTS, AlreadyPublished, SummaryDraft
from bot.services.proposals import TextProblem
from handlers.propose_views import text_problem
from handlers.staff_access import editor, language_order
from handlers.steps import OnCurrentStep, moves, present, refuse_stale
from handlers.summaries_views import (
    SummaryDo, SummaryFiles, SummaryList, SummaryOpen, SummaryStep, SummaryThemes, already_published_text,
    archive_keyboard, archive_text, discarded_text, files_keyboard, files_prompt, forums_keyboard, forums_text,
    not_a_file_text, nothing_to_summarize_text, preview_keyboard, preview_text, published_text,
    summary_keyboard, text_keyboard, text_prompt, themes_keyboard, themes_text, use_buttons_text,
    write_text_text,
)
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="summaries")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

COMMANDS = [("summaries", N_("Forum summaries"))]
STAFF_COMMANDS = [("summary", N_("Publish a forum's summary"))]

Event = Message | CallbackQuery
View = tuple[str, InlineKeyboardMarkup | None]


class Summarizing(StatesGroup):
    forum = State()
    text = State()
    files = State()
    preview = State()


def draft_of(data: dict) -> SummaryDraft:
    return SummaryDraft(data["forum"], data["texts"], [(kind, file_id) for kind, file_id in data["files"]])


# --- showing a step ----------------------------------------------------------------------------

async def ask(event: Event, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
              clock: Clock) -> None:
    """Show the conversation's current step: in place of the pressed message, or as a new one."""
    data, step = await state.get_data(), await state.get_state()
    if step == Summarizing.forum.state:
        page = await forum_summaries.awaiting(uow, resident.telegram_id, clock.now(), data["page"])
        text, markup = forums_text(page), forums_keyboard(page, resident.locale, settings)
    elif step == Summarizing.text.state:
        first = not data["texts"]
        text, markup = text_prompt(data["todo"][0], first), text_keyboard(first)
    elif step == Summarizing.files.state:
        text, markup = files_prompt(len(data["files"])), files_keyboard(len(data["files"]))
    else:
        try:
            text, markup = await preview_view(uow, resident, data, settings, clock)
        except AlreadyPublished:  # by another editor meanwhile
            await state.clear()
            await show(event, already_published_text(), None)
            return
    await present(event, state, text, markup)


async def preview_view(uow: UnitOfWork, resident: Resident, data: dict, settings: Settings, clock: Clock) -> View:
    draft = draft_of(data)
    forum, summary = await forum_summaries.unsaved(uow, resident.telegram_id, draft, clock.now())
    shown = summary_text(forum, summary.texts, Figures.from_json(summary.attendance), resident.locale, settings)
    return (preview_text(shown, draft.attachments, await forum_summaries.reach(uow, forum)),
            preview_keyboard())


go, ask_again = moves(ask)


# --- start, choose the forum, cancel -------------------------------------------------------------

@router.message(Command("summary"))
async def start(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                clock: Clock) -> None:
    await editor(uow, resident)
    if not (await forum_summaries.awaiting(uow, resident.telegram_id, clock.now(), 0)).items:
        await message.answer(nothing_to_summarize_text())
        return
    await state.set_state(Summarizing.forum)
    await state.set_data({"page": 0, "todo": language_order(settings.default_locale), "texts": {}, "files": []})
    await ask(message, uow, resident, state, settings, clock)


@router.callback_query(SummaryStep.filter(F.do == SummaryDo.PAGE), StateFilter(Summarizing.forum), OnCurrentStep())
async def turn_page(query: CallbackQuery, callback_data: SummaryStep, uow: UnitOfWork, resident: Resident,
                    state: FSMContext, settings: Settings, clock: Clock) -> None:
    await go(query, Summarizing.forum, uow, resident, state, settings, clock, page=callback_data.page)


@router.callback_query(SummaryStep.filter(F.do == SummaryDo.PICK), StateFilter(Summarizing.forum), OnCurrentStep())
async def pick_forum(query: CallbackQuery, callback_data: SummaryStep, uow: UnitOfWork, resident: Resident,
                     state: FSMContext, settings: Settings, clock: Clock) -> None:
    try:
        forum = await forum_summaries.summarizable(uow, resident.telegram_id, callback_data.forum, clock.now())
    except AlreadyPublished:
        await query.answer(already_published_text(), show_alert=True)
        return
    await go(query, Summarizing.text, uow, resident, state, settings, clock, forum=forum.id)


@router.message(Command("cancel"), StateFilter(Summarizing))
async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(discarded_text())


@router.callback_query(SummaryStep.filter(F.do == SummaryDo.CANCEL), StateFilter(Summarizing), OnCurrentStep())
async def cancel_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(query, discarded_text(), None)


# --- the text, one language at a time ------------------------------------------------------------

@router.message(StateFilter(Summarizing.text), F.text, ~F.text.startswith("/"))
async def take_text(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                    clock: Clock) -> None:
    data = await state.get_data()
    try:
        data["texts"][data["todo"][0]] = forum_summaries.checked_text(message.text)
    except TextProblem as problem:
        await ask_again(message, text_problem(problem), uow, resident, state, settings, clock)
        return
    await next_language(message, data, uow, resident, state, settings, clock)


@router.callback_query(SummaryStep.filter(F.do == SummaryDo.SKIP), StateFilter(Summarizing.text), OnCurrentStep())
async def skip_language(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data = await state.get_data()
    if not data["texts"]:  # the first language is not skipped (its prompt has no Skip)
        await refuse_stale(query)
        return
    await next_language(query, data, uow, resident, state, settings, clock)


async def next_language(event: Event, data: dict, uow: UnitOfWork, resident: Resident, state: FSMContext,
                        settings: Settings, clock: Clock) -> None:
    data["todo"] = data["todo"][1:]
    await state.set_data(data)
    following = Summarizing.text if data["todo"] else Summarizing.files
    await go(event, following, uow, resident, state, settings, clock)


# --- photos and PDF files ------------------------------------------------------------------------

@router.message(StateFilter(Summarizing.files), F.photo | F.document)
async def take_file(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext, settings: Settings,
                    clock: Clock) -> None:
    """A photo, or a PDF sent as a file; anything else is refused politely. The fifth goes on to the preview."""
    if message.photo:
        attachment = ["photo", message.photo[-1].file_id]
    elif message.document.mime_type == "application/pdf" or (message.document.file_name or "").lower().endswith(
            ".pdf"):
        attachment = ["document", message.document.file_id]
    else:
        await ask_again(message, not_a_file_text(), uow, resident, state, settings, clock)
        return
    files = [*(await state.get_data())["files"], attachment]
    following = Summarizing.preview if len(files) >= MOST_ATTACHMENTS else Summarizing.files
    await go(message, following, uow, resident, state, settings, clock, files=files)


@router.callback_query(SummaryStep.filter(F.do == SummaryDo.DONE), StateFilter(Summarizing.files), OnCurrentStep())
async def files_done(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    await go(query, Summarizing.preview, uow, resident, state, settings, clock)


# --- the preview: publish ----------------------------------------------------------------------

@router.callback_query(SummaryStep.filter(F.do == SummaryDo.PUBLISH), StateFilter(Summarizing.preview),
                       OnCurrentStep())
async def publish(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                  clock: Clock, notices: Notices) -> None:
    try:
        _summary, reached = await forum_summaries.publish(uow, resident.telegram_id, draft_of(await state.get_data()),
                                                          notices, clock.now())
    except AlreadyPublished:
        await state.clear()
        await show(query, already_published_text(), None)
        return
    await state.clear()
    await show(query, published_text(reached), None)


# --- anything else -----------------------------------------------------------------------------

@router.message(StateFilter(Summarizing), ~F.text.startswith("/"))
async def unexpected(message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext,
                     settings: Settings, clock: Clock) -> None:
    """Something the current step cannot use: say what is needed and ask again."""
    step = await state.get_state()
    if step == Summarizing.text.state:
        problem = write_text_text()
    elif step == Summarizing.files.state:
        problem = not_a_file_text()
    else:
        problem = use_buttons_text()
    await ask_again(message, problem, uow, resident, state, settings, clock)


@router.callback_query(SummaryStep.filter())
async def stale_button(query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext,
                       settings: Settings, clock: Clock) -> None:
    """A button of an earlier step, or of a summary published or discarded, changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in Summarizing:
        assert isinstance(query.message, Message)
        await ask(query.message, uow, resident, state, settings, clock)


# --- /summaries: the archive ---------------------------------------------------------------------

async def show_archive(event: Event, uow: UnitOfWork, resident: Resident, settings: Settings, page: int,
                       theme_id: int) -> None:
    found = await forum_summaries.archive(uow, theme_id or None, page)
    theme = next((theme for theme in await forum_summaries.themes(uow) if theme.id == theme_id), None)
    await show(event, archive_text(found, theme, resident.locale, settings),
               archive_keyboard(found, theme_id, resident.locale, settings))


@router.message(Command("summaries"))
async def archive(message: Message, uow: UnitOfWork, resident: Resident, settings: Settings) -> None:
    await show_archive(message, uow, resident, settings, 0, 0)


@router.callback_query(SummaryList.filter())
async def archive_page(query: CallbackQuery, callback_data: SummaryList, uow: UnitOfWork, resident: Resident,
                       settings: Settings) -> None:
    await show_archive(query, uow, resident, settings, callback_data.page, callback_data.theme)


@router.callback_query(SummaryThemes.filter())
async def choose_theme(query: CallbackQuery, uow: UnitOfWork) -> None:
    await show(query, themes_text(), themes_keyboard(await forum_summaries.themes(uow)))


@router.callback_query(SummaryOpen.filter())
async def open_summary(query: CallbackQuery, callback_data: SummaryOpen, uow: UnitOfWork, resident: Resident,
                       settings: Settings) -> None:
    summary, forum = await forum_summaries.published(uow, callback_data.forum)
    text = summary_text(forum, summary.texts, Figures.from_json(summary.attendance), resident.locale, settings)
    await show(query, text, summary_keyboard(summary, callback_data.page, callback_data.theme))


@router.callback_query(SummaryFiles.filter())
async def send_files(query: CallbackQuery, callback_data: SummaryFiles, uow: UnitOfWork) -> None:
    """The summary's photos and PDF files again, as replies in this chat."""
    summary, _forum = await forum_summaries.published(uow, callback_data.forum)
    await query.answer()
    assert isinstance(query.message, Message)
    for attachment in summary.attachments:
        if attachment["kind"] == "photo":
            await query.message.answer_photo(attachment["file_id"])
        else:
            await query.message.answer_document(attachment["file_id"])
