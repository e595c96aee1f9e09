"""The buttons of a survey, wherever it is shown: in its invitation, its reminder and in the bot."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class SurveyOpen(CallbackData, prefix="svo"):
    """Show a survey (title, intro, how many questions), or with `start` go to its current question."""

    survey: int
    start: bool = False
