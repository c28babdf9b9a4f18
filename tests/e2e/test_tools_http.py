"""Each guided tool end to end: real HTTP to the running web app, Rasa (trained
model) and action server. The stack runs with AOT_TODAY=2026-11-22 (a Sunday)."""
from __future__ import annotations

import html
import json
import re
import sqlite3
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from twilio.request_validator import RequestValidator

pytestmark = pytest.mark.e2e


def visible(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


class Api:
    """A chat widget using /api/messages: buttons come back with each reply."""

    def __init__(self, stack):
        self.url = f"{stack.ports.web_url}/api/messages"
        self.sender = f"tools-{uuid.uuid4().hex[:8]}"
        self.buttons: list[dict] = []

    def say(self, text: str) -> str:
        reply = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=30).json()
        self.buttons = [b for m in reply for b in m.get("buttons") or []]
        return " ".join(m.get("text") or "" for m in reply)

    def press(self, title: str) -> str:
        button = next(b for b in self.buttons if b["title"] == title)
        return self.say(button["payload"])


def test_hearing_date_from_one_question(stack):
    text = Api(stack).say("the county filed the petition on friday, when is my hearing?")
    assert "Friday, November 20, 2026" in text
    assert "Tuesday, December 1, 2026" in text
    assert "Thanksgiving" in text and "5346(d)(1)" in text


def test_hearing_date_asks_again_on_a_bad_date(stack):
    api = Api(stack)
    text = api.say("can you work out my hearing date")
    assert "what date did the county file" in text
    assert "No more questions" in [b["title"] for b in api.buttons]
    text = api.say("next blursday")
    assert "could not read a date" in text and "what date did the county file" in text
    text = api.say("Feb 30")
    assert "February 2026 has no day 30" in text
    text = api.say("12/23/2026")
    assert "Thursday, December 31, 2026" in text and "Christmas Day" in text


def test_order_timeline_with_buttons(stack):
    api = Api(stack)
    text = api.say("work out my order dates")
    assert "California or New York" in text
    api.press("California")
    text = api.say("it started march 3")
    assert "Tuesday, March 3, 2026" in text and "How long is the order" in text
    text = api.press("6 months")
    assert "Saturday, May 2, 2026" in text and "Thursday, September 3, 2026" in text
    assert "habeas corpus" in text and "Law/source:" in text


def test_eligibility_for_a_son_then_stop(stack):
    api = Api(stack)
    text = api.say("does my son qualify for laura's law?")
    assert "Is your son 18 or older?" in text
    assert [b["title"] for b in api.buttons] == ["Yes", "No", "Not sure", "No more questions"]
    text = api.press("Yes")
    assert "Does your son have a serious mental illness?" in text
    text = api.press("No more questions")
    assert "I stopped the eligibility questions. Nothing you answered is kept." in text
    # and the conversation goes on normally
    assert "public defender" in api.say("do i get a lawyer")


def test_eligibility_to_the_end_and_nothing_kept(stack):
    api = Api(stack)
    api.say("walk me through the criteria for my daughter")
    text = api.press("New York")
    assert "Is your daughter 18 or older?" in text
    for answer in ["Yes", "Yes", "Not sure", "No", "Yes", "Yes"]:
        api.press(answer)
    text = api.press("Yes")
    assert "summary of your answers about your daughter" in text
    assert "You said no to: a history of not following treatment" in text
    assert "Only a court decides" in text and "not legal advice" in text
    assert "Mental Hygiene Legal Service" in text
    # Rasa's stored conversation no longer holds the answers.
    with sqlite3.connect(stack.tracker_db) as db:
        rows = [json.loads(d) for (d,) in db.execute("SELECT data FROM events")]
    texts = " ".join(str(r.get("text")) for r in rows)
    assert "walk me through the criteria for my daughter" in texts
    assert "Is your daughter 18 or older?" not in texts
    assert "a history of not following treatment" not in texts


def test_topic_switch_mid_tool(stack):
    api = Api(stack)
    api.say("does my brother qualify for laura's law")
    text = api.say("can they force him to take medication?")
    assert "I stopped the eligibility questions to answer your question" in text
    assert "medication" in text.lower() and "Is your brother" not in text


def test_crisis_mid_tool_comes_first(stack):
    api = Api(stack)
    api.say("does my son qualify for laura's law")
    text = api.say("i don't want to live anymore")
    assert "988" in text
    assert "Is your son" not in text


def test_tools_from_the_greeting_menu_in_the_web_chat(stack):
    """Web chat without JavaScript: the greeting's buttons reach each tool."""
    with httpx.Client(base_url=stack.ports.web_url, follow_redirects=True, timeout=30) as browser:
        page = browser.get("/").text
        for payload in ("/calc_hearing_date", "/calc_order_timeline", "/check_eligibility"):
            assert f'value="{payload}"' in page
        page = browser.post("/chat", data={"payload": "/calc_hearing_date"}).text
        assert "what date did the county file" in visible(page)
        assert 'value="today"' in page
        page = browser.post("/chat", data={"payload": "today"}).text
        text = visible(page)
        assert "Filed on Sunday, November 22, 2026" in text
        assert "Tuesday, December 1, 2026" in text  # Mon-Wed, then Thanksgiving + day after
        assert "Courts are closed on Sunday, November 22, 2026" in text


class Phone:
    """A person texting the SMS gateway, with Twilio's signature."""

    def __init__(self, stack):
        self.url = f"{stack.ports.web_url}/sms/twilio"
        self.phone = f"+1555{uuid.uuid4().int % 10_000_000:07d}"
        self.token = stack.extra_env["TWILIO_AUTH_TOKEN"]

    def text(self, body: str) -> str:
        params = {"From": self.phone, "To": "+15550000000", "Body": body,
                  "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
        sig = RequestValidator(self.token).compute_signature(self.url, params)
        resp = httpx.post(self.url, data=params, headers={"X-Twilio-Signature": sig}, timeout=30)
        assert resp.status_code == 200, resp.text
        msg = ET.fromstring(resp.text).find("Message")
        return msg.text if msg is not None else ""

    def text_all(self, body: str) -> str:
        """Send, then follow 'Reply MORE' to the end: the whole answer."""
        reply = self.text(body)
        full = reply
        while "Reply MORE" in reply:
            reply = self.text("MORE")
            full += "\n" + reply
        return full


def _number_for(reply: str, title: str) -> str:
    m = re.search(rf"Reply (\d+) for {re.escape(title)}\b", reply)
    assert m, reply
    return m.group(1)


def test_eligibility_over_sms_with_numbered_replies(stack):
    phone = Phone(stack)
    reply = phone.text_all("does my son qualify for laura's law")
    assert "Is your son 18 or older?" in reply
    reply = phone.text_all(_number_for(reply, "Yes"))
    assert "Does your son have a serious mental illness?" in reply
    reply = phone.text_all(_number_for(reply, "No more questions"))
    assert "Nothing you answered is kept" in reply


def test_hearing_date_over_sms(stack):
    phone = Phone(stack)
    reply = phone.text_all("when is my hearing if the county filed on 11/20/2026")
    assert "Tuesday, December 1, 2026" in reply
    assert all(ord(ch) < 128 or ch in "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà€" for ch in reply)


def test_order_timeline_over_sms(stack):
    phone = Phone(stack)
    reply = phone.text_all("my order started march 3 2026, when does it end?")
    if "California or New York" in reply:
        reply = phone.text_all(_number_for(reply, "California"))
    if "How long is the order" in reply:
        reply = phone.text_all(_number_for(reply, "6 months"))
    assert "Thursday, September 3, 2026" in reply
