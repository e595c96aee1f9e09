"""Survey invitations and the reminder to finish one, composed in every language."""
from __future__ import annotations

from bot.notices.compose import Composer


class SurveyNotices(Composer):
    pass
