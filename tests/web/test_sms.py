"""POST /sms/twilio: signatures, keywords, numbered menus, GSM-7 and segment limits."""
from __future__ import annotations

import sqlite3
import uuid

import pytest
from bot.content import load
from bot.web import sms as smsmod
from bot.web.sms import (GSM_CHARS, SMS_LIMIT, is_gsm7, keyword, menu_choice, paginate,
                         septets, to_gsm7)
from hypothesis import given, settings as hsettings, strategies as st
from web_helpers import drain, sign, sms, twiml_text, twiml_texts

PHONE = "+15551234567"


# ---- signatures ------------------------------------------------------------------------------
def test_valid_signature_gets_twiml(client, fake_rasa):
    r = sms(client, "Do I get a lawyer?")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    assert "Canned answer to: Do I get a lawyer?" in twiml_text(r)
    assert fake_rasa.messages == ["Do I get a lawyer?"]
    assert fake_rasa.received[0]["metadata"]["channel"] == "sms"
    assert fake_rasa.received[0]["metadata"]["lang"] == "en"


def test_forged_signature_is_403_and_nothing_reaches_rasa(client, fake_rasa):
    params_sig = sign({"From": PHONE, "Body": "other"})
    r = sms(client, "hello", signature=params_sig)
    assert r.status_code == 403
    r = sms(client, "hello", signature=sign({"Body": "hello"}, token="wrong-token"))
    assert r.status_code == 403
    assert fake_rasa.received == []


def test_missing_signature_is_403(client, fake_rasa):
    r = sms(client, "hello", signature="")
    assert r.status_code == 403
    assert fake_rasa.received == []


def test_no_auth_token_configured_refuses_everything(make_client, fake_rasa):
    c = make_client(twilio_auth_token="")
    assert sms(c, "hello").status_code == 403
    assert fake_rasa.received == []


def test_url_with_query_string(client, fake_rasa):
    url = "http://testserver/sms/twilio?site=ca&x=1"
    r = sms(client, "hello", url=url, path="/sms/twilio?site=ca&x=1")
    assert r.status_code == 200
    # signed without the query string: refused
    r = sms(client, "hello", url="http://testserver/sms/twilio", path="/sms/twilio?site=ca&x=1")
    assert r.status_code == 403
    assert fake_rasa.messages == ["hello"]


def test_behind_a_proxy_forwarded_headers(client, fake_rasa):
    public = "https://aot.example.org/sms/twilio"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "aot.example.org"}
    assert sms(client, "hello", url=public, headers=headers).status_code == 200
    # the same signature without the headers does not match the URL the app sees
    assert sms(client, "hello", signature=sign(_params("hello"), public)).status_code == 403
    # RFC 7239 Forwarded header
    assert sms(client, "hi", url=public,
               headers={"Forwarded": 'for=1.2.3.4;proto=https;host="aot.example.org"'}).status_code == 200
    # a non-standard forwarded port is part of the URL Twilio signed
    url = "https://aot.example.org:8443/sms/twilio"
    assert sms(client, "hi", url=url, headers={**headers, "X-Forwarded-Port": "8443"}).status_code == 200


def test_twilio_signature_with_port_variants(client, fake_rasa):
    # Twilio sometimes signs with the default port in the URL
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "aot.example.org"}
    r = sms(client, "hello", url="https://aot.example.org:443/sms/twilio", headers=headers)
    assert r.status_code == 200


def test_public_url_setting(make_client, fake_rasa):
    c = make_client(public_url="https://public.example.org")
    assert sms(c, "hello", url="https://public.example.org/sms/twilio").status_code == 200
    assert sms(c, "hello").status_code == 403


def test_not_a_form_is_415_and_bad_form_is_4xx(client, fake_rasa):
    r = client.post("/sms/twilio", json={"From": PHONE, "Body": "x"},
                    headers={"X-Twilio-Signature": "x"})
    assert r.status_code == 415
    r = client.post("/sms/twilio", content=b"Body=%ZZ&From", headers={
        "content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    assert r.status_code in (400, 403)
    params = {"Body": "no sender"}
    r = client.post("/sms/twilio", data=params, headers={"X-Twilio-Signature": sign(params)})
    assert r.status_code == 400
    assert fake_rasa.received == []


def _params(body, phone=PHONE):
    return {"From": phone, "To": "+15550000000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex,  # unique, as Twilio's
            "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}


# ---- identity and privacy --------------------------------------------------------------------------
def test_sender_id_is_keyed_hash_never_the_number(client, fake_rasa, settings):
    sms(client, "hello", phone="+1 (555) 123-4567")
    sms(client, "again", phone="+15551234567")
    s1, s2 = (b["sender"] for b in fake_rasa.received)
    assert s1 == s2 and s1.startswith("sms-")
    assert "5551234567" not in s1 and "4567" not in s1
    sms(client, "other", phone="+15559999999")
    assert fake_rasa.received[2]["sender"] != s1
    raw = settings.db_path.read_bytes()
    for suffix in ("-wal", "-shm"):
        p = settings.db_path.with_name(settings.db_path.name + suffix)
        if p.exists():
            raw += p.read_bytes()
    assert b"5551234567" not in raw and b"555123" not in raw


# ---- keywords ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "STOPALL", "UNSUBSCRIBE", "CANCEL",
                                  "END", "QUIT", "end!", "stop all", "OPTOUT", "opt-out", "Opt out",
                                  "REVOKE"])
def test_stop_words_opt_out_then_silence_until_start(client, fake_rasa, word):
    r = sms(client, word)
    first = twiml_text(r)
    assert first and "START" in first
    # it names the service and gives 988, in one segment
    assert first.startswith("AOT rights helper") and "988" in first
    assert is_gsm7(first) and septets(first) <= 160
    assert fake_rasa.received == []
    # silence, nothing to Rasa
    assert twiml_text(sms(client, "Do I get a lawyer?")) is None
    assert twiml_text(sms(client, "STOP")) is None  # one confirmation only
    # HELP is still answered (carriers allow it), and the number stays opted out
    assert "988" in twiml_text(sms(client, "HELP"))
    assert twiml_text(sms(client, "another question")) is None
    assert fake_rasa.received == []
    back = twiml_text(sms(client, "START"))
    assert back
    assert "Canned" in twiml_text(sms(client, "hello"))
    assert fake_rasa.messages == ["hello"]


@pytest.mark.parametrize("text", ["I want to end AOT", "how do I stop the order", "cancel my hearing?",
                                  "help me please", "stop stop", "STOP AOT"])
def test_keywords_inside_a_sentence_are_not_keywords(client, fake_rasa, text):
    r = sms(client, text)
    assert "Canned answer to" in twiml_text(r)
    assert fake_rasa.messages == [text]


def test_help_is_short_and_from_content(client, fake_rasa):
    text = twiml_text(sms(client, "HELP"))
    c = load()
    assert c.contacts["crisis_988"]["phone"] in text
    assert c.contacts["ca_patients_rights"]["phone"] in text
    assert c.contacts["ny_mhls"]["phone"] in text
    assert "not legal advice" in text and "STOP" in text
    assert is_gsm7(text) and septets(text) <= SMS_LIMIT
    assert twiml_text(sms(client, "info")) == text
    assert fake_rasa.received == []


def test_yes_is_an_ordinary_answer_unless_opted_out(client, fake_rasa):
    sms(client, "yes")
    assert fake_rasa.messages == ["yes"]


def test_delete_erases_and_starts_fresh(client, fake_rasa, settings):
    sms(client, "private question")
    sender = fake_rasa.received[0]["sender"]
    con = sqlite3.connect(settings.tracker_db)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    con.execute("INSERT INTO events (sender_id, data) VALUES (?, 'x')", (sender,))
    con.commit()
    text = twiml_text(sms(client, "DELETE"))
    assert "deleted" in text.lower()
    assert con.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
    sms(client, "new question")
    assert fake_rasa.received[-1]["sender"] != sender  # a fresh conversation in Rasa
    # the old menu is gone: "1" is plain text now? no: the new reply offered a new menu
    assert fake_rasa.messages == ["private question", "new question"]


# ---- numbered menus ------------------------------------------------------------------------------------------
def test_buttons_become_numbered_menu_and_map_back(client, fake_rasa):
    text = twiml_text(sms(client, "hi"))
    assert "Reply 1 for First choice" in text and "Reply 2 for Second choice" in text
    sms(client, "2")
    assert fake_rasa.messages[-1] == '/second{"state": "CA"}'
    sms(client, " 1. ")
    assert fake_rasa.messages[-1] == "/first_choice"


def test_menu_number_out_of_range(client, fake_rasa):
    sms(client, "hi")
    text = twiml_text(sms(client, "7"))
    assert "1 to 2" in text
    assert fake_rasa.messages == ["hi"]


def test_number_without_menu_is_text(client, fake_rasa):
    fake_rasa.reply = lambda b: [{"text": "No buttons here."}]
    sms(client, "hi")
    sms(client, "1")
    assert fake_rasa.messages == ["hi", "1"]


def test_menu_is_per_sender(client, fake_rasa):
    sms(client, "hi", phone="+15550000001")
    fake_rasa.reply = lambda b: [{"text": "plain"}]
    sms(client, "hi", phone="+15550000002")
    sms(client, "1", phone="+15550000002")
    assert fake_rasa.messages[-1] == "1"
    sms(client, "1", phone="+15550000001")
    assert fake_rasa.messages[-1] == "/first_choice"


def test_typed_intent_is_not_run(client, fake_rasa):
    sms(client, "/ask_lawyer")
    assert fake_rasa.messages == ["ask_lawyer"]


# ---- segments --------------------------------------------------------------------------------------------------
LONG = ("“Smart quotes” — and dashes – and emoji 🙂👍🏽 and an ellipsis… "
        "The court holds a hearing. You can bring a lawyer. ") * 25


def test_long_reply_is_paged_with_more(client, fake_rasa):
    fake_rasa.reply = lambda b: [{"text": LONG},
                                 {"text": "Pick one", "buttons": [{"title": "Go on", "payload": "/go"}]}]
    pages = [twiml_text(sms(client, "tell me everything"))]
    while pages[-1].endswith("Reply MORE for the rest."):
        pages.append(twiml_text(sms(client, "MORE")))
        assert len(pages) < 20
    assert len(pages) > 2
    for p in pages:
        assert is_gsm7(p), [c for c in p if c not in GSM_CHARS]
        assert septets(p) <= SMS_LIMIT
    joined = " ".join(p.replace("\n\nReply MORE for the rest.", "") for p in pages)
    assert '"Smart quotes" - and dashes - and emoji and an ellipsis...' in joined
    assert pages[-1].endswith("Reply 1 for Go on")
    assert "That was everything" in twiml_text(sms(client, "MORE"))
    sms(client, "1")
    assert fake_rasa.messages[-1] == "/go"


@pytest.mark.parametrize("mode", ["down", "empty", "slow", "http500", "http503"])
def test_rasa_failure_static_message(client, fake_rasa, mode):
    fake_rasa.mode = mode
    text = twiml_text(sms(client, "Do I get a lawyer?"))
    c = load().contacts
    for cid in ("ca_patients_rights", "ny_mhls", "crisis_988"):
        assert c[cid]["phone"] in text
    assert is_gsm7(text) and septets(text) <= SMS_LIMIT


def test_crisis_first_on_sms(client, fake_rasa):
    fake_rasa.mode = "down"
    first, rest = twiml_texts(sms(client, "I want to die"))
    # the first text: one segment (160 GSM-7 characters), starting with 988, 911 in it too
    assert first.startswith("988") and "911" in first
    assert is_gsm7(first) and septets(first) <= 160 and smsmod.segments(first) == 1
    assert first == to_gsm7(load().render_dialogue("crisis_sms")[0]["text"])
    # then the rest: the crisis buttons as a numbered menu
    crisis_buttons = load().render_dialogue("crisis")[-1]["buttons"]
    for i, b in enumerate(crisis_buttons, 1):
        assert f"Reply {i} for {b['title']}" in rest
    assert smsmod.segments(rest) == 1 and is_gsm7(rest)  # the rest fits in one segment too
    drain(client)
    assert fake_rasa.messages == ["I want to die"]
    fake_rasa.mode = "ok"
    sms(client, str(len(crisis_buttons)))  # "Talk to a person" by its number
    assert fake_rasa.messages[-1] == crisis_buttons[-1]["payload"]


def test_empty_body_gets_kind_reply(client, fake_rasa):
    text = twiml_text(sms(client, ""))
    assert "empty" in text
    assert fake_rasa.received == []


def test_huge_body_is_cut(client, fake_rasa):
    text = twiml_text(sms(client, "why " * 2000))
    assert "only the first" in text
    assert len(fake_rasa.messages[0]) <= 1000


def test_sms_rate_limit(make_client, fake_rasa):
    c = make_client(rate_limit=2)
    texts = [twiml_text(sms(c, f"q{i}")) for i in range(3)]
    assert "wait a minute" in texts[-1]
    assert len(fake_rasa.received) == 2


def test_all_content_fits_sms(fake_rasa):
    """Every dialogue line the gateway may send is GSM-7 after sanitising and pages cleanly."""
    c = load()
    for key in c.dialogue:
        try:
            msgs = c.render_dialogue(key)
        except Exception:  # needs conversation context
            continue
        for page in paginate(to_gsm7(smsmod.compose(msgs))):
            assert is_gsm7(page) and septets(page) <= SMS_LIMIT


# ---- pure functions ---------------------------------------------------------------------------------------------
def test_to_gsm7_examples():
    assert to_gsm7("It’s “fine” — really… 🙂") == "It's \"fine\" - really..."
    assert to_gsm7("café résumé naïve Ñandú") == "café résumé naive Ñandu"  # ú is not GSM-7
    assert to_gsm7("¿Qué pasa? ¡Hola!") == "¿Qué pasa? ¡Hola!"
    assert to_gsm7("a\u00a0b\u200bc") == "a bc"
    assert to_gsm7("中文") == "??"
    assert septets("{x}") == 5 and septets("abc") == 3


def test_keyword_and_menu_parsing():
    assert keyword(" stop ") == "STOP" and keyword("STOP!") == "STOP"
    assert keyword("stop now") is None and keyword("1") is None and keyword("") is None
    assert menu_choice("2") == 2 and menu_choice(" 3) ") == 3 and menu_choice("#4") == 4
    assert menu_choice("94110") is None and menu_choice("1 and 2") is None


@hsettings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=3000))
def test_paginate_property(text):
    clean = to_gsm7(text)
    assert is_gsm7(clean)
    pages = paginate(clean)
    for p in pages:
        assert septets(p) <= SMS_LIMIT
        assert is_gsm7(p)
    # nothing is lost but whitespace at the cuts
    rebuilt = "".join(p.replace(smsmod.MORE_SUFFIX, "") for p in pages)
    assert "".join(rebuilt.split()) == "".join(clean.split())


def test_first_reply_to_a_new_number_has_the_disclosure(client, fake_rasa):
    first = twiml_text(sms(client, "hello", phone="+15550002222"))
    assert first.startswith("Information, not legal advice.")
    assert "DELETE" in first and "Canned answer to: hello" in first
    second = twiml_text(sms(client, "again", phone="+15550002222"))
    assert "not legal advice" not in second
    # a crisis message as the very first text gets the crisis reply first, nothing before it
    crisis = twiml_texts(sms(client, "I want to die", phone="+15550003333"))
    assert crisis[0] == to_gsm7(load().render_dialogue("crisis_sms")[0]["text"])
    assert "not legal advice" not in " ".join(crisis)
    # ... and the disclosure comes with the next reply instead
    assert "not legal advice" in twiml_text(sms(client, "ok", phone="+15550003333"))


def test_segments_are_counted_one_way_gsm7_and_ucs2():
    """One count for the gateway, the SMS report and the evaluation (scripts/evaluate.py)."""
    from scripts.evaluate import sms_segments

    assert smsmod.segments("a" * 160) == 1 and smsmod.segments("a" * 161) == 2
    assert smsmod.segments("[" * 80) == 1 and smsmod.segments("[" * 81) == 2  # 2 septets each
    assert smsmod.segments("\u2019" * 70) == 1 and smsmod.segments("\u2019" * 71) == 2  # UCS-2
    assert sms_segments("\u2019" * 71) == smsmod.segments("\u2019" * 71)
