"""What moderators see after pressing a card's buttons: reasons, merge targets, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import _
from bot.notices.cards import WRITE_REASON, Moderate, Step
from bot.notices.words import short
from domain import REJECT_REASONS
from storage.models import Proposal


def reasons_text(proposal: Proposal) -> str:
    return _(
        "Why is <b>{title}</b> rejected? The author is told the reason in their language."
    ).format(title=escape(proposal.title))


def reasons_keyboard(proposal_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, label in REJECT_REASONS.items():
        builder.button(
            text=_(label), callback_data=Moderate(step=Step.REASON, id=proposal_id, reason=code)
        )
    builder.button(
        text=_("✍️ Write the reason"),
        callback_data=Moderate(step=Step.REASON, id=proposal_id, reason=WRITE_REASON),
    )
    builder.button(text=_("‹ Back"), callback_data=Moderate(step=Step.BACK, id=proposal_id))
    return builder.adjust(1).as_markup()


def write_reason_prompt(proposal_id: int) -> str:
    return _("Write the reason for rejecting #{id} in one message (/cancel stops).").format(
        id=proposal_id
    )


def merge_text(proposal: Proposal, targets: Sequence[Proposal]) -> str:
    text = _("Merge <b>{title}</b> into which public proposal?").format(
        title=escape(proposal.title)
    )
    if not targets:
        text += "\n\n" + _("No similar public proposals were found.")
    return text + "\n\n" + _("You can also send its number, e.g. 12.")


def merge_keyboard(proposal_id: int, targets: Sequence[Proposal]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for target in targets:
        builder.button(
            text=f"#{target.id} {short(target.title)}",
            callback_data=Moderate(step=Step.MERGE_INTO, id=proposal_id, target=target.id),
        )
    builder.button(text=_("‹ Back"), callback_data=Moderate(step=Step.BACK, id=proposal_id))
    return builder.adjust(1).as_markup()


def merge_confirm_text(proposal: Proposal, target: Proposal) -> str:
    return _(
        "Merge <b>{title}</b> into #{target_id} <b>{target}</b>? Its supporters and followers move "
        "there and the author is told. This cannot be undone."
    ).format(title=escape(proposal.title), target_id=target.id, target=escape(target.title))


def merge_confirm_keyboard(proposal_id: int, target_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔗 Yes, merge"),
        callback_data=Moderate(step=Step.MERGE_CONFIRMED, id=proposal_id, target=target_id),
    )
    builder.button(text=_("‹ Back"), callback_data=Moderate(step=Step.BACK, id=proposal_id))
    return builder.adjust(2).as_markup()
