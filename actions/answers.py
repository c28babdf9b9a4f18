"""Answer AOT questions from content/answers/*.yml, asking for the state only when needed."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify, retold_once
from actions.common import content, current_state, latest_intent, send
from actions.county import ActionCountyLookup
from actions.follow_up import answer_follow_up
from actions.off_topic import respond
from actions.tools import start_tool
from actions.topic_reply import (answer_glossary, answer_state_given, answer_topic, asked_about,
                                 follow_ups)
from bot import off_topic
from bot.tools.flow import tool_for_general_question

# answer_topic and follow_ups live in actions/topic_reply.py; imported here for older callers.
__all__ = ["ActionAnswer", "answer_glossary", "answer_topic", "follow_ups", "next_guess"]

# Intents answered with one of the assistant's own lines (content/dialogue.yml).
DIALOGUE_INTENTS = {"thank", "goodbye", "affirm", "deny", "bot_challenge", "out_of_scope"}


def crisis_deny_key(tracker: Tracker) -> str:
    """'No' after a crisis reply: in Spanish when that reply was Spanish (its last words)."""
    c = content()
    last = next((e.get("text") for e in reversed(tracker.events)
                 if e.get("event") == "bot" and e.get("text")), None)
    spanish = {m["text"] for key in c.dialogue if key.startswith("crisis") and key.endswith("_es")
               for m in c.render_dialogue(key)}
    return "crisis_deny_es" if last in spanish else "crisis_deny"


async def next_guess(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                     skip: str) -> list[dict]:
    """The model's next likely intent, answered by its own action; else "which did you mean"."""
    ranking = [r for r in tracker.latest_message.get("intent_ranking", [])
               if r.get("name") not in (skip, "nlu_fallback")]
    best = ranking[0] if ranking else {}
    if best.get("confidence", 0) >= NEXT_GUESS_MIN:
        message = {**tracker.latest_message, "intent": best, "intent_ranking": ranking}
        retold = Tracker(tracker.sender_id, tracker.slots, message, tracker.events, False, None,
                         tracker.active_loop, "action_listen")
        if best["name"] in ("ask_county_status", "inform_county"):
            return await ActionCountyLookup().run(dispatcher, retold, domain)
        if content().topic_for_intent(best["name"]):
            return await ActionAnswer().run(dispatcher, retold, domain)
    return await ActionClarify().run(dispatcher, retold_once(tracker), domain)


# The next guess is taken only when the model gave it at least this much.
NEXT_GUESS_MIN = 0.1


class ActionAnswer(Action):
    """Answer the topic of the latest intent, using the state known so far."""

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        followed = await answer_follow_up(dispatcher, tracker, domain)
        if followed is not None:  # "what about Fresno?", "same for NY", "he's already on AOT"
            return followed
        intent = latest_intent(tracker)
        state = current_state(tracker)
        events: list[dict] = [SlotSet("state", state)] if state else []
        c = content()
        if intent == "inform_state":
            return events + answer_state_given(dispatcher, tracker, state)
        if intent == "deny" and tracker.get_slot("last_topic") == "crisis":
            send(dispatcher, c.render_dialogue(crisis_deny_key(tracker)))
            return events
        if intent in DIALOGUE_INTENTS:
            send(dispatcher, c.render_dialogue(intent))
            return events
        if intent == "ask_glossary":
            return events + answer_glossary(dispatcher, tracker)
        if off_topic.pick_subject(tracker.latest_message.get("text") or "") == "minors":
            # "my 15 year old won't take his meds": no one under 18 can be on AOT; say so first.
            return events + respond(dispatcher, "out_of_scope", tracker.latest_message.get("text") or "")
        topic_id = c.topic_for_intent(intent)
        if topic_id and not asked_about(topic_id, tracker.latest_message.get("text") or ""):
            return events + await next_guess(dispatcher, tracker, domain, intent)
        tool = tool_for_general_question(topic_id, tracker.latest_message.get("text") or "", state)
        if tool:  # "it was filed on March 3, when is the hearing?": work it out
            return events + start_tool(dispatcher, tracker, tool)
        if topic_id is None:
            send(dispatcher, c.render_dialogue("clarify_none"))
            return events
        return events + answer_topic(dispatcher, topic_id, state)
