"""Where the person is: read from every message, kept for the rest of the conversation.

Rasa runs `action_validate_slot_mappings` after every user message, whatever the intent
(a crisis message included), so a county, a ZIP code, a city, "ca" / "ny", "Laura's Law"
or "Kendra's Law" named anywhere sets the state and county for the answers that follow.
A message that names both states ("Laura's Law vs Kendra's Law") changes neither.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values
from bot import counties, follow_up, states

def place_in(tracker: Tracker) -> tuple[str | None, counties.County | None]:
    """(state, county) this message names; None for what it does not name, or names twice."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):  # a button: its entities say it all
        text = ""
    lead_state, lead = counties.from_lead(text, tracker.get_slot("state"))
    county = _county(tracker, text) or lead.county
    named = {v for v in entity_values(tracker, "state") if v in ("CA", "NY")}
    alone = states.alone(text) or _follow_up_state(text)
    for found in (alone, county.state if county else None, lead_state):
        if found:
            named.add(found)
    state = next(iter(named)) if len(named) == 1 else None
    if len(named) > 1 and lead_state:  # "upstate new york. is there a 5150 here like in cali"
        state = lead_state
    return state, county if county and county.state == state else None


def _follow_up_state(text: str) -> str | None:
    """'what about in CA?': the short form counts after a follow-up's lead-in."""
    rest = follow_up.remainder(text)
    return states.alone(rest) if rest else None


def _county(tracker: Tracker, text: str) -> counties.County | None:
    known = tracker.get_slot("state")
    for value in entity_values(tracker, "county"):
        found = counties.from_entity(value, known)
        if found.county:
            return found.county
    if not text:
        return None
    if states.alone(text):  # "New York" alone names the state, not New York County
        return None
    zip_match = counties.ZIP_RE.search(text)
    found = counties.from_zip(zip_match.group(1)) if zip_match else counties.from_city(text, known)
    if not found.county:  # "I live in Marin": a bare county name after where one lives
        found = counties.from_residence(text, known)
    if not found.county and len(text.split()) <= 3:  # "Kern", "marin?" as the whole message
        found = counties.place_alone(text, known)
    return found.county


class ActionContext(Action):
    """Keeps the state and county a message names (Rasa calls it after every message)."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        state, county = place_in(tracker)
        events = []
        if state and state != tracker.get_slot("state"):
            events.append(SlotSet("state", state))
            if not county and tracker.get_slot("county"):
                events.append(SlotSet("county", None))  # a county in the other state no longer holds
        if county and county.name != tracker.get_slot("county"):
            events.append(SlotSet("county", county.name))
        return events
