"""Spanish twins of the broad topic answers (issue #14): a Spanish reader gets the same
answers, in the same order, with the same phone numbers and legal numbers, and the
SMS form still fits (spec: the twin's sms is at most 300 characters once filled in)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["california.yml", "new_york.yml", "general.yml"]
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
SMS_MAX = 300


def pair(name: str) -> tuple[dict, dict]:
    """The English answers file and its Spanish twin."""
    return tuple(yaml.safe_load((ROOT / "content" / sub / name).read_text(encoding="utf-8"))
                 for sub in ("answers", "es/answers"))


def holders(value) -> list[str]:
    """The Jinja placeholders of a string or a list of strings."""
    return sorted(PLACEHOLDER.findall(" ".join(value) if isinstance(value, list) else value))


@pytest.mark.parametrize("name", NAMES)
def test_same_topics_in_the_same_order(name):
    en, es = pair(name)
    assert [t["id"] for t in es["topics"]] == [t["id"] for t in en["topics"]]
    for a, b in zip(en["topics"], es["topics"]):
        assert len(b.get("buttons", [])) == len(a.get("buttons", [])), a["id"]
        assert "payload" not in str(b.get("buttons", "")), a["id"]  # taken from English
        assert not {"citation", "source", "state"} & set(b), a["id"]


@pytest.mark.parametrize("name", NAMES)
def test_same_phone_and_legal_number_placeholders(name):
    """A Spanish answer never drops or adds a phone number or a legal number."""
    en, es = pair(name)
    for a, b in zip(en["topics"], es["topics"]):
        for field in ("messages", "sms"):
            assert holders(b[field]) == holders(a[field]), (a["id"], field)


@pytest.mark.parametrize("name", NAMES)
def test_spanish_renders_and_sms_fits(content, name):
    en, es = pair(name)
    for a, b in zip(en["topics"], es["topics"]):
        for m in b["messages"]:
            assert content.render_text(m)  # every placeholder exists
        sms = content.render_text(b["sms"])
        assert len(sms) <= SMS_MAX, (a["id"], len(sms))
        assert "Ley:" in sms, a["id"]  # the short citation survives


@pytest.mark.parametrize("name", ["california.yml", "new_york.yml"])
def test_help_gives_988_in_spanish(name):
    """Safety: the Spanish help answer names 988 and the Spanish text word (contacts.yml)."""
    _, es = pair(name)
    help_ = next(t for t in es["topics"] if t["id"] == "help")
    for text in (" ".join(help_["messages"]), help_["sms"]):
        assert "{{ contacts.crisis_988.phone }}" in text and "AYUDA" in text
