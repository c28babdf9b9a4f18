"""Guided tools through the web app (fake Rasa): markers are never shown, and a
finished tool's answers leave the web transcript at the next message."""
from __future__ import annotations

from bot.tools import REMOVED_USER

from web_helpers import TOKEN  # noqa: F401  (conftest puts tests/web on sys.path)


def tool_rasa(body):
    """A tiny stand-in for the tool flow: 'qualify' starts, 'yes' ends with a summary."""
    msg, sender = body["message"], body["sender"]
    if msg == "does my son qualify":
        return [{"recipient_id": sender, "custom": {"guided_tool": "start"}},
                {"recipient_id": sender, "text": "1 of 7. Is your son 18 or older?",
                 "buttons": [{"title": "Yes", "payload": "yes"}]}]
    if msg == "yes":
        return [{"recipient_id": sender, "text": "You said yes to: 18 or older."},
                {"recipient_id": sender, "custom": {"guided_tool": "end"}}]
    return [{"recipient_id": sender, "text": f"Answer to: {msg}"}]


def test_markers_are_not_shown_and_answers_are_blanked_after_the_tool(client, fake_rasa):
    fake_rasa.reply = tool_rasa
    client.post("/chat", data={"message": "does my son qualify"})
    page = client.get("/").text
    assert "Is your son 18 or older?" in page
    assert "guided_tool" not in page

    client.post("/chat", data={"message": "yes"})
    page = client.get("/").text
    assert "You said yes to: 18 or older." in page  # the result stays until the next message

    client.post("/chat", data={"message": "do I get a lawyer"})
    page = client.get("/").text
    assert "18 or older" not in page
    assert REMOVED_USER in page
    assert "does my son qualify" in page           # the question that started it stays
    assert "Answer to: do I get a lawyer" in page


def test_api_and_sms_never_show_markers(client, fake_rasa):
    fake_rasa.reply = tool_rasa
    r = client.post("/api/messages", json={"sender": "widget-1", "message": "does my son qualify"})
    assert r.status_code == 200
    assert all("custom" not in m and "marker" not in m for m in r.json())
    assert any("18 or older" in (m.get("text") or "") for m in r.json())


def test_a_reply_of_only_a_marker_counts_as_empty(client, fake_rasa):
    fake_rasa.reply = lambda body: [{"recipient_id": body["sender"], "custom": {"guided_tool": "end"}}]
    r = client.post("/chat", data={"message": "hello"}, headers={"accept": "application/json"})
    assert r.json()["kind"] == "failure"


def test_a_crisis_in_a_tool_forgets_its_answers_but_keeps_the_panel(client, fake_rasa):
    fake_rasa.reply = tool_rasa
    client.post("/chat", data={"message": "does my son qualify"})
    client.post("/chat", data={"message": "I want to die"})  # caught by the gateway
    page = client.get("/").text
    assert "msg-crisis" in page and "I want to die" in page
    client.post("/chat", data={"message": "do I get a lawyer"})
    page = client.get("/").text
    assert "Is your son 18 or older?" not in page  # the tool's turns are blanked
    assert "I want to die" in page and "msg-crisis" in page and 'class="call call_988"' in page
