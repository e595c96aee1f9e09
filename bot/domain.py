"""Framework-free vocabulary shared by every layer (see shared/GLOSSARY.md)."""
from __future__ import annotations

from enum import StrEnum

LOCALES: tuple[str, ...] = ("fi", "sv", "en")


class ResidentType(StrEnum):
    PERMANENT = "permanent"
    HOLIDAY = "holiday"
    WORKS = "works"
    OTHER = "other"


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    EDITOR = "editor"


def pick_locale(language_code: str | None, default: str) -> str:
    """Map Telegram's `language_code` (e.g. "sv-FI") to one of our locales."""
    if language_code:
        primary = language_code.split("-")[0].lower()
        if primary in LOCALES:
            return primary
    return default


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


class DomainError(Exception):
    """A rule of the participation process was broken; carries a user-facing reason key."""


class PermissionDenied(DomainError):
    """The acting resident lacks the staff role the action needs."""


class NotFound(DomainError):
    """What a button or link points to does not exist (any more) or is not visible."""
