"""No message text in Rasa's logs, even when something fails (product rule 4).

Rasa 3.6 logs a failed message with its text at ERROR level (the REST channel's
`rest.message.received.failure`, e.g. while PostgreSQL or Redis is restarting); its own
anonymizer runs only with Rasa Pro's plugin. This structlog processor replaces every field
that can hold a person's words (the fields Rasa's anonymizer names, and a few more) before
anything is written. Applied in every Rasa server (bot/tracker_store.py is loaded by each).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

FIELDS = {
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states",
    "old_states", "successes", "current_entity", "next_entity", "states", "entity", "token_text",
    "user_message", "json_message", "sender_id", "conversation_id", "events", "utterance",
    "intent", "entities", "slots", "value",
}
REMOVED = "[removed]"


def redact(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in FIELDS.intersection(event_dict):
        event_dict[key] = REMOVED
    # A logged exception: its type only. Rasa renders tracebacks with each frame's local
    # variables (the message text among them), and a database error's text holds the
    # statement's parameters.
    exc = event_dict.pop("exc_info", None)
    if exc:
        import sys

        exc = sys.exc_info() if exc is True else exc
        error = exc[1] if isinstance(exc, tuple) else exc
        event_dict["error"] = type(error).__name__
    return event_dict


def apply() -> None:
    """Put `redact` first in structlog's processors (once)."""
    import structlog

    processors = list(structlog.get_config().get("processors") or [])
    if redact not in processors:
        structlog.configure(processors=[redact, *processors])
