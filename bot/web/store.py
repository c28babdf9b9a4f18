"""A small SQLite store for the gateway: web transcripts, offered buttons, SMS state.

No raw phone number and no raw session id is ever stored: rows are keyed by a
keyed hash (see `keys.py`). Message text is kept only for the web chat's
transcript (so the conversation survives a reload without JavaScript) and is
deleted by "delete my conversation", by "leave quickly", and after
`retention_days`.

Run `python -m bot.web.store purge` from cron to apply the retention period
(the app also purges once at start-up and then every hour).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import yaml

from bot import tool_forget
from bot.tools import REMOVED_BOT, REMOVED_USER
from bot.web import config
from bot.web.config import ROOT

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_session (
    key TEXT PRIMARY KEY,            -- sha256 of the cookie's random id
    created REAL NOT NULL,
    updated REAL NOT NULL,
    anchor INTEGER                   -- transcript id of the latest reply's first message
);
CREATE TABLE IF NOT EXISTS transcript (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    ts REAL NOT NULL,
    role TEXT NOT NULL,              -- 'user' | 'bot' | 'crisis' | 'marker'
    text TEXT NOT NULL,
    buttons TEXT,                    -- JSON list of {title, payload}, bot rows only
    panel TEXT                       -- 'crisis' rows: JSON {"reply", "danger_now"}
);
CREATE INDEX IF NOT EXISTS transcript_key ON transcript (key, id);
CREATE TABLE IF NOT EXISTS offered (
    key TEXT PRIMARY KEY,            -- sender key (web, api or sms)
    ts REAL NOT NULL,
    buttons TEXT NOT NULL            -- JSON list of {title, payload}, in menu order
);
CREATE TABLE IF NOT EXISTS sms_state (
    key TEXT PRIMARY KEY,            -- keyed hash of the phone number
    ts REAL NOT NULL,
    opted_out INTEGER NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0,-- bumped by DELETE: a fresh Rasa sender id
    disclosed INTEGER NOT NULL DEFAULT 0, -- the first-reply disclosure was sent
    pages TEXT                       -- JSON list of pages still to send (Reply MORE)
);
CREATE TABLE IF NOT EXISTS lang_choice (
    key TEXT PRIMARY KEY,            -- sender key (web, api or sms)
    ts REAL NOT NULL,
    lang TEXT NOT NULL               -- 'en' | 'es': kept for the conversation (bot/web/language.py)
);
"""


def later_key(key: str) -> str:
    """Where an SMS menu waits until MORE shows it (same table, derived key)."""
    return key + ":later"


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(transcript)")}
        if "panel" not in columns:  # a database made before the crisis panel
            self._db.execute("ALTER TABLE transcript ADD COLUMN panel TEXT")
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(web_session)")}
        if "anchor" not in columns:  # a database made before "open at the first new message"
            self._db.execute("ALTER TABLE web_session ADD COLUMN anchor INTEGER")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _exec(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ---- web sessions and transcripts ------------------------------------
    def session_exists(self, key: str) -> bool:
        return bool(self._exec("SELECT 1 FROM web_session WHERE key=?", (key,)))

    def create_session(self, key: str) -> None:
        now = time.time()
        self._exec("INSERT OR IGNORE INTO web_session (key, created, updated) VALUES (?,?,?)",
                   (key, now, now))

    def add_turn(self, key: str, role: str, text: str, buttons: list[dict] | None = None,
                 panel: dict | None = None) -> int:
        """Add a row; its id."""
        now = time.time()
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO transcript (key, ts, role, text, buttons, panel) VALUES (?,?,?,?,?,?)",
                (key, now, role, text, json.dumps(buttons) if buttons else None,
                 json.dumps(panel) if panel else None))
            self._db.execute("UPDATE web_session SET updated=? WHERE key=?", (now, key))
            return cur.lastrowid

    def set_anchor(self, key: str, row_id: int | None) -> None:
        """Where the page opens without the script: the latest reply's first message."""
        self._exec("UPDATE web_session SET anchor=? WHERE key=?", (row_id, key))

    def anchor(self, key: str) -> int | None:
        rows = self._exec("SELECT anchor FROM web_session WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def transcript(self, key: str, limit: int = 200) -> list[dict]:
        rows = self._exec(
            "SELECT id, role, text, buttons, panel FROM transcript WHERE key=? AND role != 'marker' "
            "ORDER BY id DESC LIMIT ?", (key, limit))
        return [{"id": r[0], "role": r[1], "text": r[2], "buttons": json.loads(r[3]) if r[3] else [],
                 "panel": json.loads(r[4]) if r[4] else None} for r in reversed(rows)]

    # ---- guided tools: their answers are not kept ---------------------------------------
    def mark_tool(self, key: str, which: str) -> None:
        """Note where a guided tool started or ended ("start" / "end"); never shown."""
        self.add_turn(key, "marker", which)

    def forget_finished_tools(self, key: str) -> int:
        """Blank every turn of a finished tool run (bot/tool_forget.py: from its start
        marker to its end marker), then drop the markers. A crisis reply and the turn
        that brought it stay: safety words are never blanked."""
        rows = self._exec("SELECT id, role, text FROM transcript WHERE key=? ORDER BY id", (key,))
        roles = [r[1] for r in rows if r[1] != "marker"]
        keep, shown = set(), [r for r in rows if r[1] != "marker"]
        for i, (row_id, role, _) in enumerate(shown):
            if role == "crisis" or role == "user" and "crisis" in roles[i + 1:i + 2]:
                keep.add(row_id)
        blank, done = tool_forget.finished_runs(
            (row_id, text if role == "marker" else None, row_id in keep)
            for row_id, role, text in rows)
        with self._lock:
            for row_id in blank:
                self._db.execute(
                    "UPDATE transcript SET text = CASE role WHEN 'user' THEN ? ELSE ? END, "
                    "buttons = NULL WHERE id = ?", (REMOVED_USER, REMOVED_BOT, row_id))
            self._db.executemany("DELETE FROM transcript WHERE id = ?", [(i,) for i in done])
        return len(blank)

    def forget(self, key: str) -> None:
        """"Delete my conversation", on every channel: the transcript and the web session,
        the buttons offered (and a menu waiting for MORE), the SMS pages; an SMS number
        gets a new epoch, so Rasa sees a new sender. An opt-out is kept (it must last)."""
        with self._lock:
            self._db.execute("DELETE FROM transcript WHERE key=?", (key,))
            self._db.execute("DELETE FROM offered WHERE key IN (?, ?)", (key, later_key(key)))
            self._db.execute("DELETE FROM web_session WHERE key=?", (key,))
            self._db.execute("DELETE FROM lang_choice WHERE key=?", (key,))
            self._db.execute("UPDATE sms_state SET epoch=epoch+1, pages=NULL, ts=? WHERE key=?",
                             (time.time(), key))

    delete_session = forget  # the web's name for it

    # ---- buttons just offered to a sender ----------------------------------
    def set_offered_later(self, key: str, buttons: list[dict] | None) -> None:
        """A menu shown only after MORE (SMS): offered when its page is sent, not before,
        so a number texted early never picks an option the person has not seen."""
        if buttons:
            self.set_offered(later_key(key), buttons)
        else:
            self._exec("DELETE FROM offered WHERE key=?", (later_key(key),))

    def offer_later_now(self, key: str) -> None:
        later = self.get_offered(later_key(key))
        if later is not None:
            self.set_offered(key, later)
            self._exec("DELETE FROM offered WHERE key=?", (later_key(key),))

    def set_offered(self, key: str, buttons: list[dict]) -> None:
        """Remember what was just offered (an empty list: nothing may be pressed now)."""
        self._exec("INSERT OR REPLACE INTO offered (key, ts, buttons) VALUES (?,?,?)",
                   (key, time.time(), json.dumps(buttons or [])))

    def get_offered(self, key: str) -> list[dict] | None:
        """The buttons last offered, or None when nothing was ever offered."""
        rows = self._exec("SELECT buttons FROM offered WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else None

    # ---- the conversation's language -----------------------------------------
    def set_lang(self, key: str, lang: str) -> None:
        self._exec("INSERT OR REPLACE INTO lang_choice (key, ts, lang) VALUES (?,?,?)",
                   (key, time.time(), lang))

    def get_lang(self, key: str) -> str | None:
        """The language kept for this sender, or None before one was chosen or detected."""
        rows = self._exec("SELECT lang FROM lang_choice WHERE key=?", (key,))
        return rows[0][0] if rows else None

    # ---- SMS ---------------------------------------------------------------
    def _sms_row(self, key: str) -> tuple | None:
        rows = self._exec("SELECT opted_out, epoch, pages FROM sms_state WHERE key=?", (key,))
        return rows[0] if rows else None

    def sms_touch(self, key: str) -> None:
        self._exec("INSERT INTO sms_state (key, ts) VALUES (?,?) "
                   "ON CONFLICT(key) DO UPDATE SET ts=excluded.ts", (key, time.time()))

    def sms_opted_out(self, key: str) -> bool:
        row = self._sms_row(key)
        return bool(row and row[0])

    def sms_set_opt_out(self, key: str, value: bool) -> None:
        self.sms_touch(key)
        self._exec("UPDATE sms_state SET opted_out=?, pages=NULL WHERE key=?", (int(value), key))

    def sms_epoch(self, key: str) -> int:
        row = self._sms_row(key)
        return int(row[1]) if row else 0

    def sms_disclosed(self, key: str) -> bool:
        rows = self._exec("SELECT disclosed FROM sms_state WHERE key=?", (key,))
        return bool(rows and rows[0][0])

    def sms_set_disclosed(self, key: str) -> None:
        self.sms_touch(key)
        self._exec("UPDATE sms_state SET disclosed=1 WHERE key=?", (key,))

    def sms_set_pages(self, key: str, pages: list[str]) -> None:
        self.sms_touch(key)
        self._exec("UPDATE sms_state SET pages=? WHERE key=?",
                   (json.dumps(pages) if pages else None, key))

    def sms_pop_page(self, key: str) -> tuple[str | None, int]:
        """The next page waiting for MORE, and how many remain after it."""
        row = self._sms_row(key)
        pages = json.loads(row[2]) if row and row[2] else []
        if not pages:
            return None, 0
        self.sms_set_pages(key, pages[1:])
        return pages[0], len(pages) - 1

    # ---- retention -----------------------------------------------------------
    def purge(self, days: int) -> int:
        """Delete web conversations and SMS paging text not used for `days` days."""
        cutoff = time.time() - days * 86400
        with self._lock:
            old = [r[0] for r in self._db.execute(
                "SELECT key FROM web_session WHERE updated < ?", (cutoff,)).fetchall()]
            for key in old:
                self._db.execute("DELETE FROM transcript WHERE key=?", (key,))
                self._db.execute("DELETE FROM web_session WHERE key=?", (key,))
            self._db.execute("DELETE FROM transcript WHERE ts < ?", (cutoff,))
            self._db.execute("DELETE FROM offered WHERE ts < ?", (cutoff,))
            self._db.execute("DELETE FROM lang_choice WHERE ts < ?", (cutoff,))
            self._db.execute("UPDATE sms_state SET pages=NULL WHERE ts < ?", (cutoff,))
            # Keep opt-outs (they must last); forget everything else about idle numbers.
            self._db.execute("DELETE FROM sms_state WHERE ts < ? AND opted_out=0", (cutoff,))
        return len(old)


# ---- Rasa's tracker store ----------------------------------------------------
def find_tracker_db(explicit: Path | None = None) -> Path | None:
    """Rasa's SQLite tracker store file: TRACKER_DB, else endpoints.yml, else var/trackers.db."""
    if explicit:
        return explicit
    try:
        doc = yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}
        ts = doc.get("tracker_store") or {}
        sql_store = str(ts.get("type", "")).lower() in ("sql", "bot.tracker_store.forgetfulsqltrackerstore")
        if sql_store and ts.get("dialect") == "sqlite" and ts.get("db"):
            db = Path(ts["db"])
            return db if db.is_absolute() else ROOT / db
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    default = ROOT / "var" / "trackers.db"
    return default if default.exists() else None


def delete_tracker(db: Path | None, sender_id: str) -> bool:
    """Remove one sender's events from Rasa's SQLite tracker store. Best effort."""
    if config.load().tracker_url:  # the scaled stack: PostgreSQL (bot/scale_db.py)
        from bot import scale_db
        return scale_db.delete_tracker(config.load().tracker_url, sender_id)
    if not db or not Path(db).exists():
        return False
    try:
        con = sqlite3.connect(str(db), timeout=5)
        try:
            with con:
                con.execute("DELETE FROM events WHERE sender_id = ?", (sender_id,))
        finally:
            con.close()
        return True
    except sqlite3.Error:
        return False


def purge_trackers(db: Path | None, days: int) -> int:
    """Delete whole conversations in Rasa's SQLite tracker store idle for `days` days."""
    if config.load().tracker_url:  # the scaled stack: PostgreSQL (bot/scale_db.py)
        from bot import scale_db
        return scale_db.purge_trackers(config.load().tracker_url, days)
    if not db or not Path(db).exists():
        return 0
    cutoff = time.time() - days * 86400
    con = sqlite3.connect(str(db), timeout=30)
    try:
        with con:
            old = [r[0] for r in con.execute(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?", (cutoff,))]
            con.executemany("DELETE FROM events WHERE sender_id = ?", [(s,) for s in old])
        return len(old)
    except sqlite3.OperationalError:  # no events table yet: nothing stored
        return 0
    finally:
        con.close()


def _main(argv: list[str]) -> int:
    from bot.web import config

    if argv[:1] != ["purge"]:
        print("usage: python -m bot.web.store purge [DAYS]")
        return 2
    settings = config.load()
    days = int(argv[1]) if len(argv) > 1 else settings.retention_days
    n = Store(settings.db_path).purge(days)
    t = purge_trackers(find_tracker_db(settings.tracker_db), days)
    print(f"deleted {n} web conversation(s) and {t} assistant conversation(s) "
          f"idle for more than {days} days")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
