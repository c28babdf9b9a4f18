"""The conversation's language (issue #14): detected from the message, chosen with the
Español switch or an SMS keyword, kept for the conversation, and used by every channel
for the reply and the page around it."""
from __future__ import annotations

import re

from web_helpers import drain, sms, twiml_text, twiml_texts, visible

from bot.web.sms import is_gsm7, segments

SPANISH_QUESTION = "Mi hijo tiene una audiencia la semana que viene, ¿tiene derecho a un abogado?"


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="(\w+)"', html).group(1)


def test_a_spanish_question_reaches_rasa_marked_spanish_and_the_page_turns_spanish(client, fake_rasa):
    client.post("/chat", data={"message": SPANISH_QUESTION})
    assert fake_rasa.received[-1]["metadata"]["lang"] == "es"
    page = client.get("/").text
    assert _html_lang(page) == "es"
    assert "Saltar al contenido principal" in page and "Skip to main content" not in page
    assert 'href="/lang/en' in page  # the switch back, on the page


def test_the_language_sticks_for_short_and_mixed_messages(client, fake_rasa):
    client.post("/chat", data={"message": SPANISH_QUESTION})
    for text in ("ok", "AOT", "el hearing es mañana", "Fresno"):
        client.post("/chat", data={"message": text})
        assert fake_rasa.received[-1]["metadata"]["lang"] == "es", text


def test_english_switches_back_without_asking_rasa(client, fake_rasa):
    client.post("/chat", data={"message": SPANISH_QUESTION})
    sent = len(fake_rasa.received)
    page = client.post("/chat", data={"message": "ENGLISH"}, follow_redirects=True).text
    assert len(fake_rasa.received) == sent  # the switch is answered by the front door
    assert "I will answer in English" in visible(page) and _html_lang(page) == "en"
    client.post("/chat", data={"message": "what is aot"})
    assert fake_rasa.received[-1]["metadata"]["lang"] == "en"


def test_asking_in_words_switches_too(client, fake_rasa):
    client.post("/chat", data={"message": "hello, what is AOT?"})
    client.post("/chat", data={"message": "sorry no hablo ingles"})
    assert fake_rasa.received[-1]["metadata"]["lang"] == "es"


def test_the_switch_works_before_a_conversation_and_on_every_page(client, fake_rasa):
    resp = client.get("/lang/es?back=/topics", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/topics"
    for path in ("/", "/topics", "/counties", "/contacts", "/topics/lawyer"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _html_lang(page.text) == "es" and 'href="/lang/en' in page.text, path
        assert page.headers["content-language"] == "es"
    assert "Nueva York" in client.get("/counties").text
    client.post("/chat", data={"message": "AOT"})  # too short to detect: the switch's choice
    assert fake_rasa.received[-1]["metadata"]["lang"] == "es"


def test_the_switch_only_goes_back_to_this_site(client):
    resp = client.get("/lang/es?back=//evil.example/x", follow_redirects=False)
    assert resp.headers["location"] == "/"
    assert client.get("/lang/xx", follow_redirects=False).status_code == 303  # unknown: English


def test_a_spanish_browser_gets_spanish_pages_first(client):
    page = client.get("/", headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert _html_lang(page) == "es"
    assert _html_lang(client.get("/", headers={"accept-language": "en-US"}).text) == "en"


def test_a_crisis_in_a_spanish_conversation_gets_the_spanish_crisis_line(client, fake_rasa):
    client.post("/chat", data={"message": SPANISH_QUESTION})
    page = client.post("/chat", data={"message": "I want to die"}, follow_redirects=True).text
    drain(client)
    text = visible(page)
    assert "988" in text and "marque 2" in text and "AYUDA" in text


def test_deleting_the_conversation_forgets_its_language(client, fake_rasa):
    client.post("/chat", data={"message": SPANISH_QUESTION})
    client.post("/delete")
    assert _html_lang(client.get("/").text) == "en"


def test_sms_espanol_keyword_then_answers_in_spanish_within_gsm7(client, fake_rasa):
    reply = twiml_text(sms(client, "ESPAÑOL"))
    assert "español" in reply.lower() or "espanol" in reply.lower()
    assert is_gsm7(reply) and segments(reply) <= 3
    sms(client, "que es aot")
    assert fake_rasa.received[-1]["metadata"]["lang"] == "es"
    assert "ENGLISH" != twiml_text(sms(client, "ENGLISH"))
    sms(client, "what is aot")
    assert fake_rasa.received[-1]["metadata"]["lang"] == "en"


def test_sms_spanish_help_keyword_and_crisis(client, fake_rasa):
    help_text = twiml_text(sms(client, "AYUDA", phone="+15557654321"))
    assert help_text and is_gsm7(help_text) and "988" in help_text
    texts = twiml_texts(sms(client, "quiero morir, I want to die", phone="+15557654321"))
    assert "988" in texts[0] and is_gsm7(texts[0]) and segments(texts[0]) == 1


def test_api_lang_field_chooses_the_language(client, fake_rasa):
    out = client.post("/api/messages", json={"sender": "w1", "message": "AOT", "lang": "es"}).json()
    assert out and fake_rasa.received[-1]["metadata"]["lang"] == "es"
