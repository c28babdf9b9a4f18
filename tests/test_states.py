"""One place for the states (bot/states.py) and one "today" that every caller uses."""
from __future__ import annotations

from datetime import date

import pytest

from bot import states
from bot.tools import replies


@pytest.mark.parametrize("reply, want", [
    ("California", "CA"), ("cali", "CA"), ("ca", "CA"), ("laura's law", "CA"), ("ley de laura", "CA"),
    ("New York", "NY"), ("ny", "NY"), ("NYC", "NY"), ("kendras law", "NY"), ("newyork", "NY"),
    ("both california and new york", None), ("texas", None), ("", None)])
def test_a_reply_names_one_state(reply, want):
    assert replies.state(reply) == want


def test_the_entity_rules_use_the_same_words():
    from bot.content import load
    from bot.entity_rules import patterns

    found = {p["pattern"]: p["id"] for p in patterns(load()) if p["label"] == "state"
             and isinstance(p["pattern"], str)}
    for code, words in states.SYNONYMS.items():
        assert all(found[w] == code for w in words)


def test_entity_values_give_a_state():
    assert states.from_value("CA") == "CA" and states.from_value("NY:Kings") == "NY"
    assert states.from_value("?:Kings") is None and states.from_value(None) is None


def test_today_honours_aot_today_for_every_caller(monkeypatch):
    from actions import tools
    from bot.tools import flow

    monkeypatch.setenv("AOT_TODAY", "2026-03-05")
    assert states.today("NY") == date(2026, 3, 5)
    assert tools.today is states.today and flow.today is states.today
    # "filed on Tuesday": read against AOT_TODAY, not the server's date.
    assert flow.tool_for_general_question("hearing_when", "they filed on march 3, when is the hearing",
                                          "CA") == "hearing"
