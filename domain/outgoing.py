"""What the bot sends on its own: a message composed in every language, and where it goes."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


class Priority(IntEnum):
    """Lower goes first: a notice that answers someone's action overtakes a bulk broadcast."""

    NOTICE = 0
    BULK = 1


@dataclass(frozen=True)
class Notice:
    """HTML text (already escaped) per locale and, optionally, inline buttons per locale."""

    texts: dict[str, str]
    buttons: dict[str, Buttons] = field(default_factory=dict)


@dataclass(frozen=True)
class Chat:
    """A chat that is no resident's profile: the staff group, a staff member without a profile."""

    chat_id: int
    locale: str
