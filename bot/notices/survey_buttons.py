"""The buttons of a survey, wherever it is shown: in its invitation, its reminder and in the bot."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from domain.ids import Natural


class SurveyOpen(CallbackData, prefix="svo"):
    """Show a survey (title, intro, how many questions), or with `start` go to its current question."""

    survey: Natural
    start: bool = False
