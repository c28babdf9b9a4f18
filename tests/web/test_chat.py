"""The web chat page without a browser: form posts, JSON posts, sessions, failures."""
from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest
from bot.content import load
from markupsafe import escape
from web_helpers import drain, norm, visible

JSON = {"accept": "application/json"}


def greet():
    return load().render_dialogue("greet")


def test_page_shows_greeting_notice_crisis_and_leave_button(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for m in load().render_dialogue("web_chat"):  # the web's short greeting
        assert norm(m["text"]) in visible(html)
    # the notice once, at the top, with a link to more about it (issue 13)
    assert visible(html).count("not legal advice") == 1
    assert '<p class="always"><strong>Information, not legal advice.</strong> <a href="#about">' in html
    assert 'id="about"' in html and "not the court, the county, or a treatment team" in html
    crisis = load().contacts["crisis_988"]["phone"]
    assert f'href="tel:{crisis}"' in html
    assert 'action="/leave"' in html and "Leave quickly" in html
    assert 'role="log"' in html and 'aria-live="polite"' in html
    # plain form posts work without JavaScript
    assert '<form id="chat-form" class="compose" method="post" action="/chat">' in html
    for b in greet()[-1]["buttons"]:
        assert f'value="{escape(b["payload"])}"' in html
    assert "set-cookie" not in r.headers  # no cookie until the person writes
    assert r.headers["cache-control"] == "no-store"


def test_form_post_then_reload_keeps_conversation(client, fake_rasa):
    r = client.post("/chat", data={"message": "Do I get a lawyer?"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/#last"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # gone when the browser closes
    sid = client.cookies.get("aot_sid")
    assert sid and len(sid) >= 32
    assert fake_rasa.messages == ["Do I get a lawyer?"]
    assert fake_rasa.received[0]["metadata"]["channel"] == "web"
    assert fake_rasa.received[0]["metadata"]["lang"] == "en"
    assert sid not in fake_rasa.received[0]["sender"]
    assert fake_rasa.received[0]["sender"].startswith("web-")
    page = client.get("/").text  # a reload
    assert "Do I get a lawyer?" in page
    assert "Canned answer to: Do I get a lawyer?" in page
    assert 'id="last"' in page
    assert 'value="/first_choice"' in page  # the new quick replies


def test_json_post_returns_fragments(client):
    r = client.post("/chat", data={"message": "hello"}, headers=JSON)
    assert r.status_code == 200
    data = r.json()
    assert data["kind"] == "answer"
    assert "You said:" in data["html"] and "Canned answer to: hello" in data["html"]
    assert 'value="/first_choice"' in data["quick_replies"]
    assert r.headers["cache-control"] == "no-store"


def test_quick_reply_from_greeting_and_stale_button(client, fake_rasa):
    first = greet()[-1]["buttons"][0]
    r = client.post("/chat", data={"payload": first["payload"]}, headers=JSON)
    assert r.json()["kind"] == "answer"
    assert fake_rasa.messages == [first["payload"]]
    assert first["title"] in r.json()["html"]  # shown as the title, not the payload
    # the greeting's buttons are no longer offered: a replay is refused
    r = client.post("/chat", data={"payload": first["payload"]}, headers=JSON)
    assert r.json()["kind"] == "stale"
    assert fake_rasa.messages == [first["payload"]]
    # a button that was just offered works, with its JSON entity payload
    r = client.post("/chat", data={"payload": '/second{"state": "CA"}'}, headers=JSON)
    assert r.json()["kind"] == "answer"
    assert fake_rasa.messages[-1] == '/second{"state": "CA"}'


def test_invented_payload_never_reaches_rasa(client, fake_rasa):
    r = client.post("/chat", data={"payload": "/restart"}, headers=JSON)
    assert r.json()["kind"] == "stale"
    assert fake_rasa.received == []


@pytest.mark.parametrize("typed,sent", [
    ("/ask_lawyer", "ask_lawyer"),
    # a typed payload's entities are dropped too: their words would be read ("CA:Fresno")
    ('/inform_state{"state": "NY"}', 'inform state'),
    ("  //restart", "restart"),
    ("／greet", "greet"),
])
def test_typed_intent_is_plain_text(client, fake_rasa, typed, sent):
    client.post("/chat", data={"message": typed}, headers=JSON)
    assert fake_rasa.messages == [sent]
    assert not fake_rasa.messages[0].startswith("/")


def test_typed_payload_is_text_even_when_offered(client, fake_rasa):
    # the page sends buttons as `payload`; typing a payload is just text
    client.post("/chat", data={"message": "hi"}, headers=JSON)
    client.post("/chat", data={"message": "/first_choice"}, headers=JSON)
    assert fake_rasa.messages == ["hi", "first_choice"]


def test_script_is_shown_as_text(client, fake_rasa):
    fake_rasa.reply = lambda b: [{"recipient_id": "x", "text": "<script>alert(1)</script><b>bold</b>",
                                  "buttons": [{"title": "<img src=x onerror=alert(2)>",
                                               "payload": "/x"}]}]
    r = client.post("/chat", data={"message": "<script>alert('me')</script>"}, headers=JSON)
    data = r.json()
    assert "<script>" not in data["html"] and "<img" not in data["quick_replies"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in data["html"]
    assert "&lt;script&gt;alert(&#39;me&#39;)&lt;/script&gt;" in data["html"]
    page = client.get("/").text
    assert "<script>alert" not in page and "<b>bold" not in page


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\x00\x01", "\u202e"])
def test_empty_message_gets_kind_reply(client, fake_rasa, text):
    r = client.post("/chat", data={"message": text}, headers=JSON)
    assert r.status_code == 200
    assert r.json()["kind"] == "empty"
    assert "empty" in r.json()["html"]
    assert fake_rasa.received == []


def test_huge_message_is_cut_and_user_told(client, fake_rasa):
    r = client.post("/chat", data={"message": "word " * 3000}, headers=JSON)
    assert r.status_code == 200
    assert len(fake_rasa.messages[0]) <= 1000
    assert "only the first 1,000 characters" in r.json()["html"]


def test_body_too_large_is_413(client, fake_rasa):
    r = client.post("/chat", data={"message": "x" * 200_000}, headers=JSON)
    assert r.status_code == 413
    assert fake_rasa.received == []


@pytest.mark.parametrize("body,ctype", [
    (b"--xx\r\nnot really multipart", "multipart/form-data; boundary=xx"),
    (b"", "application/x-www-form-urlencoded"),
    (b"other=1", "application/x-www-form-urlencoded"),
    (b"message=%FF%FE%00", "application/x-www-form-urlencoded"),
])
def test_malformed_forms_never_500(client, body, ctype):
    r = client.post("/chat", content=body, headers={"content-type": ctype, **JSON})
    assert r.status_code in (200, 400), r.text


@pytest.mark.parametrize("mode", ["down", "slow", "empty", "http500", "badjson", "notlist"])
def test_rasa_failure_gives_static_message(client, fake_rasa, mode):
    fake_rasa.mode = mode
    r = client.post("/chat", data={"message": "Do I get a lawyer?"}, headers=JSON)
    assert r.status_code == 200
    assert r.json()["kind"] == "failure"
    html = r.json()["html"]
    contacts = load().contacts
    for cid in ("ca_patients_rights", "ny_mhls", "crisis_988"):
        assert contacts[cid]["phone"] in html
    # the conversation is not lost: the question is in the transcript
    assert "Do I get a lawyer?" in client.get("/").text


def test_real_slow_rasa_times_out(make_client, fake_rasa):
    """A Rasa that really takes too long (not just a simulated timeout)."""
    async def slow(request):
        await asyncio.sleep(2)
        return httpx.Response(200, json=[{"text": "late"}])

    c = make_client(rasa_timeout=0.3)
    c.app.state.rasa._client._transport = httpx.MockTransport(slow)

    # MockTransport does not apply timeouts; wrap the call like httpx would.
    orig = c.app.state.rasa._client.post

    async def post_with_timeout(*a, **kw):
        try:
            return await asyncio.wait_for(orig(*a, **kw), 0.3)
        except asyncio.TimeoutError:
            raise httpx.ReadTimeout("timeout") from None

    c.app.state.rasa._client.post = post_with_timeout
    start = time.monotonic()
    r = c.post("/chat", data={"message": "hello"}, headers=JSON)
    assert time.monotonic() - start < 1.5
    assert r.json()["kind"] == "failure"


def test_crisis_first_even_when_rasa_is_down(client, fake_rasa):
    fake_rasa.mode = "down"
    r = client.post("/chat", data={"message": "I want to die"}, headers=JSON)
    data = r.json()
    assert data["kind"] == "crisis"
    crisis = load().render_dialogue("crisis")
    assert norm(crisis[0]["text"]) in visible(data["html"])
    assert 'href="tel:988"' in data["html"]
    drain(client)
    assert fake_rasa.messages == ["I want to die"]  # still passed on (Rasa was down)


def test_crisis_message_is_still_passed_to_rasa(client, fake_rasa):
    r = client.post("/chat", data={"message": "honestly i want to die"}, headers=JSON)
    assert r.json()["kind"] == "crisis"
    drain(client)
    assert fake_rasa.messages == ["honestly i want to die"]
    # the crisis buttons are what is offered now
    crisis_buttons = load().render_dialogue("crisis")[-1]["buttons"]
    r = client.post("/chat", data={"payload": crisis_buttons[0]["payload"]}, headers=JSON)
    assert r.json()["kind"] == "answer"


def test_crisis_beats_rate_limit(make_client, fake_rasa):
    c = make_client(rate_limit=1)
    c.post("/chat", data={"message": "one"}, headers=JSON)
    assert c.post("/chat", data={"message": "two"}, headers=JSON).json()["kind"] == "limited"
    assert c.post("/chat", data={"message": "I want to die"}, headers=JSON).json()["kind"] == "crisis"


def test_rate_limit_per_sender(make_client, fake_rasa):
    c = make_client(rate_limit=3)
    kinds = [c.post("/chat", data={"message": f"q{i}"}, headers=JSON).json()["kind"] for i in range(5)]
    assert kinds == ["answer"] * 3 + ["limited"] * 2
    assert len(fake_rasa.received) == 3
    assert "very fast" in c.post("/chat", data={"message": "q"}, headers=JSON).json()["html"]
    # another person is not affected
    c.cookies.clear()
    assert c.post("/chat", data={"message": "hello"}, headers=JSON).json()["kind"] == "answer"


def test_unknown_cookie_is_not_adopted(client, fake_rasa):
    r = client.post("/chat", data={"message": "hi"}, headers=JSON,
                    cookies={"aot_sid": "A" * 43})
    assert r.status_code == 200
    new = r.cookies.get("aot_sid")
    assert new and new != "A" * 43


def test_delete_conversation(client, fake_rasa, settings):
    client.post("/chat", data={"message": "secret question"}, headers=JSON)
    sender = fake_rasa.received[0]["sender"]
    con = sqlite3.connect(settings.tracker_db)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    con.execute("INSERT INTO events (sender_id, data) VALUES (?, 'x'), ('someone-else', 'y')", (sender,))
    con.commit()
    r = client.post("/delete", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?deleted=1"
    assert 'aot_sid=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    page = client.get("/?deleted=1").text
    assert "secret question" not in page
    assert "Your conversation was deleted." in page
    rows = con.execute("SELECT sender_id FROM events").fetchall()
    assert rows == [("someone-else",)]
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT COUNT(*) FROM transcript").fetchone()[0] == 0


def test_leave_quickly_clears_server_side(client, fake_rasa, settings):
    client.post("/chat", data={"message": "private words"}, headers=JSON)
    old = client.cookies.get("aot_sid")
    r = client.post("/leave", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("https://www.weather.gov")
    assert r.headers["cache-control"] == "no-store"
    # even if the old cookie comes back
    assert "private words" not in client.get("/", cookies={"aot_sid": old}).text
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT COUNT(*) FROM transcript").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM web_session").fetchone()[0] == 0
    # the JavaScript path
    r = client.post("/leave", headers=JSON)
    assert r.json() == {"left": True, "go": "https://www.weather.gov/"}


def test_two_messages_at_once_keep_their_order(settings, fake_rasa):
    """Same sender, two messages in flight: Rasa gets them in order, none lost."""
    from bot.web.app import create_app
    from web_helpers import stub_detect

    order = []

    async def handler(request):
        import json as _json

        body = _json.loads(request.content)
        if body["message"] == "first":
            await asyncio.sleep(0.3)
        order.append(body["message"])
        return httpx.Response(200, json=[{"text": "ok " + body["message"]}])

    app = create_app(settings, rasa_transport=httpx.MockTransport(handler), detect=stub_detect)

    async def run():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                await c.post("/chat", data={"message": "hello"}, headers=JSON)
                order.clear()
                r1 = asyncio.create_task(c.post("/chat", data={"message": "first"}, headers=JSON))
                await asyncio.sleep(0.05)
                r2 = asyncio.create_task(c.post("/chat", data={"message": "second"}, headers=JSON))
                a, b = await asyncio.gather(r1, r2)
                page = (await c.get("/")).text
        return a, b, page

    a, b, page = asyncio.run(run())
    assert order == ["first", "second"]
    assert "ok first" in a.json()["html"] and "ok second" in b.json()["html"]
    assert page.index("ok first") < page.index("ok second")


def test_retention_purge(client, settings):
    client.post("/chat", data={"message": "old words"}, headers=JSON)
    store = client.app.state.store
    db = sqlite3.connect(settings.db_path)
    db.execute("UPDATE web_session SET updated = updated - 40 * 86400")
    db.execute("UPDATE transcript SET ts = ts - 40 * 86400")
    db.commit()
    assert store.purge(30) == 1
    assert "old words" not in client.get("/").text


@pytest.mark.parametrize("text", ["honestly i want to die", "kms", "he has a knife"])
def test_real_crisis_detector_is_wired_in(settings, fake_rasa, text):
    """create_app() without a stub uses bot.crisis.detect."""
    from fastapi.testclient import TestClient

    from bot.web.app import create_app

    fake_rasa.mode = "down"
    app = create_app(settings, rasa_transport=fake_rasa.transport)
    with TestClient(app) as c:
        r = c.post("/chat", data={"message": text}, headers=JSON)
        assert r.json()["kind"] == "crisis"
        r = c.post("/chat", data={"message": "what is the 72-hour hold"}, headers=JSON)
        assert r.json()["kind"] == "failure"  # not crisis; Rasa is down


# ---- where the page opens without JavaScript (issue 13) ---------------------------------------------
def anchored(html: str) -> str:
    """The visible text of the element the page opens at (id="last")."""
    import re

    (found,) = re.findall(r'<div class="msg[^"]*"[^>]*id="last"[^>]*>(.*?)</div>', html, re.S)
    return visible(found)


def test_without_script_the_page_opens_at_the_replys_first_message(client, fake_rasa):
    client.post("/chat", data={"message": "first question"})
    html = client.get("/").text
    assert html.count('id="last"') == 1
    assert anchored(html) == "Canned answer to: first question"  # not "Anything else?", the last
    client.post("/chat", data={"message": "second question"})
    assert anchored(client.get("/").text) == "Canned answer to: second question"
    # a reply with no message of the person's (a button no longer offered): at its note
    client.post("/chat", data={"payload": "/not_offered"})
    assert anchored(client.get("/").text) == load().render_dialogue("note_stale")[0]["text"]


def test_json_reply_says_how_many_suggested_replies(client, fake_rasa):
    data = client.post("/chat", data={"message": "hello"}, headers=JSON).json()
    n = 2  # the fake Rasa offers two buttons
    assert data["quick_status"] == load().render_text(load().dialogue["web_chat"]["quick_status"], n=n)
    assert data["quick_status"].startswith("2 suggested replies")
    fake_rasa.reply = lambda body: [{"recipient_id": body["sender"], "text": "No buttons."}]
    assert client.post("/chat", data={"message": "x"}, headers=JSON).json()["quick_status"] == ""


def test_no_label_before_every_assistant_bubble(client, fake_rasa):
    client.post("/chat", data={"message": "hello"})
    html = client.get("/").text
    assert "Assistant said" not in html
    assert html.count("You said:") == 1  # the person's own messages are still told apart


def test_store_adds_the_anchor_column_to_an_old_database(tmp_path):
    import sqlite3 as sq

    from bot.web.store import Store

    db = tmp_path / "old.db"
    con = sq.connect(db)
    con.execute("CREATE TABLE web_session (key TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL)")
    con.execute("INSERT INTO web_session VALUES ('k', 1, 1)")
    con.commit()
    con.close()
    store = Store(db)
    assert store.anchor("k") is None
    row = store.add_turn("k", "bot", "hello")
    store.set_anchor("k", row)
    assert store.anchor("k") == row
    store.close()
