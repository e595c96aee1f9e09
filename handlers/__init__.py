"""One aiogram Router per feature; the order below is the order updates are tried."""
from __future__ import annotations

from types import ModuleType

from aiogram import Router

from handlers import errors, fallback, help, profile

# Feature modules: each has `router` and may list COMMANDS / STAFF_COMMANDS (name, N_ msgid).
FEATURES: tuple[ModuleType, ...] = (profile, help, errors, fallback)


def get_routers() -> list[Router]:
    return [feature.router for feature in FEATURES]
