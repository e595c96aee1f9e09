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
from pydantic import model_validator

from bot.i18n import _, format_count, format_moment, format_rate, ngettext
from bot.notices.words import short
from bot.outbox.progress import Pace, progress_bar
from bot.services.outbox import Held
from bot.telegram.keyboards import Button, inline_keyboard
from domain import (
    LANGUAGE_IN, LANGUAGE_LABELS, LANGUAGE_NAMES, LOCALES, RESIDENT_TYPE_LABELS, Audience, ResidentType,
)
from domain.ids import ID_DIGITS, Natural
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
    """A tapped audience choice: everyone, an area by id (none: the page turn), a resident type or
    a language. A value no button offers does not unpack, so its press changes nothing."""

    kind: AudienceKind
    value: str
    page: Natural = 0

    @model_validator(mode="after")
    def offered_value(self) -> AudienceToggle:
        offered = {
            AudienceKind.EVERYONE: self.value == "",
            AudienceKind.AREA: self.value == "" or re.fullmatch(ID_DIGITS, self.value) is not None,
            AudienceKind.TYPE: self.value in set(ResidentType),
            AudienceKind.LANGUAGE: self.value in LOCALES,
        }
        if not offered[self.kind]:
            raise ValueError("no button offers this audience choice")
        return self


class BroadcastCancel(CallbackData, prefix="bcc"):
    broadcast_id: Natural


class BroadcastOpen(CallbackData, prefix="bco"):
    broadcast_id: Natural


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
        names = [_(LANGUAGE_LABELS[code]) for code in audience.locales]
        parts.append(_("languages: {names}").format(names=", ".join(names)))
    return "; ".join(parts)


def recipients_line(count: int) -> str:
    return ngettext("{count} recipient", "{count} recipients", count).format(
        count=format_count(count))


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


def held_line(held: Held, zone: ZoneInfo, locale: str) -> str | None:
    """How many messages wait for their recipients' quiet hours to end, and until when."""
    if not held.count or held.until is None:
        return None
    return ngettext(
        "🌙 {count} recipient is in their quiet hours: the message waits until they end "
        "(by {moment}).",
        "🌙 {count} recipients are in their quiet hours: their messages wait until those end "
        "(by {moment} at the latest).",
        held.count,
    ).format(count=format_count(held.count, locale), moment=format_moment(held.until, locale, zone))


def confirm_text(
    preview: str, description: str, count: int, urgent: bool, when: str | None, held: Held,
    zone: ZoneInfo, locale: str,
) -> str:
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
        held_line(held, zone, locale),
    ]
    return "\n".join(line for line in lines if line is not None)


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


def progress_text(
    broadcast: Broadcast, pace: Pace, held: Held, now: datetime, zone: ZoneInfo, locale: str
) -> str:
    """Where a broadcast stands; the messages held for quiet hours are told apart from the rest."""
    done = broadcast.total - broadcast.remaining
    counts = _("Sent: {sent} · Failed: {failed} · Blocked: {blocked} · Remaining: {remaining}").format(
        sent=format_count(broadcast.sent, locale),
        failed=format_count(broadcast.failed, locale),
        blocked=format_count(broadcast.blocked, locale),
        remaining=format_count(broadcast.remaining, locale))
    if broadcast.status == "scheduled" and broadcast.send_at > now:
        return "\n".join([
            _("⏰ <b>Broadcast #{id}</b> is scheduled for {moment}.").format(
                id=broadcast.id, moment=format_moment(broadcast.send_at, locale, zone)),
            recipients_line(broadcast.total),
        ])
    if broadcast.status in ("scheduled", "sending"):
        lines = [
            _("📣 <b>Broadcast #{id}</b> is being sent").format(id=broadcast.id),
            progress_bar(done, broadcast.total, locale=locale), counts,
        ]
        if not held.count or held.count < broadcast.remaining:  # some are still going out now
            eta = pace.eta(broadcast.remaining - held.count)
            lines.append(_("Rate: {rate}/s · About {eta} left").format(
                rate=format_rate(pace.rate, locale), eta=duration(eta))
                if pace.rate and eta is not None else _("Rate: measuring…"))
        waiting = held_line(held, zone, locale)
        return "\n".join(lines + ([waiting] if waiting else []))
    return final_report(broadcast, locale)


def final_report(broadcast: Broadcast, locale: str) -> str:
    if broadcast.status == "cancelled":
        title = _("🛑 <b>Broadcast #{id}</b> was cancelled.").format(id=broadcast.id)
    else:
        title = _("✅ <b>Broadcast #{id}</b> is finished.").format(id=broadcast.id)
    lines = [title, recipients_line(broadcast.total), ngettext(
        "Delivered to {count} recipient", "Delivered to {count} recipients", broadcast.sent,
    ).format(count=format_count(broadcast.sent, locale))]
    if broadcast.failed:
        lines.append(ngettext(
            "{count} message could not be delivered",
            "{count} messages could not be delivered", broadcast.failed,
        ).format(count=format_count(broadcast.failed, locale)))
    if broadcast.blocked:
        lines.append(ngettext(
            "{count} recipient has blocked the bot",
            "{count} recipients have blocked the bot", broadcast.blocked,
        ).format(count=format_count(broadcast.blocked, locale)))
    if broadcast.cancelled:
        lines.append(ngettext(
            "{count} message was not sent because the broadcast was cancelled",
            "{count} messages were not sent because the broadcast was cancelled", broadcast.cancelled,
        ).format(count=format_count(broadcast.cancelled, locale)))
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
    def view(broadcast: Broadcast, pace: Pace, held: Held,
             now: datetime) -> tuple[str, InlineKeyboardMarkup | None]:
        text = progress_text(broadcast, pace, held, now, zone, i18n.current_locale)
        return text, cancel_keyboard(broadcast)
    return view


STATUS_LABELS = {"scheduled": "⏰", "sending": "📣", "done": "✅", "cancelled": "🛑"}


def listing_text(broadcasts: Sequence[Broadcast], locale: str, zone: ZoneInfo) -> str:
    if not broadcasts:
        return _("No broadcasts yet. Start one with /broadcast.")
    lines = [_("<b>Recent broadcasts</b>"), ""]
    for broadcast in broadcasts:
        snippet = html.escape(short(_plain(next(iter(broadcast.texts.values())))))
        lines.append(_("{icon} #{id} · {moment} · {sent}/{total} · {snippet}").format(
            icon=STATUS_LABELS.get(broadcast.status, "•"), id=broadcast.id,
            moment=format_moment(broadcast.send_at, locale, zone),
            sent=format_count(broadcast.sent, locale), total=format_count(broadcast.total, locale),
            snippet=snippet))
    return "\n".join(lines)


def listing_keyboard(broadcasts: Sequence[Broadcast]) -> InlineKeyboardMarkup | None:
    if not broadcasts:
        return None
    return inline_keyboard([
        [(f"{STATUS_LABELS.get(broadcast.status, '•')} #{broadcast.id} "
          f"{short(_plain(next(iter(broadcast.texts.values()))), 32)}",
          BroadcastOpen(broadcast_id=broadcast.id))]
        for broadcast in broadcasts
    ])


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\n", " ")


def when_text(moment: datetime | None, locale: str, zone: ZoneInfo) -> str | None:
    return format_moment(moment, locale, zone) if moment else None
