"""The SQLite lock store that lets several Rasa workers share conversation locks."""
from __future__ import annotations

import asyncio
import multiprocessing

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
