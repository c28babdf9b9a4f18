"""Helpers for the web app tests: a fake Rasa behind httpx.MockTransport, Twilio signing."""
from __future__ import annotations

import uuid

import json
import re
import sys
from pathlib import Path
from typing import Callable

import httpx
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


TOKEN = "test-twilio-token"
SMS_URL = "http://testserver/sms/twilio"


def stub_detect(text: str):
    """A stand-in crisis detector for gateway tests (the real one is tested in its own module)."""
    return "stub" if re.search(r"\b(want to die|kill myself)\b", text, re.I) else None


class FakeRasa:
    """Answers like Rasa's REST channel; records what it was sent.

    mode: ok | empty | down | gone | slow | http500 | http502 | http503 | badjson | notlist
    """

    def __init__(self):
        self.mode = "ok"
        self.received: list[dict] = []
        self.reply: Callable[[dict], list[dict]] = self.default_reply
        self.health = {"rasa": 200, "actions": 200}

    @staticmethod
    def default_reply(body: dict) -> list[dict]:
        msg = body["message"]
        return [
            {"recipient_id": body["sender"], "text": f"Canned answer to: {msg}"},
            {"recipient_id": body["sender"], "text": "Anything else?",
             "buttons": [{"title": "First choice", "payload": "/first_choice"},
                         {"title": "Second choice", "payload": '/second{"state": "CA"}'}]},
        ]

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET":
            if path == "/":
                code = self.health["rasa"]
                if code is None:
                    raise httpx.ConnectError("refused", request=request)
                return httpx.Response(code, text="Hello from Rasa: 3.6.21")
            if path == "/health":
                code = self.health["actions"]
                if code is None:
                    raise httpx.ConnectError("refused", request=request)
                return httpx.Response(code, json={"status": "ok"})
            return httpx.Response(404)
        body = json.loads(request.content)
        self.received.append(body)
        if self.mode == "down":
            raise httpx.ConnectError("refused", request=request)
        if self.mode == "gone":  # killed mid-request
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if self.mode == "slow":
            raise httpx.ReadTimeout("slow", request=request)
        if self.mode == "empty":
            return httpx.Response(200, json=[])
        if self.mode.startswith("http5"):
            return httpx.Response(int(self.mode[4:]), text="boom")
        if self.mode == "badjson":
            return httpx.Response(200, text="<html>")
        if self.mode == "notlist":
            return httpx.Response(200, json={"error": "x"})
        return httpx.Response(200, json=self.reply(body))

    @property
    def messages(self) -> list[str]:
        return [b["message"] for b in self.received]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def drain(client: TestClient) -> None:
    """Wait for background forwards to Rasa (crisis path)."""
    client.portal.call(client.app.state.gateway.drain)


def sign(params: dict, url: str = SMS_URL, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def sms(client: TestClient, body: str, phone: str = "+15551234567", url: str = SMS_URL,
        headers: dict | None = None, signature: str | None = None, path: str = "/sms/twilio"):
    params = {"From": phone, "To": "+15550000000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex,  # unique, as Twilio's
              "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
    sig = sign(params, url) if signature is None else signature
    h = {"X-Twilio-Signature": sig} if sig else {}
    h.update(headers or {})
    return client.post(path, data=params, headers=h)


def twiml_text(resp) -> str | None:
    """The text of the single <Message> in a TwiML reply (None if no message)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(resp.text)
    assert root.tag == "Response"
    msgs = root.findall("Message")
    assert len(msgs) <= 1
    return msgs[0].text if msgs else None


def twiml_texts(resp) -> list[str]:
    """The texts of every <Message> in a TwiML reply, in order (a crisis reply has two)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(resp.text)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def visible(html: str) -> str:
    """The text of an HTML page as a reader sees it (tags removed, entities decoded)."""
    import html as _html
    import re as _re

    text = _re.sub(r"<script\b.*?</script>", " ", html, flags=_re.S)
    text = _re.sub(r"<[^>]+>", "", text)
    return " ".join(_html.unescape(text).split())


def norm(text: str) -> str:
    return " ".join(text.split())
