"""Sending a broad topic's answer: the state question when needed, the tool it offers,
and the follow-ups (content/answers/*.yml, content/topics.yml, content/followups.yml).
A leaf module: the actions that answer topics import it; it imports no action."""
from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, send, state_from_message
from bot.content import followups
from bot.states import ALL, CODES, STATES
from bot.topics import registry


def tool_offer(topic_id: str, topic_state: str) -> dict | None:
    """The button for the guided tool a topic offers, if the tool works in the answer's
    state (hearing dates: California only). Title: content/tools.yml offer_titles."""
    entry = registry().topics.get(topic_id)
    if not entry or not entry.tool:
        return None
    tool = registry().tools[entry.tool]
    works = set(tool.states) >= set(CODES) if topic_state == ALL else topic_state in tool.states
    if not works:
        return None
    return {"title": content().tools["offer_titles"][tool.id], "payload": "/" + tool.intent}


def answer_topic(dispatcher: CollectingDispatcher, topic_id: str, state: str | None) -> list[dict]:
    """Send a topic for a state, or ask which state when the answer differs by state."""
    c = content()
    topic = c.topic(topic_id, state)
    if topic is None:
        send(dispatcher, c.render_dialogue("ask_state"))
        return [SlotSet("pending_topic", topic_id)]
    messages = c.render_topic(topic)
    if state in STATES and topic.state not in (state, ALL):
        # A topic that exists only for another state: say so plainly first.
        messages = c.render_dialogue("topic_other_state", topic_state=c.states[topic.state],
                                     state_name=c.states[state]) + messages
    offer = tool_offer(topic_id, topic.state)
    if offer:  # the guided tool for this topic, one tap away
        messages[-1].setdefault("buttons", []).append(offer)
    last = messages[-1]
    last["buttons"] = follow_ups(topic_id, state or topic.state, last.get("buttons", []))
    send(dispatcher, messages)
    # Answering never sets or changes the person's state: a New York user who asks
    # about a California-only topic stays in New York (MHLS, not the public defender).
    return [SlotSet("last_topic", topic_id), SlotSet("pending_topic", None)]


def follow_ups(topic_id: str, state: str, buttons: list[dict]) -> list[dict]:
    """What the answer offers next (content/followups.yml, related topics from
    content/topics.yml): its own buttons, then a related
    question for this state, then "who can help where I live" and "ask something else",
    at most `max` in all (a short numbered menu by SMS). Payloads of existing intents only."""
    c = content()
    conf = followups(c.lang)
    entry = registry().topics.get(topic_id)
    related = []
    # A bank entry names its own related questions (content/bank/); a topic, the registry's.
    bank_related = next((t.related for t in c.topics.get(topic_id, {}).values() if t.related), ())
    for other in [*bank_related, *(entry.related if entry else ())]:
        version = c.topic(other, state) if other != topic_id else None
        if version is not None:
            related = [{"title": version.title, "payload": version.payload}]
            break
    own = {t.payload for t in c.topics.get(topic_id, {}).values()}  # not the same question again
    out: list[dict] = []
    seen = set(own)
    for b in [*buttons, *related, *conf["always"]]:
        if b["payload"] not in seen and len(out) < conf["max"]:
            seen.add(b["payload"])
            out.append({"title": c.render_text(b["title"]), "payload": b["payload"]})
    # A topic with its own longer list (the steps of the process) keeps all of it.
    return [dict(b) for b in buttons] if len(buttons) > conf["max"] else out


def asked_about(topic_id: str, text: str) -> bool:
    """False when the topic's answer presumes a subject the question never named."""
    patterns = {t.asked_about for t in content().topics.get(topic_id, {}).values() if t.asked_about}
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def answer_glossary(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    c = content()
    entries: list[dict] = c.glossary.get("terms", [])  # type: ignore[assignment]
    # A term or any alias ("business day" finds "court day"), so a renamed term still answers.
    terms = {name.lower(): t for t in entries for name in [t["term"], *t.get("aliases", [])]}
    wanted = [v.lower() for v in (e["value"] for e in tracker.latest_message.get("entities", [])
                                  if e.get("entity") == "term") if v.lower() in terms]
    if not wanted:
        send(dispatcher, c.render_dialogue("glossary_unknown", terms=sorted(t["term"] for t in entries)))
        return []
    entry = terms[wanted[0]]
    sources = [entry["source"]] if isinstance(entry["source"], str) else entry["source"]
    meaning = c.render_text(entry["meaning"])  # legal numbers come from legal_numbers.yml
    dispatcher.utter_message(text=f"{entry['term'][0].upper()}{entry['term'][1:]}: {meaning}")
    dispatcher.utter_message(text=c.cite(entry["citation"], sources))
    return []


def answer_instead_of_tool(dispatcher: CollectingDispatcher, tracker: Tracker,
                           skip: set[str]) -> list[dict]:
    """The model's next guess that is not a tool (a word's meaning, a topic), answered;
    a "what is" question never starts a tool (bot/tools/wants.py)."""
    c = content()
    state = (tracker.get_slot("state") or None)
    for guess in tracker.latest_message.get("intent_ranking", []):
        intent = guess.get("name") or ""
        if intent in skip or intent == "nlu_fallback":
            continue
        if intent == "ask_glossary":
            return answer_glossary(dispatcher, tracker)
        topic_id = c.topic_for_intent(intent)
        if topic_id:
            return answer_topic(dispatcher, topic_id, state)
    return answer_glossary(dispatcher, tracker) if any(
        e.get("entity") == "term" for e in tracker.latest_message.get("entities", [])) else []


def answer_state_given(dispatcher: CollectingDispatcher, tracker: Tracker,
                       state: str | None) -> list[dict]:
    """'California', 'ny' or 'what about New York?': finish the question that was waiting,
    or re-answer the last one for that state."""
    c = content()
    if state_from_message(tracker) is None:
        send(dispatcher, c.render_dialogue("other_state"))
        return []
    topic_id = tracker.get_slot("pending_topic") or tracker.get_slot("last_topic")
    if topic_id and topic_id in c.topics:
        return answer_topic(dispatcher, topic_id, state)
    send(dispatcher, c.render_dialogue("state_noted", state_name=c.states[state or ""]))
    return []
