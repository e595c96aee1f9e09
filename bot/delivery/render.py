"""A staff-written text in the recipient's language, with a note when another language stands in."""
from __future__ import annotations

from collections.abc import Callable

from bot.domain import localized_text
from bot.i18n import N_

LANGUAGE_IN = {
    "fi": N_("in Finnish"),
    "sv": N_("in Swedish"),
    "en": N_("in English"),
}
FALLBACK_NOTE = N_("ℹ️ This message is not available {wanted}, so here it is {used}.")

Translate = Callable[[str, str], str]  # (msgid, locale) -> text


class Renderer:
    """Renders each (broadcast, language) once; a broadcast has at most three variants."""

    CACHE_SIZE = 300

    def __init__(self, translate: Translate, default_locale: str) -> None:
        self.translate = translate
        self.default_locale = default_locale
        self._cache: dict[tuple[int, str], str] = {}

    def render(self, broadcast_id: int, texts: dict[str, str], locale: str) -> str:
        key = (broadcast_id, locale)
        if key not in self._cache:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = self.compose(texts, locale)
        return self._cache[key]

    def compose(self, texts: dict[str, str], locale: str) -> str:
        text, used = localized_text(texts, locale, self.default_locale)  # type: ignore[arg-type]
        if used == locale:
            return text
        note = self.translate(FALLBACK_NOTE, locale).format(
            wanted=self.translate(LANGUAGE_IN[locale], locale),
            used=self.translate(LANGUAGE_IN[used], locale),
        )
        return f"<i>{note}</i>\n\n{text}"
