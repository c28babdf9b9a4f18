"""Context that carries over (issue 12): a county, ZIP code, city, "ca"/"ny" or a law's
name anywhere sets the state and county; "does it have AOT?" then answers for that county."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import ActionContext
from actions.county import ActionCountyLookup


def tracker(text: str, intent: str = "ask_lawyer", entities=(), slots=None) -> Tracker:
    message = {"intent": {"name": intent, "confidence": 0.9}, "text": text,
               "entities": [{"entity": e, "value": v} for e, v in entities], "intent_ranking": []}
    return Tracker("test", dict(slots or {}), message, [], False, None, {}, "action_listen")


def slots_after(t: Tracker) -> dict:
    events = asyncio.run(ActionContext().run(CollectingDispatcher(), t, {}))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize("text,entities,state,county", [
    ("ca", (), "CA", None),
    ("NY", (), "NY", None),
    ("cali", (), "CA", None),
    ("we live in 94110, what are my rights", (), "CA", "San Francisco"),
    ("my son lives in oakland and won't go to treatment", (), "CA", "Alameda"),
    ("i live in albany ny", (), "NY", "Albany"),
    ("does fresno have it", [("county", "CA:Fresno")], "CA", "Fresno"),
    ("how does kendra's law work", [("state", "NY")], "NY", None),
    # a crisis message is read for its place too (the crisis reply comes from its own rule)
    ("i can't go on, we're in brooklyn", (), "NY", "Kings"),
])
def test_a_place_named_anywhere_is_kept(text, entities, state, county):
    got = slots_after(tracker(text, entities=entities))
    assert got.get("state") == state
    assert got.get("county") == county


def test_a_message_naming_both_states_changes_nothing():
    t = tracker("laura's law vs kendra's law", entities=[("state", "CA"), ("state", "NY")],
                slots={"state": "NY"})
    assert slots_after(t) == {}


def test_a_question_without_a_place_keeps_what_was_said_before():
    t = tracker("do i get a lawyer", slots={"state": "NY", "county": "Kings"})
    assert slots_after(t) == {}


def test_moving_to_the_other_state_drops_the_old_county():
    t = tracker("what about california", entities=[("state", "CA")],
                slots={"state": "NY", "county": "Kings"})
    assert slots_after(t) == {"state": "CA", "county": None}


def county_reply(text: str, slots: dict) -> str:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCountyLookup().run(dispatcher, tracker(text, "ask_county_status", slots=slots), {}))
    return " ".join(m["text"] for m in dispatcher.messages)


def test_does_it_have_aot_after_a_county_answers_for_that_county():
    reply = county_reply("does it have AOT?", {"state": "CA", "county": "Fresno"})
    assert "Fresno" in reply


def test_which_counties_have_aot_is_still_about_all_of_them():
    reply = county_reply("which counties have AOT?", {"state": "CA", "county": "Fresno"})
    assert "Fresno" not in reply


@pytest.mark.parametrize("text,county", [
    ("I live in Marin", "Marin"),  # a county name that is also a word needs "county" elsewhere
    ("we're in kern, my son won't take his meds", "Kern"),
    ("Napa", "Napa"),
])
def test_a_bare_county_name_where_one_lives_is_kept(text, county):
    # as a crisis check fired on it once: no entities, only the text
    got = slots_after(tracker(text, intent="crisis"))
    assert got.get("county") == county and got.get("state") == "CA"


@pytest.mark.parametrize("text", ["the pain is from lake effect", "im in the hospital", "no"])
def test_words_that_are_not_a_place_set_nothing(text):
    assert slots_after(tracker(text, slots={"state": "NY"})) == {}
