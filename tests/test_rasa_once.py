"""A message delivered twice (nginx retries it on another Rasa replica after the first
died) is answered once: the second delivery gets the stored replies, and the
conversation holds the message once (bot/rasa_once.py; real SQLite tracker store)."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_once
from bot.tracker_store import REMOVED_BOT, ForgetfulSQLTrackerStore
from test_tracker_store import DOMAIN

FIRST, SECOND = uuid.uuid4().hex, uuid.uuid4().hex


def conversation() -> list:
    return [UserUttered("do i get a lawyer", message_id=FIRST),
            BotUttered("The answer depends on the state.",
                       data={"buttons": [{"title": "California", "payload": "/ca"}]}),
            UserUttered("california", message_id=SECOND),
            BotUttered("Yes. Under Laura's Law, you have the right to a lawyer."),
            BotUttered(REMOVED_BOT)]


def test_replies_after_finds_the_turn_of_that_message_only():
    events = conversation()
    assert [e.text for e in rasa_once.replies_after(events, FIRST)] == [
        "The answer depends on the state."]
    # a guided tool's blanked message is not sent again
    assert [e.text for e in rasa_once.replies_after(events, SECOND)] == [
        "Yes. Under Laura's Law, you have the right to a lawyer."]
    assert rasa_once.replies_after(events, uuid.uuid4().hex) is None


def test_only_a_well_formed_id_counts():
    def msg(meta):
        return UserMessage("hi", sender_id="s", metadata=meta)
    assert rasa_once.message_id(msg({"message_id": FIRST})) == FIRST
    for bad in (None, {}, {"message_id": "%"}, {"message_id": "a" * 31}, {"message_id": 5}):
        assert rasa_once.message_id(msg(bad)) is None


def _store(tmp_path, sender="s1") -> ForgetfulSQLTrackerStore:
    store = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in conversation()[:2]:  # the first message and its reply were stored
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return store


def test_the_sql_store_finds_a_stored_message_by_its_id(tmp_path):
    store = _store(tmp_path)
    assert store.has_user_message("s1", FIRST)
    assert not store.has_user_message("s1", SECOND)
    assert not store.has_user_message("someone-else", FIRST)


class Processed(Exception):
    pass


class NotProcessedAgain(MessageProcessor):
    """Rasa's processor with only a tracker store: processing a message (its first
    step, log_message) raises Processed."""

    def __init__(self, tracker_store):
        self.tracker_store = tracker_store

    async def log_message(self, message, should_save_tracker=True):
        raise Processed


def test_a_second_delivery_gets_the_stored_reply_and_is_not_processed_again(tmp_path):
    from rasa.core.tracker_store import FailSafeTrackerStore

    rasa_once.apply()
    store = _store(tmp_path)
    processor = NotProcessedAgain(FailSafeTrackerStore(store))
    again = UserMessage("do i get a lawyer", CollectingOutputChannel(), "s1",
                        metadata={"channel": "api", "message_id": FIRST})
    sent = asyncio.run(processor.handle_message(again))
    assert [(m["text"], m.get("buttons")) for m in sent] == [
        ("The answer depends on the state.", [{"title": "California", "payload": "/ca"}])]
    tracker = asyncio.run(store.retrieve("s1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["do i get a lawyer"]


def test_a_new_message_is_processed(tmp_path):
    rasa_once.apply()
    store = _store(tmp_path)
    processor = NotProcessedAgain(store)
    new = UserMessage("california", CollectingOutputChannel(), "s1",
                      metadata={"message_id": SECOND})
    with pytest.raises(Processed):
        asyncio.run(processor.handle_message(new))
    assert new.message_id == SECOND  # stored as the user event's own message_id
