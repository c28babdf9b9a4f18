"""Helpers for tests/scale: the test stack's ports and settings, a JSON API client, and the
conversations as PostgreSQL holds them."""
from __future__ import annotations

import json
import uuid

import httpx

from bot.scale import ScalePorts, ScaledStack

PORTS = ScalePorts(web=28800, rasa=25805, actions=25855, postgres=25432, redis=26379, base=27000)
HASH_KEY = "scale-test-sender-key"
TWILIO_TOKEN = "scale-test-twilio-token"
PUBLIC_URL = "https://aot.example.test"
RATE_LIMIT = 12


class Api:
    """One person on the JSON API (/api/messages), through nginx or one web process."""

    def __init__(self, stack: ScaledStack, port: int | None = None):
        self.url = f"http://127.0.0.1:{port or stack.ports.web}/api/messages"
        self.sender = f"scale-{uuid.uuid4().hex[:10]}"
        self.buttons: list[dict] = []

    def say(self, text: str, port: int | None = None, timeout: float = 40) -> str:
        url = self.url if port is None else f"http://127.0.0.1:{port}/api/messages"
        reply = httpx.post(url, json={"sender": self.sender, "message": text}, timeout=timeout)
        reply.raise_for_status()
        body = reply.json()
        self.buttons = [b for m in body for b in m.get("buttons") or []]
        return " ".join(m.get("text") or "" for m in body)

    def press(self, title: str) -> str:
        return self.say(next(b for b in self.buttons if b["title"] == title)["payload"])



def events(stack: ScaledStack, sender_id: str) -> list[dict]:
    """The sender's events in PostgreSQL, in stored order."""
    import psycopg2

    con = psycopg2.connect(stack.tracker_url, connect_timeout=5)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id",
                        (sender_id,))
            return [{"type": t, **json.loads(d)} for t, d in cur.fetchall()]
    finally:
        con.close()


def user_texts(stack: ScaledStack, sender_id: str) -> list[str]:
    return [e.get("text") for e in events(stack, sender_id) if e["type"] == "user"]
