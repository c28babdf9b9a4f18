"""POST /api/messages (Rasa REST format), /healthz, /docs, headers."""
from __future__ import annotations

import pytest
from bot.content import load
from web_helpers import drain


def test_api_round_trip_in_rasa_format(client, fake_rasa):
    r = client.post("/api/messages", json={"sender": "widget-1", "message": "Do I get a lawyer?"})
    assert r.status_code == 200
    data = r.json()
    assert data[0] == {"recipient_id": "widget-1", "text": "Canned answer to: Do I get a lawyer?"}
    assert data[1]["buttons"][0] == {"title": "First choice", "payload": "/first_choice"}
    # the client's sender id is hashed before it reaches Rasa, the same way every time
    sent = fake_rasa.received[0]
    assert sent["sender"].startswith("api-") and "widget-1" not in sent["sender"]
    client.post("/api/messages", json={"sender": "widget-1", "message": "again"})
    assert fake_rasa.received[1]["sender"] == sent["sender"]
    client.post("/api/messages", json={"sender": "widget-2", "message": "again"})
    assert fake_rasa.received[2]["sender"] != sent["sender"]


def test_api_metadata_from_client_is_ignored(client, fake_rasa):
    client.post("/api/messages", json={"sender": "w", "message": "hi",
                                       "metadata": {"channel": "sms", "x": 1}})
    meta = dict(fake_rasa.received[0]["metadata"])
    meta.pop("message_id")
    assert meta == {"channel": "api", "lang": "en"}


def test_each_message_has_its_own_id_for_rasa(client, fake_rasa):
    """The id Rasa answers a message once by (bot/rasa_once.py): set by the web app, one
    per message, never taken from the client."""
    for text in ("hi", "hi"):
        client.post("/api/messages", json={"sender": "w", "message": text,
                                           "metadata": {"message_id": "0" * 32}})
    ids = [m["metadata"]["message_id"] for m in fake_rasa.received]
    assert len(set(ids)) == 2 and "0" * 32 not in ids
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_api_button_payload_just_offered_is_accepted(client, fake_rasa):
    client.post("/api/messages", json={"sender": "w", "message": "hi"})
    client.post("/api/messages", json={"sender": "w", "message": '/second{"state": "CA"}'})
    assert fake_rasa.messages[-1] == '/second{"state": "CA"}'
    # ... once: the new reply offered the same buttons again, but not /restart
    client.post("/api/messages", json={"sender": "w", "message": "/restart"})
    assert fake_rasa.messages[-1] == "restart"
    # another sender was never offered these buttons
    client.post("/api/messages", json={"sender": "other", "message": "/first_choice"})
    assert fake_rasa.messages[-1] == "first_choice"


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"[]", b'"text"', b'{"message": "hi"}', b'{"sender": "", "message": "x"}',
    b'{"sender": "w", "message": {"a": 1}}', b'{"sender": "' + b"s" * 300 + b'", "message": "x"}',
    b'\xff\xfe{"sender"', b'{"sender": "w", "message": "\\ud800"}',
])
def test_api_bad_input_is_a_clear_4xx_or_kind_reply(client, fake_rasa, body):
    r = client.post("/api/messages", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 or r.status_code == 200, r.text
    if r.status_code == 422:
        assert r.json()["detail"] == "The request was not valid."
        assert "s" * 300 not in r.text  # never echoes what was sent


def test_api_lone_surrogate_does_not_break_rasa_call(client, fake_rasa):
    r = client.post("/api/messages", content=b'{"sender": "w", "message": "hi \\ud800 there"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 200
    assert fake_rasa.messages == ["hi there"]


def test_api_empty_and_huge(client, fake_rasa):
    r = client.post("/api/messages", json={"sender": "w", "message": "   "})
    assert r.status_code == 200 and "empty" in r.json()[0]["text"]
    r = client.post("/api/messages", json={"sender": "w", "message": "a" * 12000})
    assert r.status_code == 200
    assert "only the first" in r.json()[0]["text"]
    assert len(fake_rasa.messages[0]) == 1000
    r = client.post("/api/messages", json={"sender": "w", "message": "a" * 200_000})
    assert r.status_code == 413


def test_api_rate_limit_is_429_with_polite_text(make_client, fake_rasa):
    c = make_client(rate_limit=2)
    codes = [c.post("/api/messages", json={"sender": "w", "message": f"q{i}"}).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]
    r = c.post("/api/messages", json={"sender": "w", "message": "q"})
    assert "wait a minute" in r.json()[0]["text"]
    assert r.headers["retry-after"] == "60"


def test_api_crisis_first_when_rasa_down(client, fake_rasa):
    fake_rasa.mode = "down"
    r = client.post("/api/messages", json={"sender": "w", "message": "I want to kill myself"})
    assert r.status_code == 200
    texts = [m.get("text") for m in r.json()]
    crisis = [m["text"] for m in load().render_dialogue("crisis")]
    assert texts == crisis
    drain(client)
    assert fake_rasa.messages == ["I want to kill myself"]


@pytest.mark.parametrize("mode", ["empty", "slow", "http500", "badjson"])
def test_api_rasa_failure(client, fake_rasa, mode):
    fake_rasa.mode = mode
    r = client.post("/api/messages", json={"sender": "w", "message": "hi"})
    assert r.status_code == 200
    assert [m["text"] for m in r.json()] == [m["text"] for m in load().render_dialogue("error")]


@pytest.mark.parametrize("mode, actions", [("down", 200), ("gone", 200), ("http502", 200),
                                           ("http503", 200), ("empty", None), ("empty", 503)])
def test_api_says_restarting_while_rasa_or_action_server_is_down(client, fake_rasa, mode, actions):
    """Refused / 502 / 503 from Rasa, or Rasa's `[]` while the action server is down:
    supervisord is restarting a process, so the person is told answers are back soon."""
    fake_rasa.mode, fake_rasa.health["actions"] = mode, actions
    r = client.post("/api/messages", json={"sender": "w", "message": "hi"})
    assert r.status_code == 200
    texts = [m["text"] for m in r.json()]
    assert texts == [m["text"] for m in load().render_dialogue("restarting")]
    assert texts != [m["text"] for m in load().render_dialogue("error")]
    assert "back in a moment" in texts[0] and "988" in texts[-1]


def test_openapi_documents_api_messages(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/messages"]["post"]
    assert "requestBody" in op
    schema_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = schema_ref.rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][name]["properties"]) >= {"sender", "message"}
    assert "200" in op["responses"] and "429" in op["responses"]
    assert "/healthz" in spec["paths"] and "/sms/twilio" in spec["paths"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("rasa,actions,status", [
    (200, 200, "ok"), (None, 200, "degraded"), (200, None, "degraded"), (503, 200, "degraded"),
])
def test_healthz_reports_each_part(client, fake_rasa, rasa, actions, status):
    fake_rasa.health = {"rasa": rasa, "actions": actions}
    r = client.get("/healthz")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == status
    assert data["web"] == {"ok": True}
    assert data["rasa"]["ok"] is (rasa == 200)
    assert data["action_server"]["ok"] is (actions == 200)


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "form-action 'self' https://www.weather.gov" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_static_files(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@media print" in css.text
    js = client.get("/static/chat.js")
    assert js.status_code == 200 and "fetch(" in js.text
    assert "http" not in js.text.replace("https://www.weather.gov/", "")  # no CDN, no other site


def test_unknown_route_is_404_not_500(client):
    assert client.get("/nope", headers={"accept": "text/html"}).status_code == 404
    assert client.get("/nope").status_code == 404
    assert client.get("/api/messages").status_code == 405
