"""Custom actions, run with rasa_sdk's CollectingDispatcher (no servers)."""
from __future__ import annotations

import asyncio
import json
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.clarify import ActionClarify
from actions.contacts import ActionContacts
from actions.conversation import ActionGreet, ActionStartOver
from actions.county import ActionCountyLookup
from actions.crisis import ActionCrisis
from bot.content import load as load_content


def tracker(intent: str, text: str = "", entities=(), slots=None, ranking=None) -> Tracker:
    message = {"intent": {"name": intent, "confidence": 0.9}, "text": text,
               "entities": [{"entity": e, "value": v} for e, v in entities],
               "intent_ranking": ranking or []}
    return Tracker("test", dict(slots or {}), message, [], False, None, {}, "action_listen")


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    texts = [m["text"] for m in dispatcher.messages]
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return texts, buttons, slots, events


def joined(texts) -> str:
    return " ".join(texts)


def test_state_dependent_question_asks_for_the_state_first():
    texts, buttons, slots, _ = run(ActionAnswer(), tracker("ask_lawyer", "do i get a lawyer"))
    assert "California or New York" in joined(texts)
    assert {b["title"] for b in buttons} == {"California", "New York"}
    assert slots["pending_topic"] == "lawyer"


def test_the_state_then_answers_the_waiting_question_with_its_citation():
    t = tracker("inform_state", "california", [("state", "CA")], {"pending_topic": "lawyer"})
    texts, _, slots, _ = run(ActionAnswer(), t)
    assert "public defender" in joined(texts).lower()
    assert "5346(c)" in texts[-1]
    assert slots["state"] == "CA" and slots["last_topic"] == "lawyer"
    assert slots["pending_topic"] is None


def test_what_about_new_york_switches_the_last_answer():
    t = tracker("inform_state", "what about new york?", [("state", "NY")], {"state": "CA", "last_topic": "lawyer"})
    texts, _, slots, _ = run(ActionAnswer(), t)
    assert "Mental Hygiene Legal Service" in joined(texts) and "9.60" in joined(texts)
    assert slots["state"] == "NY"


def test_remembered_state_is_used_without_asking():
    texts, _, _, _ = run(ActionAnswer(), tracker("ask_hearing_when", "", slots={"state": "CA"}))
    assert "5 court days" in joined(texts)


@pytest.mark.parametrize("intent,expect", [
    ("ask_compare_5150", "5150 is a California hold"), ("ask_care_court", "CARE Court is a California program"),
    ("ask_conservatorship", "Article 81"),
])
def test_california_topics_asked_in_new_york_keep_the_state(intent, expect):
    """A New York user asking about a California-only idea gets New York's answer and stays in NY."""
    texts, _, slots, events = run(ActionAnswer(), tracker(intent, f"/{intent}", slots={"state": "NY"}))
    assert expect in joined(texts) and "9.60" in texts[-1]
    assert slots.get("state", "NY") == "NY"
    assert not any(e.get("name") == "state" and e.get("value") != "NY" for e in events)
    # ... and the next answer is still New York's (MHLS, not the public defender).
    texts, _, _, _ = run(ActionAnswer(), tracker("ask_lawyer", "do i get a lawyer", slots={"state": "NY"}))
    assert "Mental Hygiene Legal Service" in joined(texts) and "public defender" not in joined(texts)


def test_a_topic_only_for_another_state_says_so_and_keeps_the_state(monkeypatch):
    from actions import answers
    from bot.content import load

    c = load()
    only_ca = {"x_only_ca": {"CA": c.topics["care_court"]["CA"]}}
    monkeypatch.setattr(c, "topics", {**c.topics, **only_ca})
    dispatcher = CollectingDispatcher()
    events = answers.answer_topic(dispatcher, "x_only_ca", "NY")
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0].startswith("This answer is about California law. You asked about New York")
    assert not any(e.get("name") == "state" for e in events)


def test_law_name_sets_the_state():
    t = tracker("ask_duration", "how long does kendra's law last", [("state", "NY")])
    texts, _, slots, _ = run(ActionAnswer(), t)
    assert slots["state"] == "NY" and "9.60" in texts[-1]


def test_county_in_a_question_sets_the_state():
    t = tracker("ask_medication", "can fresno force meds", [("county", "CA:Fresno")])
    texts, _, slots, _ = run(ActionAnswer(), t)
    assert slots["state"] == "CA" and "medication" in joined(texts).lower()


def test_general_question_without_state_gets_the_general_answer():
    texts, buttons, slots, _ = run(ActionAnswer(), tracker("ask_what_is_aot", "what is aot"))
    assert "court" in joined(texts).lower() and "pending_topic" not in slots or slots.get("pending_topic") is None


def test_other_state_is_told_kindly():
    texts, _, _, _ = run(ActionAnswer(), tracker("inform_state", "texas"))
    assert "only have information for California and New York" in joined(texts)


def test_glossary_term():
    texts, _, _, _ = run(ActionAnswer(), tracker("ask_glossary", "what is an affidavit", [("term", "affidavit")]))
    assert texts[0].lower().startswith("affidavit:") and "source" in texts[-1].lower()


@pytest.mark.parametrize("entity,expect", [
    ("CA:Fresno", "In December 2021, Disability Rights California listed Fresno County, California, as having AOT"),
    ("CA:Monterey", "listed Monterey County, California, as not having AOT"),
    ("CA:Solano", "did not put Solano County, California, on its list"), ("NY:Erie", "requires every county"),
])
def test_county_status_with_as_of_date_and_source(entity, expect):
    texts, _, slots, _ = run(ActionCountyLookup(), tracker("ask_county_status", "x", [("county", entity)]))
    assert expect in texts[0]  # the dated status comes first
    # Never a bare present tense from the 2021 list.
    assert not any(t.startswith(f"{entity[3:]} County, California: has") for t in texts)
    assert texts[-1].startswith("Source:") and "as of" in texts[-1]
    assert slots["county"] == entity.split(":")[1] and slots["state"] == entity[:2]


def test_county_later_reports_are_shown_with_their_source():
    texts, _, _, _ = run(ActionCountyLookup(), tracker("ask_county_status", "", [("county", "CA:San Bernardino")]))
    assert "as not having AOT" in texts[0]
    later = [t for t in texts if t.startswith("Later:")]
    assert "DHCS" in later[0] and "opted out" in later[0]
    assert "June 13, 2023" in later[1] and "Source: San Bernardino County news" in later[1]


def test_humboldt_has_taken_referrals_since_july_2022():
    texts, _, _, _ = run(ActionCountyLookup(), tracker("ask_county_status", "", [("county", "CA:Humboldt")]))
    text = joined(texts)
    assert "since July 1, 2022" in text and "opted out" not in text.split("July 1, 2022")[1]
    assert "lists Humboldt as opted in" in text


@pytest.mark.parametrize("entity,note", [
    ("CA:San Francisco", "for referral forms, not for phone messages"),
    ("CA:Alameda", "general ACCESS line"), ("CA:Santa Barbara", "24/7 access line"),
    ("CA:Orange", "2014. It is old"),
])
def test_county_contact_points_carry_their_notes(entity, note):
    texts, _, _, _ = run(ActionCountyLookup(), tracker("inform_county", "", [("county", entity)]))
    assert note in joined(texts)


def test_county_contacts_are_given():
    texts, _, _, _ = run(ActionCountyLookup(), tracker("inform_county", "LA", [("county", "CA:Los Angeles")]))
    assert "213-738-2440" in joined(texts)


def test_misspelled_county_without_entity_uses_fuzzy_search():
    texts, _, slots, _ = run(ActionCountyLookup(), tracker("inform_county", "sacremento"))
    assert slots["county"] == "Sacramento" and "as having AOT" in joined(texts)


def test_ambiguous_county_offers_both():
    texts, buttons, _, _ = run(ActionCountyLookup(), tracker("inform_county", "kings county", [("county", "?:Kings")]))
    assert "both California and New York" in joined(texts)
    assert {b["payload"] for b in buttons} == {'/inform_county{"county": "CA:Kings"}', '/inform_county{"county": "NY:Kings"}'}


def test_unknown_county_asks_again():
    texts, _, slots, _ = run(ActionCountyLookup(), tracker("inform_county", "atlantis"))
    assert "could not find" in joined(texts) and "county" not in slots


def test_which_counties_without_a_county_asks_for_one():
    texts, _, _, _ = run(ActionCountyLookup(), tracker("ask_county_status", "which counties have aot"))
    assert "Which county" in texts[-1]


def test_contacts_without_state_give_both_states():
    texts, _, _, _ = run(ActionContacts(), tracker("ask_help", "talk to a person"))
    text = joined(texts)
    assert "(916) 504-5810" in text and "1-800-776-5746" in text and "Mental Hygiene Legal Service" in text
    assert all("Source:" in t for t in texts[1:])


def test_contacts_for_a_county():
    texts, _, _, _ = run(ActionContacts(), tracker("ask_help", "", slots={"state": "CA", "county": "Los Angeles"}))
    assert "(800) 700-9996" in joined(texts) and "Mental Hygiene" not in joined(texts)


def test_crisis_gives_988_and_911_first():
    texts, buttons, _, _ = run(ActionCrisis(), tracker("crisis", "i want to die"))
    assert "988" in texts[1] and "911" in texts[1]
    assert buttons


def test_clarify_offers_the_likely_questions():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_lawyer", "confidence": 0.3},
               {"name": "ask_how_ends", "confidence": 0.2}, {"name": "crisis", "confidence": 0.1}]
    texts, buttons, _, _ = run(ActionClarify(), tracker("nlu_fallback", "hmm", ranking=ranking))
    payloads = [b["payload"] for b in buttons]
    assert payloads[:2] == ["/ask_lawyer", "/ask_how_ends"] and "/crisis" not in payloads


def test_greeting_has_menu_and_disclaimer():
    texts, buttons, _, _ = run(ActionGreet(), tracker("greet", "hi"))
    assert "not legal advice" in joined(texts) and "988" in joined(texts)
    assert len(buttons) >= 5


def test_start_over_resets_slots():
    _, _, _, events = run(ActionStartOver(), tracker("start_over", "", slots={"state": "CA"}))
    assert any(e.get("event") == "reset_slots" for e in events)


def test_no_after_a_crisis_keeps_help_in_view():
    _, _, slots, _ = run(ActionCrisis(), tracker("crisis", "i want to die"))
    assert slots["last_topic"] == "crisis"
    texts, _, _, _ = run(ActionAnswer(), tracker("deny", "no", slots={"last_topic": "crisis"}))
    assert "988" in joined(texts) and "still here" in joined(texts)
    texts, _, _, _ = run(ActionAnswer(), tracker("deny", "no"))
    assert "988" not in joined(texts)


@pytest.mark.parametrize("slots", [{"last_topic": "crisis"}, {"last_topic": "crisis", "state": "CA"},
                                   {"last_topic": "crisis_danger", "state": "NY"}])
def test_talk_to_a_person_after_a_crisis_puts_988_first(slots):
    texts, _, _, _ = run(ActionContacts(), tracker("ask_help", "talk to a person", slots=slots))
    first = load_content().render_dialogue("help_after_crisis")[0]["text"]
    assert texts[0] == first and texts[0].index("988") < 60
    assert "(916) 504-5810" in joined(texts) or "Mental Hygiene" in joined(texts)  # then the usual people
    # without a crisis just before, the usual answer comes first
    texts, _, _, _ = run(ActionContacts(), tracker("ask_help", "talk to a person",
                                                   slots={k: v for k, v in slots.items() if k != "last_topic"}))
    assert texts[0] != first


def test_crisis_reply_is_marked_for_the_channels():
    """The web gateway shows a crisis reply from Rasa as the crisis panel (bot/web/crisis_view.py)."""
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCrisis().run(dispatcher, tracker("crisis", "i want to die"), {}))
    *reply, marker = dispatcher.messages  # the words first, then the (unseen) marker
    assert marker["custom"] == {"crisis": "crisis", "danger_now": False, "messages": len(reply)}
    assert [m["text"] for m in reply] == [m["text"] for m in load_content().render_dialogue("crisis")]
    t = tracker("crisis", "he has a knife")
    t.latest_message["crisis"] = {"category": "harm_others", "categories": ["harm_others"]}
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCrisis().run(dispatcher, t, {}))
    assert dispatcher.messages[-1]["custom"]["danger_now"] is True


# ---- follow-ups (issue 13): every answer ends with two or three buttons ------------------------
def last_buttons(action, t):
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages[-1].get("buttons") or []


def test_an_answer_offers_a_related_question_help_and_something_else():
    buttons = last_buttons(ActionAnswer(), tracker("ask_medication", "can they force meds", slots={"state": "NY"}))
    c = load_content()
    assert buttons == [
        {"title": c.topics["treatment_rights"]["NY"].title, "payload": "/ask_treatment_rights"},
        {"title": "Who can help where I live", "payload": "/ask_help"},
        {"title": "Ask something else", "payload": "/greet"}]


def test_follow_ups_keep_the_answers_own_buttons_first_and_stay_at_three():
    buttons = last_buttons(ActionAnswer(), tracker("ask_duration", "how long", slots={"state": "CA"}))
    assert [b["payload"] for b in buttons] == ["/calc_order_timeline", "/ask_how_ends", "/ask_help"]
    # "who can help" never offers itself again
    buttons = last_buttons(ActionContacts(), tracker("ask_help", "who can help", slots={"state": "CA"}))
    assert [b["payload"] for b in buttons] == ["/ask_lawyer", "/greet"]


def test_every_answer_in_every_state_ends_with_two_or_three_follow_ups():
    from actions.answers import follow_ups
    c = load_content()
    intents = {t.intent for by_state in c.topics.values() for t in by_state.values()}
    for topic_id, by_state in c.topics.items():
        for state, topic in by_state.items():
            buttons = follow_ups(topic_id, state, [dict(b) for b in topic.buttons])
            if len(topic.buttons) > 3:  # the steps of the process keep their own list
                continue
            assert 2 <= len(buttons) <= 3, (topic_id, state, buttons)
            for b in buttons:  # payloads of existing intents (a bank entry's: faq + its id)
                assert b["payload"].split("{")[0].lstrip("/") in intents | {"greet", "inform_state", "faq"}, b
                if b["payload"].startswith("/faq"):
                    assert json.loads(b["payload"][4:])["bank"] in c.topics, b


def test_related_topics_in_the_registry_exist():
    from bot.topics import registry
    c = load_content()
    for topic_id, entry in registry().topics.items():
        if not entry.answers:
            continue
        assert topic_id in c.topics and entry.related and topic_id not in entry.related, topic_id
        assert all(r in c.topics for r in entry.related), topic_id


def test_a_county_answer_ends_with_follow_ups():
    buttons = last_buttons(ActionCountyLookup(), tracker("ask_county_status", "fresno", [("county", "CA:Fresno")]))
    assert [b["payload"] for b in buttons] == ["/ask_how_ordered", "/ask_help", "/greet"]


def test_ask_something_else_gives_the_menu_mid_conversation():
    t = tracker("greet", "/greet")
    t.events = [{"event": "user", "text": "what is aot"}, {"event": "user", "text": "/greet"}]
    texts, buttons, _, _ = run(ActionGreet(), t)
    menu = load_content().render_dialogue("menu")
    assert texts == [m["text"] for m in menu] and "not legal advice" not in joined(texts)


def test_the_5150_comparison_is_not_given_to_a_question_that_names_no_hold():
    """'is AOT in monterey county' once got 'AOT is not the same as a 5150': an answer that
    presumes a question the person did not ask. The model's next guess answers instead."""
    ranking = [{"name": "ask_compare_5150", "confidence": 0.55},
               {"name": "ask_county_status", "confidence": 0.17}]
    t = tracker("ask_compare_5150", "is AOT in monterey county",
                entities=[("county", "CA:Monterey")], ranking=ranking)
    texts, _, slots, _ = run(ActionAnswer(), t)
    assert "Monterey County, California" in joined(texts)
    assert "5150" not in joined(texts) and slots["county"] == "Monterey"


def test_the_5150_comparison_still_answers_a_question_about_a_hold():
    ranking = [{"name": "ask_compare_5150", "confidence": 0.9}]
    t = tracker("ask_compare_5150", "what's the difference between aot and a 5150 hold",
                entities=[("state", "CA")], ranking=ranking)
    texts, _, _, _ = run(ActionAnswer(), t)
    assert texts[0].startswith("AOT is not the same as a 5150.")


def test_no_answer_opens_with_a_bare_yes_or_no_to_a_question_not_asked():
    """Topics are also reached by 'what is ...' or 'tell me about ...' questions. A bank
    entry may open with Yes or No only when its own question is that yes/no question."""
    c = load_content()
    # "Is ...", "Someone said ... Is that true?", "If I am in hospital, can they ...?"
    yes_no = re.compile(r"(^|[.?!,]\s*)(is|are|can|could|do|does|did|will|would|should|must|may|has|have)\b",
                        re.I)
    for by_state in c.topics.values():
        for topic in by_state.values():
            if topic.is_bank and yes_no.search(topic.title):
                continue
            bare = r"(No|Yes)[.,]" if topic.is_bank else r"No[.,]"
            for text in (topic.messages[0], topic.sms):
                assert not re.match(bare, text), (topic.id, topic.state)


def test_no_after_a_spanish_crisis_question_is_answered_in_spanish():
    c = load_content()
    asked = c.render_dialogue("crisis_check_es")
    events = [{"event": "bot", "text": m["text"]} for m in asked]
    t = Tracker("test", {"last_topic": "crisis"},
                {"intent": {"name": "deny", "confidence": 0.9}, "text": "no", "entities": []},
                events, False, None, {}, "action_listen")
    texts, _, _, _ = run(ActionAnswer(), t)
    assert texts == [m["text"] for m in c.render_dialogue("crisis_deny_es")]
    english = Tracker("test", {"last_topic": "crisis"},
                      {"intent": {"name": "deny", "confidence": 0.9}, "text": "no", "entities": []},
                      [{"event": "bot", "text": c.render_dialogue("crisis_check")[0]["text"]}],
                      False, None, {}, "action_listen")
    assert run(ActionAnswer(), english)[0] == [m["text"] for m in c.render_dialogue("crisis_deny")]
