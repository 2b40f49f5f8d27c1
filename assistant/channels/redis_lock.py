"""Rasa's Redis ticket lock, made safe for more than one Rasa server (scale-out mode,
``deploy/endpoints.cluster.yml``: ``type: assistant.channels.redis_lock.AtomicRedisLockStore``).

Rasa 3.6's ``RedisLockStore`` keeps one person's ticket queue in one Redis key and changes
it by GET, change in Python, SET. Within one server that is safe (one event loop, a
blocking client), between two servers it is not: both GET the same queue, both append
ticket N, the second SET overwrites the first, and both servers believe they hold ticket
N. Both then run a turn on the same stored conversation, and the SQL tracker store, which
saves only the events after the number already stored, drops the first events of the
turn that saves second: its user message is answered but never stored (issue 15). The
same race in the clean-up (GET, remove, "anyone waiting?", DELETE) can delete a queue
another server has just joined, which that server reports as ``LockError``.

Here every change of the queue is one Redis transaction (WATCH, GET, MULTI, SET or DEL,
EXEC, repeated when another server changed the key in between), with the same key and
format as Rasa's, so the lock semantics stay Rasa's: tickets in order, one served at a
time. Two further changes:

- a ticket is a lease renewed while its turn waits or runs (every third of the lifetime),
  so that a turn slower than the lifetime (60 s, ``TICKET_LOCK_LIFETIME``) keeps its
  place instead of letting the next turn run beside it; the lifetime now only bounds how
  long the ticket of a server that died holds up the person's next messages;
- a waiting message whose ticket was dropped (its server stalled past the lifetime) fails
  with ``LockError`` instead of running unguarded, and waiting polls every 0.1 s instead
  of every second.

Loaded inside the Rasa server: imports only the standard library, rasa and redis."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
T = TypeVar("T")
# A change's answer for "write nothing, leave the key as it is".
UNCHANGED: Any = object()
# What a change makes of the stored queue (None: there is none): the queue to store (None:
# delete the key; UNCHANGED: write nothing) and a result for the caller.
Change = Callable[[TicketLock | None], tuple[Any, T]]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose every read-modify-write of a queue is atomic in Redis."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa creates a custom lock store as cls(endpoint_config=...); the options are
        # those of `type: redis` (url is the host, then port, db, password, ...).
        if endpoint_config is not None:
            kwargs = {
                "host": endpoint_config.url or "localhost",
                **endpoint_config.kwargs,
                **kwargs,
            }
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> T:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            new, result = change(lock)
            pipe.multi()
            if new is None:
                if stored:
                    pipe.delete(key)
            elif new is not UNCHANGED:
                pipe.set(key, new.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (written only when there were any)."""

        def drop_expired(lock: TicketLock | None) -> tuple[Any, None]:
            if lock is None:
                return None, None
            before = len(lock.tickets)
            lock.remove_expired_tickets()
            if not lock.tickets:
                return None, None
            return (lock if len(lock.tickets) != before else UNCHANGED), None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.cleanup(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket; delete the queue if nobody else is in it - in one step, so
        that a ticket another server issues meanwhile is never deleted with it."""

        def remove(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, remove)

    def renew(self, conversation_id: str, ticket_number: int, lifetime: float) -> bool:
        """Push the ticket's expiry to now + lifetime; False if it is gone already."""

        def extend(lock: TicketLock | None) -> tuple[Any, bool]:
            if lock is None:
                return None, False
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + lifetime
                    return lock, True
            return UNCHANGED, False

        return self._change(conversation_id, extend)

    async def _keep(self, conversation_id: str, ticket_number: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                if not self.renew(conversation_id, ticket_number, lifetime):
                    logger.error(
                        "lock: ticket %d of %s expired before it could be renewed",
                        ticket_number,
                        conversation_id,
                    )
                    return
            except Exception:
                logger.exception("lock: renewing ticket %d of %s", ticket_number, conversation_id)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper
            self.cleanup(conversation_id, ticket)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or all(t.number != ticket for t in lock.tickets):
                break  # our ticket expired: running now could overlap another turn
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)
        raise LockError(
            f"Could not acquire lock for conversation_id '{conversation_id}': "
            f"ticket {ticket} expired while waiting."
        )
