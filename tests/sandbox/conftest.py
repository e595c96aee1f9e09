"""Fixtures: a sandbox on port 0 with a fake clock, a real aiogram Bot, raw HTTP, the client."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from sandbox import FakeClock, Limits, SandboxClient, run_sandbox

PEOPLE = SimpleNamespace(
    aino=710000001,
    sven=710000002,
    grace=710000003,
    pentti=710000004,
    lena=710000005,
    staff_group=-1001000000001,
)


class QuickCloseSession(AiohttpSession):
    async def close(self) -> None:
        # aiogram waits 250 ms here for TLS connections; there are none to 127.0.0.1.
        if self._session is not None and not self._session.closed:
            await self._session.close()


class RawApi:
    """Bot API over plain HTTP, for input aiogram would never send."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session, self.url, self.token = session, url, token

    async def call(
        self, method: str, http: str = "POST", token: str | None = None, **kwargs: Any
    ) -> tuple[int, dict]:
        address = f"{self.url}/bot{token or self.token}/{method}"
        async with self.session.request(http, address, **kwargs) as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, json=params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.call(method, json=params)
        assert body["ok"] is False and body["error_code"] == status, body
        return status, body["description"]


@pytest.fixture
def people() -> SimpleNamespace:
    """Stable ids of the preloaded personas (sandbox/personas.json)."""
    return PEOPLE


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest_asyncio.fixture
async def sandbox(clock, limits):
    async with run_sandbox(clock=clock, limits=limits) as running:
        yield running


@pytest_asyncio.fixture
async def bot(sandbox):
    bot = Bot(
        sandbox.token, session=QuickCloseSession(api=TelegramAPIServer.from_base(sandbox.url))
    )
    yield bot
    await bot.session.close()


@pytest_asyncio.fixture
async def client(sandbox):
    async with SandboxClient(sandbox.url) as sandbox_client:
        yield sandbox_client


@pytest_asyncio.fixture
async def raw(sandbox):
    async with aiohttp.ClientSession() as session:
        yield RawApi(session, sandbox.url, sandbox.token)
