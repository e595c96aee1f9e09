"""Webhook workers: updates per second and latency with 1, 2 and 4 `foorumi run` processes.

    .venv/bin/python -m bench.workers                          # 1, 2 and 4 workers, 300 residents each
    .venv/bin/python -m bench.workers --workers 2 --residents 100 --connections 16

For each number of workers: a fresh PostgreSQL database on the tests' server (127.0.0.1:5432,
created and dropped as tests/support/databases.py does) with Mikkeli's areas, PROPOSALS approved
proposals and an open approval ballot; that many `foorumi run` processes in webhook mode
(REDIS_URL for their conversations, a Redis database of the benchmark's own with a bot id of
the run's own) behind this script, which is both the load balancer and Telegram: it posts real
webhook requests round-robin over the workers, and answers the workers' Bot API calls at once
(a recording endpoint in this process: every call succeeds, and it remembers each chat's newest
message with buttons, which the residents press next).

Each of `--residents` new residents goes through a realistic journey, waiting for each answer
as a person waits for the reply: /start and the three onboarding taps (language, who they are,
their area), then `--everyday` updates: 40 % vote taps in the ballot (an approval ballot: a tap
chooses or un-chooses), 60 % taps through the proposal list (pages, newest or most supported).
`--connections` residents go at once (Telegram's default is 40 per bot). Unmeasured first: the
workers start, and `--warm-up` residents go through the same journey. Measured: updates per
second over the whole run, and the latency of each request (from sending it to its 200, which
the webhook gives once the update has been handled) at p50 / p99 / max; the whole machine's CPU
(2 cores here) shows what the database, the workers and this script together used. The workers
are then stopped with SIGTERM; a non-zero exit status or an ERROR in their log is reported.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.replies import ms, percentile
from bench.updates import cpu_sample, cpu_used
from bot.clock import SystemClock
from bot.notices.ballot_buttons import VotePick
from bot.services import ballots, moderation, proposals, residents, staff
from bot.services.ballots import BallotDraft, OptionDraft
from bot.services.proposals import Draft
from domain import ALL_AREAS, Method, Role
from handlers.proposals_views import ProposalList, Sort
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory, unit_of_work_factory
from tests.e2e.conftest import (
    BotProcess,
    free_port,
    post_update,
    start_bot_process,
    wait_for_exit,
    wait_until_serving,
    with_mikkeli_areas,
)
from tests.support import updates
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.forums import NOTICES

REDIS_URL = "redis://127.0.0.1:6379/12"  # the benchmark's own database; keys carry the run's bot id
PROPOSALS = 24  # approved: the list has pages to turn
LIST_PAGES = 3
EDITOR, MODERATOR = 1003, 1004
FIRST_RESIDENT = 960_000_000
VOTE_SHARE = 0.4  # of the everyday updates; the rest are proposal list views
REQUEST_TIMEOUT = 60.0


# --- Telegram's side: a Bot API that answers at once ------------------------------------------------

class RecordingBotApi:
    """Answers every Bot API call at once; keeps each chat's newest message with buttons."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.bot_id = int(token.split(":")[0])
        self.message_ids = itertools.count(1)
        self.buttons: dict[int, tuple[int, list[str]]] = {}  # chat → (message id, callback data)
        self.calls = 0

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[RecordingBotApi]:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            await runner.cleanup()

    async def answer(self, request: web.Request) -> web.Response:
        self.calls += 1
        params = await request.post()
        method = request.match_info["method"].lower()
        result: Any = True
        if method == "getme":
            result = {"id": self.bot_id, "is_bot": True, "first_name": "Foorumi", "username": "foorumi_bench_bot"}
        elif method.startswith("send") and method != "sendchataction" or method.startswith("edit"):
            result = self.message(method, params)
        return web.json_response({"ok": True, "result": result})

    def message(self, method: str, params: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"]) if method.startswith("edit") else next(self.message_ids)
        markup = json.loads(params.get("reply_markup") or "{}")
        pressable = [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row
                     if "callback_data" in button]
        if pressable:
            self.buttons[chat_id] = (message_id, pressable)
        return {"message_id": message_id, "date": int(time.time()), "text": params.get("text") or "…",
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": self.bot_id, "is_bot": True, "first_name": "Foorumi"}}


# --- the residents -----------------------------------------------------------------------------------

@dataclass
class Newcomer:
    """A resident new to the bot, as this script plays them."""

    person: updates.Person
    rng: random.Random

    def tap_on_newest(self, api: RecordingBotApi, prefix: str) -> dict[str, Any]:
        """Press the first button starting with `prefix` on the newest message with buttons."""
        message_id, pressable = api.buttons[self.person.id]
        data = next(data for data in pressable if data.startswith(prefix))
        return updates.callback(self.person, data, message_id=message_id)

    def everyday(self, api: RecordingBotApi, ballot: Ballot) -> dict[str, Any]:
        message_id, _ = api.buttons[self.person.id]
        if self.rng.random() < VOTE_SHARE:
            data = VotePick(ballot=ballot.id, option=self.rng.choice(ballot.option_ids)).pack()
        else:
            data = ProposalList(page=self.rng.randrange(LIST_PAGES), area=ALL_AREAS,
                                sort=self.rng.choice(list(Sort))).pack()
        return updates.callback(self.person, data, message_id=message_id)


@dataclass(frozen=True)
class Ballot:
    id: int
    option_ids: list[int]


class Balancer:
    """Round-robin over the workers; keeps every request's latency."""

    def __init__(self, session: aiohttp.ClientSession, workers: list[BotProcess]) -> None:
        self.session = session
        self.workers = workers
        self.turns = itertools.cycle(workers)
        self.latencies: list[float] = []
        self.failed = 0

    async def post(self, update: dict[str, Any]) -> None:
        worker = next(self.turns)
        started = time.monotonic()
        try:
            status = await post_update(self.session, worker.webhook, update)
        except (aiohttp.ClientError, TimeoutError):
            status = None
        if status == 200:
            self.latencies.append(time.monotonic() - started)
        else:
            self.failed += 1


async def journey(resident: Newcomer, api: RecordingBotApi, balancer: Balancer, ballot: Ballot,
                  everyday: int) -> None:
    """/start, the three onboarding taps, then everyday taps – each once the one before is answered."""
    await balancer.post(updates.message(resident.person, "/start"))
    for prefix in (f"lang:{resident.person.language_code}:", "type:", "area:"):
        await balancer.post(resident.tap_on_newest(api, prefix))
    for _ in range(everyday):
        await balancer.post(resident.everyday(api, ballot))


async def drive(people: list[Newcomer], api: RecordingBotApi, balancer: Balancer, ballot: Ballot,
                everyday: int, connections: int) -> float:
    """Every resident's journey, `connections` at once; the seconds it took."""
    queue = list(reversed(people))

    async def connection() -> None:
        while queue:
            await journey(queue.pop(), api, balancer, ballot, everyday)

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return time.monotonic() - started


def residents_from(first: int, count: int, seed: int) -> list[Newcomer]:
    return [Newcomer(updates.Person(first + n, f"Asukas {n}", "fi"), random.Random(f"{seed}:{n}"))
            for n in range(count)]


# --- the store --------------------------------------------------------------------------------------

async def seed(database_url: str) -> Ballot:
    """Mikkeli's areas, PROPOSALS approved proposals and an open approval ballot of three options."""
    await with_mikkeli_areas(database_url)
    engine = create_engine(database_url)
    uow_factory: UnitOfWorkFactory = unit_of_work_factory(create_session_factory(engine))
    now = SystemClock().now()
    try:
        async with uow_factory() as uow:
            await staff.grant(uow, EDITOR, Role.EDITOR, None)
            await staff.grant(uow, MODERATOR, Role.MODERATOR, None)
        for number in range(PROPOSALS):
            async with uow_factory() as uow:
                author = await residents.greet(uow, 950_000_000 + number, "fi", now)
                proposal = await proposals.submit(
                    uow, author, Draft(f"Ehdotus numero {number}: penkkejä puistoon {number}",
                                       "Puistossa ei ole tarpeeksi penkkejä."), 3, NOTICES, now)
                await moderation.approve(uow, MODERATOR, proposal.id, NOTICES, now)
        async with uow_factory() as uow:
            ballot = await ballots.create(uow, EDITOR, BallotDraft(
                {"fi": "Mitä puistoon?"}, [OptionDraft({"fi": label}) for label in ("Penkit", "Valot", "Puut")],
                now - timedelta(minutes=1), now + timedelta(days=7), method=Method.APPROVAL, max_choices=2), now)
            return Ballot(ballot.id, [option.id for option in ballot.options])
    finally:
        await engine.dispose()


# --- one run -------------------------------------------------------------------------------------------

@dataclass
class RunResult:
    workers: int
    updates: int
    seconds: float
    latencies: list[float]
    failed: int
    machine_cpu: float  # % of one core, the whole machine
    workers_cpu: float  # % of one core, the workers together
    driver_cpu: float  # % of one core, this script (the load and the Bot API)
    exit_codes: list[int]
    errors_logged: int

    def row(self) -> str:
        return (f"| {self.workers} | {self.updates:,} | {self.updates / self.seconds:,.0f} | "
                f"{ms(percentile(self.latencies, 50))} | {ms(percentile(self.latencies, 99))} | "
                f"{ms(max(self.latencies))} | {self.failed} | {self.machine_cpu:.0f} % | "
                f"{self.workers_cpu:.0f} % | {self.driver_cpu:.0f} % | "
                f"{', '.join(map(str, self.exit_codes))} | {self.errors_logged} |")


HEADER = ("| workers | updates | updates/s | p50 | p99 | max | failed | CPU: machine | workers | this script "
          "| exit codes | ERROR lines |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def run(workers: int, args: argparse.Namespace, workdir: Path) -> RunResult:
    token = f"{uuid.uuid4().int % 10**9 + 10**9}:BENCH-workers"  # a bot id of the run's own: its own Redis keys
    async with AsyncExitStack() as stack:
        database_url = await stack.enter_async_context(fresh_postgres_database())
        ballot = await seed(database_url)
        api = await stack.enter_async_context(RecordingBotApi(token).serving())
        processes = [start_bot_process(api, database_url, workdir / f"w{workers}-{n}.log", offset=None,
                                       redis_url=REDIS_URL, log_level="WARNING")
                     for n in range(1, workers + 1)]
        try:
            for process in processes:
                await wait_until_serving(process.webhook, process)
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            connector = aiohttp.TCPConnector(limit=args.connections * 2)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                warm_up = Balancer(session, processes)
                await drive(residents_from(FIRST_RESIDENT, args.warm_up, args.seed), api, warm_up, ballot,
                            args.everyday, args.connections)
                measured = Balancer(session, processes)
                people = residents_from(FIRST_RESIDENT + args.warm_up, args.residents, args.seed + 1)
                cpu, workers_before = cpu_sample(), sum(process_cpu(p.process.pid) for p in processes)
                seconds = await drive(people, api, measured, ballot, args.everyday, args.connections)
                used = cpu_used(cpu)
                workers_used = sum(process_cpu(p.process.pid) for p in processes) - workers_before
        finally:
            for process in processes:
                process.process.send_signal(signal.SIGTERM)
            codes = [await wait_for_exit(process, 60) for process in processes]
    errors = sum(process.log.read_text(errors="replace").count(" ERROR ") for process in processes)
    share = 100 / used["wall"]
    return RunResult(workers, len(measured.latencies) + measured.failed, seconds, measured.latencies,
                     measured.failed, used["machine"] * share, workers_used * share, used["self"] * share,
                     codes, errors)


async def bench(args: argparse.Namespace) -> None:
    if reason := await postgres_unavailable_reason():
        raise SystemExit(reason)
    print(f"{args.residents} residents × {4 + args.everyday} updates, {args.connections} connections, "
          f"{os.cpu_count()} CPUs", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="foorumi-workers-") as workdir:
        for workers in args.workers:
            result = await run(workers, args, Path(workdir))
            rows.append(result.row())
            print(result.row(), flush=True)
    print(HEADER)
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2,4", help="numbers of worker processes, comma-separated")
    parser.add_argument("--residents", type=int, default=300, help="residents measured, per run")
    parser.add_argument("--everyday", type=int, default=6, help="everyday updates per resident after onboarding")
    parser.add_argument("--connections", type=int, default=32, help="residents (requests) at once")
    parser.add_argument("--warm-up", type=int, default=40, help="residents first, unmeasured")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.workers = [int(part) for part in args.workers.split(",") if part.strip()]
    if not args.workers or min(args.workers) < 1 or args.residents < 1 or args.connections < 1:
        parser.error("workers, residents and connections must be positive")
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
