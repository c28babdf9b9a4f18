"""Off-topic, hostile and misuse messages (issue 9, points 4 and 5).

action_off_topic  "I cover AOT in California and New York; for that, try ...",
                  by subject (content/offtopic.yml).
action_hostile    calm and short: acknowledge, correct a myth with its source,
                  offer the rights information (content/hostile.yml).
action_misuse     a clear "I can't help with that", what AOT is for, who decides.

None of them gives an AOT answer, starts a guided tool or shows the "did you
mean" menu, so a prompt-injection message routed here changes nothing.
The words are in content/; bot/off_topic.py picks and renders them.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import send
from bot import off_topic

# The intents these actions answer, and what each one sends.
OFF_TOPIC_INTENTS = ("out_of_scope", "hostile", "misuse_request")


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def reply_for(intent: str, text: str) -> tuple[str, list[dict]]:
    """(key of the reply, its messages) for one of OFF_TOPIC_INTENTS."""
    if intent == "misuse_request":
        return "misuse", off_topic.render_misuse()
    if intent == "hostile":
        myth = off_topic.find_myth(text)
        return f"hostile:{myth or 'none'}", off_topic.render_hostile(myth)
    subject = off_topic.pick_subject(text)
    return f"out_of_scope:{subject}", off_topic.render_subject(subject)


def respond(dispatcher: CollectingDispatcher, intent: str, text: str) -> list[dict]:
    """Send the reply; forget any question waiting for a state (it was not this one)."""
    _, messages = reply_for(intent, text)
    send(dispatcher, messages)
    return [SlotSet("pending_topic", None)]


class ActionOffTopic(Action):
    def name(self) -> str:
        return "action_off_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        from actions.follow_up import answer_follow_up  # "how does that work in New York?"

        followed = await answer_follow_up(dispatcher, tracker, domain)
        if followed is not None:
            return followed
        return respond(dispatcher, "out_of_scope", _text(tracker))


class ActionHostile(Action):
    def name(self) -> str:
        return "action_hostile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        return respond(dispatcher, "hostile", _text(tracker))


class ActionMisuse(Action):
    def name(self) -> str:
        return "action_misuse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        return respond(dispatcher, "misuse_request", _text(tracker))
