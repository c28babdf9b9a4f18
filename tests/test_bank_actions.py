"""The question bank's loader and action (no servers): a sure selector answers the entry for
the person's state; an unsure one offers a menu of its likeliest entries; a button answers."""
from __future__ import annotations

import asyncio
import textwrap

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.bank import SELECTOR_MIN, ActionAnswerBank
from bot.bank import load_bank, payload_for, selector_ranking
from bot.content import Topic
from bot.content import load as load_content

ENTRY = textwrap.dedent("""\
    category: test_roles
    entries:
      - id: test_judge_role
        question: "What does the judge do?"
        last_reviewed: 2026-11-29
        related: [lawyer]
        answers:
          CA:
            messages: ["The judge decides (CA test answer)."]
            sms: "The judge decides. Law: WIC 5346(d)."
            citation: "Welf. & Inst. Code § 5346(d)"
            source: drc_7173
          NY:
            messages: ["The judge decides (NY test answer)."]
            citation: "N.Y. Mental Hygiene Law § 9.60"
            source: ny_omh
      - id: test_other_role
        question: "What does the treatment team do?"
        last_reviewed: 2026-11-29
        answers:
          ALL:
            messages: ["The team treats you (test answer)."]
            citation: "Welf. & Inst. Code § 5348"
            source: drc_7173
""")


@pytest.fixture
def bank(tmp_path, monkeypatch):
    (tmp_path / "test_roles.yml").write_text(ENTRY, encoding="utf-8")
    c = load_content()
    loaded = load_bank(tmp_path, c.sources)
    for entry_id, by_state in loaded.items():
        monkeypatch.setitem(c.topics, entry_id, {s: Topic(**f) for s, f in by_state.items()})
    return loaded


def tracker(selector=(), entities=(), slots=None, intent_confidence=0.9) -> Tracker:
    ranking = [{"intent_response_key": f"faq/{e}", "confidence": conf} for e, conf in selector]
    message = {"intent": {"name": "faq", "confidence": intent_confidence}, "text": "question",
               "entities": [{"entity": e, "value": v} for e, v in entities],
               "intent_ranking": [{"name": "faq", "confidence": intent_confidence}],
               "response_selector": {"faq": {"response": ranking[0] if ranking else {},
                                             "ranking": ranking}}}
    return Tracker("test", dict(slots or {}), message, [], False, None, {}, "action_listen")


def run(t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerBank().run(dispatcher, t, {}))
    texts = [m["text"] for m in dispatcher.messages]
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    return texts, buttons, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_loader_makes_one_topic_per_state_with_the_retrieval_label(bank):
    assert set(bank["test_judge_role"]) == {"CA", "NY"}
    assert bank["test_judge_role"]["CA"]["intent"] == "faq/test_judge_role"
    assert bank["test_judge_role"]["CA"]["category"] == "test_roles"


def test_loader_refuses_an_unknown_source_and_a_repeated_id(tmp_path):
    (tmp_path / "a.yml").write_text(ENTRY.replace("source: ny_omh", "source: nowhere"), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown source"):
        load_bank(tmp_path, load_content().sources)
    (tmp_path / "a.yml").write_text(ENTRY, encoding="utf-8")
    (tmp_path / "b.yml").write_text(ENTRY, encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        load_bank(tmp_path, load_content().sources)


def test_selector_ranking_reads_rasas_response_selector_output():
    message = tracker([("test_judge_role", 0.8), ("test_other_role", 0.1)]).latest_message
    assert selector_ranking(message) == [("test_judge_role", 0.8), ("test_other_role", 0.1)]
    assert selector_ranking({"text": "no selector"}) == []


def test_a_sure_selector_answers_for_the_known_state_with_its_citation(bank):
    texts, buttons, slots = run(tracker([("test_judge_role", 0.9)], slots={"state": "NY"}))
    assert texts[0] == "The judge decides (NY test answer)."
    assert "9.60" in texts[-1]
    assert slots["last_topic"] == "test_judge_role"
    # What it offers next starts with the entry's own related topic (the NY lawyer answer).
    assert any("lawyer" in b["title"].lower() for b in buttons)


def test_an_entry_that_differs_by_state_asks_the_state_first(bank):
    texts, buttons, slots = run(tracker([("test_judge_role", 0.9)]))
    assert "California or New York" in " ".join(texts)
    assert slots["pending_topic"] == "test_judge_role"


def test_an_unsure_selector_offers_its_likeliest_entries_instead_of_answering(bank):
    low = SELECTOR_MIN / 2
    texts, buttons, _ = run(tracker([("test_other_role", low), ("test_judge_role", low / 2)]))
    assert not any("test answer" in t for t in texts)
    titles = [b["title"] for b in buttons]
    assert titles[:2] == ["What does the treatment team do?", "What does the judge do?"]
    assert buttons[0]["payload"] == payload_for("test_other_role")


def test_a_menu_button_answers_its_entry_whatever_the_selector_says(bank):
    t = tracker([("test_judge_role", 0.01)], entities=[("bank", "test_other_role")])
    texts, _, _ = run(t)
    assert texts[0] == "The team treats you (test answer)."


def test_a_button_payload_is_read_even_when_rasa_drops_its_entity(bank):
    t = tracker([("test_judge_role", 0.01)])
    t.latest_message["text"] = '/faq{"bank": "test_other_role"}'
    texts, _, _ = run(t)
    assert texts[0] == "The team treats you (test answer)."
