"""gettext catalogs (compiled from locales/*.po by Babel at start) and locale-aware formatting."""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from domain import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

__all__ = ["LOCALES_DIR", "N_", "_", "__", "format_moment", "ngettext"]


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is translated later (e.g. per locale)."""
    return message


def create_i18n(default_locale: str) -> I18n:
    """aiogram's I18n over catalogs compiled from locales/*.po at start, so none go stale."""
    with tempfile.TemporaryDirectory(prefix="foorumi-locales-") as compiled:
        for locale in LOCALES:
            with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            target = Path(compiled) / locale / "LC_MESSAGES"
            target.mkdir(parents=True)
            with (target / f"{DOMAIN}.mo").open("wb") as handle:
                write_mo(handle, catalog)
        return I18n(path=compiled, default_locale=default_locale, domain=DOMAIN)


def ngettext(singular: str, plural: str, n: int) -> str:
    return I18n.get_current().gettext(singular, plural, n)


def format_moment(moment: datetime, locale: str, zone: ZoneInfo, format: str = "short") -> str:
    """A UTC moment as the resident reads it: their locale's CLDR format, the city's time zone."""
    return babel_format_datetime(moment, format=format, tzinfo=zone, locale=locale)
