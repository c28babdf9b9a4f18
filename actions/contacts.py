"""'Talk to a person': real people who can help, for the user's state and county."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, current_state, send
from actions.county import contact_line


class ActionContacts(Action):
    def name(self) -> str:
        return "action_contacts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        c = content()
        state = current_state(tracker)
        county = tracker.get_slot("county")
        send(dispatcher, c.render_dialogue("contacts_intro"))
        # Someone asking for a person should not first be asked a question:
        # with no state known, give both states' lines.
        for st in [state] if state else ["CA", "NY"]:
            for contact in c.contacts_for(st, county if state else None):
                dispatcher.utter_message(text=contact_line(contact))
        return [SlotSet("last_topic", "help")]
