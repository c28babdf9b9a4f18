"""A guided tool starts only when asked to work something out (issue 12)."""
from __future__ import annotations

from datetime import date

import pytest

from bot.tools.wants import wants_tool

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("tool,text", [
    ("eligibility", "does my daughter qualify for laura's law"),
    ("eligibility", "/check_eligibility"),
    ("hearing", "the petition was filed on march 3, when is my hearing"),
    ("hearing", "can you work out my hearing date"),
    ("timeline", "my order started 2026-06-01, when does it end"),
    ("timeline", "calculate when the order ends"),
])
def test_asking_to_work_it_out_starts_the_tool(tool, text):
    assert wants_tool(tool, text, TODAY)


@pytest.mark.parametrize("tool,text", [
    ("eligibility", "my son is already on AOT, what now"),
    ("eligibility", "my brother was ordered to laura's law last month"),
    ("eligibility", "she has an order and keeps missing appointments"),
    ("hearing", "what is a court day"),
    ("hearing", "how are the 5 days counted"),
    ("timeline", "what does 180 days mean"),
])
def test_a_what_is_question_or_a_relative_already_on_aot_gets_an_answer(tool, text):
    assert not wants_tool(tool, text, TODAY)
