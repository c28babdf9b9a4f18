"""Rasa's SQL tracker store, except that a guided tool's answers are not kept.

The eligibility walk-through asks about someone's illness, hospital stays and
violence. Once a tool ends (finished, stopped, switched away from, or cut short
by a crisis), the stored conversation keeps only that a tool ran: each reply
typed during it, each of its messages (questions and summary) and its slot
values are blanked in the database. The question that started the tool stays,
like any other question. Configured in endpoints.yml (and bot/stack.py).

When: at the tool's end marker (bot/tool_forget.py), the same signal the web chat's
transcript forgets at.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

from bot import rasa_once, rasa_privacy, rasa_speedups, tool_forget
from bot.tools import REMOVED_BOT, REMOVED_USER

rasa_speedups.apply()  # every Rasa server loads this module (endpoints.yml)
rasa_privacy.apply()
rasa_once.apply()  # a message delivered twice is answered once (bot/rasa_once.py)


def fail_loudly() -> None:
    """Rasa wraps every tracker store in FailSafeTrackerStore, which, when the database
    cannot be reached, starts the conversation afresh in memory: the person gets an
    answer out of context and the turn is never stored. For a store that says
    `fail_loudly` (ours on PostgreSQL), the error goes up instead: Rasa then sends no
    reply and the web app gives its clear "something went wrong, please try again"."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(FailSafeTrackerStore, "_aot_fail_loudly", False):
        return
    for name in ("retrieve", "retrieve_full_tracker", "save"):
        original = getattr(FailSafeTrackerStore, name)

        async def call(self, *args, _original=original, _name=name):
            if getattr(self._tracker_store, "fail_loudly", False):
                return await getattr(self._tracker_store, _name)(*args)
            return await _original(self, *args)
        setattr(FailSafeTrackerStore, name, call)
    FailSafeTrackerStore._aot_fail_loudly = True


fail_loudly()

TOOL_SLOT = "tool_answers"
BLANKED_SLOTS = {TOOL_SLOT, "tool_reply"}


def ends_tool(events) -> bool:
    """True when these events hold the tool's end marker (the tool ended)."""
    return any(isinstance(e, BotUttered) and tool_forget.signal((e.data or {}).get("custom"))
               == tool_forget.END for e in events)


def blank(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """One stored event with the person's words and the tool's words removed."""
    data = dict(data)
    if kind == "user":
        data["text"] = REMOVED_USER
        parse = dict(data.get("parse_data") or {})
        parse.update(text=REMOVED_USER, entities=[])
        parse.pop("response_selector", None)
        data["parse_data"] = parse
        data["entities"] = []
    elif kind == "bot":
        data["text"] = REMOVED_BOT
        data["data"] = {}
    elif kind == "slot" and data.get("name") in BLANKED_SLOTS and data.get("value") is not None:
        data["value"] = None
    return data


def spans(rows: list[tuple[int, str, dict]]) -> list[int]:
    """Ids of the rows inside finished tool runs: from the tool's start marker to its
    end marker (bot/tool_forget.py)."""
    def sig(kind: str, data: dict):
        return tool_forget.signal((data.get("data") or {}).get("custom")) if kind == "bot" else None

    inside, _ = tool_forget.finished_runs((row_id, sig(kind, data), False)
                                          for row_id, kind, data in rows)
    return inside


class ForgetfulSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Several Rasa workers (RASA_WORKERS) and the web app's "delete my
            # conversation" share the file: WAL lets readers and one writer overlap.
            # synchronous=NORMAL: a commit no longer waits for the disk; a process
            # crash loses nothing, a power cut can lose the last turns.
            from sqlalchemy import event

            event.listen(self.engine, "connect",
                         lambda con, _: con.execute("PRAGMA synchronous=NORMAL"))
            with self.engine.connect() as con:
                con.exec_driver_sql("PRAGMA journal_mode=WAL")
        else:
            # A server (PostgreSQL): check a pooled connection before use, so the first
            # message after a database restart gets a fresh one instead of an error.
            self.engine.pool._pre_ping = True
            self.fail_loudly = True  # see fail_loudly() above

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        await super().save(tracker)
        if ends_tool(new_events):
            self.forget_tool_answers(tracker.sender_id)

    def has_user_message(self, sender_id: str, message_id: str) -> bool:
        """Is a user event with this message_id (bot/rasa_once.py: 32 hex digits, so
        nothing LIKE treats specially) stored for this sender? One indexed query."""
        with self.session_scope() as session:
            return session.query(self.SQLEvent.id).filter(
                self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == "user",
                self.SQLEvent.data.like(f"%{message_id}%")).first() is not None

    def forget_tool_answers(self, sender_id: str) -> int:
        """Blank every finished tool run of this sender; returns rows changed."""
        changed = 0
        with self.session_scope() as session:
            rows = (session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .order_by(self.SQLEvent.id).all())
            parsed = [(r.id, r.type_name, json.loads(r.data or "{}")) for r in rows]
            wanted = set(spans(parsed))
            for row, (_, kind, data) in zip(rows, parsed):
                if row.id not in wanted:
                    continue
                new = blank(kind, data)
                if new != data:
                    row.data = json.dumps(new)
                    changed += 1
            session.commit()
        logger.debug("Blanked %d stored events of a finished guided tool.", changed)
        return changed
