"""Texts and keyboards of the /propose conversation."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import N_, _, format_count, ngettext
from bot.services.proposals import DESCRIPTION_LIMIT, TITLE_LIMIT, Draft, TextProblem
from bot.notices.words import area_name, short
from bot.telegram.keyboards import Button, inline_keyboard
from domain import WHOLE_CITY
from domain.ids import Natural
from handlers.proposals_views import area_picker
from storage.models import Area, Proposal

STEPS = 5


class Field(StrEnum):
    TITLE = "title"
    DESCRIPTION = "description"
    AREA = "area"
    PHOTO = "photo"
    LOCATION = "location"


FIELD_LABELS = {
    Field.TITLE: N_("✏️ Title"),
    Field.DESCRIPTION: N_("📝 Description"),
    Field.AREA: N_("📍 Area"),
    Field.PHOTO: N_("📷 Photo"),
    Field.LOCATION: N_("🗺 Location"),
}


class DraftDo(StrEnum):
    SEND = "send"
    EDIT = "edit"
    CANCEL = "cancel"
    RESUME = "resume"
    RESTART = "restart"
    PREVIEW = "preview"


class DraftAction(CallbackData, prefix="pd"):
    do: DraftDo


class DraftField(CallbackData, prefix="pdf"):
    field: Field


class DraftSkip(CallbackData, prefix="pds"):
    """Skip names its step, so a Skip pressed twice cannot skip the next step too."""

    field: Field


class DraftArea(CallbackData, prefix="pda"):
    area_id: Natural


class DraftAreaPage(CallbackData, prefix="pdp"):
    page: Natural


class SupportInstead(CallbackData, prefix="pdi"):
    id: Natural


def step_header(number: int) -> str:
    return _("<b>New proposal</b> · step {number} of {steps}").format(number=number, steps=STEPS)


def title_prompt() -> str:
    return (
        step_header(1)
        + "\n\n"
        + ngettext(
            "What do you propose? Write a short title (at most {limit} character), e.g. "
            "“More benches on the market square”.\n\nYou can stop at any time with /cancel.",
            "What do you propose? Write a short title (at most {limit} characters), e.g. "
            "“More benches on the market square”.\n\nYou can stop at any time with /cancel.",
            TITLE_LIMIT,
        ).format(limit=format_count(TITLE_LIMIT))
    )


def description_prompt() -> str:
    return (
        step_header(2)
        + "\n\n"
        + ngettext(
            "Describe your proposal: what is the need, and what should change? "
            "(at most {limit} character)",
            "Describe your proposal: what is the need, and what should change? "
            "(at most {limit} characters)",
            DESCRIPTION_LIMIT,
        ).format(limit=format_count(DESCRIPTION_LIMIT))
    )


def area_prompt(page: int, pages: int) -> str:
    text = (
        step_header(3)
        + "\n\n"
        + _("Which area does it concern – a village or district, or the whole city?")
    )
    if pages > 1:
        text += "\n\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return text


def area_keyboard(
    areas: Sequence[Area], page: int, pages: int, locale: str
) -> InlineKeyboardMarkup:
    return area_picker(
        [(_("🏙 Whole city"), DraftArea(area_id=WHOLE_CITY))],
        areas,
        page,
        pages,
        locale,
        pick=lambda area_id: DraftArea(area_id=area_id),
        turn=lambda number: DraftAreaPage(page=number),
    )


def photo_prompt() -> str:
    return (
        step_header(4)
        + "\n\n"
        + _("A photo often says more than words. Send one if you like – or skip.")
    )


def location_prompt() -> str:
    return (
        step_header(5)
        + "\n\n"
        + _("Does it concern a particular place? Share it with 📎 → Location – or skip.")
    )


def skip_keyboard(field: Field) -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("Skip ›"), DraftSkip(field=field))]])


def text_problem(problem: TextProblem) -> str:
    if problem.length == 0:
        return _("That was empty – please write a few words.")
    return ngettext(
        "That is too long: {length} character, at most {limit} fit. Please shorten it.",
        "That is too long: {length} characters, at most {limit} fit. Please shorten it.",
        problem.length,
    ).format(length=format_count(problem.length), limit=format_count(problem.limit))


def preview_text(draft: Draft, area: Area | None, locale: str, similar: Sequence[Proposal]) -> str:
    lines = [
        _("<b>Preview of your proposal</b>"),
        "",
        f"<b>{escape(draft.title)}</b>",
        f"📍 {escape(area_name(area, locale))}",
        "",
        escape(draft.description),
    ]
    if draft.photo_file_id:
        lines += ["", _("📷 Photo attached")]
    if draft.latitude is not None:
        lines.append(_("🗺 Location attached"))
    if similar:
        lines += [
            "",
            _("<b>Similar proposals already exist.</b> You could support one of them instead:"),
        ]
        lines += [f"• <b>{escape(proposal.title)}</b> – /p{proposal.id}" for proposal in similar]
    lines += ["", _("Send it to the moderators?")]
    return "\n".join(lines)


def preview_keyboard(similar: Sequence[Proposal]) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(
            _("👍 Support “{title}” instead").format(title=short(proposal.title, 30)),
            SupportInstead(id=proposal.id),
        )]
        for proposal in similar
    ]
    rows.append([
        (_("📨 Send"), DraftAction(do=DraftDo.SEND)),
        (_("✏️ Edit"), DraftAction(do=DraftDo.EDIT)),
        (_("✖️ Cancel"), DraftAction(do=DraftDo.CANCEL)),
    ])
    return inline_keyboard(rows)


def edit_keyboard() -> InlineKeyboardMarkup:
    def edit(field: Field) -> Button:
        return _(FIELD_LABELS[field]), DraftField(field=field)

    return inline_keyboard([
        [edit(Field.TITLE), edit(Field.DESCRIPTION)],
        [edit(Field.AREA), edit(Field.PHOTO)],
        [edit(Field.LOCATION)],
        [(_("‹ Back to the preview"), DraftAction(do=DraftDo.PREVIEW))],
    ])


def resume_text(title: str | None) -> str:
    if title:
        return _(
            "You have an unfinished proposal, <b>{title}</b>. "
            "Continue where you left off, or start over?"
        ).format(title=escape(title))
    return _("You have an unfinished proposal. Continue where you left off, or start over?")


def resume_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard([[
        (_("▶️ Continue"), DraftAction(do=DraftDo.RESUME)),
        (_("🔄 Start over"), DraftAction(do=DraftDo.RESTART)),
    ]])


def sent_text(proposal: Proposal) -> str:
    return _(
        "📨 Thank you! Your proposal <b>{title}</b> (#{id}) is now with the moderators. "
        "You will hear "
        "here when it has been reviewed. /mine shows how your proposals are doing."
    ).format(title=escape(proposal.title), id=proposal.id)
