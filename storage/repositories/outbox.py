"""Broadcasts and the outbox: set-based fills, claims of due rows, outcomes, the sender lease."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import and_, bindparam, case, func, insert, literal, select, update
from sqlalchemy.sql import Select

from domain import Audience, Chat
from storage.models import Area, Broadcast, Delivery, Resident, SenderLease
from storage.repositories.audience import reachable, residents_in
from storage.repositories.base import Repository

ACTIVE = ("scheduled", "sending")
STAFF_BROADCAST = "broadcast"  # the kind of staff broadcasts; the bot's own notices have others
ID_CHUNK = 500


@dataclass(frozen=True)
class Claim:
    """A due outbox row with what is needed to send it."""

    delivery_id: int
    broadcast_id: int
    resident_id: int | None  # None: a chat that is no resident (the staff group)
    attempts: int
    chat_id: int
    locale: str
    quiet_from: int
    quiet_until: int
    edit_message_id: int | None = None  # set: edit this message instead of sending a new one


@dataclass(frozen=True)
class Copy:
    """A message the outbox has sent: where it is, so it can be edited later."""

    resident_id: int | None
    chat_id: int | None
    locale: str | None
    message_id: int
    shown_in: int  # the Telegram chat it is in (the resident's own chat for a resident's copy)


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row: sent, failed, blocked, or pending again (a retry)."""

    claim: Claim
    status: str
    message_id: int | None = None
    error: str | None = None
    not_before: datetime | None = None


class LeaseResult(Enum):
    LOST = "lost"
    RENEWED = "renewed"
    ACQUIRED = "acquired"


class OutboxRepository(Repository):
    # --- broadcasts -----------------------------------------------------------------------------

    async def create(self, **fields: object) -> Broadcast:
        broadcast = Broadcast(**fields)
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id, populate_existing=True)

    async def staff_broadcast(self, broadcast_id: int) -> Broadcast | None:
        """A staff broadcast (one `recent` lists), never a notice of the bot's own."""
        statement = select(Broadcast).where(Broadcast.id == broadcast_id,
                                            Broadcast.kind == STAFF_BROADCAST)
        return await self.session.scalar(statement.execution_options(populate_existing=True))

    async def recent(self, limit: int) -> Sequence[Broadcast]:
        statement = select(Broadcast).where(Broadcast.kind == STAFF_BROADCAST)
        return (await self.session.scalars(statement.order_by(Broadcast.id.desc()).limit(limit))).all()

    async def due(self, now: datetime) -> Sequence[Broadcast]:
        """Broadcasts with rows to send now, notices before bulk broadcasts."""
        statement = select(Broadcast).where(Broadcast.status.in_(ACTIVE), Broadcast.send_at <= now)
        return (await self.session.scalars(statement.order_by(Broadcast.priority, Broadcast.id))).all()

    async def followed(self) -> Sequence[Broadcast]:
        """Broadcasts whose staff progress message is still being kept up to date."""
        statement = select(Broadcast).where(Broadcast.progress_message_id.is_not(None))
        return (await self.session.scalars(statement.order_by(Broadcast.id))).all()

    async def start(self, broadcast: Broadcast, now: datetime) -> None:
        if broadcast.status == "scheduled":
            broadcast.status = "sending"
            broadcast.started_at = now

    # --- filling the outbox (set-based: no recipient list is held in memory) -------------------

    async def area_ids(self, codes: Sequence[str]) -> dict[str, int]:
        """Area ids by code, for audiences written by code (the shell)."""
        rows = await self.session.execute(select(Area.code, Area.id).where(Area.code.in_(codes)))
        return dict(rows.all())

    async def count_audience(self, audience: Audience) -> int:
        statement = residents_in(audience).with_only_columns(func.count()).order_by(None)
        return await self.session.scalar(statement) or 0

    async def fill_from_audience(self, broadcast: Broadcast, audience: Audience) -> int:
        return await self._fill(broadcast, residents_in(audience))

    async def fill_from_residents(self, broadcast: Broadcast, resident_ids: Sequence[int]) -> int:
        unique = sorted(set(resident_ids))
        added = 0
        for start in range(0, len(unique), ID_CHUNK):
            chunk = unique[start:start + ID_CHUNK]
            added += await self._fill(broadcast, reachable().where(Resident.id.in_(chunk)))
        return added

    async def fill_from_chats(self, broadcast: Broadcast, chats: Sequence[Chat]) -> int:
        unique = {chat.chat_id: chat for chat in chats}.values()
        if not unique:
            return 0
        rows = [{"broadcast_id": broadcast.id, "chat_id": chat.chat_id, "locale": chat.locale,
                 "status": "pending", "not_before": broadcast.send_at, "attempts": 0}
                for chat in unique]
        await self.session.execute(insert(Delivery), rows)
        return await self._add_to_total(broadcast, len(rows))

    async def _fill(self, broadcast: Broadcast, residents: Select[tuple[int]]) -> int:
        rows = residents.with_only_columns(
            literal(broadcast.id), Resident.id, literal("pending"), literal(broadcast.send_at,
                                                                            Delivery.not_before.type),
            literal(0),
        )
        columns = ["broadcast_id", "resident_id", "status", "not_before", "attempts"]
        result = await self.session.execute(insert(Delivery).from_select(columns, rows))
        return await self._add_to_total(broadcast, result.rowcount)

    async def _add_to_total(self, broadcast: Broadcast, added: int) -> int:
        await self.session.execute(
            update(Broadcast).where(Broadcast.id == broadcast.id).values(total=Broadcast.total + added)
        )
        await self.session.refresh(broadcast)
        return added

    # --- sending -----------------------------------------------------------------------------

    async def claim(self, broadcast_id: int, now: datetime, limit: int) -> list[Claim]:
        """Due pending rows of one broadcast, oldest first (locked on PostgreSQL, skipping others').

        A chat that is no resident has no quiet hours (0–0).
        """
        statement = (
            select(Delivery.id, Delivery.broadcast_id, Delivery.resident_id, Delivery.attempts,
                   func.coalesce(Delivery.chat_id, Resident.telegram_id),
                   func.coalesce(Delivery.locale, Resident.locale),
                   func.coalesce(Resident.quiet_from, 0), func.coalesce(Resident.quiet_until, 0),
                   Delivery.edit_message_id)
            .outerjoin(Resident, Resident.id == Delivery.resident_id)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == "pending",
                   Delivery.not_before <= now)
            .order_by(Delivery.not_before, Delivery.id)
            .limit(limit)
            .with_for_update(of=Delivery, skip_locked=True)
        )
        return [Claim(*row) for row in await self.session.execute(statement)]

    async def mark_sending(self, delivery_ids: Sequence[int]) -> None:
        for chunk in _chunks(delivery_ids):
            await self.session.execute(
                update(Delivery).where(Delivery.id.in_(chunk)).values(status="sending")
            )

    async def defer(self, delivery_ids: Sequence[int], until: datetime) -> None:
        for chunk in _chunks(delivery_ids):
            await self.session.execute(
                update(Delivery).where(Delivery.id.in_(chunk)).values(not_before=until)
            )

    async def expire(self, broadcast_id: int, delivery_ids: Sequence[int], now: datetime) -> None:
        """Rows of a broadcast that can no longer be sent in time: cancelled, with the error "expired"."""
        for chunk in _chunks(delivery_ids):
            await self.session.execute(
                update(Delivery).where(Delivery.id.in_(chunk)).values(status="cancelled", error="expired")
            )
        await self._count(Counter({(broadcast_id, "cancelled"): len(delivery_ids)}))
        await self.finish_completed([broadcast_id], now)

    async def requeue_in_flight(self) -> int:
        """Rows a crashed sender had claimed go back to pending (they may have been delivered)."""
        result = await self.session.execute(
            update(Delivery).where(Delivery.status == "sending").values(status="pending")
        )
        return result.rowcount

    async def record(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Write outcomes and the broadcasts' totals in the caller's transaction."""
        if not outcomes:
            return
        by_status: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_status.setdefault(outcome.status, []).append(outcome)
        if sent := by_status.get("sent"):
            await self._update_each(sent, lambda o: {
                "status": "sent", "sent_at": now, "message_id": o.message_id,
                "attempts": o.claim.attempts + 1, "error": None})
        for final in ("failed", "blocked"):
            if rows := by_status.get(final):
                await self._update_each(rows, lambda o: {
                    "status": o.status, "attempts": o.claim.attempts + 1, "error": o.error,
                    "sent_at": None, "message_id": None})
        if retries := by_status.get("pending"):
            await self._update_each(retries, lambda o: {
                "status": "pending", "attempts": o.claim.attempts + 1, "error": o.error,
                "not_before": o.not_before})
        counts = Counter((o.claim.broadcast_id, o.status) for o in outcomes if o.status != "pending")
        await self._count(counts)
        blocked = [o.claim.resident_id for o in by_status.get("blocked", ()) if o.claim.resident_id]
        if blocked:
            await self.mark_blocked(blocked, now)
        await self.finish_completed({o.claim.broadcast_id for o in outcomes}, now)

    async def _update_each(self, outcomes: list[Outcome], values: Callable[[Outcome], dict]) -> None:
        """One UPDATE executed for many rows (executemany), each with its own values."""
        rows = [{"row_id": o.claim.delivery_id, **values(o)} for o in outcomes]
        table = Delivery.__table__
        statement = update(table).where(table.c.id == bindparam("row_id")).values(
            {key: bindparam(key) for key in rows[0] if key != "row_id"}
        )
        await self.session.execute(statement, rows)

    async def _count(self, counts: Counter[tuple[int, str]]) -> None:
        columns = {"sent": Broadcast.sent, "failed": Broadcast.failed, "blocked": Broadcast.blocked,
                   "cancelled": Broadcast.cancelled}
        for (broadcast_id, status), number in counts.items():
            column = columns[status]
            await self.session.execute(
                update(Broadcast).where(Broadcast.id == broadcast_id).values({column: column + number})
            )

    async def finish_completed(self, broadcast_ids: Iterable[int], now: datetime) -> None:
        done = Broadcast.sent + Broadcast.failed + Broadcast.blocked + Broadcast.cancelled
        await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(list(broadcast_ids)), Broadcast.status.in_(ACTIVE),
                   Broadcast.total == done)
            .values(status="done", finished_at=now)
        )

    async def cancel(self, broadcast: Broadcast, now: datetime) -> int:
        """Nothing more of this broadcast is sent; rows already in flight still finish."""
        result = await self.session.execute(
            update(Delivery).where(Delivery.broadcast_id == broadcast.id, Delivery.status == "pending")
            .values(status="cancelled")
        )
        await self._count(Counter({(broadcast.id, "cancelled"): result.rowcount}))
        await self.session.execute(
            update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status.in_(ACTIVE))
            .values(status="cancelled", finished_at=now)
        )
        await self.session.refresh(broadcast)
        return result.rowcount

    async def sent_copies(self, kind: str, subject: str) -> list[Copy]:
        """Every message of this kind about this subject that reached its chat."""
        rows = await self.session.execute(
            select(Delivery.resident_id, Delivery.chat_id, Delivery.locale, Delivery.message_id,
                   func.coalesce(Delivery.chat_id, Resident.telegram_id))
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .outerjoin(Resident, Resident.id == Delivery.resident_id)
            .where(Broadcast.kind == kind, Broadcast.subject == subject, Delivery.status == "sent",
                   Delivery.message_id.is_not(None), Delivery.edit_message_id.is_(None))
            .order_by(Delivery.id)
        )
        return [Copy(*row) for row in rows]

    async def fill_edit(self, broadcast: Broadcast, copy: Copy) -> int:
        self.session.add(Delivery(
            broadcast_id=broadcast.id, resident_id=copy.resident_id, chat_id=copy.chat_id,
            locale=copy.locale, edit_message_id=copy.message_id, status="pending",
            not_before=broadcast.send_at, attempts=0,
        ))
        await self.session.flush()
        return await self._add_to_total(broadcast, 1)

    async def record_sent(self, broadcast: Broadcast, chat_id: int, locale: str, message_id: int,
                          now: datetime) -> None:
        """A message the bot sent directly (a reply), kept so that it can be edited later too."""
        self.session.add(Delivery(
            broadcast_id=broadcast.id, chat_id=chat_id, locale=locale, status="sent", not_before=now,
            attempts=1, sent_at=now, message_id=message_id,
        ))
        broadcast.total, broadcast.sent = 1, 1
        broadcast.status, broadcast.started_at, broadcast.finished_at = "done", now, now
        await self.session.flush()

    async def cancel_unsent(self, kind: str, subject: str, now: datetime) -> None:
        """Copies of messages of this kind about this subject not sent yet will not be sent."""
        broadcast_ids = (await self.session.scalars(
            select(Broadcast.id).where(Broadcast.kind == kind, Broadcast.subject == subject,
                                       Broadcast.status.in_(ACTIVE))
        )).all()
        for broadcast_id in broadcast_ids:
            broadcast = await self.get(broadcast_id)
            assert broadcast is not None
            await self.cancel(broadcast, now)

    # --- quiet hours ---------------------------------------------------------------------------

    async def release_held(self, resident_id: int, now: datetime) -> None:
        """This resident's messages held for later (not retries) are due at once, or at their
        broadcast's own time if that is later."""
        send_at = (select(Broadcast.send_at).where(Broadcast.id == Delivery.broadcast_id)
                   .scalar_subquery())
        await self.session.execute(
            update(Delivery)
            .where(Delivery.resident_id == resident_id, Delivery.status == "pending",
                   Delivery.attempts == 0, Delivery.not_before > now)
            .values(not_before=case((send_at > now, send_at), else_=literal(now, Delivery.not_before.type)))
        )

    async def quiet_hours_of(self, audience: Audience) -> list[tuple[int, int, int]]:
        """(quiet from, quiet until, residents) for the audience's reachable residents."""
        statement = (
            residents_in(audience)
            .with_only_columns(Resident.quiet_from, Resident.quiet_until, func.count())
            .group_by(Resident.quiet_from, Resident.quiet_until)
        )
        return [tuple(row) for row in await self.session.execute(statement)]

    async def held(self, broadcast_id: int, now: datetime) -> tuple[int, datetime | None]:
        """How many of a broadcast's rows wait for a later moment, and the latest of those."""
        count, until = (await self.session.execute(
            select(func.count(), func.max(Delivery.not_before))
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == "pending",
                   Delivery.not_before > now)
        )).one()
        return count, until

    # --- residents who blocked the bot -------------------------------------------------------

    async def mark_blocked(self, resident_ids: Sequence[int], now: datetime) -> None:
        """They blocked the bot: remember it, and their pending rows will never be sent."""
        for chunk in _chunks(sorted(set(resident_ids))):
            await self.session.execute(
                update(Resident).where(Resident.id.in_(chunk), Resident.blocked_at.is_(None))
                .values(blocked_at=now)
            )
            pending = and_(Delivery.resident_id.in_(chunk), Delivery.status == "pending")
            counts = await self.session.execute(
                select(Delivery.broadcast_id, func.count()).where(pending).group_by(Delivery.broadcast_id)
            )
            per_broadcast = Counter({(broadcast_id, "blocked"): n for broadcast_id, n in counts})
            await self.session.execute(update(Delivery).where(pending).values(status="blocked"))
            await self._count(per_broadcast)
            await self.finish_completed({key[0] for key in per_broadcast}, now)

    async def mark_returned(self, resident_id: int) -> None:
        await self.session.execute(
            update(Resident).where(Resident.id == resident_id).values(blocked_at=None)
        )

    # --- the sender lease --------------------------------------------------------------------

    async def hold_lease(self, name: str, holder: str, now: datetime, until: datetime) -> LeaseResult:
        """Renew our lease, or take it when free or expired; LOST while another holds it."""
        lease = SenderLease.__table__
        renewed = await self.session.execute(
            update(lease).where(lease.c.name == name, lease.c.holder == holder).values(expires_at=until)
        )
        if renewed.rowcount == 1:
            return LeaseResult.RENEWED
        taken = await self.session.execute(
            update(lease).where(lease.c.name == name, lease.c.expires_at < now)
            .values(holder=holder, expires_at=until)
        )
        if taken.rowcount == 1:
            return LeaseResult.ACQUIRED
        created = await self.session.execute(
            self.insert(SenderLease).values(name=name, holder=holder, expires_at=until)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return LeaseResult.ACQUIRED if created.rowcount == 1 else LeaseResult.LOST

    async def release_lease(self, name: str, holder: str) -> None:
        lease = SenderLease.__table__
        await self.session.execute(
            lease.delete().where(lease.c.name == name, lease.c.holder == holder)
        )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start:start + ID_CHUNK]
