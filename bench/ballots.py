"""Counting one big ballot: the tally and the breakdowns of 1,000,000 votes, SQLite and PostgreSQL.

    .venv/bin/python -m bench.ballots               # both databases (PostgreSQL when it answers)
    .venv/bin/python -m bench.ballots --database sqlite --votes 100000

Seeds a fresh database – SQLite in a temporary file, or a new database on the PostgreSQL server
of the tests (127.0.0.1:5432, trust auth; created and dropped as tests/support/databases.py does)
– with `--votes` residents spread over 4 resident types and 22 areas, and one single-choice
ballot of 5 options in which every one of them voted. Seeding is bulk INSERT … SELECT over a
generated series (generate_series on PostgreSQL, a recursive CTE on SQLite), with a skewed but
fixed spread: some options, resident types and areas are much larger than others. Then ANALYZE
(VACUUM ANALYZE on PostgreSQL, as autovacuum would leave a table that big).

Timed, 5 runs each, best and median, against a target of 100 ms: the one grouped scan behind
the results (BallotRepository.grouped: votes per option, resident type, area and first choice)
and bot.services.ballot_counts.count as a whole (what live results and closing a ballot run: the
scan, then the tally, the voters and both breakdowns summed from it). A figure that misses the
target has its query plan printed (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
Nothing is asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger, ColumnElement, case, event, false, func, insert, literal, select, text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.services import ballot_counts, ballots, staff
from bot.services.ballots import BallotDraft, OptionDraft
from domain import ResidentType, Role
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import Area, Ballot, Resident, Vote
from storage.models.base import UtcDateTime
from storage.uow import UnitOfWork
from tests.support.databases import fresh_postgres_database, postgres_unavailable_reason

RUNS = 5
TARGET = 0.100  # seconds
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EDITOR = 1003
FIRST_TELEGRAM_ID = 800_000_000
# Shares in thousandths: a front-runner, a close second, and a long tail.
OPTION_SHARES = (340, 260, 200, 120, 80)
TYPE_SHARES = ((ResidentType.PERMANENT, 700), (ResidentType.HOLIDAY, 160), (ResidentType.WORKS, 100),
               (ResidentType.OTHER, 40))
AREAS = 22  # the centre's districts are big, the villages small: shares fall as 1/rank
LOCALE_SHARES = (("fi", 900), ("sv", 60), ("en", 40))
PRIME = 1_000_003  # bucket(i) = i·k mod PRIME mod 1000: a fixed, well-mixed spread per column


# --- seeding -----------------------------------------------------------------------------------

def bucket(column: Any, multiplier: int) -> ColumnElement[int]:
    return column * literal(multiplier, BigInteger()) % PRIME % 1000


def spread(value_of: ColumnElement[int], shares: Sequence[tuple[Any, int]]) -> ColumnElement[Any]:
    """CASE mapping a bucket 0..999 to values by their shares in thousandths."""
    whens, upto = [], 0
    for value, share in shares[:-1]:
        upto += share
        whens.append((value_of < upto, value))
    return case(*whens, else_=shares[-1][0])


def area_shares(area_ids: Sequence[int]) -> list[tuple[int, int]]:
    weights = [1 / rank for rank in range(1, len(area_ids) + 1)]
    thousandths = [round(1000 * weight / sum(weights)) for weight in weights]
    return list(zip(area_ids, thousandths, strict=True))


def series(engine: AsyncEngine, count: int) -> Any:
    """1..count as a FROM clause with the column i."""
    if engine.dialect.name == "postgresql":
        return func.generate_series(1, count).table_valued("i").render_derived()
    numbers = select(literal(1).label("i")).cte("numbers", recursive=True)
    return numbers.union_all(select(numbers.c.i + 1).where(numbers.c.i < count))


async def seed(engine: AsyncEngine, votes: int) -> Ballot:
    """`votes` residents, one single-choice ballot, and a vote from each of them; analysed."""
    async with engine.begin() as connection:
        await seed_residents(connection, engine, votes)
    async with UnitOfWork(create_session_factory(engine)) as uow:
        await staff.grant(uow, EDITOR, Role.EDITOR, None)
        options = [OptionDraft({"fi": f"Vaihtoehto {number}"}) for number in range(1, len(OPTION_SHARES) + 1)]
        ballot = await ballots.create(uow, EDITOR, BallotDraft(
            {"fi": "Mikä teema seuraavaan foorumiin?"}, options, NOW, NOW + timedelta(days=7)), NOW)
    async with engine.begin() as connection:
        await seed_votes(connection, ballot)
    await analyze(engine)
    return ballot


async def seed_residents(connection: AsyncConnection, engine: AsyncEngine, count: int) -> None:
    await connection.execute(insert(Area), [
        {"code": f"area{number:02}", "kind": "district" if number <= 14 else "village",
         "name_fi": f"Alue {number}", "name_sv": f"Område {number}", "name_en": f"Area {number}",
         "sort_order": number}
        for number in range(1, AREAS + 1)])
    area_ids = list((await connection.scalars(select(Area.id).order_by(Area.sort_order))).all())
    i = series(engine, count).c.i
    await connection.execute(insert(Resident).from_select(
        ["telegram_id", "locale", "locale_confirmed", "resident_type", "area_id", "created_at",
         "onboarded_at"],
        select(i + FIRST_TELEGRAM_ID, spread(bucket(i, 7_919), LOCALE_SHARES), false(),
               spread(bucket(i, 104_729), TYPE_SHARES), spread(bucket(i, 611_953), area_shares(area_ids)),
               literal(NOW, UtcDateTime()), literal(NOW, UtcDateTime()))))


async def seed_votes(connection: AsyncConnection, ballot: Ballot) -> None:
    """Every resident's vote, with who they were, as BallotRepository.cast records it."""
    shares = [(option.id, share) for option, share in zip(ballot.options, OPTION_SHARES, strict=True)]
    await connection.execute(insert(Vote).from_select(
        ["ballot_id", "resident_id", "slot", "option_id", "max_choices", "resident_type", "area_id",
         "cast_at"],
        select(literal(ballot.id), Resident.id, literal(1), spread(bucket(Resident.id, 15_485_863), shares),
               literal(1), Resident.resident_type, Resident.area_id,
               literal(NOW + timedelta(hours=1), UtcDateTime()))))


async def analyze(engine: AsyncEngine) -> None:
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(statement)


async def server_version(engine: AsyncEngine) -> str:
    name, query = (("PostgreSQL", "SHOW server_version") if engine.dialect.name == "postgresql"
                   else ("SQLite", "SELECT sqlite_version()"))
    async with engine.connect() as connection:
        return f"{name} {await connection.scalar(text(query))}"


# --- timing ------------------------------------------------------------------------------------

Work = Callable[[UnitOfWork, Ballot], Awaitable[object]]
MEASURED: dict[str, Work] = {
    "the grouped scan (BallotRepository.grouped)": lambda uow, ballot: uow.ballots.grouped(ballot.id),
    "count (tally, voters and both breakdowns)": lambda uow, ballot: ballot_counts.count(uow, ballot),
}
WHOLE = "count (tally, voters and both breakdowns)"  # the scan plus Python: its plan is the scan's


async def timed(engine: AsyncEngine, ballot: Ballot, work: Work) -> list[float]:
    session_factory = create_session_factory(engine)
    seconds = []
    for _ in range(RUNS):
        async with UnitOfWork(session_factory) as uow:
            started = time.perf_counter()
            await work(uow, ballot)
            seconds.append(time.perf_counter() - started)
    return seconds


@contextmanager
def statements_of(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their parameters) run on `engine` inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def plan(engine: AsyncEngine, ballot: Ballot, work: Work) -> list[str]:
    """The plan of the query behind `work`, as the database runs it."""
    async with UnitOfWork(create_session_factory(engine)) as uow:
        with statements_of(engine) as seen:
            await work(uow, ballot)
    statement, parameters = seen[-1]
    postgresql = engine.dialect.name == "postgresql"
    explain = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
    async with engine.connect() as connection:
        rows = (await connection.exec_driver_sql(explain + statement, parameters)).all()
    return [row[0] if postgresql else f"{row[-1]}" for row in rows]


async def report(engine: AsyncEngine, ballot: Ballot, works: dict[str, Work]) -> None:
    """Best and median of each; then the plan of each single query that missed the target."""
    print(f"  {'':<44}{'best':>9}{'median':>10}   target {TARGET * 1000:.0f} ms")
    missed = []
    for name, work in works.items():
        seconds = await timed(engine, ballot, work)
        best, median = min(seconds), statistics.median(seconds)
        verdict = "ok" if median < TARGET else "MISSED"
        print(f"  {name:<44}{best * 1000:>7.1f}ms{median * 1000:>8.1f}ms   {verdict}", flush=True)
        if verdict == "MISSED" and name != WHOLE:
            missed.append(name)
    for name in missed:
        print(f"\n  plan of {name}:")
        for line in await plan(engine, ballot, works[name]):
            print(f"    {line}")


# --- the runs ----------------------------------------------------------------------------------

@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    if backend == "postgresql":
        async with fresh_postgres_database() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="foorumi-bench-") as workdir:
        yield f"sqlite+aiosqlite:///{workdir}/ballots.db"


async def bench(backend: str, votes: int) -> None:
    async with database(backend) as url:
        engine = create_engine(url)
        try:
            await migrate.upgrade(engine)
            started = time.perf_counter()
            ballot = await seed(engine, votes)
            seeded = time.perf_counter() - started
            print(f"\n{await server_version(engine)}: one ballot, {votes:,} votes from {votes:,} residents, "
                  f"{len(OPTION_SHARES)} options, {len(TYPE_SHARES)} resident types, {AREAS} areas "
                  f"(seeded and analysed in {seeded:.1f} s)", flush=True)
            await report(engine, ballot, MEASURED)
        finally:
            await engine.dispose()


async def main(backends: Sequence[str], votes: int) -> None:
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}")
    for backend in backends:
        reason = await postgres_unavailable_reason() if backend == "postgresql" else None
        if reason:
            print(f"\n{backend}: skipped ({reason})")
            continue
        await bench(backend, votes)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"),
                        help="one database (default: both)")
    parser.add_argument("--votes", type=int, default=1_000_000, help="votes, one per resident")
    args = parser.parse_args()
    asyncio.run(main([args.database] if args.database else ["sqlite", "postgresql"], args.votes))


if __name__ == "__main__":
    cli()
