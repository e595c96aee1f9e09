"""Forum reminders queued, and the scheduler's lease."""
from __future__ import annotations

from storage.repositories.base import Repository


class ForumReminderRepository(Repository):
    pass
