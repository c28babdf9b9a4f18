"""The web app in front of the real Rasa: what a person sees in the browser or an API client."""
from __future__ import annotations

import html
import re
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_health_reports_each_process(stack):
    body = httpx.get(f"{stack.ports.web_url}/healthz", timeout=10).json()
    assert "rasa" in str(body) and "action" in str(body)
    assert httpx.get(f"{stack.ports.web_url}/healthz", timeout=10).status_code == 200


def test_api_relays_to_rasa(stack):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    reply = httpx.post(f"{stack.ports.web_url}/api/messages", timeout=30,
                       json={"sender": sender, "message": "does fresno county have AOT?"}).json()
    text = " ".join(m.get("text", "") for m in reply)
    assert "listed Fresno County, California, as having AOT" in text and "December 2021" in text


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_no_javascript_conversation_with_buttons(stack):
    """Form posts only, as a browser with JavaScript off would send them."""
    with httpx.Client(base_url=stack.ports.web_url, follow_redirects=True, timeout=30) as browser:
        page = browser.post("/chat", data={"message": "do i get a lawyer?"}).text
        assert "California or New York" in _visible_text(page)
        assert 'name="payload"' in page  # the state buttons are plain form buttons
        page = browser.post("/chat", data={"payload": '/inform_state{"state": "CA"}'}).text
        text = _visible_text(page)
        assert "public defender" in text and "5346(c)" in text
        page = browser.post("/chat", data={"message": "and how long does it last"}).text
        assert "6 months" in _visible_text(page)
        # The conversation so far survives a reload.
        assert "public defender" in _visible_text(browser.get("/").text)


def test_typed_intent_is_not_run(stack):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    reply = httpx.post(f"{stack.ports.web_url}/api/messages", timeout=30,
                       json={"sender": sender, "message": '/inform_county{"county": "CA:Fresno"}'}).json()
    assert "Fresno County, California" not in " ".join(m.get("text", "") for m in reply)


def test_crisis_first_through_the_web_app(stack):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    reply = httpx.post(f"{stack.ports.web_url}/api/messages", timeout=30,
                       json={"sender": sender, "message": "i want to kill myself"}).json()
    assert "988" in " ".join(m.get("text", "") for m in reply[:2])
