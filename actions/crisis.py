"""Crisis first: 988 / 911 before anything else (content/dialogue.yml 'crisis*')."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, send
from actions.tools import end_tool, tool_active
from bot.web.crisis_view import danger_from_categories, rasa_marker


def crisis_reply_key(message: dict) -> str:
    """The dialogue key for the latest message: the one CrisisOverride chose (level,
    category, language), else the assessment of the text itself, else `crisis`."""
    keys = content().dialogue
    found = message.get("crisis")
    found = found if isinstance(found, dict) else {}
    key = found.get("reply_key")
    if key in keys:
        return key
    text = message.get("text")
    if isinstance(text, str) and text and not text.startswith("/"):
        try:
            from bot import crisis

            key = crisis.assess(text).reply_key
        except Exception:  # noqa: BLE001 - the default crisis reply is always safe
            key = None
    return key if key in keys and key != "crisis_check_history" else "crisis"


class ActionCrisis(Action):
    def name(self) -> str:
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        key = crisis_reply_key(tracker.latest_message or {})
        msgs = content().render_dialogue(key)
        send(dispatcher, msgs)
        # Tells the channels these messages were a crisis reply (the web shows a panel,
        # SMS a one-segment text first); danger now when the reply or the match says so.
        match = (tracker.latest_message or {}).get("crisis") or {}
        danger = "danger" in key or danger_from_categories(
            match.get("categories") or [match.get("category")])
        dispatcher.utter_message(json_message=rasa_marker(key, len(msgs), danger))
        # A crisis ends any guided tool (its answers are forgotten), and is
        # remembered so a following "no" is answered with care (actions/answers.py).
        events = end_tool(dispatcher) if tool_active(tracker) else []
        return events + [SlotSet("last_topic", "crisis")]
