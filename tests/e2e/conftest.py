"""Start the real action server, Rasa and web app once for all end-to-end tests, under
supervisord as `make run` does (bot/stack.py, bot/supervise.py)."""
from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest

from bot.stack import Ports, Stack

E2E_PORTS = Ports(rasa=15005, actions=15055, web=18000)
E2E_TWILIO_TOKEN = "e2e-twilio-token"
E2E_TODAY = "2026-11-22"  # the guided tools' "today" (a Sunday), so their dates can be checked


@pytest.fixture(scope="session")
def stack(trained_model, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "trackers.db"
    running = Stack(ports=E2E_PORTS, tracker_db=db, web=True, log_dir=db.parent,
                    extra_env={"TWILIO_AUTH_TOKEN": E2E_TWILIO_TOKEN, "AOT_TODAY": E2E_TODAY}).start()
    try:
        running.wait_ready(timeout=300)
        yield running
    finally:
        running.stop()


class Chat:
    """One person's conversation over Rasa's REST channel."""

    def __init__(self, url: str):
        self.url = f"{url}/webhooks/rest/webhook"
        self.sender = f"e2e-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> list[dict]:
        response = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    def text(self, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(message))


@pytest.fixture
def chat(stack) -> Chat:
    return Chat(stack.ports.rasa_url)


@pytest.fixture
def tracker_rows(stack):
    def count(sender: str) -> int:
        with sqlite3.connect(stack.tracker_db) as db:
            return db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    return count
