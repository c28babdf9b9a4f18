"""Issue 9 through the gateway with the REAL detector (bot.crisis.assess): the reply by
level, category and language, at once, even when Rasa is down; "yes" to the check question."""
from __future__ import annotations

import pytest
from bot.content import load
from web_helpers import drain


@pytest.fixture
def real(make_client, fake_rasa):
    from bot.crisis import detect

    fake_rasa.mode = "down"
    return make_client(detect=detect)


def say(client, text, sender="w"):
    r = client.post("/api/messages", json={"sender": sender, "message": text})
    assert r.status_code == 200
    return [m.get("text") for m in r.json()], [b for m in r.json() for b in m.get("buttons") or []]


def texts_of(key):
    return [m["text"] for m in load().render_dialogue(key)]


@pytest.mark.parametrize("text, key", [
    ("if they force meds on me I might as well be dead", "crisis"),
    ("my son took a gun and is outside yelling at people", "crisis_danger"),
    ("no quiero despertar", "crisis_es"),
    ("i'd rather just give up", "crisis_check"),
    ("mi hijo tiene un cuchillo", "crisis_danger_es"),
])
def test_reply_by_level_category_language_when_rasa_is_down(real, fake_rasa, text, key):
    texts, _ = say(real, text)
    assert texts == texts_of(key)
    drain(real)
    assert fake_rasa.messages == [text]  # still passed on to Rasa


def test_yes_to_the_check_question_gets_the_crisis_reply(real):
    say(real, "i'd rather just give up")
    texts, _ = say(real, "yes")
    assert texts == texts_of("crisis")


def test_yes_button_to_a_danger_check_gets_911_first(real):
    _, buttons = say(real, "my son is screaming")
    assert buttons[0]["payload"] == "/crisis"
    texts, _ = say(real, "/crisis")
    assert texts == texts_of("crisis_danger")


def test_spanish_yes_gets_the_spanish_reply(real):
    say(real, "me rindo")
    texts, _ = say(real, "sí")
    assert texts == texts_of("crisis_es")


def test_yes_without_a_check_question_is_ordinary(real):
    texts, _ = say(real, "yes")
    assert texts == texts_of("restarting")  # Rasa is down; no crisis reply out of nowhere


def test_a_past_crisis_question_gets_a_note_then_the_answer(make_client, fake_rasa):
    from bot.crisis import detect

    client = make_client(detect=detect)
    texts, _ = say(client, "he attempted suicide last year, does that count?")
    assert texts[0] == texts_of("crisis_check_history")[0]
    assert texts[1].startswith("Canned answer to:")  # Rasa's answer follows


def test_check_then_1_by_sms_gets_the_crisis_reply(real):
    from bot.web.sms import to_gsm7
    from web_helpers import sms, twiml_texts

    first, menu = twiml_texts(sms(real, "i'd rather just give up", phone="+15550004444"))
    assert first == to_gsm7(texts_of("crisis_check_sms")[0])  # 988 first, then the question
    assert first.startswith("988") and "ending your life" in first
    assert "1" in menu and "Yes" in menu
    second = twiml_texts(sms(real, "1", phone="+15550004444"))[0]  # the numbered "Yes" button
    assert second == to_gsm7(texts_of("crisis_sms")[0])


def test_outcome_names_the_crisis_reply_for_the_channels(real):
    import asyncio

    gateway = real.app.state.gateway
    outcome = asyncio.run(gateway.handle(channel="api", key="k1", sender_id="s1", text="he has a knife"))
    assert outcome.kind == "crisis" and outcome.reply_key == "crisis_danger" and outcome.danger_now
