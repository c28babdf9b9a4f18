"""The language each action answers in: the message's `lang` metadata, which the web
app sets (bot/web/language.py: detected, chosen with the Español switch or the SMS
keyword, and kept for the conversation). Without it (Rasa's REST channel used
directly): English.

rasa_sdk has no hook around an action call, so its executor's `run` is wrapped once, here,
to set bot.i18n.CURRENT for that call only (a ContextVar: calls running at the same time
keep their own language). Every action reads content through actions.common.content().
"""
from __future__ import annotations

from typing import Any

from rasa_sdk.executor import ActionExecutor

from bot import i18n


def of_call(action_call: dict[str, Any]) -> str:
    """The language of the message an action call answers."""
    tracker = action_call.get("tracker") or {}
    metadata = (tracker.get("latest_message") or {}).get("metadata") or {}
    return i18n.normal(metadata.get("lang"))


def install() -> None:
    if getattr(ActionExecutor.run, "_aot_lang", False):
        return
    original = ActionExecutor.run

    async def run(self, action_call):
        token = i18n.CURRENT.set(of_call(action_call))
        try:
            return await original(self, action_call)
        finally:
            i18n.CURRENT.reset(token)

    run._aot_lang = True  # type: ignore[attr-defined]
    ActionExecutor.run = run
