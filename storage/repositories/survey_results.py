"""What a survey's responses add up to: counts, averages, texts, where people stopped."""
from __future__ import annotations

from storage.repositories.base import Repository


class SurveyResultRepository(Repository):
    pass
