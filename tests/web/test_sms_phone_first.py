"""Phone first by SMS (issue 13): what a first-time texter on a cheap phone gets.

Signed Twilio requests to POST /sms/twilio, with the fake Rasa of web_helpers.py
answering as Rasa's actions do (the greeting, a topic answer: rendered from content/).
"""
from __future__ import annotations

import re

import pytest
from bot.content import load
from bot.web.sms import MORE_SUFFIX, is_gsm7, segments, septets, to_gsm7
from web_helpers import sms, twiml_text

MENU_LINE = re.compile(r"^Reply (\d+) for (.+)$", re.M)


def as_rasa(messages: list[dict], body: dict) -> list[dict]:
    """Messages as Rasa's REST channel sends them (buttons on the message that has them)."""
    out = []
    for m in messages:
        msg = {"recipient_id": body["sender"], "text": m["text"]}
        if m.get("buttons"):
            msg["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in m["buttons"]]
        out.append(msg)
    return out


@pytest.fixture
def rasa_greets(fake_rasa):
    """'hi' gets the greeting (action_greet); a menu payload gets a canned answer."""
    greet = load().render_dialogue("greet")

    def reply(body):
        if body["message"] == "hi":
            return as_rasa(greet, body)
        return [{"recipient_id": body["sender"], "text": f"Canned answer to: {body['message']}"}]

    fake_rasa.reply = reply
    return fake_rasa


# ---- the first reply ---------------------------------------------------------------------------
def test_first_reply_to_hi_is_two_segments_with_notice_988_and_the_menu(client, rasa_greets):
    text = twiml_text(sms(client, "hi", phone="+15550004444"))
    assert is_gsm7(text) and segments(text) <= 2, (septets(text), text)
    assert not text.endswith(MORE_SUFFIX)  # nothing of the greeting waits for MORE
    lines = text.splitlines()
    notice = to_gsm7(load().render_dialogue("sms_disclosure")[0]["text"])
    assert lines[0] == notice  # the notice, once, in one line
    assert text.count("not legal advice") == 1 and "DELETE" in lines[0]
    assert "988" in text
    menu = MENU_LINE.findall(text)
    assert [int(n) for n, _ in menu] == list(range(1, len(menu) + 1)) and len(menu) >= 5
    titles = [t for _, t in menu]
    assert {"What is AOT?", "Talk to a person"} <= set(titles)
    for title in titles:
        assert len(title) <= 20, title  # short titles: the menu fits on a small screen


@pytest.mark.parametrize("pick", [1, 2, 3, 4, 5, 6])
def test_a_number_texted_next_picks_the_option_shown(client, rasa_greets, pick):
    text = twiml_text(sms(client, "hi"))
    shown = dict(MENU_LINE.findall(text))
    if str(pick) not in shown:
        pytest.skip("menu shorter than this number")
    payload = {b["title"]: b["payload"] for b in load().render_dialogue("greet_sms")[-1]["buttons"]}
    sms(client, str(pick))
    assert rasa_greets.messages[-1] == payload[shown[str(pick)]]


def test_out_of_range_number_after_the_greeting_asks_again(client, rasa_greets):
    text = twiml_text(sms(client, "hi"))
    n = len(MENU_LINE.findall(text))
    again = twiml_text(sms(client, str(n + 1)))
    assert f"1 to {n}" in again
    assert rasa_greets.messages == ["hi"]


def test_the_notice_is_not_repeated_before_later_replies(client, rasa_greets):
    sms(client, "hi")
    second = twiml_text(sms(client, "hi"))
    assert "not legal advice" in second  # the greeting's SMS form carries it each time
    third = twiml_text(sms(client, "what now"))
    assert "not legal advice" not in third


def test_first_reply_before_this_change_was_longer():
    """The measure the issue gives: the old first reply (notice + full greeting) was over
    2 segments; the SMS form is not (so this test fails if greet_sms is dropped)."""
    from bot.web.sms import compose

    c = load()
    old = to_gsm7(compose(c.render_dialogue("sms_disclosure") + c.render_dialogue("greet")))
    new = to_gsm7(compose(c.render_dialogue("greet_sms")))
    assert segments(old) > 2 >= segments(new)
