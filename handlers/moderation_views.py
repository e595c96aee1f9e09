"""The moderators' card of a new (or reported) proposal and its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.i18n import _, format_moment
from bot.services.proposals import Status
from handlers.proposals_views import LANGUAGE_IN, REJECT_REASONS, area_name, short, status_label
from storage.models import Proposal

WRITE_REASON = "write"


class Step(StrEnum):
    APPROVE = "ok"
    REJECT = "rj"
    REASON = "rr"
    MERGE = "mg"
    MERGE_INTO = "mi"
    MERGE_CONFIRMED = "mc"
    RESTORE = "rs"
    BACK = "bk"


class Moderate(CallbackData, prefix="md"):
    step: Step
    id: int
    target: int = 0
    reason: str = ""


def card_text(proposal: Proposal, locale: str, settings: Settings) -> str:
    if proposal.hidden:
        header = _("⚠️ <b>Hidden after reports: #{id}</b> · {status}").format(
            id=proposal.id, status=status_label(proposal.status)
        )
    else:
        header = _("🆕 <b>New proposal #{id}</b> ({language})").format(
            id=proposal.id, language=_(LANGUAGE_IN[proposal.author.locale])
        )
    lines = [
        header,
        "",
        f"<b>{escape(proposal.title)}</b>",
        f"📍 {escape(area_name(proposal.area, locale))} · "
        + format_moment(proposal.created_at, locale, settings.zone, "short"),
        "",
        escape(proposal.description),
    ]
    attachments = [
        label
        for label, present in (
            (_("📷 photo"), proposal.photo_file_id is not None),
            (_("📍 location"), proposal.latitude is not None),
        )
        if present
    ]
    if attachments:
        lines += [
            "",
            _("Attached: {items} – see them with /p{id}").format(
                items=", ".join(attachments), id=proposal.id
            ),
        ]
    return "\n".join(lines)


def card_keyboard(proposal: Proposal) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if proposal.hidden:
        builder.button(
            text=_("↩️ Show again"), callback_data=Moderate(step=Step.RESTORE, id=proposal.id)
        )
    else:
        builder.button(
            text=_("✅ Approve"), callback_data=Moderate(step=Step.APPROVE, id=proposal.id)
        )
    builder.button(text=_("✖️ Reject"), callback_data=Moderate(step=Step.REJECT, id=proposal.id))
    if not proposal.hidden:
        builder.button(text=_("🔗 Merge"), callback_data=Moderate(step=Step.MERGE, id=proposal.id))
    return builder.adjust(3).as_markup()


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


def decided_line(proposal: Proposal, moderator: str, reason: str | None) -> str:
    """What happened, by whom: appended to the card so every moderator sees it."""
    who = escape(moderator)
    if proposal.status == Status.MERGED:
        return _("🔗 Merged into #{id} by {who}").format(id=proposal.merged_into_id, who=who)
    if proposal.status == Status.REJECTED:
        shown = _(REJECT_REASONS[reason]) if reason in REJECT_REASONS else escape(reason or "")
        return _("✖️ Rejected by {who}: {reason}").format(who=who, reason=shown)
    return _("✅ Public, decided by {who}").format(who=who)
