"""Reminders of forums and the weekly digest, composed in every language."""
from __future__ import annotations

from bot.notices.compose import Composer


class ReminderNotices(Composer):
    pass
