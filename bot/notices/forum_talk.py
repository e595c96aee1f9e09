"""Remote questions (moderators' cards, the host's queue) and forum summaries, in every language."""
from __future__ import annotations

from bot.notices.compose import Composer


class TalkNotices(Composer):
    pass
