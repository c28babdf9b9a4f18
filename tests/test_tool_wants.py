"""A guided tool starts only when asked to work something out (issue 12)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.tools.wants import wants_tool

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("tool,text", [
    ("eligibility", "does my daughter qualify for laura's law"),
    ("eligibility", "/check_eligibility"),
    ("hearing", "the petition was filed on march 3, when is my hearing"),
    ("hearing", "can you work out my hearing date"),
    ("timeline", "my order started 2026-06-01, when does it end"),
    ("timeline", "calculate when the order ends"),
])
def test_asking_to_work_it_out_starts_the_tool(tool, text):
    assert wants_tool(tool, text, TODAY)


@pytest.mark.parametrize("tool,text", [
    ("eligibility", "my son is already on AOT, what now"),
    ("eligibility", "my brother was ordered to laura's law last month"),
    ("eligibility", "she has an order and keeps missing appointments"),
    ("hearing", "what is a court day"),
    ("hearing", "how are the 5 days counted"),
    ("timeline", "what does 180 days mean"),
])
def test_a_what_is_question_or_a_relative_already_on_aot_gets_an_answer(tool, text):
    assert not wants_tool(tool, text, TODAY)


def start(intent: str, text: str, ranking=(), entities=()):
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.tools import ActionStartTool

    message = {"intent": {"name": intent, "confidence": 0.9}, "text": text,
               "entities": [{"entity": e, "value": v} for e, v in entities],
               "intent_ranking": [{"name": intent, "confidence": 0.6},
                                  *[{"name": n, "confidence": c} for n, c in ranking]]}
    tracker = Tracker("t", {}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStartTool().run(dispatcher, tracker, {}))
    return " ".join(m.get("text") or "" for m in dispatcher.messages), events


def test_what_is_a_court_day_gets_its_meaning_not_a_date_question():
    reply, events = start("calc_hearing_date", "what is a court day", [("ask_glossary", 0.3)],
                          [("term", "court day")])
    assert "weekday that is not a court holiday" in reply
    assert not any(e.get("event") == "active_loop" for e in events)  # no tool started


def test_a_relative_already_on_aot_gets_an_answer_not_the_criteria():
    reply, events = start("check_eligibility", "my son is already on AOT and skips his appointments",
                          [("ask_noncompliance", 0.3)])
    assert reply and not any(e.get("event") == "active_loop" for e in events)
    assert "?" not in reply.split(".")[0]  # not the first eligibility question


def test_a_dated_hearing_question_still_starts_the_calculator():
    reply, events = start("calc_hearing_date", "the petition was filed on 12/1/2026, when is the hearing")
    assert any(e.get("event") in ("active_loop", "slot") for e in events) or "hearing" in reply.lower()
