"""An outbox message in the recipient's language, with a note when another language stands in."""
from __future__ import annotations

from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup

from bot.telegram.keyboards import inline_keyboard
from domain import LANGUAGE_IN, N_, localized_text
from storage.models import Broadcast

FALLBACK_NOTE = N_("ℹ️ This message is not available {wanted}, so here it is {used}.")

Translate = Callable[[str, str], str]  # (msgid, locale) -> text
Rendered = tuple[str, InlineKeyboardMarkup | None]


class Renderer:
    """Renders each (broadcast, language) once; a broadcast has at most three variants."""

    CACHE_SIZE = 300

    def __init__(self, translate: Translate, default_locale: str) -> None:
        self.translate = translate
        self.default_locale = default_locale
        self._cache: dict[tuple[int, str], Rendered] = {}

    def render(self, broadcast: Broadcast, locale: str) -> Rendered:
        key = (broadcast.id, locale)
        if key not in self._cache:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = self.compose(broadcast.texts, broadcast.buttons or {}, locale)
        return self._cache[key]

    def compose(self, texts: dict[str, str], buttons: dict[str, list], locale: str) -> Rendered:
        text, used = localized_text(texts, locale, self.default_locale)
        rows = buttons.get(used) or buttons.get(locale)
        markup = inline_keyboard(rows) if rows else None
        if used == locale:
            return text, markup
        note = self.translate(FALLBACK_NOTE, locale).format(
            wanted=self.translate(LANGUAGE_IN[locale], locale),
            used=self.translate(LANGUAGE_IN[used], locale),
        )
        return f"<i>{note}</i>\n\n{text}", markup
