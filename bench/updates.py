"""Update handling: the full Foorumi dispatcher and store versus a bare echo bot, closed and open loop.

    .venv/bin/python -m bench.updates [--residents 300] [--concurrency 16]        # closed loop
    .venv/bin/python -m bench.updates --mode open [--database sqlite|postgresql]
        [--rates 25,50,75,100,150,200,250,300] [--seconds 10] [--residents 300]    # open loop
    .venv/bin/python -m bench.updates --mode open --database postgresql --workers 2

Closed loop: a realistic mix of updates (commands, onboarding answers, button presses, stray
text) through the real Dispatcher, middlewares and store with the recording Bot session (no
network), each resident's updates in order, `--concurrency` residents at a time; and the same
updates through a bare aiogram Dispatcher with one echo handler (the ceiling, best of 3).

Open loop: `--residents` residents are onboarded first and 3 s of everyday updates warm the app
up (neither measured); then, for each rate, updates arrive for `--seconds` as a Poisson process
of that mean rate, each from a random resident (70 % /settings buttons, 20 % commands, 10 %
stray text), and each is fed to the dispatcher as its own task at its arrival time. Latency
runs from the arrival to the handler finishing, so time spent waiting behind earlier updates
counts. After the last arrival the updates still running get `--drain` seconds, then count as
unfinished; once a rate's p99 passes 1 s the higher rates are skipped (`--all-rates` runs
them). Prints p50 / p99 / max per rate and the highest rate whose p99 stays under 50 ms.
`--workers 2` (PostgreSQL) splits the arrivals by resident between two worker processes, each
with its own app and event loop against the same database, and reports the combined figures.

Every app is started as the bot starts (`foorumi.app.start`, then `settle_memory`, i.e.
gc.freeze). Telegram's pacing runs on a fake clock, so its waits cost nothing: this measures the
bot's own work per update. Every run prints SQL statements, commits, rollbacks, pool
checkouts and Bot API calls per update (engine and pool events on the app's engine, counted
only inside update handling; the outbox sender's and scheduler's own queries are shown apart
as "background"), the CPU used by the bot and by the whole machine, garbage collections, and
the idle RSS after start next to `import aiogram` alone. Without --database: SQLite always,
PostgreSQL when it answers.
"""
from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import json
import logging
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import load_settings
from bot.services import areas
from foorumi.app import App, build_app, prepare_database, settle_memory, start
from tests.support import updates
from tests.support.clock import FakeClock
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason
from tests.support.recording import RecordingSession
from tests.support.updates import Person

ROOT = Path(__file__).resolve().parent.parent
AREAS = ROOT / "deploy" / "areas" / "mikkeli.yaml"
TOKEN = "42:BENCH-token"
FIRST_RESIDENT = 500_000
P99_TARGET = 0.050          # seconds: the open loop reports the highest rate whose p99 stays below
OVERLOADED = 1.0            # seconds of p99 (or any update unfinished) after which higher rates are skipped
DEFAULT_RATES = "25,50,75,100,150,200,250,300"
WARM_UP_RATE, WARM_UP_SECONDS = 100.0, 3.0  # everyday updates handled first, unmeasured (warm caches)
START_DELAY = 1.0           # seconds between handing workers their arrivals and the first arrival
CANCEL_GRACE = 5.0          # seconds cancelled stragglers get to unwind


# --- what residents send ---------------------------------------------------------------------

def people(residents: int) -> list[Person]:
    locales = ("fi", "sv", "en")
    return [Person(FIRST_RESIDENT + n, f"Resident {n}", locales[n % 3]) for n in range(residents)]


def journey(person: Person, locale: str) -> list[dict[str, Any]]:
    """What one resident sends: onboarding, a look at help and settings, a change, a stray text."""
    return onboarding(person, locale) + [
        updates.message(person, "/help"),
        updates.message(person, "/settings"),
        updates.callback(person, "set:area"),
        updates.callback(person, "area:5:s"),
        updates.message(person, "milloin seuraava foorumi on?"),
    ]


def onboarding(person: Person, locale: str) -> list[dict[str, Any]]:
    return [
        updates.message(person, "/start"),
        updates.callback(person, f"lang:{locale}:o"),
        updates.callback(person, "type:holiday:o"),
        updates.callback(person, "areas:1:o"),
        updates.callback(person, "area:3:o"),
    ]


def workload(residents: int) -> list[list[dict[str, Any]]]:
    return [journey(person, person.language_code or "fi") for person in people(residents)]


def onboardings(residents: int) -> list[list[dict[str, Any]]]:
    return [onboarding(person, person.language_code or "fi") for person in people(residents)]


AREA_COUNT = 22  # deploy/areas/mikkeli.yaml, loaded into a fresh database: ids 1..22
RESIDENT_TYPES = ("permanent", "holiday", "works", "other")


def everyday_update(rng: random.Random, person: Person) -> dict[str, Any]:
    """One update from an onboarded resident: 70 % /settings buttons, 20 % commands, 10 % text."""
    roll = rng.random()
    if roll < 0.70:
        data = rng.choice((
            "set:area", f"area:{rng.randint(1, AREA_COUNT)}:s", "areas:1:s",
            "set:type", f"type:{rng.choice(RESIDENT_TYPES)}:s",
            "set:language", f"lang:{person.language_code}:s", "set:overview",
        ))
        return updates.callback(person, data)
    if roll < 0.90:
        return updates.message(person, rng.choice(("/settings", "/help", "/start")))
    return updates.message(person, "milloin seuraava foorumi on?")


def arrivals(rate: float, seconds: float, residents: list[Person], seed: int) -> list[tuple[float, int, dict[str, Any]]]:
    """A Poisson process of `rate` per second over `seconds`: (offset, resident id, update)."""
    rng = random.Random(f"{seed}:{rate}")
    schedule: list[tuple[float, int, dict[str, Any]]] = []
    offset = rng.expovariate(rate)
    while offset < seconds:
        person = rng.choice(residents)
        schedule.append((offset, person.id, everyday_update(rng, person)))
        offset += rng.expovariate(rate)
    return schedule


# --- counting the store's work ---------------------------------------------------------------

IN_UPDATE: contextvars.ContextVar[bool] = contextvars.ContextVar("in_update", default=False)
COUNTED = ("statements", "commits", "rollbacks", "checkouts", "connects", "bot_api_calls")


@dataclass
class Counters:
    """Engine and pool events, split into those inside update handling and the rest."""

    update: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    background: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))

    def bump(self, what: str) -> None:
        (self.update if IN_UPDATE.get() else self.background)[what] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {"update": dict(self.update), "background": dict(self.background)}


def count_events(engine: AsyncEngine) -> Counters:
    counters = Counters()
    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", lambda *_: counters.bump("statements"))
    event.listen(sync_engine, "commit", lambda *_: counters.bump("commits"))
    event.listen(sync_engine, "rollback", lambda *_: counters.bump("rollbacks"))
    event.listen(sync_engine, "checkout", lambda *_: counters.bump("checkouts"))
    event.listen(sync_engine, "connect", lambda *_: counters.bump("connects"))
    return counters


def difference(after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {part: {k: after[part][k] - before[part][k] for k in COUNTED} for part in after}


def combined(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    return {part: {k: sum(p[part][k] for p in parts) for k in COUNTED} for part in ("update", "background")}


def per_update(counts: dict[str, dict[str, int]], handled: int) -> str:
    u, b = counts["update"], counts["background"]
    n = max(handled, 1)
    return (f"    per update: SQL {u['statements'] / n:.2f}  commits {u['commits'] / n:.2f}  "
            f"rollbacks {u['rollbacks'] / n:.2f}  checkouts {u['checkouts'] / n:.2f}  "
            f"Bot API calls {u['bot_api_calls'] / n:.2f}  "
            f"new connections {u['connects']}  | background: SQL {b['statements']}  "
            f"commits {b['commits']}  rollbacks {b['rollbacks']}  checkouts {b['checkouts']}")


class ErrorCount(logging.Handler):
    """Counts ERROR records (the errors router logs every failed update) and keeps the first."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


ERRORS = ErrorCount()


# --- CPU: the bot's share and the whole machine's ---------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_sample() -> dict[str, float]:
    """CPU seconds so far: this process (user + system) and the whole machine (busy, all)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return {"self": usage.ru_utime + usage.ru_stime, "machine": (sum(fields) - idle) / TICKS,
            "wall": time.monotonic()}


def cpu_used(before: dict[str, float]) -> dict[str, float]:
    after = cpu_sample()
    return {key: after[key] - before[key] for key in before}


def cpu_note(used: dict[str, float]) -> str:
    """The bot's CPU and the machine's, as % of one core over the run (the machine has N cores)."""
    wall = max(used["wall"], 1e-9)
    return (f"    CPU (% of one core): bot {used['self'] / wall * 100:.0f}%  whole machine {used['machine'] / wall * 100:.0f}% "
            f"of {os.cpu_count() * 100}% (the rest: the database server, the benchmark's driver, anything else)")


class GcWatch:
    """Garbage collections while the app runs: how many, of the oldest generation, how long."""

    def __init__(self) -> None:
        self.collections = self.oldest = 0
        self.total = self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.collections += 1
        self.oldest += info["generation"] == 2
        self.total += pause
        self.longest = max(self.longest, pause)

    def snapshot(self) -> dict[str, float]:
        return {"collections": self.collections, "oldest": self.oldest, "total": self.total,
                "longest": self.longest}

    def reset_longest(self) -> None:
        self.longest = 0.0

    def close(self) -> None:
        gc.callbacks.remove(self._callback)


def gc_since(before: dict[str, float], watch: GcWatch) -> dict[str, float]:
    after = watch.snapshot()
    return {"collections": after["collections"] - before["collections"], "oldest": after["oldest"] - before["oldest"],
            "total": after["total"] - before["total"], "longest": after["longest"]}


def gc_note(collected: dict[str, float], late: float | None = None) -> str:
    lateness = "" if late is None else f"arrivals handed over up to {late * 1000:.1f} ms late;  "
    return (f"    {lateness}GC: {collected['collections']:.0f} collections ({collected['oldest']:.0f} of the "
            f"oldest generation), longest {collected['longest'] * 1000:.1f} ms, "
            f"total {collected['total'] * 1000:.0f} ms")


# --- memory ----------------------------------------------------------------------------------

def rss() -> dict[str, float]:
    """RSS in MB: current (VmRSS), this program's peak (VmHWM) and getrusage's ru_maxrss.

    ru_maxrss of a child process also holds its parent's RSS at the fork (Linux carries the
    old address space's high-water mark over exec), so for the subprocesses below VmHWM is
    the peak to read; for this process both agree.
    """
    status: dict[str, float] = {}
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(("VmRSS:", "VmHWM:")):
                status[line[:5]] = int(line.split()[1]) / 1024
    return {"current": status["VmRSS"], "hwm": status["VmHWM"],
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


RSS_SNIPPET = ("import json, resource; import aiogram; "
               "status = {l[:5]: int(l.split()[1]) / 1024 for l in open('/proc/self/status') "
               "if l.startswith(('VmRSS:', 'VmHWM:'))}; "
               "print(json.dumps({'current': status['VmRSS'], 'hwm': status['VmHWM'], "
               "'maxrss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")


def rss_line(label: str, figures: dict[str, float]) -> str:
    return (f"RSS  {label:<36} current (VmRSS) {figures['current']:6.1f} MB  peak (VmHWM) "
            f"{figures['hwm']:6.1f} MB  ru_maxrss {figures['maxrss']:6.1f} MB")


def measure_in_subprocess(arguments: list[str]) -> dict[str, float] | None:
    try:
        done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=120,
                              check=True, cwd=ROOT)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as error:
        stderr = (getattr(error, "stderr", None) or "").strip().splitlines()[-3:]
        print(f"  (RSS measurement failed: {error} {' | '.join(stderr)})")
        return None


def memory_report() -> None:
    """Idle RSS of a freshly started bot (its own process) next to `import aiogram` alone."""
    aiogram_only = measure_in_subprocess(["-c", RSS_SNIPPET])
    idle = measure_in_subprocess(["-m", "bench.updates", "--idle-rss"])
    if not aiogram_only or not idle:
        return
    print(rss_line("import aiogram alone:", aiogram_only))
    print(rss_line("Foorumi idle after start (SQLite):", idle))
    print(f"RSS  the bot's own share: {idle['current'] - aiogram_only['current']:.1f} MB current, "
          f"{idle['hwm'] - aiogram_only['hwm']:.1f} MB peak (each measured in its own fresh process; "
          f"a child's ru_maxrss includes this process's RSS at the fork)")


async def idle_rss() -> None:
    """The --idle-rss mode: start the bot on a temporary SQLite file and print its RSS (JSON)."""
    with tempfile.TemporaryDirectory() as directory:
        async with running_app(f"sqlite+aiosqlite:///{directory}/bench.db") as bench_app:
            print(json.dumps(bench_app.idle_rss))


# --- the app under measurement ----------------------------------------------------------------

class CountingSession(RecordingSession):
    """The recording session's answers, but the calls are counted, not kept: a list of every
    call would grow through the run and make each full garbage collection longer."""

    def __init__(self) -> None:
        super().__init__()
        self.on_call: Callable[[], None] = lambda: None

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:
        answer = await super().make_request(bot, method, timeout)
        self.on_call()
        self.calls.clear()
        return answer


@dataclass
class BenchApp:
    app: App
    session: CountingSession
    counters: Counters
    idle_rss: dict[str, float]
    gc: GcWatch = field(default_factory=GcWatch)

    def gc_start(self) -> dict[str, float]:
        self.gc.reset_longest()
        return self.gc.snapshot()

    async def feed(self, update: dict[str, Any]) -> None:
        """Handle one update; a button is pressed on the newest message with buttons in the
        resident's chat, as a resident would (an older one would be refused as stale)."""
        query = update.get("callback_query")
        latest = query and self.session.latest_with_buttons.get(query["from"]["id"])
        if latest:
            update = {**update, "callback_query": {**query, "message": {**query["message"], "message_id": latest}}}
        token = IN_UPDATE.set(True)
        try:
            await self.app.dispatcher.feed_raw_update(self.app.bot, update)
        finally:
            IN_UPDATE.reset(token)


@asynccontextmanager
async def running_app(database_url: str, load_areas: bool = True) -> AsyncIterator[BenchApp]:
    """The bot as `foorumi run` starts it (areas loaded beforehand), then gc.freeze."""
    settings = load_settings(bot_token=TOKEN, database_url=database_url, _env_file=None)
    session = CountingSession()
    app = build_app(settings, session=session, clock=FakeClock())
    counters = count_events(app.engine)
    session.on_call = lambda: counters.bump("bot_api_calls")
    try:
        await prepare_database(app.engine)
        if load_areas:
            async with app.uow_factory() as uow:
                await areas.load(uow, areas.parse_area_file(AREAS))
        await start(app)
        settle_memory()
        bench = BenchApp(app, session, counters, rss())
        try:
            yield bench
        finally:
            bench.gc.close()
    finally:
        await app.close()


# --- the closed loop ---------------------------------------------------------------------------

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
    return dispatcher, Bot(TOKEN, session=CountingSession())


async def ceiling(residents: int, concurrency: int, tries: int = 3) -> float:
    """The bare echo bot on the closed loop's updates: the best of `tries` runs (it takes ~0.5 s)."""
    dispatcher, bot = echo_dispatcher()
    best: tuple[float, list[float]] | None = None
    for _ in range(tries):
        elapsed, latencies = await drive(
            lambda u: dispatcher.feed_raw_update(bot, u), workload(residents), concurrency)
        if best is None or elapsed < best[0]:
            best = (elapsed, latencies)
    assert best is not None
    print(summary("ceiling (bare echo)", *best, None) + f"  (best of {tries})")
    return len(best[1]) / best[0]


def load_average(when: str) -> None:
    one, five, fifteen = os.getloadavg()
    print(f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} CPUs)")


def summary(name: str, elapsed: float, latencies: list[float], ceiling_rate: float | None) -> str:
    rate = len(latencies) / elapsed
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    line = (f"{name:<22} updates={len(latencies):>6}  updates/s={rate:8.1f}  "
            f"p50={cut[49] * 1000:6.2f} ms  p99={cut[98] * 1000:6.2f} ms")
    if ceiling_rate:
        line += f"  ratio_to_ceiling={rate / ceiling_rate:.4f}"
    return line


async def closed_loop(name: str, url: str, residents: int, concurrency: int, ceiling_rate: float) -> None:
    async with running_app(url) as bench:
        print(rss_line(f"{name}, idle after start:", bench.idle_rss))
        before, errors, cpu, collected = bench.counters.snapshot(), ERRORS.count, cpu_sample(), bench.gc_start()
        elapsed, latencies = await drive(bench.feed, workload(residents), concurrency)
        used, collected = cpu_used(cpu), gc_since(collected, bench.gc)
        counts = difference(bench.counters.snapshot(), before)
        print(summary(name, elapsed, latencies, ceiling_rate))
        print(per_update(counts, len(latencies)) + error_note(ERRORS.count - errors))
        print(cpu_note(used))
        print(gc_note(collected))


def error_note(errors: int) -> str:
    return f"  ERRORS {errors} (first: {ERRORS.first})" if errors else ""


# --- the open loop -----------------------------------------------------------------------------

@dataclass
class OpenResult:
    offered: int
    latencies: list[float]
    unfinished: int
    failed: int
    max_in_flight: int
    counts: dict[str, dict[str, int]]
    errors: int
    cpu: dict[str, float]
    by_kind: dict[str, list[float]]
    late: float
    gc: dict[str, float]

    @classmethod
    def merge(cls, parts: list[OpenResult]) -> OpenResult:
        """Workers' results together; the machine's CPU and the wall time are the first worker's."""
        cpu = dict(parts[0].cpu, self=sum(p.cpu["self"] for p in parts))
        by_kind = {kind: [x for p in parts for x in p.by_kind.get(kind, [])] for kind in KINDS}
        collected = {key: sum(p.gc[key] for p in parts) for key in ("collections", "oldest", "total")}
        collected["longest"] = max(p.gc["longest"] for p in parts)
        return cls(sum(p.offered for p in parts), [x for p in parts for x in p.latencies],
                   sum(p.unfinished for p in parts), sum(p.failed for p in parts),
                   sum(p.max_in_flight for p in parts), combined([p.counts for p in parts]),
                   sum(p.errors for p in parts), cpu, by_kind, max(p.late for p in parts), collected)


KINDS = ("button", "command", "text")


def kind_of(update: dict[str, Any]) -> str:
    if "callback_query" in update:
        return "button"
    return "command" if update["message"].get("text", "").startswith("/") else "text"


async def open_loop(bench: BenchApp, schedule: list[tuple[float, int, dict[str, Any]]], start_at: float,
                    drain: float) -> OpenResult:
    """Feed each update as its own task at start_at + offset (time.monotonic); wait at most `drain`
    seconds after the last arrival, then cancel what is still running (counted as unfinished)."""
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {kind: [] for kind in KINDS}
    failed = in_flight = max_in_flight = 0
    late = 0.0
    tasks: set[asyncio.Task[None]] = set()
    before, errors = bench.counters.snapshot(), ERRORS.count
    delay = start_at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
    cpu, collected = cpu_sample(), bench.gc_start()

    async def one(update: dict[str, Any], due: float) -> None:
        nonlocal failed, in_flight
        try:
            await bench.feed(update)
            latency = time.monotonic() - due
            latencies.append(latency)
            by_kind[kind_of(update)].append(latency)
        except Exception:
            failed += 1
        finally:
            in_flight -= 1

    for offset, _resident, update in schedule:
        due = start_at + offset
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        late = max(late, time.monotonic() - due)
        task = asyncio.create_task(one(update, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        in_flight += 1
        max_in_flight = max(max_in_flight, in_flight)

    unfinished = 0
    if tasks:
        _done, pending = await asyncio.wait(set(tasks), timeout=drain)
        unfinished = len(pending)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=CANCEL_GRACE)
    used, collected = cpu_used(cpu), gc_since(collected, bench.gc)
    counts = difference(bench.counters.snapshot(), before)
    return OpenResult(len(schedule), latencies, unfinished, failed, max_in_flight, counts, ERRORS.count - errors,
                      used, by_kind, late, collected)


def open_line(name: str, rate: float, seconds: float, result: OpenResult, ceiling_rate: float) -> str:
    lat = sorted(result.latencies)
    if len(lat) >= 2:
        cut = statistics.quantiles(lat, n=100, method="inclusive")
        figures = f"p50={cut[49] * 1000:7.1f} ms  p99={cut[98] * 1000:7.1f} ms  max={lat[-1] * 1000:7.1f} ms"
    else:
        figures = "p50=      – ms  p99=      – ms  max=      – ms"
    offered = result.offered / seconds
    return (f"{name:<22} rate={rate:5g}/s (offered {offered:6.1f}/s, {result.offered} updates)  {figures}  "
            f"in-flight max {result.max_in_flight}  unfinished {result.unfinished}  failed {result.failed}  "
            f"offered/ceiling={offered / ceiling_rate:.4f}")


def kinds_note(result: OpenResult) -> str:
    parts = []
    for kind in KINDS:
        lat = result.by_kind.get(kind, [])
        if len(lat) >= 2:
            cut = statistics.quantiles(lat, n=100, method="inclusive")
            parts.append(f"{kind}s ({len(lat)}) p50 {cut[49] * 1000:.1f} / p99 {cut[98] * 1000:.1f} ms")
    return "    by kind: " + ";  ".join(parts)


def p99(result: OpenResult) -> float:
    if result.unfinished or len(result.latencies) < 2:
        return float("inf")
    return statistics.quantiles(result.latencies, n=100, method="inclusive")[98]


def overloaded(rate: float, result: OpenResult, args: argparse.Namespace) -> bool:
    """Past this rate the backlog only grows: skip the higher ones (unless --all-rates)."""
    if args.all_rates or p99(result) <= OVERLOADED:
        return False
    higher = [f"{r:g}" for r in args.rates if r > rate]
    if higher:
        print(f"    overloaded at {rate:g}/s (p99 > {OVERLOADED:g} s or updates unfinished): "
              f"skipping {', '.join(higher)}/s (--all-rates runs them)")
    return True


def verdict(name: str, results: list[tuple[float, OpenResult]]) -> None:
    """The highest rate up to which every rate kept p99 under the target (and any passing above it)."""
    target = f"p99 < {P99_TARGET * 1000:.0f} ms"
    held = None
    for rate, result in results:  # ascending
        if p99(result) >= P99_TARGET:
            break
        held = rate
    stray = [f"{rate:g}" for rate, result in results
             if p99(result) < P99_TARGET and (held is None or rate > held)]
    line = f"{name}: highest rate with {target}: " + (f"{held:g}/s" if held is not None else "none")
    if stray:
        line += f" (also under it, above a rate that was not: {', '.join(stray)}/s)"
    print(line)


async def onboard(bench: BenchApp, residents: int) -> None:
    """Not measured: every resident goes through onboarding first."""
    await drive(bench.feed, onboardings(residents), 16)


async def open_series(name: str, url: str, args: argparse.Namespace, ceiling_rate: float) -> None:
    residents = people(args.residents)
    async with running_app(url) as bench:
        print(rss_line(f"{name}, idle after start:", bench.idle_rss))
        await onboard(bench, args.residents)
        warm_up = arrivals(WARM_UP_RATE, WARM_UP_SECONDS, residents, args.seed - 1)
        await drive(bench.feed, [[update] for _, _, update in warm_up], 4)  # unmeasured, as in the workers
        results: list[tuple[float, OpenResult]] = []
        for rate in args.rates:
            schedule = arrivals(rate, args.seconds, residents, args.seed)
            result = await open_loop(bench, schedule, time.monotonic() + 0.1, args.drain)
            print(open_line(name, rate, args.seconds, result, ceiling_rate))
            print(per_update(result.counts, len(result.latencies)) + error_note(result.errors))
            print(cpu_note(result.cpu))
            print(gc_note(result.gc, result.late))
            print(kinds_note(result))
            results.append((rate, result))
            if overloaded(rate, result, args):
                break
            await asyncio.sleep(args.pause)
    verdict(name, results)


# --- the open loop in several worker processes --------------------------------------------------

def worker_entry(connection: Any, url: str, commands: int) -> None:
    """A worker process: its own app and event loop; runs the arrivals the parent hands it."""
    logging.getLogger().addHandler(ERRORS)
    asyncio.run(worker_loop(connection, url, commands))


async def worker_loop(connection: Any, url: str, commands: int) -> None:
    loop = asyncio.get_running_loop()
    async with running_app(url, load_areas=False) as bench:  # the parent loaded them
        connection.send(("ready", bench.idle_rss))
        for _ in range(commands):  # bounded: the parent sends one command per rate, then "stop"
            if not await loop.run_in_executor(None, connection.poll, 600):
                return
            message = connection.recv()
            if message[0] == "warm":  # a fresh process: first uses (imports, caches, connections)
                await drive(bench.feed, [[update] for update in message[1]], 4)
                connection.send(("warm",))
                continue
            if message[0] != "run":
                return
            _, schedule, start_at, drain = message
            result = await open_loop(bench, schedule, start_at, drain)
            connection.send(("result", asdict(result)))  # plain data: this module is __mp_main__ here


async def open_series_workers(name: str, url: str, args: argparse.Namespace, ceiling_rate: float) -> None:
    residents = people(args.residents)
    async with running_app(url) as bench:  # onboards everyone, then goes away
        await onboard(bench, args.residents)
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for _ in range(args.workers):
        parent_end, child_end = context.Pipe()
        process = context.Process(target=worker_entry, args=(child_end, url, len(args.rates) + 2), daemon=True)
        process.start()
        pipes.append(parent_end)
        processes.append(process)
    loop = asyncio.get_running_loop()

    async def receive(pipe: Any, timeout: float) -> Any:
        if not await loop.run_in_executor(None, pipe.poll, timeout):
            raise TimeoutError("a worker did not answer")
        return pipe.recv()

    try:
        for index, pipe in enumerate(pipes):
            _, idle = await receive(pipe, 180)
            print(rss_line(f"worker {index} idle after start:", idle))
        warm_up = arrivals(WARM_UP_RATE, WARM_UP_SECONDS, residents, args.seed - 1)
        for index, pipe in enumerate(pipes):
            pipe.send(("warm", [update for _, resident, update in warm_up if resident % args.workers == index]))
        for pipe in pipes:
            await receive(pipe, 300)
        results: list[tuple[float, OpenResult]] = []
        for rate in args.rates:
            schedule = arrivals(rate, args.seconds, residents, args.seed)
            start_at = time.monotonic() + START_DELAY  # CLOCK_MONOTONIC is the same in every process
            for index, pipe in enumerate(pipes):
                share = [arrival for arrival in schedule if arrival[1] % args.workers == index]
                pipe.send(("run", share, start_at, args.drain))
            parts = [OpenResult(**(await receive(pipe, args.seconds + args.drain + CANCEL_GRACE + 120))[1])
                     for pipe in pipes]
            result = OpenResult.merge(parts)
            print(open_line(name, rate, args.seconds, result, ceiling_rate))
            print(per_update(result.counts, len(result.latencies))
                  + (f"  ERRORS {result.errors} (in the workers)" if result.errors else ""))
            print(cpu_note(result.cpu).replace("bot ", f"bot ({args.workers} workers together) "))
            print(gc_note(result.gc, result.late))
            print(kinds_note(result))
            print("    per worker: " + "  ".join(
                f"[{len(p.latencies)} done, p99 {p99(p) * 1000:.1f} ms]" for p in parts))
            results.append((rate, result))
            if overloaded(rate, result, args):
                break
            await asyncio.sleep(args.pause)
        verdict(name, results)
    finally:
        for pipe in pipes:
            try:
                pipe.send(("stop",))
            except (OSError, ValueError):
                pass
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


# --- the command line ---------------------------------------------------------------------------

def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("closed", "open"), default="closed")
    parser.add_argument("--database", choices=("sqlite", "postgresql"),
                        help="only this backend (default: SQLite, and PostgreSQL when it answers)")
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16, help="closed loop: residents at a time")
    parser.add_argument("--rates", default=DEFAULT_RATES, help="open loop: mean arrival rates per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="open loop: seconds of arrivals per rate")
    parser.add_argument("--drain", type=float, default=30.0,
                        help="open loop: seconds after the last arrival before the rest counts as unfinished")
    parser.add_argument("--pause", type=float, default=1.0, help="open loop: seconds between rates")
    parser.add_argument("--workers", type=int, default=1, help="open loop on PostgreSQL: worker processes")
    parser.add_argument("--all-rates", action="store_true",
                        help="open loop: run every rate even after one was overloaded (p99 > 1 s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--idle-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.rates = sorted(float(rate) for rate in str(args.rates).split(",") if rate.strip())
    if not args.rates or any(rate <= 0 for rate in args.rates) or args.seconds <= 0 or args.residents < 1:
        parser.error("rates, seconds and residents must be positive")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and (args.mode != "open" or args.database != "postgresql"):
        parser.error("--workers > 1 needs --mode open --database postgresql (SQLite has one writer)")
    return args


async def main() -> None:
    args = parse_arguments()
    if args.idle_rss:
        await idle_rss()
        return
    logging.getLogger().addHandler(ERRORS)
    load_average("at the start")
    memory_report()
    ceiling_rate = await ceiling(args.residents, args.concurrency)

    async def run(name: str, url: str) -> None:
        if args.mode == "closed":
            await closed_loop(name, url, args.residents, args.concurrency, ceiling_rate)
        elif args.workers > 1:
            await open_series_workers(f"{name} ×{args.workers}", url, args, ceiling_rate)
        else:
            await open_series(name, url, args, ceiling_rate)

    if args.database in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as directory:
            await run("foorumi on SQLite", f"sqlite+aiosqlite:///{directory}/bench.db")
    if args.database in (None, "postgresql"):
        reason = await postgres_unavailable_reason()
        if reason:
            print(f"foorumi on PostgreSQL   skipped: {reason}")
        else:
            async with fresh_postgres_database() as url:
                await run("foorumi on PostgreSQL", url)
    load_average("at the end")


if __name__ == "__main__":
    asyncio.run(main())
