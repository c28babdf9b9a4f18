"""Faults on the real stack: a process down, every process restarted. Nothing is lost,
and the person always gets a clear, kind reply."""
from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


def api(stack, sender: str, text: str) -> str:
    reply = httpx.post(f"{stack.ports.web_url}/api/messages", timeout=60,
                       json={"sender": sender, "message": text})
    assert reply.status_code == 200
    return " ".join(m.get("text", "") for m in reply.json())


def test_action_server_down_gives_people_to_call(stack, content):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.stop(only={"actions"})  # supervisorctl stop: stays down until started again
    try:
        text = api(stack, sender, "do i get a lawyer in california")
        restarting = " ".join(m["text"] for m in content.render_dialogue("restarting"))
        assert text == restarting and content.contacts["ca_patients_rights"]["phone"] in text
        assert "988" in text
    finally:
        stack.start(only={"actions"}).wait_ready(timeout=120)
    assert "public defender" in api(stack, sender, "do i get a lawyer in california")


def test_conversation_goes_on_after_every_process_restarts(stack):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    assert "Sacramento County" in api(stack, sender, "does sacramento county have AOT")
    stack.stop()
    stack.start().wait_ready(timeout=300)
    # The state (California) was kept in the SQLite tracker store: no need to ask again.
    text = api(stack, sender, "when is the hearing")
    assert "California or New York" not in text and "5 court days" in text
