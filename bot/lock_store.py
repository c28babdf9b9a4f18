"""Conversation locks shared by several Rasa worker processes, in SQLite.

Rasa runs one worker unless the lock store is shared (it refuses SANIC_WORKERS > 1
with its in-memory store). Rasa's shared store is Redis, which this project does
not install; SQLite is already here, and on one machine it is enough. Each
read-modify-write of a lock is one IMMEDIATE transaction, so two workers never
hand out the same ticket (Rasa's Redis store does these steps without one).

Used only when the stack runs Rasa with RASA_WORKERS > 1 (bot/stack.py).

Both this store and `RedisLockStore` (Rasa's own, for the scaled stack:
deploy/scaled/endpoints.yml) fix one flaw of Rasa 3.6's ticket lock: a ticket
expires after `TICKET_LOCK_LIFETIME` even while its owner is alive and waiting. When
a replica dies holding a conversation's ticket, nginx sends the message again to
another replica, which takes the next ticket a moment later. Both tickets then expire
within the same second; Rasa drops both, and the waiter (whose ticket is gone) never
gets the lock: the message hangs until the web app gives up (found in
tests/scale/test_scaled.py: killing a Rasa replica mid-message). Here a waiter keeps
its own ticket alive, so only a dead owner's ticket runs out.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections import deque
from pathlib import Path
from typing import Iterator, Optional

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig


def renewed(lock: TicketLock, ticket: int, lifetime: float) -> TicketLock:
    """`lock` without expired tickets, with `ticket` (kept, or put back in its place
    if it expired) valid for another `lifetime` seconds."""
    lock.remove_expired_tickets()
    others = [t for t in lock.tickets if t.number != ticket]
    lock.tickets = deque(sorted([*others, Ticket(ticket, time.time() + lifetime)],
                                key=lambda t: t.number))
    return lock


class WaitersKeepTheirTickets(LockStore):
    """Rasa's `LockStore.lock`, except that a waiting ticket does not expire: on every
    check the waiter renews it (why: this module's docstring). The owner's ticket still
    expires `lock_lifetime` after its last renewal, so a dead replica's lock is given
    up as before."""

    @contextlib.asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1):
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.renew_ticket(conversation_id, ticket, lock_lifetime)
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)

    def renew_ticket(self, conversation_id: str, ticket: int, lifetime: float) -> TicketLock:
        lock = renewed(self.get_lock(conversation_id) or self.create_lock(conversation_id),
                       ticket, lifetime)
        self.save_lock(lock)
        return lock


class RedisLockStore(WaitersKeepTheirTickets, RasaRedisLockStore):
    """Rasa's Redis lock store (same keys, same settings), with waiters that keep their
    tickets. endpoints.yml: `type: bot.lock_store.RedisLockStore`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)


class SQLiteLockStore(WaitersKeepTheirTickets):
    def __init__(self, endpoint_config: EndpointConfig | None = None, db: str | None = None) -> None:
        kwargs = (endpoint_config.kwargs if endpoint_config else {}) or {}
        self.path = Path(db or kwargs.get("db") or "var/locks.db")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._tx() as con:
            con.execute("CREATE TABLE IF NOT EXISTS locks (conversation_id TEXT PRIMARY KEY, data TEXT)")
        super().__init__()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("BEGIN IMMEDIATE")
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    @staticmethod
    def _read(con: sqlite3.Connection, conversation_id: str) -> Optional[TicketLock]:
        row = con.execute("SELECT data FROM locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    @staticmethod
    def _write(con: sqlite3.Connection, lock: TicketLock) -> None:
        con.execute("INSERT OR REPLACE INTO locks (conversation_id, data) VALUES (?, ?)",
                    (lock.conversation_id, lock.dumps()))

    # ---- the three storage calls Rasa's LockStore needs ----------------------------------
    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        with self._tx() as con:
            return self._read(con, conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        with self._tx() as con:
            deleted = con.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,)).rowcount
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        with self._tx() as con:
            self._write(con, lock)

    # ---- read-modify-write steps, each in one transaction --------------------------------
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._tx() as con:
                lock = self._read(con, conversation_id) or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                self._write(con, lock)
            return ticket
        except Exception as e:  # Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

    def renew_ticket(self, conversation_id: str, ticket: int, lifetime: float) -> TicketLock:
        with self._tx() as con:
            lock = renewed(self._read(con, conversation_id) or self.create_lock(conversation_id),
                           ticket, lifetime)
            self._write(con, lock)
        return lock

    def update_lock(self, conversation_id: str) -> None:
        with self._tx() as con:
            lock = self._read(con, conversation_id)
            if lock:
                lock.remove_expired_tickets()
                self._write(con, lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._tx() as con:
            lock = self._read(con, conversation_id)
            if lock:
                lock.remove_ticket_for(ticket_number)
                if lock.is_someone_waiting():
                    self._write(con, lock)
                else:
                    con.execute("DELETE FROM locks WHERE conversation_id = ?", (conversation_id,))
