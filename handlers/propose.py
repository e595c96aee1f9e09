"""/propose: title → description → area → photo → location → preview (Send / Edit / Cancel).

The draft lives in the conversation store, so an interrupted proposal can be continued later.
"""

from __future__ import annotations

import uuid

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import N_, _, format_count, ngettext
from bot.notices import Notices
from bot.services import areas, proposals
from bot.services.proposals import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    Draft,
    TextProblem,
    TooManyProposals,
)
from domain import WHOLE_CITY, is_public
from handlers.proposals import show_card
from handlers.propose_views import (
    DraftAction,
    DraftArea,
    DraftAreaPage,
    DraftDo,
    DraftField,
    DraftSkip,
    Field,
    SupportInstead,
    area_keyboard,
    area_prompt,
    description_prompt,
    edit_keyboard,
    location_prompt,
    photo_prompt,
    preview_keyboard,
    preview_text,
    resume_keyboard,
    resume_text,
    sent_text,
    skip_keyboard,
    text_problem,
    title_prompt,
)
from handlers.steps import OnCurrentStep, present, refuse_stale
from handlers.views import show
from storage.models import Resident
from storage.uow import UnitOfWork

router = Router(name="propose")
router.message.filter(F.chat.type == "private")  # drafting happens in the resident's own chat

COMMANDS = [("propose", N_("Propose something the city should improve"))]


class Proposing(StatesGroup):
    title = State()
    description = State()
    area = State()
    photo = State()
    location = State()
    preview = State()


FIELD_STEPS = {
    Field.TITLE: Proposing.title,
    Field.DESCRIPTION: Proposing.description,
    Field.AREA: Proposing.area,
    Field.PHOTO: Proposing.photo,
    Field.LOCATION: Proposing.location,
}
STEP_ORDER = [
    Proposing.title,
    Proposing.description,
    Proposing.area,
    Proposing.photo,
    Proposing.location,
    Proposing.preview,
]
TEXT_LIMITS = {
    Proposing.title.state: ("title", TITLE_LIMIT),
    Proposing.description.state: ("description", DESCRIPTION_LIMIT),
}


def too_many_text(error: TooManyProposals) -> str:
    return ngettext(
        "You have sent {limit} proposal during the last 24 hours, which is the daily maximum. "
        "Thank you for being active! You can send more tomorrow – "
        "meanwhile, support others in /proposals.",
        "You have sent {limit} proposals during the last 24 hours, which is the daily maximum. "
        "Thank you for being active! You can send more tomorrow – "
        "meanwhile, support others in /proposals.",
        error.limit,
    ).format(limit=format_count(error.limit))


async def ask(
    event: Message | CallbackQuery,
    step: State,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
) -> None:
    """Put the conversation at `step` and ask its question."""
    await state.set_state(step)
    if step == Proposing.title:
        await present(event, state, title_prompt(), None)
    elif step == Proposing.description:
        await present(event, state, description_prompt(), None)
    elif step == Proposing.area:
        await show_area_page(event, uow, resident, 0, state)
    elif step == Proposing.photo:
        await present(event, state, photo_prompt(), skip_keyboard(Field.PHOTO))
    elif step == Proposing.location:
        await present(event, state, location_prompt(), skip_keyboard(Field.LOCATION))
    else:
        await show_preview(event, uow, resident, state)


async def show_area_page(
    event: Message | CallbackQuery, uow: UnitOfWork, resident: Resident, page: int,
    state: FSMContext,
) -> None:
    listing, page, pages = await areas.page(uow, page)
    await present(
        event, state, area_prompt(page, pages), area_keyboard(listing, page, pages, resident.locale)
    )


async def show_preview(
    event: Message | CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    draft = Draft.from_data(await state.get_data())
    area = await proposals.area_of(uow, draft.area_id)
    similar = await proposals.similar(uow, draft.title, draft.description)
    await present(
        event, state, preview_text(draft, area, resident.locale, similar), preview_keyboard(similar)
    )


async def advance(
    event: Message | CallbackQuery,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
    **values: object,
) -> None:
    """Keep the answer; go to the next step, or back to the preview when editing."""
    data = await state.update_data(**values)
    current = await state.get_state()
    following = next(
        (STEP_ORDER[i + 1] for i, step in enumerate(STEP_ORDER[:-1]) if step.state == current),
        Proposing.preview,
    )
    await ask(event, Proposing.preview if data.get("editing") else following, uow, resident, state)


async def current_step(state: FSMContext) -> State:
    current = await state.get_state()
    return next((step for step in STEP_ORDER if step.state == current), Proposing.title)


@router.message(Command("propose"))
async def start(
    message: Message,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
) -> None:
    try:
        await proposals.ensure_may_propose(uow, resident, settings.proposals_per_day, clock.now())
    except TooManyProposals as error:
        await message.answer(too_many_text(error))
        return
    data = await state.get_data()
    if await state.get_state() in {step.state for step in STEP_ORDER} and data.get("title"):
        await present(message, state, resume_text(data.get("title")), resume_keyboard())
        return
    await state.set_data({"key": uuid.uuid4().hex})
    await ask(message, Proposing.title, uow, resident, state)


@router.callback_query(StateFilter(Proposing), DraftAction.filter(F.do == DraftDo.RESUME), OnCurrentStep())
async def resume(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await ask(query, await current_step(state), uow, resident, state)


@router.callback_query(StateFilter(Proposing), DraftAction.filter(F.do == DraftDo.RESTART), OnCurrentStep())
async def restart(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await state.set_data({"key": uuid.uuid4().hex})
    await ask(query, Proposing.title, uow, resident, state)


@router.message(Command("cancel"), StateFilter(Proposing))
async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(
        _("Your draft was discarded. Start again with /propose whenever you like.")
    )


@router.callback_query(StateFilter(Proposing), DraftAction.filter(F.do == DraftDo.CANCEL), OnCurrentStep())
async def cancel_button(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(
        query, _("Your draft was discarded. Start again with /propose whenever you like."), None
    )


@router.message(
    StateFilter(Proposing.title, Proposing.description), F.text, ~F.text.startswith("/")
)
async def text_answer(
    message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    name, limit = TEXT_LIMITS[await state.get_state()]
    try:
        value = proposals.clean_text(message.text, limit)
    except TextProblem as problem:
        await message.answer(text_problem(problem))
        await ask(message, await current_step(state), uow, resident, state)
        return
    await advance(message, uow, resident, state, **{name: value})


@router.callback_query(StateFilter(Proposing.area), DraftAreaPage.filter(), OnCurrentStep())
async def turn_area_page(
    query: CallbackQuery, callback_data: DraftAreaPage, uow: UnitOfWork, resident: Resident,
    state: FSMContext,
) -> None:
    await show_area_page(query, uow, resident, callback_data.page, state)


@router.callback_query(StateFilter(Proposing.area), DraftArea.filter(), OnCurrentStep())
async def pick_area(
    query: CallbackQuery,
    callback_data: DraftArea,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
) -> None:
    area_id = None if callback_data.area_id == WHOLE_CITY else callback_data.area_id
    await proposals.area_of(uow, area_id)
    await advance(query, uow, resident, state, area_id=area_id)


@router.message(StateFilter(Proposing.photo), F.photo)
async def photo_answer(
    message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await advance(message, uow, resident, state, photo_file_id=message.photo[-1].file_id)


@router.message(StateFilter(Proposing.location), F.location)
async def location_answer(
    message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    location = message.location
    await advance(
        message, uow, resident, state, latitude=location.latitude, longitude=location.longitude
    )


@router.callback_query(StateFilter(Proposing.photo), DraftSkip.filter(F.field == Field.PHOTO), OnCurrentStep())
async def skip_photo(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await advance(query, uow, resident, state, photo_file_id=None)


@router.callback_query(
    StateFilter(Proposing.location), DraftSkip.filter(F.field == Field.LOCATION), OnCurrentStep()
)
async def skip_location(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await advance(query, uow, resident, state, latitude=None, longitude=None)


@router.message(StateFilter(Proposing), ~F.text.startswith("/"))
async def unexpected(
    message: Message, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    """A sticker, file or anything the current step cannot use: say what is needed and ask again."""
    step = await current_step(state)
    hints = {
        Proposing.title.state: _(
            "Please write it as text – stickers, photos and files can't be used here."
        ),
        Proposing.description.state: _(
            "Please write it as text – stickers, photos and files can't be used here."
        ),
        Proposing.area.state: _("Please choose the area with the buttons."),
        Proposing.photo.state: _(
            "Please send a photo (as a photo, not as a file) – or press Skip."
        ),
        Proposing.location.state: _("Please share a location with 📎 → Location – or press Skip."),
        Proposing.preview.state: _("Please use the buttons under the preview."),
    }
    await message.answer(hints[step.state])
    await ask(message, step, uow, resident, state)


@router.callback_query(StateFilter(Proposing.preview), DraftAction.filter(F.do == DraftDo.EDIT), OnCurrentStep())
async def choose_field(query: CallbackQuery) -> None:
    await show(query, _("What would you like to change?"), edit_keyboard())


@router.callback_query(StateFilter(Proposing.preview), DraftField.filter(), OnCurrentStep())
async def edit_field(
    query: CallbackQuery,
    callback_data: DraftField,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
) -> None:
    await state.update_data(editing=True)
    await ask(query, FIELD_STEPS[callback_data.field], uow, resident, state)


@router.callback_query(StateFilter(Proposing.preview), DraftAction.filter(F.do == DraftDo.PREVIEW), OnCurrentStep())
async def back_to_preview(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    await show_preview(query, uow, resident, state)


@router.callback_query(StateFilter(Proposing.preview), DraftAction.filter(F.do == DraftDo.SEND), OnCurrentStep())
async def send(
    query: CallbackQuery,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
    notices: Notices,
) -> None:
    draft = Draft.from_data(await state.get_data())
    try:
        proposal = await proposals.submit(
            uow, resident, draft, settings.proposals_per_day, notices, clock.now()
        )
    except TooManyProposals as error:
        await show(query, too_many_text(error), None)
        return
    await state.clear()
    await show(query, sent_text(proposal), None)


@router.callback_query(StateFilter(Proposing.preview), SupportInstead.filter(), OnCurrentStep())
async def support_instead(
    query: CallbackQuery,
    callback_data: SupportInstead,
    uow: UnitOfWork,
    resident: Resident,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
    notices: Notices,
) -> None:
    proposal = await proposals.support(
        uow, resident, callback_data.id, settings.support_milestones, notices, clock.now()
    )
    await state.clear()
    notice = _("👍 You now support it, and your draft was discarded. /mine shows what you support.")
    if is_public(proposal):
        await show_card(query, uow, resident, proposal.id, settings, notice)
    else:
        await show(query, notice, None)


@router.callback_query(DraftAction.filter())
@router.callback_query(DraftSkip.filter())
@router.callback_query(DraftField.filter())
@router.callback_query(DraftArea.filter())
@router.callback_query(DraftAreaPage.filter())
@router.callback_query(SupportInstead.filter())
async def stale_draft_button(
    query: CallbackQuery, uow: UnitOfWork, resident: Resident, state: FSMContext
) -> None:
    """A button of an earlier step, or of a draft already sent or discarded, changes nothing."""
    await refuse_stale(query)
    if await state.get_state() in {step.state for step in STEP_ORDER}:
        assert isinstance(query.message, Message)
        await ask(query.message, await current_step(state), uow, resident, state)
