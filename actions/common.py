"""Helpers shared by the actions: reading the tracker and sending content."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import i18n, states
from bot.content import Content, load


def content() -> Content:
    """content/ in the language of this turn (actions/lang.py)."""
    return load(i18n.current())


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def entity_values(tracker: Tracker, name: str) -> list[str]:
    return [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == name]


def state_from_message(tracker: Tracker) -> str | None:
    """A state named in this message: by name, by law ("Laura's Law") or by a county."""
    for value in entity_values(tracker, "state") + entity_values(tracker, "county"):
        found = states.from_value(value)
        if found:
            return found
    text = tracker.latest_message.get("text") or ""
    if latest_intent(tracker) == "inform_state":  # "what about ny?": short forms count here
        return states.alone(text) or states.from_reply(text.lower())
    return states.alone(text)


def current_state(tracker: Tracker) -> str | None:
    """The state for this turn: named now, else remembered from earlier."""
    return state_from_message(tracker) or tracker.get_slot("state")


def send(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for msg in messages:
        dispatcher.utter_message(text=msg["text"], buttons=msg.get("buttons") or [])


def action_named(name: str) -> Action:
    """The project's action called `name`. The action server has imported every module of
    actions/ (rasa_sdk loads the package); outside it, they are imported here by name."""
    import importlib
    import pkgutil

    import actions

    for mod in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{mod.name}")
    found: dict[str, type[Action]] = {}
    stack: list[type[Action]] = list(Action.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__.startswith("actions.") and "name" in vars(cls):
            found[cls().name()] = cls
    return found[name]()
