"""The buttons of a ballot, wherever it is shown: in its announcement and in the bot."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from domain.ids import Natural


class VotePick(CallbackData, prefix="bv"):
    """Choose (or, in an approval ballot, un-choose) an option."""

    ballot: Natural
    option: Natural


class BallotOpen(CallbackData, prefix="bo"):
    """Show a ballot (with the viewer's current choices), or its results."""

    ballot: Natural
    results: bool = False
