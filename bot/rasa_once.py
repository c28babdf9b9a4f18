"""Each message is answered once, even when it is delivered twice.

In the scaled stack nginx sends a message again to another Rasa replica when the
replica holding it dies mid-message (`proxy_next_upstream ... non_idempotent`,
bot/scale_engines.py). The dead replica may have stored the turn (the person's
message and the replies) just before it died. Processing the second delivery would
then put the message into the conversation twice and answer it twice, and the
second answer can differ (the first one already moved the conversation on).

So the web app gives every message an id (`metadata.message_id`,
bot/web/rasa_client.py) that stays the same on every delivery. Rasa keeps it as the
user event's own `message_id`. Inside the conversation lock (the second delivery
waits there until the dead replica's ticket expires, bot/lock_store.py), a message
whose id is already stored is not processed again: the replies stored after it are
sent instead, exactly as Rasa first sent them.

Applied when Rasa loads bot/tracker_store.py (endpoints.yml names it).
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered

from bot.tools import REMOVED_BOT

log = logging.getLogger(__name__)

# The web app's ids are uuid4 hex: 32 characters, nothing a SQL LIKE treats specially.
_ID = re.compile(r"[0-9a-f]{32}")


def message_id(message: UserMessage) -> Optional[str]:
    """The sender's id for this message, if it gave a well-formed one."""
    value = (message.metadata or {}).get("message_id")
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def replies_after(events, wanted: str) -> Optional[list[BotUttered]]:
    """The bot's messages stored after the user event with this id (None: not stored).
    Messages blanked when a guided tool ended (bot/tracker_store.py) are left out."""
    found: Optional[list[BotUttered]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if found is not None:
                break
            if event.message_id == wanted:
                found = []
        elif found is not None and isinstance(event, BotUttered) and event.text != REMOVED_BOT:
            found.append(event)
    return found


async def _stored(processor: MessageProcessor, sender_id: str, wanted: str) -> bool:
    """Is this message already in the conversation? One indexed query on a SQL store."""
    store = getattr(processor.tracker_store, "_tracker_store", processor.tracker_store)
    if hasattr(store, "has_user_message"):
        return store.has_user_message(sender_id, wanted)
    tracker = await processor.tracker_store.retrieve(sender_id)
    return tracker is not None and replies_after(tracker.events, wanted) is not None


async def _replay(processor: MessageProcessor, message: UserMessage, wanted: str) -> Optional[list]:
    tracker = await processor.tracker_store.retrieve_full_tracker(message.sender_id)
    replies = replies_after(tracker.events if tracker else [], wanted) or []
    for event in replies:
        await message.output_channel.send_response(message.sender_id, event.message())
    log.warning("a message delivered again was answered from the stored turn (%d replies)",
                len(replies))
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


def apply() -> None:
    if getattr(MessageProcessor, "_aot_once", False):
        return
    original = MessageProcessor.handle_message

    async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
        # Called with the conversation's lock held (rasa.core.agent.Agent.handle_message).
        wanted = message_id(message)
        if wanted is None:
            return await original(self, message)
        message.message_id = wanted  # stored as the user event's message_id
        if await _stored(self, message.sender_id, wanted):
            return await _replay(self, message, wanted)
        return await original(self, message)

    MessageProcessor.handle_message = handle_message
    MessageProcessor._aot_once = True
