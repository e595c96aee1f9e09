"""What moderators see after pressing a card's buttons: reasons, merge targets, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import _
from bot.notices.cards import WRITE_REASON, Moderate, Step
from bot.notices.words import short
from bot.telegram.keyboards import Button, inline_keyboard
from domain import REJECT_REASONS
from storage.models import Proposal


def reasons_text(proposal: Proposal) -> str:
    return _(
        "Why is <b>{title}</b> rejected? The author is told the reason in their language."
    ).format(title=escape(proposal.title))


def reasons_keyboard(proposal_id: int) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(_(label), Moderate(step=Step.REASON, id=proposal_id, reason=code))]
        for code, label in REJECT_REASONS.items()
    ]
    write = Moderate(step=Step.REASON, id=proposal_id, reason=WRITE_REASON)
    rows += [
        [(_("✍️ Write the reason"), write)],
        [(_("‹ Back"), Moderate(step=Step.BACK, id=proposal_id))],
    ]
    return inline_keyboard(rows)


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
    rows: list[list[Button]] = [
        [(
            f"#{target.id} {short(target.title)}",
            Moderate(step=Step.MERGE_INTO, id=proposal_id, target=target.id),
        )]
        for target in targets
    ]
    rows.append([(_("‹ Back"), Moderate(step=Step.BACK, id=proposal_id))])
    return inline_keyboard(rows)


def merge_confirm_text(proposal: Proposal, target: Proposal) -> str:
    return _(
        "Merge <b>{title}</b> into #{target_id} <b>{target}</b>? Its supporters and followers move "
        "there and the author is told. This cannot be undone."
    ).format(title=escape(proposal.title), target_id=target.id, target=escape(target.title))


def merge_confirm_keyboard(proposal_id: int, target_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[
        (_("🔗 Yes, merge"), Moderate(step=Step.MERGE_CONFIRMED, id=proposal_id, target=target_id)),
        (_("‹ Back"), Moderate(step=Step.BACK, id=proposal_id)),
    ]])
