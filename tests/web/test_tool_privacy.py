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
    if "want to die" in msg:  # action_crisis ends a running tool (actions/crisis.py)
        return [{"recipient_id": sender, "text": "Call 988."},
                {"recipient_id": sender, "custom": {"guided_tool": "end"}}]
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


class ToolRasa:
    """A stand-in for Rasa with a tool that remembers where it is, per sender: 'does my
    son qualify' starts it (two questions), a crisis ends it (action_crisis: its words,
    then the tool-end marker), like actions/tools.py and actions/crisis.py."""

    QUESTIONS = ["1 of 2. Is your son 18 or older?", "2 of 2. Has he been in a hospital?"]

    def __init__(self):
        self.step: dict[str, int] = {}

    def __call__(self, body):
        msg, sender = body["message"], body["sender"]
        out = lambda **m: {"recipient_id": sender, **m}  # noqa: E731
        if "want to die" in msg:
            running = self.step.pop(sender, None) is not None
            return [out(text="Call 988.")] + ([out(custom={"guided_tool": "end"})] if running else [])
        if msg == "does my son qualify":
            self.step[sender] = 0
            return [out(custom={"guided_tool": "start"}), out(text=self.QUESTIONS[0])]
        if sender in self.step:
            self.step[sender] += 1
            if self.step[sender] < len(self.QUESTIONS):
                return [out(text=self.QUESTIONS[self.step[sender]])]
            del self.step[sender]
            return [out(text="Summary of your answers."), out(custom={"guided_tool": "end"})]
        return [out(text=f"Answer to: {msg}")]


def _page_after(client, messages):
    for m in messages:
        client.post("/chat", data={"message": m})
    return client.get("/").text


def test_a_crisis_that_rasa_never_heard_leaves_the_tool_running_and_its_answers_are_still_forgotten(
        client, fake_rasa):
    """The crisis path: the gateway answers at once and Rasa hears the message in the
    background. When Rasa did not hear it (down for that moment), the tool goes on
    in Rasa: the transcript must follow Rasa's own signal, so every answer of that run,
    typed before or after the crisis message, is forgotten when the tool ends."""
    fake_rasa.reply = ToolRasa()
    _page_after(client, ["does my son qualify", "yes he is 19"])
    fake_rasa.mode = "down"
    client.post("/chat", data={"message": "I want to die"})  # crisis reply; Rasa missed it
    fake_rasa.mode = "ok"
    page = _page_after(client, ["no hospital stays", "do I get a lawyer"])
    assert "Summary of your answers." not in page
    assert "yes he is 19" not in page and "no hospital stays" not in page
    assert "I want to die" in page and "msg-crisis" in page     # the crisis turn and panel stay
    assert "does my son qualify" in page and "Answer to: do I get a lawyer" in page


def test_a_crisis_that_rasa_heard_ends_the_tool_by_rasas_own_signal(client, fake_rasa):
    """Rasa's reply to a crisis the gateway answered is not shown, but its tool-end
    marker still reaches the transcript: the answers go at the next message."""
    fake_rasa.reply = ToolRasa()
    _page_after(client, ["does my son qualify", "yes he is 19", "I want to die"])
    page = _page_after(client, ["do I get a lawyer"])
    assert "yes he is 19" not in page and "Is your son 18 or older?" not in page
    assert "I want to die" in page and "msg-crisis" in page
    assert "Answer to: do I get a lawyer" in page
