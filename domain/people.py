"""Residents, staff and their languages (see shared/GLOSSARY.md)."""
from __future__ import annotations

from enum import StrEnum

from domain.text import LOCALES, N_


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


# Resident groups named as groups (results' breakdowns, turnout), not as one's own answer.
RESIDENT_GROUP_LABELS = {
    ResidentType.PERMANENT: N_("🏠 Permanent residents"),
    ResidentType.HOLIDAY: N_("🌲 Holiday residents"),
    ResidentType.WORKS: N_("💼 Working or studying here"),
    ResidentType.OTHER: N_("🙂 Others"),
}
RESIDENT_TYPE_LABELS = {
    ResidentType.PERMANENT: N_("🏠 I live here"),
    ResidentType.HOLIDAY: N_("🌲 Holiday resident"),
    ResidentType.WORKS: N_("💼 I work or study here"),
    ResidentType.OTHER: N_("🙂 Something else"),
}
