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
from bot import counties, states

def place_in(tracker: Tracker) -> tuple[str | None, counties.County | None]:
    """(state, county) this message names; None for what it does not name, or names twice."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):  # a button: its entities say it all
        text = ""
    county = _county(tracker, text)
    named = {v for v in entity_values(tracker, "state") if v in ("CA", "NY")}
    alone = states.alone(text)
    if alone:
        named.add(alone)
    if county:
        named.add(county.state)
    state = next(iter(named)) if len(named) == 1 else None
    return state, county if county and county.state == state else None


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
