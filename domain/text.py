"""Texts in three languages: the msgid marker, staff-written texts and the fallback between them."""
from __future__ import annotations

LOCALES: tuple[str, ...] = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}  # each in its own language


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is translated later (e.g. per locale)."""
    return message


LANGUAGE_IN = {
    "fi": N_("in Finnish"),
    "sv": N_("in Swedish"),
    "en": N_("in English"),
}

# A language's name inside a sentence, translated ("Language: Finnish", "Kieli: suomi",
# "Språk: finska"); LANGUAGE_NAMES are for the language chooser's buttons only.
LANGUAGE_LABELS = {
    "fi": N_("Finnish"),
    "sv": N_("Swedish"),
    "en": N_("English"),
}


def fallback_chain(locale: str, default: str) -> list[str]:
    """The order in which staff-written texts are tried for a resident.

    The resident's language, the city's default, the other national language
    (fi <-> sv), then English.
    """
    other_national = {"fi": "sv", "sv": "fi"}
    chain = [locale, default, other_national.get(default, "fi"), "en"]
    return list(dict.fromkeys(code for code in chain if code in LOCALES))


def localized_text(texts: dict[str, str | None], locale: str, default: str) -> tuple[str, str]:
    """Pick a staff-written text for `locale`; return (text, locale actually used).

    Raises ValueError when no language has text at all.
    """
    for code in fallback_chain(locale, default):
        text = texts.get(code)
        if text and text.strip():
            return text, code
    raise ValueError("no text in any language")
