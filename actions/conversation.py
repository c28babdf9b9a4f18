"""Greeting with a menu, and starting over."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, send


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        send(dispatcher, content().render_dialogue("greet"))
        return []


class ActionStartOver(Action):
    """Forget the state, county and topic, then show the menu again."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        c = content()
        send(dispatcher, c.render_dialogue("start_over") + c.render_dialogue("menu"))
        return [AllSlotsReset()]
