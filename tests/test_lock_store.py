"""The SQLite lock store that lets several Rasa workers share conversation locks."""
from __future__ import annotations

import asyncio
import multiprocessing

import pytest

from bot.lock_store import SQLiteLockStore


def _issue(path: str, n: int, out) -> None:
    store = SQLiteLockStore(db=path)
    out.put([store.issue_ticket("same-conversation") for _ in range(n)])


def test_two_processes_never_get_the_same_ticket(tmp_path):
    db = str(tmp_path / "locks.db")
    SQLiteLockStore(db=db)
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_issue, args=(db, 40, out)) for _ in range(2)]
    for p in procs:
        p.start()
    tickets = out.get(timeout=60) + out.get(timeout=60)
    for p in procs:
        p.join(timeout=60)
    assert sorted(tickets) == list(range(80))


def test_messages_of_one_conversation_are_served_in_order(tmp_path):
    store = SQLiteLockStore(db=str(tmp_path / "locks.db"))
    order = []

    async def handle(i: int, delay: float):
        async with store.lock("c1", wait_time_in_seconds=0.01):
            await asyncio.sleep(delay)
            order.append(i)

    async def main():
        first = asyncio.create_task(handle(1, 0.2))
        await asyncio.sleep(0.05)
        await asyncio.gather(first, handle(2, 0))

    asyncio.run(main())
    assert order == [1, 2]
    assert store.get_lock("c1") is None  # nothing left behind


def test_rasa_accepts_it_for_several_workers(monkeypatch):
    from rasa.core.utils import number_of_sanic_workers
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(EndpointConfig(type="bot.lock_store.SQLiteLockStore")) == 2
    assert number_of_sanic_workers(None) == 1


# ---- a replica that dies holding a ticket (issue #15: the lost message) ---------------------
LIFETIME = 0.3  # TICKET_LOCK_LIFETIME, scaled down
POLL = 0.2      # Rasa checks the lock once a second; a waiter's ticket was taken < POLL later


async def _wait_after_dead_owner(store) -> float:
    """A replica took conversation c1's ticket and died (nobody frees it); a moment later
    the message is delivered again and waits for the lock. Seconds until it gets it."""
    store.issue_ticket("c1", LIFETIME)
    start = asyncio.get_running_loop().time()
    async with store.lock("c1", lock_lifetime=LIFETIME, wait_time_in_seconds=POLL):
        return asyncio.get_running_loop().time() - start


def test_stock_rasa_never_serves_a_waiter_whose_ticket_expired_meanwhile():
    """Why the fix is needed: Rasa 3.6 drops both tickets in the same check, and the
    waiter then waits forever (the web app gave up after RASA_TIMEOUT)."""
    from rasa.core.lock_store import InMemoryLockStore

    async def main():
        return await asyncio.wait_for(_wait_after_dead_owner(InMemoryLockStore()), 2)

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(main())


def test_a_waiter_gets_the_lock_once_the_dead_owners_ticket_expires(tmp_path):
    store = SQLiteLockStore(db=str(tmp_path / "locks.db"))
    waited = asyncio.run(asyncio.wait_for(_wait_after_dead_owner(store), 2))
    assert LIFETIME <= waited < LIFETIME + 2 * POLL
    assert store.get_lock("c1") is None  # nothing left behind


class FakeRedis:
    """The three calls Rasa's RedisLockStore makes (get, set, delete)."""

    def __init__(self):
        self.data: dict[str, bytes] = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        self.data[key] = value.encode() if isinstance(value, str) else value

    def delete(self, key):
        return 1 if self.data.pop(key, None) is not None else 0


def test_the_redis_store_keeps_a_waiting_ticket_too(monkeypatch):
    import redis
    from rasa.utils.endpoints import EndpointConfig

    from bot.lock_store import RedisLockStore

    fake = FakeRedis()
    monkeypatch.setattr(redis, "StrictRedis", lambda **kwargs: fake)
    store = RedisLockStore(EndpointConfig(url="127.0.0.1", type="bot.lock_store.RedisLockStore",
                                          port=6380, db=1, key_prefix="aot", password="pw"))
    assert store.key_prefix == "aot:lock:"  # Rasa's own keys, as before
    waited = asyncio.run(asyncio.wait_for(_wait_after_dead_owner(store), 2))
    assert LIFETIME <= waited < LIFETIME + 2 * POLL
    assert fake.data == {}
