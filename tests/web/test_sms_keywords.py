"""SMS keywords are never menu words.

A person who texts STOP, END, QUIT, ... opts the whole number out of texts (the
carrier or Twilio acts on it, not only this app). So no button title and no line
asks a person to send one of those words, unless it means "stop all texts"; a
guided tool's way out is a number. The last test walks a whole guided tool by SMS:
signed Twilio requests, with a fake Rasa that runs the tools' own actions.
"""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from bot.content import load
from bot.web import sms as smsmod
from bot.web.sms import SMS_LIMIT, STOP_WORDS, is_gsm7, septets
from bot.web.words import line
from web_helpers import sms, twiml_text

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
# Opt-out words of carriers and the FCC rule (2025), and this app's own list.
CARRIER_STOP = sorted({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
                       "OPT-OUT", "STOP ALL"} | STOP_WORDS)
KEYWORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in CARRIER_STOP) + r")(?![\w-])", re.I)
# "reply STOP", "text 'end'", "send QUIT", "you can also stop ...", "type cancel"
ASKS_FOR = re.compile(
    r"\b(reply|text|send|type|say|write|enter|answer|press|tap|choose|pick)\b(\s+(with|back))?\s*[:\"'“]?\s*"
    + KEYWORD.pattern + r"|\byou can (also )?" + KEYWORD.pattern, re.I)
# Lines that may name STOP because it means "stop all texts" (and say so).
STOP_ALL_TEXTS = {"sms_help"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def content_files() -> list[Path]:
    skip = {"crisis_patterns.yml", "sources.yml", "court_holidays.yml"}  # not sent to people
    return [p for p in sorted(CONTENT.rglob("*.yml")) if p.name not in skip]


def walk(node, path=()):
    """Every (path, value) in a YAML tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (str(k),))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (str(i),))
    else:
        yield path, node


def button_titles() -> list[tuple[str, str]]:
    out = []
    for f in content_files():
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for path, value in walk(doc):
            if path and path[-1] == "title" and isinstance(value, str):
                out.append((f"{f.name}:{'.'.join(path)}", value))
    return out


def lines() -> list[tuple[str, str]]:
    out = []
    for f in content_files():
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for path, value in walk(doc):
            if isinstance(value, str) and path[-1] not in ("source", "payload", "intent", "id"):
                out.append((f"{f.name}:{'.'.join(path)}", JINJA.sub(" ", value)))
    return out


def test_the_scan_finds_what_it_looks_for():
    """The scanners themselves (so the tests below can fail)."""
    assert KEYWORD.search("Stop the questions") and KEYWORD.search("How does AOT end?")
    assert not KEYWORD.search("the order ends") and not KEYWORD.search("I stopped the tool")
    for bad in ("Reply STOP to leave the questions", "Text END to finish", "You can also stop the questions.",
                "Type 'cancel' to go back", "reply with quit"):
        assert ASKS_FOR.search(bad), bad
    for ok in ("Your lawyer can help you end AOT.", "Reply 3 for No more questions", "Reply MORE for the rest."):
        assert not ASKS_FOR.search(ok), ok
    assert len(button_titles()) > 20 and len(lines()) > 200


def test_no_button_title_has_a_carrier_keyword():
    bad = [(where, title) for where, title in button_titles() if KEYWORD.search(title)]
    assert bad == []


def test_no_line_asks_for_a_carrier_keyword_unless_it_stops_all_texts():
    bad = []
    for where, text in lines():
        for m in ASKS_FOR.finditer(text):
            key = where.split(":")[1].split(".")[0]
            word = (m.group(4) or m.group(6) or "").upper()
            if key in STOP_ALL_TEXTS and word == "STOP" and "stop all texts" in text[m.start():m.end() + 20]:
                continue
            bad.append((where, m.group(0)))
    assert bad == []


def test_sms_channel_lines_use_no_carrier_keyword_but_stop_all_texts():
    """The SMS channel's own lines (sms_*, crisis SMS forms) and the code's few words."""
    c = load()
    own = {k: " ".join(m["text"] for m in c.render_dialogue(k))
           for k in c.dialogue if k.startswith("sms_") or k.endswith("_sms")}
    own["code:more"] = smsmod.MORE_SUFFIX
    own["code:choose"] = line("sms", "choose", n=4)
    for key, text in own.items():
        words = {w.upper() for w in KEYWORD.findall(text)}
        if key in STOP_ALL_TEXTS:
            assert words <= {"STOP"} and "stop all texts" in text, key
        else:
            assert words == set(), (key, words)


# ---- a whole guided tool by SMS ------------------------------------------------------------
class ToolRasa:
    """Plays Rasa for the SMS walk: starts the eligibility tool on its payload or its
    question, and passes each reply to the tool's own actions (actions/tools.py) the
    way Rasa's form loop does (the Chat harness of tests/test_tools_actions.py)."""

    def __init__(self):
        from tests.test_tools_actions import Chat

        self.Chat = Chat
        self.chat = None

    def __call__(self, body: dict) -> list[dict]:
        # The actions run their own event loop (asyncio.run): not inside the app's.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(self._reply, body).result()

    def _reply(self, body: dict) -> list[dict]:
        from actions.tools import ActionStopTool
        from rasa_sdk.executor import CollectingDispatcher

        msg = body["message"]
        if msg in ("/check_eligibility", "who qualifies", "does my son qualify"):
            self.chat = self.Chat().start("check_eligibility", msg)
            texts, buttons = self.chat.texts, self.chat.buttons
        elif msg == "/stop_tool" and self.chat:
            d = CollectingDispatcher()
            asyncio.run(ActionStopTool().run(d, self.chat._tracker("stop_tool", ""), {}))
            self.chat = None
            texts, buttons = [m["text"] for m in d.messages if m.get("text")], []
        elif self.chat and self.chat.active_loop:
            self.chat.say(msg)
            texts, buttons = self.chat.texts, self.chat.buttons
        else:
            greet = load().render_dialogue("greet")
            texts, buttons = [m["text"] for m in greet], greet[-1]["buttons"]
        out = [{"recipient_id": body["sender"], "text": t} for t in texts]
        if buttons:
            out[-1]["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
        return out


def number_for(text: str, title: str) -> str:
    m = re.search(r"Reply (\d+) for " + re.escape(title) + r"$", text, re.M)
    assert m, f"no menu number for {title!r} in:\n{text}"
    return m.group(1)


def menu_titles(text: str) -> list[str]:
    return re.findall(r"^Reply \d+ for (.+)$", text, re.M)


@pytest.fixture
def tool_rasa(fake_rasa, monkeypatch):
    monkeypatch.setenv("AOT_TODAY", "2026-11-22")
    fake_rasa.reply = ToolRasa()
    return fake_rasa


def test_walk_a_whole_guided_tool_by_sms_and_leave_one_by_its_number(make_client, tool_rasa):
    client = make_client(rate_limit=0)  # a walk is many texts in a row
    c = load()
    stop_title = yaml.safe_load((CONTENT / "tools.yml").read_text())["common"]["buttons"]["stop"]["title"]
    replies = []

    def text(body: str) -> str:
        """Send one text; the reply, with every page a person gets by texting MORE."""
        pages = [twiml_text(sms(client, body))]
        while pages[-1] and pages[-1].endswith(smsmod.MORE_SUFFIX.strip()):
            pages.append(twiml_text(sms(client, "MORE")))
            assert len(pages) < 6
        for page in pages:
            assert page and is_gsm7(page) and septets(page) <= SMS_LIMIT, body
        reply = "\n".join(pages)
        for title in menu_titles(reply):
            assert not KEYWORD.search(title), title  # no menu option is a carrier keyword
        replies.append(reply)
        return reply

    reply = text("hi")  # the SMS greeting (greet_sms): a short menu, no eligibility in it
    assert menu_titles(reply) == [b["title"] for b in c.render_dialogue("greet_sms")[-1]["buttons"]]
    reply = text("who qualifies")
    assert tool_rasa.messages[-1] == "who qualifies"
    reply = text(number_for(reply, "California"))
    assert "Who are you asking about?" in reply
    reply = text(number_for(reply, "My son"))
    for n in range(1, 8):
        assert f"{n} of 7" in reply
        assert stop_title in menu_titles(reply)  # the way out, by number, at every question
        reply = text(number_for(reply, "Yes"))
    assert "summary" in reply.lower() or "You said yes to" in reply
    assert tool_rasa.messages[-7:] == ["yes"] * 7  # each number became the button's payload

    # again, and leave after one answer, with the way out's number
    reply = text("does my son qualify")
    reply = text(number_for(reply, "California"))
    assert "1 of 7. Is your son 18 or older?" in reply  # "my son" was in the question
    reply = text(number_for(reply, "Not sure"))
    assert "2 of 7" in reply
    reply = text(number_for(reply, stop_title))
    assert tool_rasa.messages[-1] == "/stop_tool"
    assert c.render_text(yaml.safe_load((CONTENT / "tools.yml").read_text())["common"]["stopped"][0],
                         name="eligibility questions") in reply
    # still subscribed: the next question is answered
    assert text("hello") and tool_rasa.messages[-1] == "hello"
    assert len(replies) >= 15
