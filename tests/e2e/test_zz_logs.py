"""Privacy on the real stack: after whole conversations, no process logged what people wrote.
(Named to run last, after every other end-to-end conversation.)"""
from __future__ import annotations

import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_server_logs_hold_no_message_text_or_sender(stack):
    marker = f"zebra{uuid.uuid4().hex[:8]}"
    sender = f"sender{uuid.uuid4().hex[:8]}"
    for text in (f"my cousin {marker} lives in fresno, does he get a lawyer", "i want to die " + marker):
        httpx.post(f"{stack.ports.web_url}/api/messages", json={"sender": sender, "message": text}, timeout=60)
        httpx.post(f"{stack.ports.rasa_url}/webhooks/rest/webhook",
                   json={"sender": sender, "message": text}, timeout=60)
    time.sleep(1)  # let the processes flush their logs
    logs = {p.name: p.read_text(errors="replace") for p in stack.log_dir.glob("*.log")}
    assert logs, "no log files found"
    for name, text in logs.items():
        assert marker not in text, name
        assert sender not in text, name
