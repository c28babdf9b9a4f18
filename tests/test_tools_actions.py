"""The guided tools through their Rasa actions, without servers: each reply goes
through the form's validation action as Rasa would send it, and the result action
runs when the form would end. (The trained model's side is in test_stories.yml
and tests/e2e/test_tools_http.py.)"""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.crisis import ActionCrisis
from actions.tools import (FORM, ActionAskToolReply, ActionStartTool, ActionStopTool,
                           ActionToolResult, ValidateGuidedToolForm)
from bot.content import load


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("AOT_TODAY", "2026-11-22")  # a Sunday


class Chat:
    """Plays the part of Rasa's form loop around the tool actions."""

    def __init__(self, slots=None):
        self.slots = dict(slots or {})
        self.active_loop = None
        self.texts: list[str] = []
        self.buttons: list[dict] = []

    def _tracker(self, intent: str, text: str, confidence: float = 0.95) -> Tracker:
        message = {"intent": {"name": intent, "confidence": confidence}, "text": text,
                   "entities": [], "intent_ranking": []}
        loop = {"name": self.active_loop} if self.active_loop else {}
        return Tracker("t", dict(self.slots), message, [], False, None, loop, "action_listen")

    def _apply(self, events):
        for e in events:
            if e.get("event") == "slot":
                self.slots[e["name"]] = e["value"]
            elif e.get("event") == "active_loop":
                self.active_loop = e.get("name")

    def _run(self, action, t):
        d = CollectingDispatcher()
        events = asyncio.run(action.run(d, t, {}))
        self._collect(d)
        self._apply(events)
        return events

    def _collect(self, d):
        self.texts = [m["text"] for m in d.messages if m.get("text")]
        self.markers = [m["custom"]["guided_tool"] for m in d.messages if m.get("custom")]
        self.buttons = [b for m in d.messages for b in m.get("buttons") or []]

    def start(self, intent: str, text: str = ""):
        self._run(ActionStartTool(), self._tracker(intent, text))
        if self.active_loop == FORM:
            self._ask(keep=True)
        return self

    def _ask(self, keep=False):
        before = list(self.texts) if keep else []
        before_buttons = list(self.buttons) if keep else []
        self._run(ActionAskToolReply(), self._tracker("", ""))
        self.texts, self.buttons = before + self.texts, before_buttons + self.buttons

    def say(self, text: str, intent: str = "affirm", confidence: float = 0.95):
        t = self._tracker(intent, text, confidence)
        d = CollectingDispatcher()
        updates = asyncio.run(ValidateGuidedToolForm().validate_tool_reply(text, d, t, {}))
        self._collect(d)
        self.slots.update(updates)
        if updates["tool_reply"] == "done":
            self.active_loop = None
            said = list(self.texts)
            self._run(ActionToolResult(), self._tracker(intent, text, confidence))
            self.texts = said + self.texts
        else:
            self._ask(keep=True)
        return self

    @property
    def all_text(self) -> str:
        return " ".join(self.texts)


# ---- hearing date -------------------------------------------------------------------
def test_hearing_date_in_the_first_message_is_answered_at_once():
    chat = Chat().start("calc_hearing_date", "the county filed on friday, when is my hearing")
    assert chat.active_loop is None  # nothing to ask
    text = chat.all_text
    assert "Friday, November 20, 2026" in text
    assert "Tuesday, December 1, 2026" in text
    assert "Thanksgiving" in text
    assert "continuance" in text
    assert "§ 5346(d)(1)" in text
    assert chat.slots.get("tool_answers") is None


def test_hearing_date_asks_again_on_bad_dates_then_answers():
    chat = Chat().start("calc_hearing_date", "when's my hearing")
    assert chat.active_loop == FORM
    assert "On what date did the county file" in chat.all_text
    assert {"title": "No more questions", "payload": "/stop_tool"} in chat.buttons

    chat.say("next blursday", intent="nlu_fallback", confidence=0.3)
    assert "could not read a date" in chat.all_text
    assert "On what date did the county file" in chat.all_text  # asked again

    chat.say("Feb 30", intent="nlu_fallback", confidence=0.3)
    assert "February 2026 has no day 30" in chat.all_text

    chat.say("12/23/2026")
    assert "Thursday, December 31, 2026" in chat.all_text
    assert "Christmas Day" in chat.all_text
    assert chat.slots["tool_answers"] is None and chat.active_loop is None


def test_an_impossible_date_is_an_answer_even_if_the_model_thought_otherwise():
    chat = Chat().start("calc_hearing_date", "when's my hearing")
    chat.say("Feb 30", intent="inform_county", confidence=0.9)
    assert "February 2026 has no day 30" in chat.all_text
    assert chat.active_loop == FORM


def test_hearing_date_for_new_york_is_not_guessed():
    chat = Chat(slots={"state": "NY"}).start("calc_hearing_date", "when is my hearing")
    assert chat.active_loop is None
    assert "only work out hearing dates for California" in chat.all_text
    # MHLS has an office per Judicial Department: no one number is given as New York's.
    assert "MHLS" in chat.all_text and "which MHLS office is yours" in chat.all_text
    assert load().contacts["ny_mhls"]["phone"] not in chat.all_text


def test_unchecked_holiday_year_is_said():
    chat = Chat().start("calc_hearing_date", "it was filed 12/29/2026")
    assert "Wednesday, January 6, 2027" in chat.all_text
    assert "For 2027, ask the court to confirm its holidays" in chat.all_text


# ---- order timeline -------------------------------------------------------------------
def test_california_order_timeline():
    chat = Chat(slots={"state": "CA"}).start("calc_order_timeline", "work out my order dates")
    assert "On what date did the order start" in chat.all_text
    chat.say("March 3", intent="nlu_fallback", confidence=0.4)
    assert "I read that as Tuesday, March 3, 2026" in chat.all_text
    assert "How long is the order" in chat.all_text
    chat.say("6 months")
    text = chat.all_text
    assert "Saturday, May 2, 2026; Wednesday, July 1, 2026; and Sunday, August 30, 2026" in text
    assert "ends on Thursday, September 3, 2026" in text
    assert "habeas corpus" in text and "ask for a hearing" in text
    assert "§ 5346" in text


def test_california_order_longer_than_six_months_is_explained():
    chat = Chat(slots={"state": "CA"}).start("calc_order_timeline", "my order started 6/1/2026")
    chat.say("12 months")
    assert "up to 6 months" in chat.all_text
    assert "ends on Tuesday, December 1, 2026" in chat.all_text


def test_new_york_timeline_when_the_length_is_not_known():
    chat = Chat().start("calc_order_timeline", "my order started 2026-03-03")
    assert "California or New York" in chat.all_text
    chat.say("New York")
    chat.say("not sure")
    text = chat.all_text
    # Since 2013 a first order lasts up to 1 year: "not sure" counts 1 year, with no
    # 6-month-vs-1-year dispute (the 6-month end date is no longer shown).
    assert "ends on Wednesday, March 3, 2027" in text
    assert "Thursday, September 3, 2026" not in text and "Sources differ" not in text
    assert "Since 2013" in text and "written before 2013" in text


def test_a_start_given_as_weeks_ago_and_a_length_in_one_message():
    """'2 weeks ago' is the start date, not the order's length; '6 months' still is."""
    chat = Chat(slots={"state": "CA"}).start("calc_order_timeline", "my order started 2 weeks ago, for 6 months")
    assert chat.active_loop is None
    assert "Order start: Sunday, November 8, 2026. Length: 6 months." in chat.all_text


def test_new_york_timeline_with_a_length():
    chat = Chat(slots={"state": "NY"}).start("calc_order_timeline", "order began march 3 2026 for a year")
    text = chat.all_text
    assert "ends on Wednesday, March 3, 2027" in text
    assert "from Monday, February 1, 2027" in text
    assert "Friday, September 3, 2027" in text


# ---- eligibility walk-through ------------------------------------------------------------
def _answer_all(chat, answers):
    for a in answers:
        chat.say(a)
    return chat


def test_eligibility_for_a_family_member_says_your_daughter_not_you():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my daughter qualify")
    assert "Is your daughter 18 or older?" in chat.all_text
    seen = []
    for a in ["yes", "yes", "not sure", "no", "yes", "idk"]:
        chat.say(a)
        seen.append(chat.all_text)
    assert all(" you " not in q.split("?")[0] for q in seen[:-1]), seen
    chat.say("yes")
    text = chat.all_text
    assert "summary of your answers about your daughter" in text
    assert "You said no to: a history of not following treatment" in text
    assert "not sure about" in text
    assert "Only a court decides" in text and "not legal advice" in text
    assert load().contacts["ca_patients_rights"]["phone"] in text
    assert "§ 5346(a)" in text
    assert chat.slots["tool_answers"] is None


def test_eligibility_for_oneself_and_new_york_criteria():
    chat = Chat(slots={"state": "NY"}).start("check_eligibility", "do i qualify for kendra's law")
    assert "Are you 18 or older?" in chat.all_text
    _answer_all(chat, ["yes"] * 7)
    assert "least restrictive" in chat.all_text
    assert "9.60(c)" in chat.all_text
    assert load().contacts["ny_mhls"]["phone"] in chat.all_text


def test_eligibility_asks_state_then_who():
    chat = Chat().start("check_eligibility", "walk me through the criteria")
    assert "California or New York" in chat.all_text
    chat.say("california")
    assert "Who are you asking about?" in chat.all_text
    assert {"title": "My son", "payload": "my son"} in chat.buttons
    chat.say("my brother", intent="nlu_fallback", confidence=0.3)
    assert "Is your brother 18 or older?" in chat.all_text


def test_unclear_answer_is_asked_again_kindly():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "do I qualify")
    chat.say("he's 17 I think maybe", intent="nlu_fallback", confidence=0.3)
    assert "1 of 7" not in chat.all_text or "2 of 7" in chat.all_text  # "maybe" = not sure
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "do I qualify")
    chat.say("purple", intent="nlu_fallback", confidence=0.3)
    assert "Please answer yes, no, or not sure" in chat.all_text
    assert "1 of 7" in chat.all_text


def test_three_unreadable_replies_stop_instead_of_looping():
    chat = Chat(slots={"state": "CA"}).start("calc_order_timeline", "order dates please")
    for _ in range(3):
        chat.say("purple", intent="nlu_fallback", confidence=0.3)
    assert "I stopped the order timeline" in chat.all_text
    assert chat.active_loop is None and chat.slots["tool_answers"] is None


# ---- stopping, switching, crisis -------------------------------------------------------------
def test_stop_half_way_forgets_the_answers():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    chat.say("yes")
    chat.say("stop", intent="stop_tool")
    assert "I stopped the eligibility questions. Nothing you answered is kept." in chat.all_text
    assert chat.slots["tool_answers"] is None and chat.active_loop is None


@pytest.mark.parametrize("reply", ["i changed my mind, stop going through the criteria", "stahp",
                                   "forget it, lets not do the eligibility thing", "ok enough, end this"])
def test_stop_in_other_words_while_the_model_was_unsure(reply):
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    chat.say(reply, intent="nlu_fallback", confidence=0.45)
    assert "I stopped the eligibility questions" in chat.all_text


def test_a_no_answer_is_not_a_stop():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    chat.say("no, he's 17", intent="deny")
    assert "2 of 7" in chat.all_text


def test_stop_action_when_the_form_stepped_aside():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    d = CollectingDispatcher()
    events = asyncio.run(ActionStopTool().run(d, chat._tracker("stop_tool", "stop"), {}))
    assert "Nothing you answered is kept" in d.messages[0]["text"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)


def test_stop_with_nothing_running_is_harmless():
    d = CollectingDispatcher()
    asyncio.run(ActionStopTool().run(d, Chat()._tracker("stop_tool", "stop"), {}))
    assert "What would you like to know" in d.messages[0]["text"]


def test_a_new_question_mid_tool_is_answered():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    chat.say("do I get a lawyer?", intent="ask_lawyer", confidence=0.97)
    text = chat.all_text
    assert "I stopped the eligibility questions to answer your question" in text
    assert "public defender" in text
    assert chat.slots["tool_answers"] is None and chat.active_loop is None


def test_switching_to_another_tool_starts_it():
    chat = Chat(slots={"state": "CA"}).start("calc_hearing_date", "when's my hearing")
    chat.say("/calc_order_timeline", intent="calc_order_timeline", confidence=1.0)
    assert "I stopped the hearing-date calculator" in chat.all_text
    assert chat.active_loop == FORM
    assert chat.slots["tool_answers"]["tool"] == "timeline"


def test_crisis_mid_tool_gives_help_and_ends_the_tool():
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    d = CollectingDispatcher()
    events = asyncio.run(ActionCrisis().run(d, chat._tracker("crisis", "i want to die"), {}))
    assert "988" in d.messages[0]["text"] + d.messages[1]["text"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert any(e.get("name") == "tool_answers" and e.get("value") is None for e in events)


# ---- reaching the tools from general questions ---------------------------------------------------
def test_general_hearing_question_with_a_filing_date_gets_the_calculator():
    chat = Chat(slots={"state": "CA"})
    chat._run(ActionAnswer(), chat._tracker("ask_hearing_when", "they filed the petition on March 3, when is the hearing"))
    assert "Tuesday, March 10, 2026" in chat.all_text


def test_general_answers_offer_the_tool():
    chat = Chat(slots={"state": "CA"})
    chat._run(ActionAnswer(), chat._tracker("ask_hearing_when", "how soon is the hearing"))
    assert {"title": "Work out my hearing date", "payload": "/calc_hearing_date"} in chat.buttons
    chat._run(ActionAnswer(), chat._tracker("ask_eligibility", "who qualifies"))
    assert {"title": "Go through them one by one", "payload": "/check_eligibility"} in chat.buttons
    ny = Chat(slots={"state": "NY"})
    ny._run(ActionAnswer(), ny._tracker("ask_hearing_when", "how soon is the hearing"))
    assert not any(b["payload"] == "/calc_hearing_date" for b in ny.buttons)


def test_today_is_the_date_where_the_person_is(monkeypatch):
    """Without AOT_TODAY, 'today' is California's (or New York's) date, not the server's UTC date."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from bot.states import today

    monkeypatch.delenv("AOT_TODAY")
    assert today("CA") == datetime.now(ZoneInfo("America/Los_Angeles")).date()
    assert today("NY") == datetime.now(ZoneInfo("America/New_York")).date()
    assert today(None) == today("CA")
    assert abs((today("CA") - datetime.now(timezone.utc).date()).days) <= 1


def test_today_without_a_time_zone_database(monkeypatch):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfoNotFoundError

    import bot.states as states

    def missing(name):
        raise ZoneInfoNotFoundError(name)

    monkeypatch.delenv("AOT_TODAY")
    monkeypatch.setattr(states, "ZoneInfo", missing)
    assert states.today("CA") == datetime.now(timezone(timedelta(hours=-8))).date()


def test_starting_the_hearing_tool_does_not_decide_the_persons_state():
    """The hearing calculator works for California only, but starting it must not make
    the whole conversation California's: a later answer still asks which state."""
    chat = Chat()
    chat.start("calc_hearing_date", "when is my hearing")
    assert chat.slots.get("state") is None


def test_a_question_mid_tool_is_answered_by_the_action_its_rule_names():
    """ask_help's rule names action_contacts (content/topics.yml): not the topic answerer."""
    chat = Chat(slots={"state": "CA"}).start("check_eligibility", "does my son qualify")
    chat.say("who can i talk to", intent="ask_help", confidence=0.97)
    assert "I stopped the eligibility questions to answer your question" in chat.all_text
    assert "Disability Rights California" in chat.all_text and chat.active_loop is None
