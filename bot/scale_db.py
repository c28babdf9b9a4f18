"""Rasa's tracker store on PostgreSQL (TRACKER_URL, the scaled stack): "delete my
conversation" and the retention purge, the same as bot/web/store.py does on SQLite.

Rasa's SQLTrackerStore keeps one row per event in `events` (sender_id, timestamp, ...),
whatever the database; these are the same two statements, through SQLAlchemy.
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger("bot.scale_db")
_engines: dict = {}


def _engine(url: str):
    import sqlalchemy as sa

    if url not in _engines:
        # pre_ping: a connection left over from before a PostgreSQL restart is replaced.
        _engines[url] = sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)
    return _engines[url]


def delete_tracker(url: str, sender_id: str) -> bool:
    """Remove one sender's events. Best effort: False (logged without ids) if it failed."""
    import sqlalchemy as sa

    try:
        with _engine(url).begin() as con:
            con.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": sender_id})
        return True
    except sa.exc.SQLAlchemyError as exc:
        log.warning("could not delete a conversation from the tracker store: %s",
                    type(exc).__name__)
        return False


def purge_trackers(url: str, days: int) -> int:
    """Delete whole conversations idle for `days` days; how many."""
    import sqlalchemy as sa

    cutoff = time.time() - days * 86400
    try:
        with _engine(url).begin() as con:
            old = [r[0] for r in con.execute(sa.text(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :c"),
                {"c": cutoff})]
            if old:
                con.execute(sa.text("DELETE FROM events WHERE sender_id = ANY(:old)"), {"old": old})
        return len(old)
    except sa.exc.ProgrammingError:  # no events table yet: nothing stored
        return 0
