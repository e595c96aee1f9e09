"""Remote questions and forum summaries."""
from __future__ import annotations

from storage.repositories.base import Repository


class ForumQuestionRepository(Repository):
    pass


class ForumSummaryRepository(Repository):
    pass
