"""Texts and keyboards of a theme's timeline and of moving it along its path."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.i18n import _, format_count, format_moment, ngettext
from bot.notices.words import note_block, status_label
from bot.services.themes import TARGETS
from bot.telegram.keyboards import Button, inline_keyboard
from domain import PATH, Status
from domain.ids import Natural
from handlers.proposals_views import ProposalOpen, ThemeMove
from storage.models import Proposal, TimelineEntry


class ThemeMoveConfirmed(CallbackData, prefix="tmok"):
    id: Natural
    status: Status


def path_line(current: str) -> str:
    """Initiative → Preparation → …, the current step in bold; done steps ticked."""
    if current not in PATH:
        return status_label(current)
    reached = PATH.index(Status(current))
    parts = []
    for index, step in enumerate(PATH):
        label = escape(status_label(step))
        parts.append(
            f"<b>{label}</b>" if index == reached else f"✓ {label}" if index < reached else label
        )
    return " → ".join(parts)


def timeline_text(
    proposal: Proposal,
    entries: Sequence[TimelineEntry],
    locale: str,
    settings: Settings,
    i18n: I18n,
) -> str:
    lines = [
        _("🧭 <b>Path of {title}</b>").format(title=escape(proposal.title)),
        path_line(proposal.status),
        "",
        _("📅 {date} – 📝 Proposed").format(
            date=format_moment(proposal.created_at, locale, settings.zone)
        ),
    ]
    for entry in entries:
        moment = format_moment(entry.created_at, locale, settings.zone)
        lines.append(f"📅 {moment} – {status_label(entry.status)}")
        note = note_block(entry, locale, settings.default_locale, i18n).strip()
        if note:
            lines.append(f"<i>{note}</i>")
    return "\n".join(lines)


def back_keyboard(proposal_id: int) -> InlineKeyboardMarkup:
    return inline_keyboard([[(_("‹ Back"), ProposalOpen(id=proposal_id))]])


def move_prompt(proposal: Proposal) -> str:
    return _("Where should <b>{title}</b> move? It is now: {status}").format(
        title=escape(proposal.title), status=status_label(proposal.status)
    )


def move_keyboard(proposal: Proposal) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        [(status_label(status), ThemeMove(id=proposal.id, status=status))]
        for status in TARGETS
        if status != proposal.status
    ]
    rows.append([(_("‹ Back"), ProposalOpen(id=proposal.id))])
    return inline_keyboard(rows)


def note_prompt(status: str) -> str:
    return _(
        "Moving to {status}. Write the public note for the timeline – what happened and what "
        "comes next. Write it in your own language; /skip leaves it without a note, /cancel stops."
    ).format(status=status_label(status))


def confirm_text(proposal: Proposal, status: str, note: str | None, followers: int) -> str:
    text = _("Move <b>{title}</b> from {old} to {new}?").format(
        title=escape(proposal.title), old=status_label(proposal.status), new=status_label(status)
    )
    if note:
        text += "\n\n" + _("Note: {note}").format(note=f"<i>{escape(note)}</i>")
    return text + "\n\n" + ngettext(
        "{count} follower will be told.", "{count} followers will be told.", followers
    ).format(count=format_count(followers))


def confirm_keyboard(proposal_id: int, status: str) -> InlineKeyboardMarkup:
    return inline_keyboard([[
        (_("✅ Move it"), ThemeMoveConfirmed(id=proposal_id, status=status)),
        (_("‹ Back"), ProposalOpen(id=proposal_id)),
    ]])
