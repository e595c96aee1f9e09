"""The moderators' card of a new (or reported) proposal: its text, buttons and decision line."""

from __future__ import annotations

from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData

from bot.i18n import _, format_moment
from bot.notices.words import area_name, status_label
from bot.telegram.keyboards import Button
from domain import LANGUAGE_IN, REJECT_REASONS, RESTORED, Status
from domain.ids import Natural
from storage.models import ModerationAction, Proposal

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
    id: Natural
    target: Natural = 0
    reason: str = ""


def card_text(proposal: Proposal, locale: str, zone: ZoneInfo) -> str:
    if proposal.hidden:
        header = _("⚠️ <b>Hidden after reports: #{id}</b> · {status}").format(
            id=proposal.id, status=status_label(proposal.status)
        )
    elif proposal.author is None:
        header = _("🆕 <b>New proposal #{id}</b> (suggested in an anonymous survey)").format(id=proposal.id)
    else:
        header = _("🆕 <b>New proposal #{id}</b> ({language})").format(
            id=proposal.id, language=_(LANGUAGE_IN[proposal.author.locale])
        )
    lines = [
        header,
        "",
        f"<b>{escape(proposal.title)}</b>",
        f"📍 {escape(area_name(proposal.area, locale))} · "
        + format_moment(proposal.created_at, locale, zone),
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


def card_buttons(proposal: Proposal) -> list[list[Button]]:
    if proposal.hidden:
        first = (_("↩️ Show again"), Moderate(step=Step.RESTORE, id=proposal.id))
        return [[first, (_("✖️ Reject"), Moderate(step=Step.REJECT, id=proposal.id))]]
    return [[
        (_("✅ Approve"), Moderate(step=Step.APPROVE, id=proposal.id)),
        (_("✖️ Reject"), Moderate(step=Step.REJECT, id=proposal.id)),
        (_("🔗 Merge"), Moderate(step=Step.MERGE, id=proposal.id)),
    ]]


def decided_line(
    proposal: Proposal, decision: ModerationAction, locale: str, zone: ZoneInfo, named: bool
) -> str:
    """What was decided, by whom and when: shown on every copy of the card. Only `named` copies
    (the staff group's) give the moderator's first name; any other says "a moderator"."""
    who = escape(decision.actor_name) if named and decision.actor_name else _("a moderator")
    when = format_moment(decision.created_at, locale, zone)
    if decision.action == Status.MERGED:
        return _("🔗 Merged into #{id} by {who}, {when}").format(
            id=proposal.merged_into_id, who=who, when=when)
    if decision.action == Status.REJECTED:
        reason = decision.reason
        shown = _(REJECT_REASONS[reason]) if reason in REJECT_REASONS else escape(reason or "")
        return _("✖️ Rejected by {who}, {when}\nReason: {reason}").format(
            who=who, when=when, reason=shown)
    if decision.action == RESTORED:
        return _("↩️ Shown again by {who}, {when}").format(who=who, when=when)
    return _("✅ Approved by {who}, {when}").format(who=who, when=when)
