"""The tracker store forgets a guided tool's answers once the tool ends
(a real SQLite database, Rasa's own event classes)."""
from __future__ import annotations

import asyncio
import json
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import SOURCE_DOMAIN
from bot.topics import registry
from bot.tools import MARKER_END, MARKER_START
from bot.tracker_store import REMOVED_BOT, REMOVED_USER, ForgetfulSQLTrackerStore
from bot.web.store import find_tracker_db
from scripts import build_rasa

# The domain Rasa trains on: domain.yml + the registry's intents (scripts/build_rasa.py).
DOMAIN = Domain.from_dict(build_rasa.domain(registry(), [], SOURCE_DOMAIN))


def user(text, intent="affirm"):
    return UserUttered(text, {"name": intent, "confidence": 0.9},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": 0.9}})


def marker(which):
    """What actions/tools.py's json_message becomes in the tracker: a bot event with `custom`."""
    return BotUttered(data={"custom": dict(which)})


def stored(db, sender="s1"):
    con = sqlite3.connect(db)
    rows = [(t, json.loads(d)) for t, d in
            con.execute("SELECT type_name, data FROM events WHERE sender_id=? ORDER BY id", (sender,))]
    con.close()
    return rows


def run_turns(store, turns, sender="s1"):
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for events in turns:
        for e in events:
            tracker.update(e)
        asyncio.run(store.save(tracker))
    return tracker


def test_answers_are_blanked_when_the_tool_ends_and_kept_while_it_runs(tmp_path):
    db = tmp_path / "trackers.db"
    store = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    answers = {"tool": "eligibility", "state": "CA", "criteria": {}}
    turns = [
        [user("does my son qualify", "check_eligibility"), ActionExecuted("action_start_tool"),
         marker(MARKER_START), SlotSet("tool_answers", answers), ActiveLoop("guided_tool_form"),
         BotUttered("1 of 7. Is your son 18 or older?")],
        [user("yes he has schizophrenia"), SlotSet("tool_reply", "yes he has schizophrenia"),
         SlotSet("tool_answers", {**answers, "criteria": {"age": "yes"}}),
         BotUttered("2 of 7. Does your son have a serious mental illness?")],
    ]
    run_turns(store, turns)
    # While the tool runs, its answers are needed and kept.
    assert "yes he has schizophrenia" in json.dumps(stored(db))

    turns.append([user("stop", "stop_tool"), BotUttered("Okay, I stopped the eligibility questions."),
                  marker(MARKER_END), ActiveLoop(None), SlotSet("tool_answers", None), SlotSet("tool_reply", None)])
    turns.append([user("do I get a lawyer", "ask_lawyer"), BotUttered("Yes. Under Laura's Law...")])
    store2 = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker("s1", DOMAIN.slots)
    for events in turns:
        for e in events:
            tracker.update(e)
    asyncio.run(store2.save(tracker))  # saves turns 3 and 4 (the end of the tool)

    rows = stored(db)
    everything = json.dumps(rows)
    assert "schizophrenia" not in everything
    assert "18 or older" not in everything and "serious mental illness" not in everything
    assert "'criteria'" not in everything and '"criteria"' not in everything
    # The question that started the tool and later questions are kept.
    texts = [d.get("text") for t, d in rows if t == "user"]
    assert texts[0] == "does my son qualify"
    assert REMOVED_USER in texts
    assert "do I get a lawyer" in texts
    assert any(d.get("text") == REMOVED_BOT for t, d in rows if t == "bot")

    # The conversation can still be loaded and goes on.
    loaded = asyncio.run(store2.retrieve("s1"))
    assert loaded.get_slot("tool_answers") is None
    assert loaded.latest_message.text == "do I get a lawyer"


def test_other_conversations_are_untouched(tmp_path):
    db = tmp_path / "trackers.db"
    store = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    run_turns(store, [[user("yes", "affirm"), SlotSet("tool_answers", {"tool": "hearing"})]], sender="other")
    run_turns(store, [[user("x"), marker(MARKER_START), SlotSet("tool_answers", {"tool": "hearing"})],
                      [user("stop", "stop_tool"), marker(MARKER_END), SlotSet("tool_answers", None)]],
              sender="s1")
    assert stored(db, "other")[0][1]["text"] == "yes"


def test_the_web_app_still_finds_the_tracker_database(tmp_path, monkeypatch):
    """'Delete my conversation' must find Rasa's database through endpoints.yml,
    now that its type is the forgetful store (no var/ folder here to fall back on)."""
    import shutil

    import bot.web.store as web_store

    shutil.copy(web_store.ROOT / "endpoints.yml", tmp_path / "endpoints.yml")
    monkeypatch.setattr(web_store, "ROOT", tmp_path)
    assert find_tracker_db() == tmp_path / "var" / "trackers.db"


def test_a_crisis_ends_the_run_by_the_same_signal_as_the_web_transcript(tmp_path):
    """action_crisis in a tool: its words, its crisis marker, then the tool-end marker
    (actions/crisis.py). The end marker is the one signal (bot/tool_forget.py)."""
    db = tmp_path / "trackers.db"
    store = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    answers = {"tool": "eligibility", "state": "CA", "criteria": {}}
    run_turns(store, [
        [user("does my son qualify", "check_eligibility"), marker(MARKER_START),
         SlotSet("tool_answers", answers), BotUttered("1 of 7. Is your son 18 or older?")],
        [user("yes he was hospitalized twice"), SlotSet("tool_answers", {**answers, "x": 1})],
        [user("I want to die", "crisis"), BotUttered("Call 988."),
         BotUttered(data={"custom": {"crisis": "crisis", "danger_now": False, "messages": 1}}),
         marker(MARKER_END), SlotSet("tool_answers", None)],
    ])
    everything = json.dumps(stored(db))
    assert "hospitalized twice" not in everything and "18 or older" not in everything
    assert "does my son qualify" in everything


def test_an_emptied_slot_without_the_end_marker_is_not_the_signal(tmp_path):
    """A tool that answered at once (no start marker) leaves nothing to forget, and a
    slot emptied without the marker does not trigger a second, different rule."""
    db = tmp_path / "trackers.db"
    store = ForgetfulSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
    run_turns(store, [[user("when is my hearing, filed today", "ask_hearing_date"),
                       BotUttered("Your hearing must be by Friday."),
                       SlotSet("tool_answers", None)]])
    assert "filed today" in json.dumps(stored(db))
