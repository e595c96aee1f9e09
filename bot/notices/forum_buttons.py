"""The buttons of a forum, wherever it is shown: in its invitation and in the bot."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RsvpPick(CallbackData, prefix="fr"):
    """Answer a forum's invitation: an Attendance value."""

    forum: int
    attendance: str


class ForumOpen(CallbackData, prefix="fo"):
    """Show a forum with the viewer's RSVP."""

    forum: int


class AskQuestion(CallbackData, prefix="fq"):
    """A remote attendee starts writing a live question to a forum happening now."""

    forum: int
