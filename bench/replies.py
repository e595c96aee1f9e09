"""Reply latency seen from outside, through the local Bot API sandbox with Telegram's limits on.

    .venv/bin/python -m bench.replies                                  # 400 residents, 10,20,28/s, 20 s each
    .venv/bin/python -m bench.replies --residents 40 --rates 10 --seconds 5
    .venv/bin/python -m bench.replies --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

The sandbox runs in its own process (`python -m sandbox`, limits on: 30 sends in any second,
about one a second per chat), the bot in another (`python -m foorumi run`: build_app + run, long
polling against the sandbox; SQLite in a temporary directory, or with --database-url a fresh
PostgreSQL database created on that server and dropped afterwards), and this script acts as the
residents through the sandbox's control API. First, unmeasured: Mikkeli's areas are loaded,
`--residents` sandbox users send /start, answer the onboarding buttons (their language, "I live
here", the whole city) and send /settings. Then, for each rate, updates arrive for `--seconds`
as a Poisson process, each from a random resident who is not waiting for a reply: 70 % a press
of a /settings button on the newest message with buttons in their chat, 20 % /settings or
/help, 10 % a stray text.

Latency runs from the moment the update is handed to the sandbox until the bot's first visible
reply in that chat: a new message (its time from the sandbox's delivery log) or an edit (the
sandbox logs no time for edits: the moment this script's long poll of the chat's events sees it;
"poll overhead" is that same delay measured on the new messages). Prints per rate the offered
rate, replies delivered / expected, p50 / p99 / max latency, the 429s the sandbox answered the bot
with, and what an ideal sender that never exceeds 30 sends in any sliding second would add at p99
on the same arrivals with zero processing time (every update answered by a send, and only the
updates the bot answers with a new message).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.broadcast import TOKEN, free_port, full_delivery_log, wait_until_up
from domain import LOCALES, WHOLE_CITY
from sandbox import Limits, SandboxClient, SandboxError
from tests.e2e.conftest import Persona, with_mikkeli_areas

FIRST_ID = 910_000_000
DEFAULT_RATES = "10,20,28"
REPLY_TIMEOUT = 30.0          # seconds without a visible reply after which an update counts as unanswered
BOT_START_TIMEOUT = 60.0
ONBOARDING_AT_ONCE = 16
PAUSE_BETWEEN_RATES = 2.0
STRAY_TEXT = "milloin seuraava foorumi on?"
SENDS_PER_WINDOW, WINDOW_SECONDS = Limits().global_per_second, 1.0


# --- the residents ---------------------------------------------------------------------------

@dataclass
class Person:
    user_id: int
    locale: str
    keyboard: dict[str, Any] | None = None  # the newest bot message with inline buttons in their chat
    busy: bool = False  # an update of theirs is waiting for its reply

    def pressable(self) -> list[str]:
        """The /settings buttons on that message the benchmark presses (not Close or Quiet hours)."""
        wanted = re.compile(
            rf"set:(area|type|language|overview)|areas?:\d+:s|type:\w+:s|lang:{self.locale}:s")
        rows = ((self.keyboard or {}).get("reply_markup") or {}).get("inline_keyboard", [])
        return [data for row in rows for button in row
                if (data := button.get("callback_data")) and wanted.fullmatch(data)]

    def remember(self, message: dict[str, Any]) -> None:
        if (message.get("reply_markup") or {}).get("inline_keyboard"):
            self.keyboard = message


async def add_people(client: SandboxClient, count: int) -> list[Person]:
    people = [Person(FIRST_ID + n, LOCALES[n % len(LOCALES)]) for n in range(count)]
    await client.add_users([{"id": p.user_id, "first_name": f"Resident {n}", "language_code": p.locale}
                            for n, p in enumerate(people)])
    return people


async def onboard(client: SandboxClient, person: Person) -> None:
    """/start, the three onboarding answers, then /settings (the message the presses act on)."""
    persona = Persona(client, person.user_id)
    question = await persona.send("/start")
    for answer in (f"lang:{person.locale}:o", "type:permanent:o", f"area:{WHOLE_CITY}:o"):
        pressed = await client.press(person.user_id, question["message_id"], answer)
        question = await client.wait_for_edit(person.user_id, question["message_id"], pressed["seq"])
    person.remember(await persona.send("/settings"))


async def onboard_everyone(client: SandboxClient, people: list[Person]) -> None:
    turns = asyncio.Semaphore(ONBOARDING_AT_ONCE)

    async def one(person: Person) -> None:
        async with turns:
            await onboard(client, person)

    await asyncio.gather(*(one(person) for person in people))


# --- one measured update ---------------------------------------------------------------------

KINDS = ("button", "command", "text")


@dataclass(frozen=True)
class Action:
    kind: str  # one of KINDS
    payload: str  # callback data or text


@dataclass
class Outcome:
    action: Action
    chat_id: int
    injected_at: float  # time.time(), as the sandbox's delivery log
    reply: str  # "message", "edit", "none" (no reply within REPLY_TIMEOUT) or "refused" (by the sandbox)
    message_id: int = 0
    seen_at: float = 0.0  # when this script's long poll saw the reply


def next_action(rng: random.Random, person: Person) -> Action:
    roll, buttons = rng.random(), person.pressable()
    if roll < 0.70 and buttons:
        return Action("button", rng.choice(buttons))
    if roll < 0.90:
        return Action("command", rng.choice(("/settings", "/help")))
    return Action("text", STRAY_TEXT)


def is_visible_reply(event: dict[str, Any]) -> bool:
    return event["type"] in ("message", "edit") and bool(event["message"]) and event["message"]["from_bot"]


async def inject(client: SandboxClient, person: Person, action: Action) -> int:
    """Hand the update to the sandbox as the resident; the chat's event seq right after it."""
    if action.kind == "button":
        assert person.keyboard is not None
        sent = await client.press(person.user_id, person.keyboard["message_id"], action.payload)
    else:
        sent = await client.send_text(person.user_id, action.payload)
    return sent["seq"]


async def inject_and_watch(injector: SandboxClient, watcher: SandboxClient, person: Person,
                           action: Action) -> Outcome:
    injected_at = time.time()
    outcome = Outcome(action, person.user_id, injected_at, "none")
    try:
        seq = await inject(injector, person, action)
        event = await watcher.wait_for_event(person.user_id, seq, is_visible_reply, REPLY_TIMEOUT)
        outcome.seen_at = time.time()
        outcome.reply, outcome.message_id = event["type"], event["message"]["message_id"]
        person.remember(event["message"])
    except SandboxError:
        outcome.reply = "refused"
    except TimeoutError:
        pass
    finally:
        person.busy = False
    return outcome


# --- one rate ----------------------------------------------------------------------------------

@dataclass
class RateResult:
    rate: float
    seconds: float
    outcomes: list[Outcome]
    logged: dict[tuple[int, int], float]  # (chat, message) → when the sandbox accepted the send
    too_many: int
    late: float  # the latest an arrival was handed over after its due time
    skipped: int  # arrivals that found every resident waiting for a reply

    def latency(self, outcome: Outcome) -> float:
        if outcome.reply == "message":
            accepted = self.logged.get((outcome.chat_id, outcome.message_id), outcome.seen_at)
            return accepted - outcome.injected_at
        return outcome.seen_at - outcome.injected_at

    def latencies(self, reply: str | None = None) -> list[float]:
        return [self.latency(o) for o in self.outcomes
                if o.reply in ("message", "edit") and (reply is None or o.reply == reply)]

    def poll_overhead(self) -> list[float]:
        return [o.seen_at - self.logged[key] for o in self.outcomes
                if o.reply == "message" and (key := (o.chat_id, o.message_id)) in self.logged]

    def ideal_p99(self, kinds: tuple[str, ...]) -> float:
        arrivals = [o.injected_at for o in self.outcomes if o.action.kind in kinds]
        return percentile(ideal_added_delays(arrivals), 99)

    def lines(self) -> list[str]:
        everything = self.latencies()
        expected = len(self.outcomes)
        unanswered = sum(o.reply == "none" for o in self.outcomes)
        refused = sum(o.reply == "refused" for o in self.outcomes)
        return [
            f"rate {self.rate:g}/s  offered {(expected + self.skipped) / self.seconds:5.1f}/s  "
            f"replies {len(everything)}/{expected}  {figures(everything)}  429s {self.too_many}  "
            f"ideal 30/s sender adds p99 {ms(self.ideal_p99(KINDS))} (every update a send), "
            f"{ms(self.ideal_p99(('command', 'text')))} (only the new-message replies)",
            f"    new messages {len(self.latencies('message'))}: {figures(self.latencies('message'))};  "
            f"edits {len(self.latencies('edit'))}: {figures(self.latencies('edit'))};  "
            f"poll overhead p50 {ms(percentile(self.poll_overhead(), 50))};  "
            f"unanswered {unanswered}  refused {refused}  skipped {self.skipped};  "
            f"arrivals up to {ms(self.late)} late",
        ]


def poisson_offsets(rng: random.Random, rate: float, seconds: float) -> Iterator[float]:
    offset = rng.expovariate(rate)
    while offset < seconds:
        yield offset
        offset += rng.expovariate(rate)


async def measure(injector: SandboxClient, watcher: SandboxClient, people: list[Person], rate: float,
                  seconds: float, seed: int) -> RateResult:
    arrivals = random.Random(f"{seed}:{rate}:arrivals")  # the same times on every run, whatever the bot does
    rng = random.Random(f"{seed}:{rate}:choices")
    too_many_before = (await injector.stats())["too_many_requests"]
    tasks: list[asyncio.Task[Outcome]] = []
    late, skipped = 0.0, 0
    start = time.monotonic()
    for offset in poisson_offsets(arrivals, rate, seconds):
        await asyncio.sleep(max(0.0, start + offset - time.monotonic()))
        late = max(late, time.monotonic() - start - offset)
        idle = [person for person in people if not person.busy]
        if not idle:
            skipped += 1
            continue
        person = rng.choice(idle)
        person.busy = True
        action = next_action(rng, person)
        tasks.append(asyncio.create_task(inject_and_watch(injector, watcher, person, action)))
    outcomes = list(await asyncio.gather(*tasks))
    too_many = (await injector.stats())["too_many_requests"] - too_many_before
    log = await full_delivery_log(injector)
    logged = {(entry["chat_id"], entry["message_id"]): entry["time"] for entry in log}
    return RateResult(rate, seconds, outcomes, logged, too_many, late, skipped)


# --- the ideal sender and the figures ------------------------------------------------------------

def ideal_added_delays(arrivals: list[float]) -> list[float]:
    """Delays a zero-cost sender adds, sending each at once unless that would make
    SENDS_PER_WINDOW + 1 sends within WINDOW_SECONDS (then as soon as it no longer would)."""
    ordered = sorted(arrivals)
    sent: list[float] = []
    for arrival in ordered:
        earliest = sent[-SENDS_PER_WINDOW] + WINDOW_SECONDS if len(sent) >= SENDS_PER_WINDOW else arrival
        sent.append(max(arrival, earliest))
    return [leaves - arrival for leaves, arrival in zip(sent, ordered, strict=True)]


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def figures(latencies: list[float]) -> str:
    if not latencies:
        return "p50 – p99 – max –"
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    return f"p50 {ms(p50)}  p99 {ms(p99)}  max {ms(max(latencies))}"


# --- the processes ---------------------------------------------------------------------------------

@contextmanager
def sandbox_process() -> Iterator[str]:
    """`python -m sandbox` with Telegram's limits on; yields its BOT_API_URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(port), "--token", TOKEN],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


@contextmanager
def bot_process(api_url: str, database_url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The bot as an operator runs it (`foorumi run`: build_app + run, long polling); stderr to `log`."""
    env = {**os.environ, "BOT_TOKEN": TOKEN, "BOT_API_URL": api_url, "DATABASE_URL": database_url,
           "LOG_LEVEL": "WARNING"}
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "foorumi", "run"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


async def wait_for_bot(client: SandboxClient, chat_id: int, bot: subprocess.Popen[bytes], log: Path) -> None:
    """Until the bot has registered its commands (start-up is done but for the polling loop)."""
    deadline = time.monotonic() + BOT_START_TIMEOUT
    while not (await client.commands(chat_id))["commands"]:
        if bot.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError("the bot did not start: " + " | ".join(tail))
        await asyncio.sleep(0.2)


@asynccontextmanager
async def database(database_url: str | None, workdir: str) -> AsyncIterator[str]:
    """A fresh database: a SQLite file in `workdir`, or a new database on the PostgreSQL server of
    `database_url` (created through the database it names, dropped afterwards, as the tests do)."""
    if database_url is None:
        yield f"sqlite+aiosqlite:///{workdir}/replies.db"
        return
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    server = make_url(database_url)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"foorumi_bench_{uuid.uuid4().hex[:12]}"
    await execute(admin_dsn, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await execute(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def execute(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


# --- the orchestrator --------------------------------------------------------------------------------

async def bench(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:  # leaving it stops the bot, the sandbox, then drops the database
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="foorumi-replies-"))
        log = Path(workdir) / "bot.log"
        database_url = await stack.enter_async_context(database(args.database_url, workdir))
        api_url = stack.enter_context(sandbox_process())
        injector = await stack.enter_async_context(SandboxClient(api_url))
        watcher = await stack.enter_async_context(SandboxClient(api_url))  # long polls apart from injections
        await wait_until_up(injector)
        await with_mikkeli_areas(database_url)  # before the bot starts on it
        people = await add_people(injector, args.residents)
        bot = stack.enter_context(bot_process(api_url, database_url, log))
        await wait_for_bot(injector, people[0].user_id, bot, log)
        started = time.monotonic()
        await onboard_everyone(injector, people)
        stats = await injector.stats()
        print(onboarding_line(database_url, len(people), time.monotonic() - started, stats), flush=True)
        for rate in args.rates:
            await asyncio.sleep(PAUSE_BETWEEN_RATES)
            result = await measure(injector, watcher, people, rate, args.seconds, args.seed)
            print("\n".join(result.lines()), flush=True)
        print(log_note(log))  # before the bot is stopped (and says so)


def onboarding_line(database_url: str, residents: int, seconds: float, stats: dict[str, int]) -> str:
    backend = make_url(database_url).get_backend_name()
    return (f"{backend}: {residents} residents onboarded in {seconds:.1f} s "
            f"({stats['accepted']} sends, {stats['too_many_requests']} 429s)")


def log_note(log: Path) -> str:
    """What the bot logged at WARNING or above (its errors router logs every failed update)."""
    lines = log.read_text(errors="replace").strip().splitlines()
    return f"bot's log: {len(lines)} lines" + (f", first: {lines[0]}" if lines else "")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replies", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--rates", default=DEFAULT_RATES,
                        help="mean arrival rates per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of arrivals per rate")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    if not args.rates or min(args.rates) <= 0 or args.seconds <= 0 or args.residents < 1:
        parser.error("rates, seconds and residents must be positive")
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
