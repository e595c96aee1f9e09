import pytest

from domain import fallback_chain, localized_text, pick_locale


@pytest.mark.parametrize(
    ("code", "expected"), [("fi", "fi"), ("sv-FI", "sv"), ("en-GB", "en"), ("de", "fi"), (None, "fi"), ("", "fi")]
)
def test_telegram_language_code_maps_to_our_locales(code, expected):
    assert pick_locale(code, "fi") == expected


@pytest.mark.parametrize(
    ("locale", "default", "chain"),
    [
        ("en", "fi", ["en", "fi", "sv"]),
        ("sv", "fi", ["sv", "fi", "en"]),
        ("fi", "sv", ["fi", "sv", "en"]),
        ("en", "sv", ["en", "sv", "fi"]),
    ],
)
def test_fallback_order_is_own_then_default_then_other_national_then_english(locale, default, chain):
    assert fallback_chain(locale, default) == chain


def test_localized_text_says_which_language_it_used():
    texts = {"fi": "Torilla tavataan", "sv": None, "en": "  "}
    assert localized_text(texts, "sv", "fi") == ("Torilla tavataan", "fi")
    assert localized_text({"en": "See you"}, "sv", "fi") == ("See you", "en")
    with pytest.raises(ValueError):
        localized_text({"fi": " "}, "fi", "fi")
