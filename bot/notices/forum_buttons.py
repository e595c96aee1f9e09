"""The buttons of a forum, wherever it is shown: in its invitation and in the bot."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from domain.ids import Natural


class RsvpPick(CallbackData, prefix="fr"):
    """Answer a forum's invitation: an Attendance value."""

    forum: Natural
    attendance: str


class ForumOpen(CallbackData, prefix="fo"):
    """Show a forum with the viewer's RSVP."""

    forum: Natural


class AskQuestion(CallbackData, prefix="fq"):
    """A remote attendee starts writing a live question to a forum happening now."""

    forum: Natural
