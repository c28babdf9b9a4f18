"""When the model is unsure, ask which question was meant instead of guessing."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import content, current_state, send
from actions.off_topic import respond
from bot import off_topic
from bot.bank import RETRIEVAL_INTENT, selector_ranking

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
    buttons: list[dict] = []
    for topic_id in likeliest_topics(tracker):
        topic = c.topic(topic_id, state) or next(iter(c.topics[topic_id].values()))
        if all(b["payload"] != topic.payload for b in buttons):
            buttons.append({"title": topic.title, "payload": topic.payload})
        if len(buttons) == MAX_OPTIONS:
            break
    return buttons


def likeliest_topics(tracker: Tracker) -> list[str]:
    """Topic and bank-entry ids, likeliest first. The bank question ("faq") stands for the
    ResponseSelector's own ranking of its entries, weighted by the intent's confidence."""
    c = content()
    scored: list[tuple[float, str]] = []
    for guess in tracker.latest_message.get("intent_ranking", []):
        intent, confidence = guess.get("name"), guess.get("confidence", 0)
        if intent == RETRIEVAL_INTENT:
            scored += [(confidence * conf, e)
                       for e, conf in selector_ranking(tracker.latest_message)[:MAX_OPTIONS]
                       if e in c.topics]
        elif intent not in NOT_OFFERED and c.topic_for_intent(intent):
            scored.append((confidence, c.topic_for_intent(intent)))
    return [t for score, t in sorted(scored, key=lambda s: -s[0]) if score >= 0.05]


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
