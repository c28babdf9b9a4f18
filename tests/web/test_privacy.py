"""Nothing personal in logs or storage; the runner's logging; random input never gives a 5xx."""
from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from web_helpers import drain, sign, sms

PHONE = "+15557654321"
SECRET_TEXTS = ["my son Jeremy lives at 12 Oak Street", "I want to die", "Do I get a lawyer?",
                "<script>alert(1)</script>"]


def test_a_whole_conversation_leaves_nothing_personal_in_logs(make_client, fake_rasa, caplog):
    caplog.set_level(logging.DEBUG)  # even at DEBUG, for every logger
    c = make_client(rate_limit=3)
    for text in SECRET_TEXTS:
        c.post("/chat", data={"message": text}, headers={"accept": "application/json"})
        c.post("/chat", data={"message": text})
        c.post("/api/messages", json={"sender": "widget-77", "message": text})
        sms(c, text, phone=PHONE)
    sms(c, "1", phone=PHONE)
    sms(c, "HELP", phone=PHONE)
    sms(c, "STOP", phone=PHONE)
    sms(c, "START", phone=PHONE)
    sms(c, "DELETE", phone=PHONE)
    c.post("/chat", data={"payload": "/first_choice"})
    c.post("/delete")
    c.post("/leave")
    fake_rasa.mode = "down"
    c.post("/api/messages", json={"sender": "widget-77", "message": "Rasa is down now"})
    drain(c)

    logs = "\n".join(r.getMessage() for r in caplog.records) + "\n" + caplog.text
    assert "channel=" in logs  # the gateway did log, just nothing personal
    forbidden = SECRET_TEXTS + ["Rasa is down now", "widget-77", PHONE, PHONE[2:], "5557654321",
                                "Jeremy", "Oak Street"]
    forbidden += [b["sender"] for b in fake_rasa.received]  # hashed sender ids too
    forbidden += [b["message"] for b in fake_rasa.received]
    sid = c.cookies.get("aot_sid")
    if sid:
        forbidden.append(sid)
    for item in forbidden:
        assert item not in logs, f"leaked into logs: {item[:30]!r}"


def test_runner_turns_off_access_logs():
    from bot.web import __main__ as runner

    cfg = runner.LOG_CONFIG
    assert cfg["loggers"]["uvicorn.access"]["handlers"] == []
    assert cfg["loggers"]["uvicorn.access"]["level"] == "CRITICAL"
    import inspect

    from bot.web.config import Settings

    src = inspect.getsource(runner.main)
    assert "access_log=False" in src and "host=settings.host" in src
    assert Settings().host == "127.0.0.1"  # listens on localhost unless HOST says otherwise


def test_cookie_holds_only_a_random_id(client):
    r = client.post("/chat", data={"message": "hi"}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    value = rest.split(";")[0]
    assert name == "aot_sid"
    assert len(value) >= 40 and value.replace("-", "").replace("_", "").isalnum()
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


def test_secure_cookie_behind_https_proxy(client):
    r = client.post("/chat", data={"message": "hi"}, follow_redirects=False,
                    headers={"x-forwarded-proto": "https"})
    assert "secure" in r.headers["set-cookie"].lower()


# ---- property: random input never gives a 5xx ---------------------------------------------------
anything = st.one_of(st.text(max_size=2000), st.binary(max_size=2000).map(
    lambda b: b.decode("utf-8", "surrogateescape")))
FUZZ = hsettings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=anything, payload=st.one_of(st.none(), st.text(max_size=50)))
def test_fuzz_chat_form(make_client, text, payload):
    c = _fuzz_client(make_client)
    data = {"message": text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")}
    if payload is not None:
        data["payload"] = payload
    r = c.post("/chat", data=data, headers={"accept": "application/json"})
    assert r.status_code < 500


@FUZZ
@given(body=st.binary(max_size=3000), ctype=st.sampled_from([
    "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
    "text/plain", ""]))
def test_fuzz_raw_bodies(make_client, body, ctype):
    c = _fuzz_client(make_client)
    for path in ("/chat", "/api/messages", "/sms/twilio", "/delete", "/leave"):
        r = c.post(path, content=body, headers={"content-type": ctype} if ctype else {})
        assert r.status_code < 500, (path, r.status_code)


@FUZZ
@given(sender=st.text(min_size=1, max_size=300), message=st.one_of(st.text(max_size=3000),
                                                                  st.integers(), st.none()))
def test_fuzz_api_json(make_client, sender, message):
    c = _fuzz_client(make_client)
    r = c.post("/api/messages", json={"sender": sender, "message": message})
    assert r.status_code < 500


@FUZZ
@given(body=st.text(max_size=1600), phone=st.text(min_size=1, max_size=20))
def test_fuzz_signed_sms(make_client, body, phone):
    c = _fuzz_client(make_client)
    body = body.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    phone = phone.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    params = {"From": phone, "Body": body}
    r = c.post("/sms/twilio", data=params, headers={"X-Twilio-Signature": sign(params)})
    assert r.status_code < 500


_clients: dict = {}


def _fuzz_client(make_client):
    # one app per test function (hypothesis calls the body many times)
    key = id(make_client)
    if key not in _clients:
        _clients.clear()
        _clients[key] = make_client(rate_limit=0)
    return _clients[key]


def test_runner_serves_on_localhost_and_logs_no_query_or_text(tmp_path):
    """`python -m bot.web` as the run command starts it: real uvicorn, real logs."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(root), "PORT": str(port), "WEB_DB": str(tmp_path / "w.db"),
           "RASA_URL": "http://127.0.0.1:9", "ACTION_SERVER_URL": "http://127.0.0.1:9",
           "WEB_LOG_LEVEL": "DEBUG", "TWILIO_AUTH_TOKEN": "t"}
    env.pop("HOST", None)
    log = tmp_path / "web.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=root, env=env,
                                stdout=fh, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
            time.sleep(0.2)
        httpx.get(base + "/?name=SecretQueryValue")
        httpx.post(base + "/chat", data={"message": "SecretFormText about my son"})
        r = httpx.post(base + "/api/messages", json={"sender": "SecretSender", "message": "SecretApiText"})
        assert r.status_code == 200  # Rasa is down: the static failure message
        httpx.post(base + "/sms/twilio", data={"From": "+15550001111", "Body": "SecretSms"})
    finally:
        proc.terminate()
        proc.wait(10)
    text = log.read_text()
    assert "GET / 200" in text  # one line per request...
    for secret in ("SecretQueryValue", "SecretFormText", "SecretSender", "SecretApiText",
                   "SecretSms", "5550001111", "name="):
        assert secret not in text  # ...with no query string, body, sender or number
    assert f"127.0.0.1:{port}" in text  # bound to localhost only


def test_restart_keeps_the_conversation(settings, fake_rasa):
    """Same database and key after a restart: same transcript, same Rasa sender id."""
    from fastapi.testclient import TestClient

    from bot.web.app import create_app
    from web_helpers import stub_detect

    with TestClient(create_app(settings, rasa_transport=fake_rasa.transport,
                               detect=stub_detect)) as c1:
        c1.post("/chat", data={"message": "before the restart"})
        cookie = c1.cookies.get("aot_sid")
    with TestClient(create_app(settings, rasa_transport=fake_rasa.transport,
                               detect=stub_detect)) as c2:
        c2.cookies.set("aot_sid", cookie)
        assert "before the restart" in c2.get("/").text
        c2.post("/chat", data={"message": "after"})
    assert fake_rasa.received[0]["sender"] == fake_rasa.received[1]["sender"]


def test_sender_key_file_is_private(tmp_path, monkeypatch):
    import stat

    from bot.web.config import Settings

    monkeypatch.delenv("SENDER_HASH_KEY", raising=False)
    monkeypatch.setenv("WEB_DB", str(tmp_path / "w.db"))
    a = Settings.from_env().sender_key
    b = Settings.from_env().sender_key
    assert a == b and len(a) >= 32
    mode = stat.S_IMODE((tmp_path / "sender.key").stat().st_mode)
    assert mode == 0o600


@FUZZ
@given(segment=st.text(max_size=200), query=st.text(max_size=300))
def test_fuzz_get_pages(make_client, segment, query):
    from urllib.parse import quote

    c = _fuzz_client(make_client)
    for path in (f"/topics/{quote(segment, safe='')}", f"/?{quote(query, safe='=&')}",
                 f"/counties?{quote(query, safe='=&')}"):
        r = c.get(path, headers={"accept": "text/html"})
        assert r.status_code < 500, path


def test_purge_deletes_old_tracker_conversations(tmp_path):
    """Retention: `python -m bot.web.store purge` removes idle conversations from Rasa's store."""
    import sqlite3
    import time

    from bot.web.store import purge_trackers

    db = tmp_path / "trackers.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                    "timestamp REAL, data TEXT)")
        now = time.time()
        con.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?,?,?,?)", [
            ("old", "user", now - 40 * 86400, "{}"), ("old", "bot", now - 39 * 86400, "{}"),
            ("recent", "user", now - 40 * 86400, "{}"), ("recent", "user", now - 3600, "{}")])
    assert purge_trackers(db, 30) == 1
    with sqlite3.connect(db) as con:
        assert {r[0] for r in con.execute("SELECT DISTINCT sender_id FROM events")} == {"recent"}
    assert purge_trackers(tmp_path / "missing.db", 30) == 0
