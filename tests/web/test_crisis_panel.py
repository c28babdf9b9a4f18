"""The crisis reply is impossible to miss: a panel on the web (with and without the
script), a marked reply in the API, one segment starting with 988 by SMS."""
from __future__ import annotations

import copy
import re
import sqlite3
from types import SimpleNamespace

import pytest
from bot.content import load
from bot.web import crisis_view
from bot.web.gateway import Outcome
from bot.web.sms import is_gsm7, septets, to_gsm7
from bot.web.store import Store
from web_helpers import drain, norm, sms, twiml_text, twiml_texts, visible

JSON = {"accept": "application/json"}
PANEL = re.compile(r'<div class="msg msg-crisis[^"]*"[^>]*>.*?<div class="calls">.*?</div>.*?</div>', re.S)


def panels(html: str) -> list[str]:
    return PANEL.findall(html)


def call_links(panel_html: str) -> list[tuple[str, str, str]]:
    """[(class, href, words)] of the panel's big buttons, in order."""
    return re.findall(r'<a class="call ([\w]+)" href="([^"]+)">([^<]+)</a>', panel_html)


def danger_detect(text: str):
    """A stand-in detector whose match says someone may be in danger right now."""
    if "knife" in text:
        return SimpleNamespace(category="danger_now", categories=("danger_now",))
    if "want to die" in text:
        return SimpleNamespace(category="suicide", categories=("suicide",))
    return None


# ---- web, without the script -----------------------------------------------------------------
def test_no_js_crisis_is_one_panel_with_big_988_buttons(client, fake_rasa):
    r = client.post("/chat", data={"message": "I want to die"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/#last"
    html = client.get("/").text
    found = panels(html)
    assert len(found) == 1
    panel = found[0]
    # announced once: role="alert" on the panel only, not on any chat bubble
    assert 'role="alert"' in panel
    assert re.findall(r'<div class="msg msg-(?:bot|user)"[^>]*role="alert"', html) == []
    assert 'id="last"' in panel  # the page opens at the panel
    # every line of the crisis reply is inside the panel
    for m in load().render_dialogue("crisis"):
        assert norm(m["text"]) in visible(panel)
    assert call_links(panel) == [("call_988", "tel:988", "Call 988"), ("text_988", "sms:988", "Text 988")]
    # not a danger-now reply: no 911 button (911 is still a link in the text)
    assert "call_911" not in panel and 'href="tel:911"' in panel
    # the crisis reply's buttons are what is offered now
    titles = re.findall(r'name="payload" value="[^"]*">([^<]+)</button>', html)
    assert titles == [b["title"] for b in load().render_dialogue("crisis")[-1]["buttons"]]


def test_panel_is_announced_once_then_stays_a_panel(client, fake_rasa):
    client.post("/chat", data={"message": "I want to die"})
    drain(client)
    client.post("/chat", data={"message": "what is AOT"})
    html = client.get("/").text
    (panel,) = panels(html)
    assert 'role="alert"' not in panel  # an old panel is not announced again
    assert call_links(panel)  # but its buttons are still there
    assert 'id="last"' not in panel and html.count('id="last"') == 1


def test_header_has_988_call_and_text_links_on_every_page(client):
    for path in ("/", "/topics", "/counties", "/contacts"):
        html = client.get(path).text
        header = html[html.index('<header class="top">'):html.index("</header>")]
        assert re.search(r'<a class="crisis-link" href="tel:988">Call 988</a>', header), path
        assert re.search(r'<a class="crisis-link" href="sms:988">Text 988</a>', header), path


# ---- web, with the script (JSON fragments) ---------------------------------------------------------
def test_script_gets_the_panel_as_a_fragment(client, fake_rasa):
    data = client.post("/chat", data={"message": "I want to die"}, headers=JSON).json()
    assert data["kind"] == "crisis"
    (panel,) = panels(data["html"])
    assert 'role="alert"' in panel and 'id="last"' not in panel
    assert [c[0] for c in call_links(panel)] == ["call_988", "text_988"]
    assert "Keep going with my question" in data["quick_replies"]
    # an ordinary answer is a plain bubble, never a panel or an alert
    drain(client)
    data = client.post("/chat", data={"message": "hello"}, headers=JSON).json()
    assert panels(data["html"]) == [] and "role=\"alert\"" not in data["html"]


def test_danger_now_puts_call_911_first(make_client, fake_rasa):
    c = make_client(detect=danger_detect)
    data = c.post("/chat", data={"message": "he has a knife"}, headers=JSON).json()
    (panel,) = panels(data["html"])
    assert "danger-now" in panel
    assert call_links(panel) == [("call_911", "tel:911", "Call 911"), ("call_988", "tel:988", "Call 988"),
                                 ("text_988", "sms:988", "Text 988")]
    drain(c)
    # the same after a reload (no script)
    (panel,) = panels(c.get("/").text)
    assert call_links(panel)[0] == ("call_911", "tel:911", "Call 911")


def test_long_crisis_message_note_is_outside_the_panel(client, fake_rasa):
    data = client.post("/chat", data={"message": "I want to die " + "x " * 800}, headers=JSON).json()
    (panel,) = panels(data["html"])
    assert "only the first" not in panel and "only the first" in data["html"]


# ---- the contract with other crisis replies ---------------------------------------------------------
@pytest.fixture
def variants():
    """Content with the crisis variants another part of the project adds."""
    c = copy.deepcopy(load())
    base = c.dialogue["crisis"]
    c.dialogue["crisis_danger"] = {**base, "danger_now": True}
    c.dialogue["crisis_check"] = dict(base)
    c.dialogue["crisis_es"] = {**base, "lang": "es"}
    return c


def test_any_crisis_kind_is_a_panel_and_danger_keys_lead_with_911(variants):
    gw = SimpleNamespace(note_cut=lambda: "cut", note_empty=lambda: "e", note_stale=lambda: "s",
                         note_limited=lambda: "l")
    msgs = [{"text": "a"}, {"text": "cut"}]
    assert crisis_view.panel_flags(Outcome("crisis_check", msgs), gw) == [True, False]
    assert crisis_view.panel_flags(Outcome("answer", msgs), gw) == [False, False]
    ids = lambda key, danger=False: [c["id"] for c in crisis_view.panel(variants, key, danger)["calls"]]
    assert ids("crisis_danger") == ["call_911", "call_988", "text_988"]   # by its content flag
    assert ids("crisis_check") == ["call_988", "text_988"]
    assert ids("crisis_check", danger=True)[0] == "call_911"               # by the Outcome field
    assert crisis_view.outcome_panel(variants, Outcome("crisis_danger", msgs)) == {
        "reply": "crisis_danger", "danger_now": True}
    es = crisis_view.panel(variants, "crisis_es")
    assert es["lang"] == "es" and es["heading"] == "Ayuda ahora"
    assert [c["href"] for c in es["calls"]] == ["tel:988", "sms:988"]
    assert crisis_view.panel(variants, "unknown_key")["calls"]  # never an empty panel


# ---- API ---------------------------------------------------------------------------------------------
def test_api_marks_each_crisis_message(client, fake_rasa):
    r = client.post("/api/messages", json={"sender": "w", "message": "I want to kill myself"})
    msgs = r.json()
    assert [m["text"] for m in msgs] == [m["text"] for m in load().render_dialogue("crisis")]
    for m in msgs:
        assert m["custom"]["kind"] == "crisis" and m["custom"]["reply"] == "crisis"
        assert m["custom"]["danger_now"] is False
        assert [(c["id"], c["href"]) for c in m["custom"]["calls"]] == [("call_988", "tel:988"),
                                                                         ("text_988", "sms:988")]
    drain(client)
    msgs = client.post("/api/messages", json={"sender": "w", "message": "hello"}).json()
    assert all("custom" not in m for m in msgs)


def test_openapi_documents_the_crisis_marker(client):
    spec = client.get("/openapi.json").json()
    bot = spec["components"]["schemas"]["BotMessage"]["properties"]
    assert "custom" in bot
    marker = spec["components"]["schemas"]["CrisisMarker"]
    assert {"kind", "reply", "danger_now", "calls"} <= set(marker["properties"])
    assert "custom" in spec["paths"]["/api/messages"]["post"]["description"]


# ---- SMS ---------------------------------------------------------------------------------------------
def test_every_crisis_sms_form_is_one_segment_starting_with_988():
    c = load()
    forms = [k for k in c.dialogue if k.startswith("crisis") and k.endswith("_sms")]
    assert "crisis_sms" in forms
    for key in forms:
        first = to_gsm7(c.render_dialogue(key)[0]["text"])
        assert is_gsm7(c.render_dialogue(key)[0]["text"]), key  # written in GSM-7, nothing replaced
        base = c.dialogue.get(key[:-len("_sms")], {})
        if base.get("danger_now"):  # someone may be in danger now: 911 in the first sentence
            assert c.contacts["emergency_911"]["phone"] in first.split(".")[0], key
            assert c.contacts["crisis_988"]["phone"] in first, key
        elif key.endswith("_es_sms"):  # Spanish: "Llame al 988 y marque 2 ..."
            assert first.split(" y ")[0].endswith(c.contacts["crisis_988"]["phone"]), key
        else:
            assert first.startswith(c.contacts["crisis_988"]["phone"]), key
        assert septets(first) <= 160, (key, septets(first))


def test_crisis_after_stop_still_gets_988_and_nothing_else(client, fake_rasa):
    sms(client, "STOP")
    texts = twiml_texts(sms(client, "I want to die"))
    assert texts == [to_gsm7(load().render_dialogue("crisis_sms")[0]["text"])]
    assert twiml_text(sms(client, "what is AOT")) is None  # still opted out
    drain(client)
    assert fake_rasa.received == []  # nothing reached Rasa


# ---- store: a database from before the panel ------------------------------------------------------------
def test_store_adds_the_panel_column_to_an_old_database(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE transcript (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, "
                "ts REAL NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL, buttons TEXT)")
    con.execute("INSERT INTO transcript (key, ts, role, text) VALUES ('k', 1, 'bot', 'old')")
    con.commit()
    con.close()
    store = Store(db)
    store.add_turn("k", "crisis", "new", panel={"reply": "crisis", "danger_now": False})
    assert [(t["role"], t["panel"]) for t in store.transcript("k")] == [
        ("bot", None), ("crisis", {"reply": "crisis", "danger_now": False})]
    store.close()


# ---- a crisis reply from Rasa (the model or Rasa's override caught it, not the gateway) ----------
def rasa_crisis_reply(body: dict) -> list[dict]:
    c = load()
    msgs = c.render_dialogue("crisis")
    marker = {"crisis": "crisis", "danger_now": True, "messages": len(msgs)}
    out = [{"recipient_id": body["sender"], **m} for m in msgs]
    out.append({"recipient_id": body["sender"], "custom": marker})
    out.append({"recipient_id": body["sender"], "text": "I stopped the questions."})
    return out


def test_crisis_reply_from_rasa_is_a_panel_on_every_channel(client, fake_rasa):
    fake_rasa.reply = rasa_crisis_reply
    crisis_texts = [m["text"] for m in load().render_dialogue("crisis")]
    # web (the gateway's detector did not fire: "nothing matters" is not in the stub)
    data = client.post("/chat", data={"message": "nothing matters"}, headers=JSON).json()
    assert data["kind"] == "crisis"
    (panel,) = panels(data["html"])
    assert call_links(panel)[0] == ("call_911", "tel:911", "Call 911")
    assert "I stopped the questions." not in panel and "I stopped the questions." in data["html"]
    # API
    msgs = client.post("/api/messages", json={"sender": "w", "message": "nothing matters"}).json()
    assert [m["text"] for m in msgs if "custom" in m] == crisis_texts
    assert msgs[-1]["text"] == "I stopped the questions." and "custom" not in msgs[-1]
    # SMS: the one-segment text first
    first, rest = twiml_texts(sms(client, "nothing matters"))
    assert first == to_gsm7(load().render_dialogue("crisis_sms")[0]["text"])
    assert "I stopped the questions." in rest and "Reply 1 for" in rest
