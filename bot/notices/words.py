"""Small pieces of text that proposal pages, cards and notices share (in the current locale)."""
from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n

from bot.i18n import N_, _
from domain import LANGUAGE_IN, STATUS_LABELS, Status, localized_text
from storage.models import Area, TimelineEntry


def status_label(status: str) -> str:
    return _(STATUS_LABELS[Status(status)])


def area_name(area: Area | None, locale: str) -> str:
    return area.name(locale) if area else _("Whole city")


def short(text: str, limit: int = 40) -> str:
    """Plain text cut to `limit` characters at a word boundary, for a button or a list line."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def note_block(entry: TimelineEntry, locale: str, default_locale: str, i18n: I18n) -> str:
    """The staff note in the reader's language (saying so when another language is shown), or ''."""
    try:
        text, used = localized_text(entry.notes, locale, default_locale)
    except ValueError:
        return ""
    block = escape(text)
    if used != locale:
        language = i18n.gettext(LANGUAGE_IN[used], locale=locale)
        block += " " + i18n.gettext(N_("(only available {language})"), locale=locale).format(
            language=language
        )
    return block + "\n\n"
