"""Update-handling throughput: the full Foorumi dispatcher and store versus a bare echo bot.

    .venv/bin/python -m bench.updates [--residents 300] [--concurrency 16]

Feeds a realistic mix of updates (commands, onboarding answers, button presses, stray text)
through the real Dispatcher, middlewares and store with the recording Bot session (no network),
and the same updates through a bare aiogram Dispatcher with one echo handler (the ceiling).
Telegram's pacing runs on a fake clock, so its waits cost nothing: this measures the bot's own
work per update. Prints one line per backend: SQLite always, PostgreSQL when it answers.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message

from foorumi.app import build_app, prepare_database
from bot.config import load_settings
from bot.services import areas
from tests.support import updates
from tests.support.clock import FakeClock
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.recording import RecordingSession
from tests.support.updates import Person

AREAS = Path(__file__).resolve().parent.parent / "deploy" / "areas" / "mikkeli.yaml"
TOKEN = "42:BENCH-token"


def journey(person: Person, locale: str) -> list[dict[str, Any]]:
    """What one resident sends: onboarding, a look at help and settings, a change, a stray text."""
    return [
        updates.message(person, "/start"),
        updates.callback(person, f"lang:{locale}:o"),
        updates.callback(person, "type:holiday:o"),
        updates.callback(person, "areas:1:o"),
        updates.callback(person, "area:3:o"),
        updates.message(person, "/help"),
        updates.message(person, "/settings"),
        updates.callback(person, "set:area"),
        updates.callback(person, "area:5:s"),
        updates.message(person, "milloin seuraava foorumi on?"),
    ]


def workload(residents: int) -> list[list[dict[str, Any]]]:
    locales = ("fi", "sv", "en")
    return [
        journey(Person(500_000 + n, f"Resident {n}", locales[n % 3]), locales[n % 3])
        for n in range(residents)
    ]


async def drive(
    feed: Callable[[dict[str, Any]], Awaitable[Any]], journeys: list[list[dict[str, Any]]], concurrency: int
) -> tuple[float, list[float]]:
    """Each resident's updates in order (they wait for replies), `concurrency` residents at once."""
    latencies: list[float] = []
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for steps in journeys:
        queue.put_nowait(steps)

    async def worker() -> None:
        while not queue.empty():
            for update in queue.get_nowait():
                started = time.perf_counter()
                await feed(update)
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def echo_dispatcher() -> tuple[Dispatcher, Bot]:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher, Bot(TOKEN, session=RecordingSession())


def summary(name: str, elapsed: float, latencies: list[float], ceiling: float | None) -> str:
    rate = len(latencies) / elapsed
    cut = statistics.quantiles(latencies, n=100)
    line = (f"{name:<22} updates={len(latencies):>6}  updates/s={rate:8.1f}  "
            f"p50={cut[49] * 1000:6.2f} ms  p99={cut[98] * 1000:6.2f} ms")
    if ceiling:
        line += f"  ratio_to_ceiling={rate / ceiling:.3f}"
    return line


async def foorumi_run(database_url: str, journeys: list[list[dict[str, Any]]], concurrency: int) -> tuple[float, list[float]]:
    settings = load_settings(bot_token=TOKEN, database_url=database_url, _env_file=None)
    app = build_app(settings, session=RecordingSession(), clock=FakeClock())
    try:
        await prepare_database(app.engine)
        async with app.uow_factory() as uow:
            await areas.load(uow, areas.parse_area_file(AREAS))
        return await drive(lambda u: app.dispatcher.feed_raw_update(app.bot, u), journeys, concurrency)
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    dispatcher, bot = echo_dispatcher()
    elapsed, latencies = await drive(
        lambda u: dispatcher.feed_raw_update(bot, u), workload(args.residents), args.concurrency
    )
    ceiling = len(latencies) / elapsed
    print(summary("ceiling (bare echo)", elapsed, latencies, None))

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{directory}/bench.db"
        elapsed, latencies = await foorumi_run(url, workload(args.residents), args.concurrency)
        print(summary("foorumi on SQLite", elapsed, latencies, ceiling))

    reason = await postgres_unavailable_reason()
    if reason:
        print(f"foorumi on PostgreSQL   skipped: {reason}")
        return
    async with fresh_postgres_database() as url:
        elapsed, latencies = await foorumi_run(url, workload(args.residents), args.concurrency)
        print(summary("foorumi on PostgreSQL", elapsed, latencies, ceiling))


if __name__ == "__main__":
    asyncio.run(main())
