"""Answer a question-bank entry (content/bank/), chosen by Rasa's ResponseSelector.

The intent classifier says "this is a bank question" (the retrieval intent `faq`); the
ResponseSelector says which one. The two confidences are separate: the intent can be
sure while the selector is not (Rasa issue 9751), so the selector's own confidence is
checked before answering. When it is low, the person gets a short menu of the likeliest
entries instead of a confident wrong answer.
"""
from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_topic
from actions.topic_reply import asked_about
from actions.clarify import SELECTOR_MIN, ActionClarify
from actions.common import content, current_state, entity_values
from actions.follow_up import answer_follow_up
from bot.bank import ENTITY, RETRIEVAL_INTENT, selector_ranking



def button_entry(tracker: Tracker) -> str | None:
    """The entry a bank button names ('/faq{"bank": "<id>"}'), read from the payload itself."""
    text = tracker.latest_message.get("text") or ""
    prefix = "/" + RETRIEVAL_INTENT + "{"
    if not text.startswith(prefix):
        return None
    try:
        value = json.loads(text[len(prefix) - 1:]).get(ENTITY)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def chosen_entry(tracker: Tracker) -> tuple[str | None, bool]:
    """The entry asked about and whether it is sure enough to answer without a menu.
    A button names its entry (/faq{"bank": "<id>"}): that is sure."""
    named = [v for v in [*entity_values(tracker, ENTITY), button_entry(tracker)] if v in content().topics]
    if named:
        return named[0], True
    ranking = [(e, conf) for e, conf in selector_ranking(tracker.latest_message)
               if e in content().topics]
    if not ranking:
        return None, False
    entry, confidence = ranking[0]
    if not asked_about(entry, tracker.latest_message.get("text") or ""):
        return entry, False  # "is AOT the same as a 5150?" is not the 5250 entry
    return entry, confidence >= SELECTOR_MIN


class ActionAnswerBank(Action):
    """Answer the bank entry the person asked about, for the state known so far."""

    def name(self) -> str:
        return "action_answer_bank"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        followed = await answer_follow_up(dispatcher, tracker, domain)
        if followed is not None:  # "what about New York?": the last question, for New York
            return followed
        entry, sure = chosen_entry(tracker)
        if entry is None or not sure:
            # The clarify step weighs the other answers without the bank (it cannot pick the
            # bank again: the selector is unsure), then offers a menu if none is clear.
            return await ActionClarify().run(dispatcher, tracker, domain)
        state = current_state(tracker)
        events: list[dict] = [SlotSet("state", state)] if state else []
        return events + answer_topic(dispatcher, entry, state)
