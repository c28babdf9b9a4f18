"""Greeting with a menu, and starting over."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, send
from actions.tools import end_tool, tool_active


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        # "Ask something else" after an answer (content/followups.yml) sends /greet: someone
        # already talking gets the menu, not the welcome and the notice again.
        said_before = sum(1 for e in tracker.events if e.get("event") == "user") > 1
        send(dispatcher, content().render_dialogue("menu" if said_before else "greet"))
        return []


class ActionStartOver(Action):
    """Forget the state, county and topic, then show the menu again."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        c = content()
        events = end_tool(dispatcher) if tool_active(tracker) else []
        send(dispatcher, c.render_dialogue("start_over") + c.render_dialogue("menu"))
        return events + [ActiveLoop(None), AllSlotsReset()]
