"""When the model is unsure, ask which question was meant instead of guessing."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, current_state, send
from actions.off_topic import respond
from bot import off_topic

MAX_OPTIONS = 3
# Intents never offered as a guess: guessing "crisis" or "goodbye" would be wrong or odd.
NOT_OFFERED = {"nlu_fallback", "out_of_scope", "crisis", "greet", "goodbye", "thank", "affirm",
               "deny", "inform_state", "inform_county", "start_over", "hostile", "misuse_request"}


def off_topic_guess(tracker: Tracker) -> str | None:
    """An unsure guess that the message is hostile, a misuse request, or off-topic
    with a named subject ("custdy", "5150"): its own reply beats a menu of AOT
    questions (issue 9). Other unsure guesses keep the menu."""
    ranking = [g for g in tracker.latest_message.get("intent_ranking", [])
               if g.get("name") != "nlu_fallback"]
    top = ranking[0].get("name") if ranking else None
    if top in ("hostile", "misuse_request"):
        return top
    text = tracker.latest_message.get("text") or ""
    if top == "out_of_scope" and off_topic.pick_subject(text) != off_topic.GENERAL:
        return top
    return None


def options(tracker: Tracker) -> list[dict]:
    """Buttons for the likeliest topics, titled with the question as content/ words it."""
    c = content()
    state = current_state(tracker)
    buttons = []
    for guess in tracker.latest_message.get("intent_ranking", []):
        intent = guess.get("name")
        if intent in NOT_OFFERED or guess.get("confidence", 0) < 0.05:
            continue
        topic_id = c.topic_for_intent(intent)
        topic = c.topic(topic_id, state) if topic_id else None
        if topic is None and topic_id:
            topic = next(iter(c.topics[topic_id].values()))
        if topic:
            buttons.append({"title": topic.title, "payload": f"/{intent}"})
        if len(buttons) == MAX_OPTIONS:
            break
    return buttons


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        guess = off_topic_guess(tracker)
        if guess:
            return respond(dispatcher, guess, tracker.latest_message.get("text") or "")
        c = content()
        buttons = options(tracker)
        if not buttons:
            send(dispatcher, c.render_dialogue("clarify_none"))
            return []
        msgs = c.render_dialogue("clarify")
        msgs[-1]["buttons"] = buttons + [{"title": c.piece("something_else"), "payload": "/out_of_scope"}]
        send(dispatcher, msgs)
        return []
