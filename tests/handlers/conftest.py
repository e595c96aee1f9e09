"""Fixtures of the handler tests (pytest finds them here); plain helpers are in
tests/support/proposals.py, imported by the tests that use them."""

from __future__ import annotations

import pytest

from bot.services import areas
from foorumi.app import App
from tests.support.proposals import SAMPLE_AREAS


@pytest.fixture
async def city(app: App) -> None:
    """The areas of Mikkeli (deploy/areas/mikkeli.yaml) in the store."""
    async with app.uow_factory() as uow:
        await areas.load(uow, areas.parse_area_file(SAMPLE_AREAS))
