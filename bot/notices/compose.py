"""What every group of notices needs: the texts, the city's settings, and composing in each language."""
from __future__ import annotations

from collections.abc import Callable

from aiogram.utils.i18n import I18n

from bot.config import Settings
from domain import LOCALES, Buttons, Chat, Notice


class Composer:
    def __init__(self, i18n: I18n, settings: Settings) -> None:
        self.i18n = i18n
        self.settings = settings

    @property
    def default_locale(self) -> str:
        return self.settings.default_locale

    @property
    def staff_chat(self) -> Chat | None:
        """The staff group that gets moderators' cards, when the city has one."""
        if self.settings.staff_chat_id is None:
            return None
        return Chat(self.settings.staff_chat_id, self.settings.default_locale)

    def _render(self, msgid: str, **values: object) -> Notice:
        """msgid in every locale; a callable value is rendered per locale too."""
        return Notice({
            locale: self.i18n.gettext(msgid, locale=locale).format(
                **{name: value(locale) if callable(value) else value for name, value in values.items()}
            )
            for locale in LOCALES
        })

    def _each_locale(self, text: Callable[[str], str],
                     buttons: Callable[[str], Buttons] | None = None) -> Notice:
        """text(locale) and buttons(locale) composed in every locale, each in its own language."""
        texts, keyboards = {}, {}
        for locale in LOCALES:
            with self.i18n.context(), self.i18n.use_locale(locale):
                texts[locale] = text(locale)
                if buttons is not None:
                    keyboards[locale] = buttons(locale)
        return Notice(texts, keyboards)
