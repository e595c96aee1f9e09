"""gettext catalogs (compiled from locales/*.po by Babel at start) and locale-aware formatting.

The catalogs are per language (fi, sv, en); dates, times and numbers are formatted for the
city's region (fi_FI, sv_FI, en_FI): Finnish "ti 1.12. klo 9.05", Swedish "1.12.2026 kl. 9.05",
"2 000" with Babel's grouping (a no-break space) and a decimal comma.
"""
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
from babel.numbers import format_decimal, format_percent

from domain import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

__all__ = [
    "BABEL_LOCALES", "LOCALES_DIR", "MOMENT_FORMATS", "N_", "_", "__", "babel_locale",
    "format_count", "format_moment", "format_rate", "format_share", "ngettext",
]

# The region the city is in: Babel formats dates and numbers for these, the catalogs stay fi/sv/en.
BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}

# Named date-and-time formats (CLDR patterns per language), used the same way everywhere.
# "moment": a point in time as people write it here – "ti 1.12. klo 9.05", "1.12.2026 kl. 9.05",
# "Tue 1 Dec 2026 at 9.05". Any other format name ("short", "long", …) or pattern goes to Babel.
MOMENT_FORMATS: dict[str, dict[str, str]] = {
    "moment": {
        "fi": "EEE d.M. 'klo' H.mm",
        "sv": "d.M.y 'kl'. H.mm",
        "en": "EEE d MMM y 'at' H.mm",
    },
}


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


def babel_locale(locale: str | None = None) -> str:
    """The regional Babel locale for a catalog language ("fi" -> "fi_FI"); None: the current one."""
    if locale is None:
        i18n = I18n.get_current(no_error=True)
        locale = i18n.current_locale if i18n is not None else LOCALES[0]
    return BABEL_LOCALES.get(locale, locale)


def format_moment(moment: datetime, locale: str, zone: ZoneInfo, format: str = "moment") -> str:
    """A UTC moment as the resident reads it: their region's format, the city's time zone."""
    pattern = MOMENT_FORMATS.get(format, {}).get(locale, format)
    return babel_format_datetime(moment, format=pattern, tzinfo=zone, locale=babel_locale(locale))


def format_count(n: int, locale: str | None = None) -> str:
    """A whole number for people: "2 000" (no-break space) in fi_FI, sv_FI and en_FI."""
    return format_decimal(n, locale=babel_locale(locale))


def format_rate(x: float, locale: str | None = None) -> str:
    """A measured rate with one decimal: "12,5" in fi_FI and sv_FI."""
    return format_decimal(x, format="#,##0.0", locale=babel_locale(locale))


def format_share(share: float, locale: str | None = None) -> str:
    """A share 0…1 as a whole percentage in the region's pattern: "42 %" (no-break space)."""
    return format_percent(share, locale=babel_locale(locale))
