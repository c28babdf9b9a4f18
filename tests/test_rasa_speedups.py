"""The action-reply check after bot/rasa_speedups.py: same verdicts as Rasa's own."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

GOOD = [
    {"events": [{"event": "slot", "name": "state", "value": "CA"}],
     "responses": [{"text": "hello", "buttons": []}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": []},
    {"events": [], "responses": [{"custom": {"guided_tool": "end"}}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"responses": "nope"},
]


def rasa_original(result) -> bool:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    return True


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    rasa_speedups.apply()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original


@pytest.mark.parametrize("result", GOOD)
def test_valid_replies_pass_as_before(patched, result):
    assert rasa_original(result)
    assert patched._validate_action_result(result)


@pytest.mark.parametrize("result", BAD)
def test_invalid_replies_fail_as_before_with_rasas_message(patched, result):
    with pytest.raises(jsonschema.ValidationError) as before:
        rasa_original(result)
    with pytest.raises(jsonschema.ValidationError) as after:
        patched._validate_action_result(result)
    assert after.value.message.startswith(before.value.message)
    assert "make sure your response from the Action endpoint is valid" in after.value.message


def test_the_schema_is_checked_once(patched, monkeypatch):
    calls = []
    monkeypatch.setattr(jsonschema.Draft202012Validator, "check_schema",
                        classmethod(lambda cls, s: calls.append(1)), raising=False)
    for _ in range(5):
        patched._validate_action_result(GOOD[0])
    assert calls == []  # the cached validator is reused
