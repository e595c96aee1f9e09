"""Catalogs are complete, and dates read naturally in each language."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import catalogs
from domain import LOCALES
from bot.i18n import create_i18n, format_moment


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


def test_moments_are_shown_in_the_city_zone_and_the_residents_locale():
    moment = datetime(2026, 6, 18, 15, 30, tzinfo=UTC)  # 18:30 in Helsinki (EEST)
    zone = ZoneInfo("Europe/Helsinki")
    assert format_moment(moment, "fi", zone) == "18.6.2026 18.30"
    assert format_moment(moment, "sv", zone) == "2026-06-18 18:30"
    assert format_moment(moment, "en", zone) == "6/18/26, 6:30\u202fPM"
    assert format_moment(moment, "sv", zone, "long") == "18 juni 2026 18:30:00 EEST"


def test_english_is_the_msgids_themselves():
    """msgids are the final English text; a different English msgstr means a mix-up."""
    for message in catalogs.read_catalog("en"):
        if message.id and not isinstance(message.id, tuple):
            assert message.string == message.id
