"""Texts and keyboards of staff broadcasts: compose, audience, confirm, progress and report."""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.i18n import _, format_moment, ngettext
from bot.outbox.progress import Pace, progress_bar
from bot.telegram.keyboards import Button, inline_keyboard
from domain import LANGUAGE_IN, LANGUAGE_NAMES, LOCALES, RESIDENT_TYPE_LABELS, Audience, ResidentType
from storage.models import Area, Broadcast

class Step(StrEnum):
    SKIP = "skip"
    AUDIENCE = "audience"
    URGENT = "urgent"
    NOW = "now"
    LATER = "later"
    SEND = "send"
    ABORT = "abort"


class BroadcastStep(CallbackData, prefix="bc"):
    step: Step


class AudienceKind(StrEnum):
    EVERYONE = "all"
    AREA = "a"
    TYPE = "t"
    LANGUAGE = "l"


class AudienceToggle(CallbackData, prefix="bca"):
    kind: AudienceKind
    value: str
    page: int = 0


class BroadcastCancel(CallbackData, prefix="bcc"):
    broadcast_id: int


class BroadcastOpen(CallbackData, prefix="bco"):
    broadcast_id: int


def compose_prompt(locale: str, written: Sequence[str]) -> str:
    text = _("📣 <b>New broadcast</b>\n\nWrite the message <b>{language}</b>.").format(
        language=_(LANGUAGE_IN[locale]))
    if not written:
        text += "\n\n" + _(
            "You can use formatting (bold, italics, links) and attach one photo or document – "
            "the text then becomes its caption. Residents whose language is skipped get another "
            "language with a short note.")
    return text


def compose_keyboard(can_skip: bool) -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("Skip this language ›"), BroadcastStep(step=Step.SKIP))] if can_skip else [],
        [(_("✖ Cancel"), BroadcastStep(step=Step.ABORT))],
    ])


def describe_audience(audience: Audience, areas: Sequence[Area], locale: str) -> str:
    if audience.everyone:
        return _("everyone")
    parts = []
    if audience.area_ids:
        names = [area.name(locale) for area in areas if area.id in audience.area_ids]
        parts.append(_("areas: {names}").format(names=html.escape(", ".join(names))))
    if audience.resident_types:
        labels = [_(RESIDENT_TYPE_LABELS[ResidentType(value)]) for value in audience.resident_types]
        parts.append(_("who: {labels}").format(labels=", ".join(labels)))
    if audience.locales:
        names = [LANGUAGE_NAMES[code] for code in audience.locales]
        parts.append(_("languages: {names}").format(names=", ".join(names)))
    return "; ".join(parts)


def recipients_line(count: int) -> str:
    return ngettext("{count} recipient", "{count} recipients", count).format(count=count)


def audience_text(description: str, count: int) -> str:
    return _(
        "👥 <b>Who should get it?</b>\n\nChoose areas, resident types and languages; "
        "leave a group empty to include everyone in it.\n\nNow: {audience}\n<b>{recipients}</b>"
    ).format(audience=description, recipients=recipients_line(count))


def audience_keyboard(
    audience: Audience, areas: Sequence[Area], page: int, pages: int, locale: str
) -> InlineKeyboardMarkup:
    def toggle(kind: AudienceKind, value: str, chosen: bool, label: str) -> Button:
        return _mark(chosen, label), AudienceToggle(kind=kind, value=value, page=page)

    area_buttons = [
        toggle(AudienceKind.AREA, str(area.id), area.id in audience.area_ids, area.name(locale))
        for area in areas
    ]
    type_buttons = [
        toggle(AudienceKind.TYPE, value, value in audience.resident_types, _(label))
        for value, label in RESIDENT_TYPE_LABELS.items()
    ]
    turn_page = [(
        _("Page {page} of {pages} ›").format(page=page + 1, pages=pages),
        AudienceToggle(kind=AudienceKind.AREA, value="", page=(page + 1) % pages),
    )] if pages > 1 else []
    return inline_keyboard([
        [toggle(AudienceKind.EVERYONE, "", audience.everyone, _("Everyone"))],
        *(area_buttons[i:i + 2] for i in range(0, len(area_buttons), 2)),
        turn_page,
        *(type_buttons[i:i + 2] for i in range(0, len(type_buttons), 2)),
        [
            toggle(AudienceKind.LANGUAGE, code, code in audience.locales, LANGUAGE_NAMES[code])
            for code in LOCALES
        ],
        [
            (_("Continue ›"), BroadcastStep(step=Step.AUDIENCE)),
            (_("✖ Cancel"), BroadcastStep(step=Step.ABORT)),
        ],
    ])


def _mark(chosen: bool, label: str) -> str:
    return f"✓ {label}" if chosen else label


def confirm_text(preview: str, description: str, count: int, urgent: bool, when: str | None) -> str:
    lines = [
        _("<b>Ready to send?</b> This is how it looks:"),
        "",
        preview,
        "",
        "———",
        _("To: {audience}").format(audience=description),
        "<b>" + recipients_line(count) + "</b>",
        _("When: {moment}").format(moment=when) if when else _("When: right away"),
        _("⚡ Urgent: arrives during quiet hours too") if urgent
        else _("Not urgent: waits for residents' quiet hours to end"),
    ]
    return "\n".join(lines)


def confirm_keyboard(urgent: bool, scheduled: bool) -> InlineKeyboardMarkup:
    return inline_keyboard([
        [(_("✅ Schedule") if scheduled else _("✅ Send now"), BroadcastStep(step=Step.SEND))],
        [(_("⏰ Send later…"), BroadcastStep(step=Step.LATER))],
        [(_("Send right away instead"), BroadcastStep(step=Step.NOW))] if scheduled else [],
        [(
            _("Make it not urgent") if urgent else _("⚡ Mark as urgent"),
            BroadcastStep(step=Step.URGENT),
        )],
        [(_("✖ Cancel"), BroadcastStep(step=Step.ABORT))],
    ])


def ask_time_text(zone: ZoneInfo) -> str:
    return _(
        "⏰ When should it go out? Write a local time ({zone}), for example <code>9:00</code> "
        "(the next 9 o'clock), <code>1.12. 9:00</code> or <code>2026-12-01 09:00</code>."
    ).format(zone=zone.key)


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    if seconds < 3600:
        return _("{minutes} min {seconds} s").format(minutes=seconds // 60, seconds=seconds % 60)
    return _("{hours} h {minutes} min").format(hours=seconds // 3600, minutes=seconds % 3600 // 60)


def progress_text(broadcast: Broadcast, pace: Pace, zone: ZoneInfo, locale: str) -> str:
    done = broadcast.total - broadcast.remaining
    counts = _("Sent: {sent} · Failed: {failed} · Blocked: {blocked} · Remaining: {remaining}").format(
        sent=broadcast.sent, failed=broadcast.failed, blocked=broadcast.blocked,
        remaining=broadcast.remaining)
    if broadcast.status == "scheduled":
        return "\n".join([
            _("⏰ <b>Broadcast #{id}</b> is scheduled for {moment}.").format(
                id=broadcast.id, moment=format_moment(broadcast.send_at, locale, zone, "short")),
            recipients_line(broadcast.total),
        ])
    if broadcast.status == "sending":
        eta = pace.eta(broadcast.remaining)
        speed = _("Rate: {rate:.1f}/s · About {eta} left").format(rate=pace.rate, eta=duration(eta)) \
            if pace.rate and eta is not None else _("Rate: measuring…")
        return "\n".join([
            _("📣 <b>Broadcast #{id}</b> is being sent").format(id=broadcast.id),
            progress_bar(done, broadcast.total), counts, speed,
        ])
    return final_report(broadcast, locale)


def final_report(broadcast: Broadcast, locale: str) -> str:
    if broadcast.status == "cancelled":
        title = _("🛑 <b>Broadcast #{id}</b> was cancelled.").format(id=broadcast.id)
    else:
        title = _("✅ <b>Broadcast #{id}</b> is finished.").format(id=broadcast.id)
    lines = [title, recipients_line(broadcast.total),
             _("Delivered: {sent}").format(sent=broadcast.sent)]
    if broadcast.failed:
        lines.append(_("Could not be delivered: {failed}").format(failed=broadcast.failed))
    if broadcast.blocked:
        lines.append(_("Have blocked the bot: {blocked}").format(blocked=broadcast.blocked))
    if broadcast.cancelled:
        lines.append(_("Not sent because of the cancellation: {cancelled}").format(
            cancelled=broadcast.cancelled))
    if broadcast.started_at and broadcast.finished_at:
        lines.append(_("Took {duration}").format(
            duration=duration((broadcast.finished_at - broadcast.started_at).total_seconds())))
    return "\n".join(lines)


def cancel_keyboard(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if broadcast.status not in ("scheduled", "sending"):
        return None
    return inline_keyboard([
        [(_("🛑 Cancel the broadcast"), BroadcastCancel(broadcast_id=broadcast.id))],
    ])


def progress_view_for(zone: ZoneInfo, i18n: I18n):  # type: ignore[no-untyped-def]
    """The ProgressReporter's view: text and keyboard in the current (staff member's) locale."""
    def view(broadcast: Broadcast, pace: Pace) -> tuple[str, InlineKeyboardMarkup | None]:
        return progress_text(broadcast, pace, zone, i18n.current_locale), cancel_keyboard(broadcast)
    return view


STATUS_LABELS = {"scheduled": "⏰", "sending": "📣", "done": "✅", "cancelled": "🛑"}


def listing_text(broadcasts: Sequence[Broadcast], locale: str, zone: ZoneInfo) -> str:
    if not broadcasts:
        return _("No broadcasts yet. Start one with /broadcast.")
    lines = [_("<b>Recent broadcasts</b>"), ""]
    for broadcast in broadcasts:
        first = next(iter(broadcast.texts.values()))
        snippet = html.escape(_plain(first)[:40])
        lines.append(_("{icon} #{id} · {moment} · {sent}/{total} · {snippet}").format(
            icon=STATUS_LABELS.get(broadcast.status, "•"), id=broadcast.id,
            moment=format_moment(broadcast.send_at, locale, zone, "short"),
            sent=broadcast.sent, total=broadcast.total, snippet=snippet))
    return "\n".join(lines)


def listing_keyboard(broadcasts: Sequence[Broadcast]) -> InlineKeyboardMarkup | None:
    if not broadcasts:
        return None
    buttons = [
        (f"#{broadcast.id}", BroadcastOpen(broadcast_id=broadcast.id)) for broadcast in broadcasts
    ]
    return inline_keyboard([buttons[i:i + 5] for i in range(0, len(buttons), 5)])


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\n", " ")


def when_text(moment: datetime | None, locale: str, zone: ZoneInfo) -> str | None:
    return format_moment(moment, locale, zone, "short") if moment else None
