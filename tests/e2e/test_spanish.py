"""Spanish end to end (issue #14): the real Rasa, action server and web app, as a Spanish
speaker would use them through the JSON API and the web chat."""
from __future__ import annotations

import re
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e


class Person:
    """One conversation through the web app's JSON API (the language is detected there)."""

    def __init__(self, web_url: str):
        self.url, self.sender = f"{web_url}/api/messages", f"es-{uuid.uuid4().hex[:10]}"
        self.last: list[dict] = []

    def say(self, text: str) -> str:
        self.last = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=60).json()
        return " ".join(m.get("text") or "" for m in self.last)


@pytest.fixture
def person(stack) -> Person:
    return Person(stack.ports.web_url)


def test_a_spanish_question_gets_a_cited_spanish_answer(person):
    reply = person.say("¿tengo derecho a un abogado en la audiencia del AOT? vivo en California")
    assert re.search(r"abogad[oa]", reply) and "defensor" in reply.lower()
    assert "5346" in reply  # the citation, the same as in English
    assert "lawyer" not in reply.lower()


def test_which_state_is_asked_in_spanish_and_nueva_york_answers_it(person):
    reply = person.say("mi hijo tiene que ir a la corte por el AOT, le dan abogado?")
    if "California o por Nueva York" in reply:
        reply = person.say("Nueva York")
    assert "MHLS" in reply or "Mental Hygiene Legal Service" in reply or "defensor" in reply.lower()


def test_county_status_in_spanish_with_its_date_and_source(person):
    reply = person.say("¿el condado de Fresno tiene AOT?")
    assert "Fresno" in reply and re.search(r"diciembre de 2021", reply)


def test_a_bank_question_in_spanish(person):
    reply = person.say("¿pueden ponerle la ley de laura a mi papá si tiene demencia?")
    assert re.search(r"demencia|no (se )?(incluye|cuenta|califica)", reply, re.I)


def test_a_spanish_crisis_message_gets_988_in_spanish_first(person):
    reply = person.say("ya no quiero vivir, estoy pensando en matarme")
    assert "988" in reply and "marque 2" in reply and "AYUDA" in reply


def test_english_comes_back_when_asked(person):
    person.say("¿qué es el AOT?")
    person.say("can you answer in english please")
    reply = person.say("what is AOT?")
    assert re.search(r"court[- ]ordered|outpatient", reply, re.I) and "tratamiento" not in reply


def test_the_spanish_web_page(stack):
    with httpx.Client(base_url=stack.ports.web_url, follow_redirects=True, timeout=60) as browser:
        page = browser.get("/lang/es").text
        assert '<html lang="es">' in page and 'href="/lang/en' in page
        page = browser.post("/chat", data={"message": "¿qué es la ley de laura?"}).text
        assert '<html lang="es">' in page and "ambulatorio" in page
