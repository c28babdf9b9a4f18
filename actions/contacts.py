"""'Talk to a person': real people who can help, for the user's state and county."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.topic_reply import answer_topic
from actions.common import content, current_state, send
from actions.county import contact_line, county_messages
from bot import counties
from bot.states import CODES


class ActionContacts(Action):
    """The state's 'help' answer, plus local contacts when the county is known.
    Right after a crisis reply, the 988 Lifeline comes first (help_after_crisis)."""

    def name(self) -> str:
        return "action_contacts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        c = content()
        state = current_state(tracker)
        county = tracker.get_slot("county")
        if str(tracker.get_slot("last_topic") or "").startswith("crisis"):
            # Right after a crisis reply, the person to talk to first is the 988 Lifeline.
            send(dispatcher, c.render_dialogue("help_after_crisis"))
        known = counties.by_key(f"{state}:{county}") if state and county else None
        if known:  # "who do I call there?": the county's own lines first, naming it
            send(dispatcher, county_messages(known))
            return answer_topic(dispatcher, "help", state)
        if state:
            return answer_topic(dispatcher, "help", state)
        # Someone asking for a person should not first be asked a question:
        # with no state known, give both states' lines.
        send(dispatcher, c.render_dialogue("contacts_intro"))
        for st in CODES:
            for contact in c.contacts_for(st):
                dispatcher.utter_message(text=contact_line(contact))
        return [SlotSet("last_topic", "help")]
