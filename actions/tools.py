"""The guided tools in Rasa: one form (`guided_tool_form`) with one requested slot.

- action_start_tool: starts a tool from its intent (or from action_answer when a
  general question already holds a date). It activates the form itself, so the
  form asks only what the first message did not already say.
- validate_guided_tool_form: reads each reply with bot.tools.flow; a reply that
  is not an answer but a new question ends the tool ("switched").
- action_ask_tool_reply: asks the next question.
- action_tool_result: runs when the form ends: the result, or the stop/switch note.
- action_stop_tool: "stop" at any time.
Nothing a person answers outlives the tool: every ending clears the tool's slots
(and bot/tracker_store.py blanks the answers in the stored conversation).
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import action_named, current_state, latest_intent, send
from actions.follow_up import answer_follow_up, on_order_answer, said_on_order
from actions.topic_reply import answer_instead_of_tool
from bot.rules import action_for_intent
from bot.states import today
from bot.topics import DEFAULT_ACTION
from bot.tools import MARKER_END, MARKER_START, flow
from bot.tools.wants import wants_tool

FORM = "guided_tool_form"


def clear_tool() -> list[dict]:
    """Events that end the form and forget every answer."""
    return [ActiveLoop(None), SlotSet("tool_answers", None), SlotSet("tool_reply", None),
            SlotSet("requested_slot", None)]


def end_tool(dispatcher: CollectingDispatcher) -> list[dict]:
    """End a running tool: tell the web app (its transcript forgets the answers) and clear."""
    dispatcher.utter_message(json_message=dict(MARKER_END))
    return clear_tool()


def tool_active(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM or bool(tracker.get_slot("tool_answers"))


def start_tool(dispatcher: CollectingDispatcher, tracker: Tracker, tool: str) -> list[dict]:
    """Start `tool`; answer at once when the message already holds all it needs."""
    state = current_state(tracker)
    text = tracker.latest_message.get("text") or ""
    answers, msgs = flow.start(tool, text, state, today(state))
    if answers["status"] == "asking":
        dispatcher.utter_message(json_message=dict(MARKER_START))
    send(dispatcher, msgs)
    if answers["status"] == "ready":
        send(dispatcher, flow.result(answers, today(answers.get("state"))))
        return clear_tool()
    if answers["status"] == "done":
        return clear_tool()
    events = [SlotSet("tool_answers", answers), SlotSet("tool_reply", None), ActiveLoop(FORM)]
    if state:  # the person's state (said now or before); a tool's own default never sets it
        events.insert(0, SlotSet("state", state))
    return events


class ActionStartTool(Action):
    def name(self) -> str:
        return "action_start_tool"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        followed = await answer_follow_up(dispatcher, tracker, domain)
        if followed is not None:  # "what about New York?" read as a tool's intent
            return followed
        tool = flow.TOOL_FOR_INTENT.get(latest_intent(tracker), "eligibility")
        if tool == "eligibility" and said_on_order(tracker):
            # Already on AOT (said now or earlier): the walk-through is for someone who is not.
            return on_order_answer(dispatcher, tracker)
        if not wants_tool(tool, tracker.latest_message.get("text") or "", today()):
            # "What is a court day?", "my son is already on AOT": an answer, not a tool.
            events = answer_instead_of_tool(dispatcher, tracker, set(flow.TOOL_FOR_INTENT))
            if events or dispatcher.messages:
                return events
        return start_tool(dispatcher, tracker, tool)


class ValidateGuidedToolForm(FormValidationAction):
    def name(self) -> str:
        return "validate_guided_tool_form"

    async def validate_tool_reply(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answers = tracker.get_slot("tool_answers")
        if not answers:  # the tool was already cleared: let the form end
            return {"tool_reply": "done", "tool_answers": {"tool": None, "status": "stopped"}}
        intent = tracker.latest_message.get("intent") or {}
        answers, msgs = flow.reply(answers, str(slot_value or ""), intent.get("name") or "",
                                   float(intent.get("confidence") or 0.0),
                                   today(answers.get("state")))
        send(dispatcher, msgs)
        updates: dict[str, Any] = {"tool_answers": answers}
        if answers.get("state"):
            updates["state"] = answers["state"]
        # Filling the slot ends the form; None asks the next (or the same) question.
        updates["tool_reply"] = "done" if answers["status"] != "asking" else None
        return updates


class ActionAskToolReply(Action):
    def name(self) -> str:
        return "action_ask_tool_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        answers = tracker.get_slot("tool_answers")
        if answers:
            send(dispatcher, flow.question(answers))
        return []


class ActionToolResult(Action):
    """Runs when the form ends: the result, or a note that the tool stopped, or that it
    was left for a new question (then that question is answered by its rule's action)."""

    def name(self) -> str:
        return "action_tool_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        answers = tracker.get_slot("tool_answers") or {}
        status = answers.get("status")
        if status == "ready":
            send(dispatcher, flow.result(answers, today(answers.get("state"))))
        elif status == "stopped" and answers.get("tool"):
            send(dispatcher, flow.stopped(answers))
        elif status == "switched":
            send(dispatcher, flow.switched(answers))
            events = end_tool(dispatcher)
            return events + await answer_switched(dispatcher, tracker, domain)
        return end_tool(dispatcher)


async def answer_switched(dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: dict[str, Any]) -> list[dict]:
    """Answer the question that interrupted a tool with the action its own rule names
    (data/rules/*.yml and content/topics.yml, read by bot/rules.py): no table here."""
    name = action_for_intent().get(latest_intent(tracker), DEFAULT_ACTION)
    return await action_named(name).run(dispatcher, tracker, domain)


class ActionStopTool(Action):
    def name(self) -> str:
        return "action_stop_tool"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict]:
        answers = tracker.get_slot("tool_answers")
        if tool_active(tracker):
            send(dispatcher, flow.stopped(answers))
            return end_tool(dispatcher)
        send(dispatcher, flow.nothing_to_stop())
        return []
