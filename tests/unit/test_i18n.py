"""Catalogs are complete, and dates read naturally in each language."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import catalogs
from domain import LOCALES
from bot.i18n import (
    BABEL_LOCALES, create_i18n, format_count, format_moment, format_rate, format_share,
)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_has_a_translation(locale):
    assert catalogs.untranslated(catalogs.read_catalog(locale)) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_extractor_finds_no_msgid_the_catalog_lacks(locale):
    known = {message.id for message in catalogs.read_catalog(locale) if message.id}
    extracted = {message.id for message in catalogs.extract() if message.id}
    assert extracted - known == set()


def test_placeholders_survive_translation():
    i18n = create_i18n("fi")
    for message in catalogs.extract():
        if not message.id or isinstance(message.id, tuple):
            continue
        placeholders = sorted(part.split("}")[0] for part in message.id.split("{")[1:])
        for locale in LOCALES:
            translated = i18n.gettext(message.id, locale=locale)
            assert sorted(part.split("}")[0] for part in translated.split("{")[1:]) == placeholders, (
                locale, message.id,
            )


def test_moments_are_shown_in_the_city_zone_and_the_regions_formats():
    """The glossary's shapes: Finnish "ti 1.12. klo 9.05", Swedish "1.12.2026 kl. 9.05"."""
    zone = ZoneInfo("Europe/Helsinki")
    winter = datetime(2026, 12, 1, 7, 5, tzinfo=UTC)  # 9.05 in Helsinki (EET), a Tuesday
    assert format_moment(winter, "fi", zone) == "ti 1.12. klo 9.05"
    assert format_moment(winter, "sv", zone) == "1.12.2026 kl. 9.05"
    assert format_moment(winter, "en", zone) == "Tue 1 Dec 2026 at 9.05"
    summer = datetime(2026, 6, 18, 15, 30, tzinfo=UTC)  # 18.30 in Helsinki (EEST), a Thursday
    assert format_moment(summer, "fi", zone) == "to 18.6. klo 18.30"
    assert format_moment(summer, "sv", zone) == "18.6.2026 kl. 18.30"
    assert format_moment(summer, "en", zone) == "Thu 18 Jun 2026 at 18.30"


def test_babels_own_formats_use_the_citys_region():
    """fi_FI, sv_FI and en_FI: Babel's "short" is Finnish-style in Swedish and English too."""
    moment = datetime(2026, 6, 18, 15, 30, tzinfo=UTC)
    zone = ZoneInfo("Europe/Helsinki")
    assert BABEL_LOCALES == {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}
    assert format_moment(moment, "fi", zone, "short") == "18.6.2026 18.30"
    assert format_moment(moment, "sv", zone, "short") == "18.6.2026 18.30"
    assert format_moment(moment, "en", zone, "short") == "18/06/2026, 18.30"
    assert format_moment(moment, "sv", zone, "long") == "18 juni 2026 18.30.00 EEST"


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_use_the_regions_grouping_and_decimal_comma(locale):
    assert format_count(7, locale) == "7"
    assert format_count(2000, locale) == "2\u00a0000"  # Babel's grouping: a no-break space
    assert format_count(1234567, locale) == "1\u00a0234\u00a0567"
    assert format_rate(12.5, locale) == "12,5"
    assert format_rate(3, locale) == "3,0"
    assert format_share(0.42, locale) == "42\u00a0%"


def test_plural_forms_follow_the_count():
    i18n = create_i18n("fi")
    one, many = "{count} recipient", "{count} recipients"
    assert i18n.gettext(one, many, 1, locale="fi") == "{count} vastaanottaja"
    assert i18n.gettext(one, many, 3, locale="fi") == "{count} vastaanottajaa"
    assert i18n.gettext(one, many, 3, locale="sv") == "{count} mottagare"
    assert i18n.gettext(one, many, 1, locale="en") == "{count} recipient"
    for locale in LOCALES:
        header = catalogs.read_catalog(locale).plural_forms
        assert header == "nplurals=2; plural=(n != 1);", (locale, header)


def test_english_is_the_msgids_themselves():
    """msgids are the final English text; a different English msgstr means a mix-up."""
    for message in catalogs.read_catalog("en"):
        if message.id:
            assert message.string == message.id, message.id
