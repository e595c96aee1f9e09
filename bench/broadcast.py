"""Broadcast throughput against the local Bot API sandbox with Telegram's limits on.

    .venv/bin/python -m bench.broadcast                       # the three runs below
    .venv/bin/python -m bench.broadcast --run free:10000      # one run: mode:recipients
    .venv/bin/python -m bench.broadcast --run crash:20000 --database-url postgresql+asyncpg://...

Runs: `free` (10,000 recipients at Telegram's 30/s), `paid` (100,000 at 1000/s with
allow_paid_broadcast) and `crash` (paid mode; the sender is killed with SIGKILL halfway and
restarted). The sandbox runs in its own process (`python -m sandbox`), the sender in another
(`python -m bench.broadcast worker`: the bot's own composition root, build_app, running only its
outbox sender), and this script seeds, watches and counts. Prints one line per run; the achieved
rate, 429s, duplicates and losses come from the sandbox's own delivery log and counters.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from bot.clock import SystemClock
from bot.config import FREE_BROADCAST_LIMIT, PAID_BROADCAST_LIMIT
from sandbox import SandboxClient
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import Delivery, Resident
from storage.uow import UnitOfWork

TOKEN = "123456:BENCH-token"
FIRST_ID = 900_000_000
SEED_CHUNK = 10_000
DEFAULT_RUNS = ("free:10000", "paid:100000", "crash:20000")


@dataclass
class Result:
    mode: str
    recipients: int
    limit: float
    achieved: float
    too_many: int
    duplicates: int
    lost: int
    in_flight_at_kill: int | None
    peak_rss_mb: float
    idle_rss_mb: float
    max_loop_lag: float
    seconds: float

    def line(self) -> str:
        crash = f" in-flight-at-kill={self.in_flight_at_kill}" if self.in_flight_at_kill is not None else ""
        return (f"{self.mode:<5} recipients={self.recipients} limit={self.limit:g}/s "
                f"achieved={self.achieved:.1f}/s ratio={self.achieved / self.limit:.3f} "
                f"429s={self.too_many} duplicates={self.duplicates} lost={self.lost}{crash} "
                f"peak_rss={self.peak_rss_mb:.0f}MB (idle {self.idle_rss_mb:.0f}MB) "
                f"max_loop_lag={self.max_loop_lag * 1000:.0f}ms wall={self.seconds:.0f}s")


# --- the orchestrator -----------------------------------------------------------------------

async def bench(mode: str, recipients: int, database_url: str | None) -> Result:
    paid = mode in ("paid", "crash")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(port), "--token", TOKEN],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="foorumi-bench-") as workdir:
        database_url = database_url or f"sqlite+aiosqlite:///{workdir}/bench.db"
        try:
            async with SandboxClient(url) as client:
                await wait_until_up(client)
                await seed(client, database_url, recipients)
                await client.reset()
                started = time.monotonic()
                worker_env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_URL": url,
                              "DATABASE_URL": database_url, "BROADCAST_PAID": str(paid).lower(),
                              "LOG_LEVEL": "WARNING"}
                in_flight = None
                worker = spawn_worker(worker_env)
                if mode == "crash":
                    await wait_for_accepted(client, recipients // 2, worker)
                    worker.send_signal(signal.SIGKILL)
                    worker.wait()
                    in_flight = await count_in_flight(database_url)
                    worker = spawn_worker(worker_env)
                stdout, _ = worker.communicate(timeout=3600)
                seconds = time.monotonic() - started
                report = json.loads(stdout.strip().splitlines()[-1])
                log = await full_delivery_log(client)
                stats = await client.stats()
        finally:
            sandbox.send_signal(signal.SIGINT)
            sandbox.wait(timeout=30)
    counts = Counter(entry["chat_id"] for entry in log if entry["chat_id"] >= FIRST_ID)
    times = [entry["time"] for entry in log]
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return Result(mode, recipients, PAID_BROADCAST_LIMIT if paid else FREE_BROADCAST_LIMIT, achieved,
                  stats["too_many_requests"], sum(n - 1 for n in counts.values()), recipients - len(counts),
                  in_flight, report["peak_rss_mb"], report["idle_rss_mb"], report["max_loop_lag"], seconds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_until_up(client: SandboxClient) -> None:
    for _ in range(100):
        try:
            await client.limits()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


async def seed(client: SandboxClient, database_url: str, recipients: int) -> None:
    """N subscribers: sandbox users and residents (no quiet hours) and one broadcast to them all."""
    for start in range(0, recipients, SEED_CHUNK):
        count = min(SEED_CHUNK, recipients - start)
        await client.add_users([{"id": FIRST_ID + start + n, "first_name": "Subscriber"} for n in range(count)])
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with UnitOfWork(create_session_factory(engine)) as uow:
            for start in range(0, recipients, SEED_CHUNK):
                count = min(SEED_CHUNK, recipients - start)
                await uow.session.execute(insert(Resident), [
                    {"telegram_id": FIRST_ID + start + n, "locale": ("fi", "sv", "en")[n % 3],
                     "locale_confirmed": True, "quiet_from": 0, "quiet_until": 0}
                    for n in range(count)])
            await uow.commit()
            from domain import Audience
            from bot.services import outbox
            from domain import Notice

            await outbox.enqueue(uow, Audience(), Notice({"fi": "Foorumi torstaina klo 18 – tervetuloa!",
                                                          "sv": "Forum på torsdag kl. 18 – välkommen!"}),
                                 kind="broadcast", now=SystemClock().now())
            await uow.commit()
    finally:
        await engine.dispose()


def spawn_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bench.broadcast", "worker"], env=env,
                            stdout=subprocess.PIPE, text=True)


async def wait_for_accepted(client: SandboxClient, count: int, worker: subprocess.Popen[str]) -> None:
    while (await client.stats())["accepted"] < count:
        if worker.poll() is not None:
            raise RuntimeError("the worker ended before the kill")
        await asyncio.sleep(0.01)


async def count_in_flight(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            statement = select(func.count()).select_from(Delivery).where(Delivery.status == "sending")
            return (await connection.execute(statement)).scalar_one()
    finally:
        await engine.dispose()


async def full_delivery_log(client: SandboxClient) -> list[dict]:
    log: list[dict] = []
    while page := await client.delivery_log(offset=len(log), limit=50_000):
        log.extend(page)
    return log


# --- the worker: the bot's own sender, until the outbox is empty ---------------------------

async def work() -> None:
    from foorumi.app import build_app, settle_memory
    from bot.config import load_settings

    app = build_app(load_settings())
    settle_memory()
    idle_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lag = asyncio.create_task(loop_lag())
    task = asyncio.create_task(app.outbox.run())
    try:
        while await unfinished(app) and not task.done():
            await asyncio.sleep(0.5)
    finally:
        await app.close()  # stops the sender gracefully (records what is in flight)
        lag.cancel()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak, "idle_rss_mb": idle_rss, "max_loop_lag": LAG[0]}), flush=True)


LAG = [0.0]


async def loop_lag() -> None:
    """The longest the sender's event loop was busy (a stall delays every send behind it)."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        LAG[0] = max(LAG[0], time.monotonic() - before - 0.01)


async def unfinished(app) -> bool:  # type: ignore[no-untyped-def]
    from storage.models import Broadcast

    async with app.uow_factory() as uow:
        statement = select(func.count()).select_from(Broadcast).where(Broadcast.status != "done")
        return bool(await uow.session.scalar(statement))


def main() -> None:
    if sys.argv[1:2] == ["worker"]:
        asyncio.run(work())
        return
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="append", help="mode:recipients, mode one of free, paid, crash")
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run")
    args = parser.parse_args()
    for run in args.run or DEFAULT_RUNS:
        mode, _, recipients = run.partition(":")
        if mode not in ("free", "paid", "crash") or not recipients.isdigit():
            parser.error(f"--run {run!r}: use free:N, paid:N or crash:N")
        print(asyncio.run(bench(mode, int(recipients), args.database_url)).line(), flush=True)


if __name__ == "__main__":
    main()
