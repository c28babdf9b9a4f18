"""Follow-ups that lean on the conversation so far (issue 12, "Context").

- "What about Fresno?" / "and Orange?" after a county's status: that county's status.
- "What about New York?" / "same question for CA": the last question again, for that state.
- "What about Brooklyn?" after a California answer: the last question again, for New York.
- "My brother is already on AOT" said alone: what the law gives a person on an order,
  never the eligibility walk-through (that is for someone not on AOT yet).

The model may read a short follow-up as anything (a menu, off-topic, a topic), so each
answering action asks `answer_follow_up` first; it returns None when the message is not
one of these, and the action goes on as before. The place itself is kept by
actions/context.py (it runs before every action).
"""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import action_named, content
from actions.context import place_in
from actions.topic_reply import answer_topic
from bot import counties, follow_up, states
from bot.content import County
from bot.tools.dates import plain
from bot.tools.wants import ALREADY_ON
from bot.topics import DEFAULT_ACTION, registry

DONE = "follow_up_done"  # marks a message this module already handed on (no loops)
# What the law gives a person already on an order: their rights in treatment.
ON_ORDER_TOPIC = "treatment_rights"
NEXT_GUESS_MIN = 0.2  # a guess weaker than this is not taken for the question asked
# Topics whose follow-up for another county is that county's own lines.
COUNTY_TOPICS = {None, "county_status", "help"}
# Words that add nothing to "my son is already on AOT (in LA, since March)".
_STATEMENT_FILLER = re.compile(
    r"\b(my|our|his|her|their|the|a|an|and|is|was|has|been|just|already|currently|now|still|"
    r"in|on|under|since|last|this|month|week|year|ago|county|mi|su|esta|ya|en|desde|hace|"
    r"son|daughter|brother|sister|husband|wife|partner|mom|mum|dad|mother|father|client|"
    r"relative|friend|kid|child|hijo|hija|hermano|hermana|esposo|esposa|mama|papa|i|i'm|im|"
    r"he|she|they|we|it|aot|order|court|laura'?s|kendra'?s|law|ley|de|put|placed|ordered|got|"
    r"were|are|am)\b", re.I)


# "here", "there", "in my county": the county named earlier.
_LOCAL = re.compile(r"\b(here|there|in (my|our|this|that|his|her|their|the) (county|area|city|town)|"
                    r"where (i|we|he|she|they) live|where (he|she) lives|around here|locally|aqui|alla|alli)\b")
_HAS = re.compile(r"\b(have|has|got|exists?|available|in effect|offer(ed|s)?|runs?|use[sd]?|do they do|"
                  r"is there|are there|participat\w*|opt(ed)? (in|out)|does it (work|apply)|tienen?|hay)\b")
_CALL = re.compile(r"\b(call|contact|talk to|reach|phone|number|refer\w*|who do i (ask|tell|see)|"
                   r"llamo|llamar|contacto)\b")


_AOT = r"(aot|assisted outpatient|laura'?s? laws?|kendra'?s? laws?|(the|a|an) (aot )?program)"
# "does Kern have AOT", "is Laura's Law in effect in Kern", "AOT status in Kern": the
# county's status, whatever the model made of it. The program must follow the verb closely:
# "does Fresno have a public defender for AOT hearings" is a lawyer question.
_STATUS = re.compile(
    rf"\b(have|has|got|offers?|runs?|uses?|participates?( in)?|is there|are there)\s+(\w+\s+){{0,2}}{_AOT}\b"
    rf"|\b{_AOT}\s+(\w+\s+){{0,2}}(in effect|available|offered|active|status)\b|\bstatus of {_AOT}")


def status_question(low: str) -> bool:
    return bool(_STATUS.search(low)) and not counties_general(low)


# "what's their number?", "how do I reach them?", "do they have it?" after a county
_THEIR_CALL = re.compile(r"\b(call|contact|reach|email|phone|text|llamarles|llamarlos)\s+(them|they)\b"
                         r"|\btheir\s+(number|phone|contact|email|office|address|line)\b")
_THEY_HAVE = re.compile(r"\b(do|does|did)\s+(they|it)\s+(have|do|offer|run|use)\s+"
                        r"(it|that|this|aot|one|laura'?s? law|kendra'?s? law|(a|the) program)\b")


_NOT_PLACE = re.compile(r"\b(is|are|was|were|isn'?t|aren'?t) there\b|\bthere (is|are|was|were|'?s)\b"
                        r"|\bin there\b|\bhay\b")
_AOTISH = re.compile(r"\b(it|this|aot|assisted outpatient|laura'?s?|kendra'?s?|program|one|la ley)\b")


def local_question(text: str) -> str | None:
    """'status' for "is there AOT here?", 'call' for "who do I call there?"; else None.
    A question about all counties ("which counties have it?") is neither."""
    low = plain(text)
    if counties_general(low):
        return None
    # "is there a deadline", "what rights does she have in there": not a place
    local = _LOCAL.search(_NOT_PLACE.sub(" ", low))
    if _THEIR_CALL.search(low) or local and _CALL.search(low):
        return "call"
    if _THEY_HAVE.search(low) or local and _HAS.search(low) and _AOTISH.search(low):
        return "status"  # not "is there a lawyer there?"
    return None


def counties_general(low: str) -> bool:
    return bool(counties.GENERAL.search(low))


def remembered(tracker: Tracker) -> County | None:
    """The county kept from earlier in the conversation (actions/context.py), if any."""
    name, state = tracker.get_slot("county"), tracker.get_slot("state")
    return counties.by_key(f"{state}:{name}") if name and state else None


def retell(tracker: Tracker, message: dict | None = None, slots: dict | None = None) -> Tracker:
    """The tracker with another latest message or slots (nothing is stored)."""
    return Tracker(tracker.sender_id, {**tracker.slots, **(slots or {})},
                   message or tracker.latest_message, tracker.events, False, None,
                   tracker.active_loop, "action_listen")


def previous_state(tracker: Tracker) -> str | None:
    """The state as it stood before this message (actions/context.py may have changed it)."""
    state, before = None, None
    for event in tracker.events:
        if event.get("event") == "user":
            before = state
        elif event.get("event") == "slot" and event.get("name") == "state":
            state = event.get("value")
    return before


def named_place(tracker: Tracker, rest: str) -> tuple[str | None, County | None]:
    """(state, county) a follow-up's remainder names ("New York", "in CA", "LA", "oakland")."""
    state = follow_up.state_only(rest)
    if state:
        return state, None
    # "kings county new york": the state named settles which Kings County
    hint = states.from_reply(rest.lower())
    known = hint or tracker.get_slot("state")
    found = counties.place_alone(rest, known)  # "the hearing in Fresno" asks about a hearing
    if not found.county and "," in rest:  # "sacramento, same question"
        found = counties.place_alone(rest.split(",", 1)[0], known)
    if found.county and (hint is None or found.county.state == hint):
        return found.county.state, found.county
    return None, None  # "CARE court in New York" asks something new


async def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: dict[str, Any]) -> list[dict] | None:
    """Answer a follow-up for another place, a question about the county named before, or
    a bare "already on AOT"; None otherwise (the calling action answers as it would)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or tracker.latest_message.get(DONE):  # a button; or answered here
        return None
    if bare_on_order(text):
        state = tracker.get_slot("state")
        return answer_topic(dispatcher, ON_ORDER_TOPIC, state)
    rest = follow_up.remainder(text)
    state, county = named_place(tracker, rest) if rest is not None else (None, None)
    if state:  # "what about Fresno?", "and in CA?" come before "do they have it" below
        return await for_place(dispatcher, tracker, state, county)
    county = remembered(tracker)
    if county and local_question(text) == "status":  # "is Laura's Law in effect here?"
        return await county_answer(dispatcher, tracker, county, None)
    if county and local_question(text) == "call":  # "who do I call there?"
        return await county_answer(dispatcher, tracker, county, "help")
    here = place_in(tracker)[1]
    if here and status_question(plain(text)):  # "what is the AOT status in Kern county?"
        return await county_answer(dispatcher, tracker, here, None)
    return None


async def for_place(dispatcher: CollectingDispatcher, tracker: Tracker, state: str,
                    county: County | None) -> list[dict] | None:
    """The last question again for another state, or the county's own lines."""
    last = tracker.get_slot("pending_topic") or tracker.get_slot("last_topic")
    events: list[dict] = [SlotSet("state", state)]
    if county:
        events.append(SlotSet("county", county.name))
    if county and (last in COUNTY_TOPICS or state == previous_state(tracker)):
        return events + await county_answer(dispatcher, tracker, county, last)
    if county is None and tracker.get_slot("county") and state != previous_state(tracker):
        events.append(SlotSet("county", None))  # a county in the other state no longer holds
    if last == "help":
        return events + await contacts_answer(dispatcher, tracker, state, None)
    if last and last in content().topics:
        return events + answer_topic(dispatcher, last, state)
    return None


async def county_answer(dispatcher: CollectingDispatcher, tracker: Tracker, county: County,
                        last: str | None) -> list[dict]:
    """'Who do I call' then 'and in Fresno?': Fresno's contacts; else Fresno's AOT status."""
    if last == "help":
        return await contacts_answer(dispatcher, tracker, county.state, county.name)
    message = {**tracker.latest_message, DONE: True,
               "entities": [{"entity": "county", "value": county.key}]}
    # By name: actions/county.py asks this module first (a static import would be a cycle).
    return await action_named("action_county_lookup").run(dispatcher, retell(tracker, message), {})


async def contacts_answer(dispatcher: CollectingDispatcher, tracker: Tracker, state: str,
                          county: str | None) -> list[dict]:
    message = {**tracker.latest_message, DONE: True, "entities": []}
    return await action_named("action_contacts").run(
        dispatcher, retell(tracker, message, {"state": state, "county": county}), {})


def on_order_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    """A question that would start the eligibility walk-through, from someone already on an
    order: the model's next clear guess that is not eligibility, else their rights in treatment."""
    c = content()
    for guess in tracker.latest_message.get("intent_ranking", []):
        topic_id = c.topic_for_intent(guess.get("name") or "")
        if topic_id and topic_id != "eligibility" and guess.get("confidence", 0) >= NEXT_GUESS_MIN \
                and topic_id in c.topics:
            return answer_topic(dispatcher, topic_id, tracker.get_slot("state"))
    return answer_topic(dispatcher, ON_ORDER_TOPIC, tracker.get_slot("state"))


def said_on_order(tracker: Tracker) -> bool:
    """Someone in this conversation is already on an order ("my son is on Kendra's Law")."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    texts.append(tracker.latest_message.get("text") or "")
    return any(on_order(plain(t)) for t in texts if not t.startswith("/"))


# An order of AOT, not any order or hold: "he was put in the hospital" is not on AOT.
_AOT_ORDER = re.compile(r"\b(aot|assisted outpatient|laura'?s? law|kendra'?s? law|orden|ley de (laura|kendra))\b"
                        r"|\b(an?|the|court|his|her|their|my) order\b")
_NOT_AOT = re.compile(r"\b(5150|5250|hold|hospital|jail|prison|conservator\w*|care court)\b")


def on_order(low: str) -> bool:
    """'my son is on Kendra's Law', 'she was ordered to AOT': someone is on an AOT order."""
    return bool(ALREADY_ON.search(low) and _AOT_ORDER.search(low) and not _NOT_AOT.search(low))


def bare_on_order(text: str) -> bool:
    """'My son is already on AOT in LA': a statement that someone is on an order, with no
    question in it (a question, 'he is on AOT, can he move?', is answered as asked)."""
    low = plain(text)
    if "?" in text or not on_order(low):
        return False
    rest = re.sub(r"\b(in|en|from|de)\s+[a-z .'-]*$", " ", ALREADY_ON.sub(" ", low))  # the place
    rest = re.sub(r"[^a-z' ]+", " ", _STATEMENT_FILLER.sub(" ", rest))
    return len(rest.split()) <= 2  # "since march", "for 2 months"


def related(topic_id: str) -> set[str]:
    """The questions content/ lists as following on from this one (bank and registry)."""
    c = content()
    entry = registry().topics.get(topic_id)
    ids = {r for t in c.topics.get(topic_id, {}).values() for r in t.related}
    return ids | set(entry.related if entry else ())


def answer_related(dispatcher: CollectingDispatcher, tracker: Tracker,
                   likeliest: list[str]) -> list[dict] | None:
    """An unsure follow-up ("does a neighbor count?" after who can ask for AOT) whose likeliest
    answer content/ lists as related to the answer just given: that answer, not a menu.
    Only answers sent by answer_topic (a bank entry or a plain topic); None otherwise."""
    last = tracker.get_slot("last_topic")
    if not last or not likeliest or likeliest[0] == last:
        return None
    top = likeliest[0]
    entry = registry().topics.get(top)
    if entry and entry.action != DEFAULT_ACTION:
        return None
    if top in content().topics and (last in related(top) or top in related(last)):
        return answer_topic(dispatcher, top, tracker.get_slot("state"))
    return None
