"""Shape of the SPANISH held-out set (issue 14): tests/nlu/real_es/.

These questions and conversations measure whether Spanish speakers get right answers:
a reply is right when it matches the line's `key` (and, for a conversation turn, does
not match its `not`). They only mean something if they stay apart from the training
data and the other held-out sets, and keep the spread the issue asks for.
How they were written and from which pages: tests/nlu/real_es/README.md.
No model is loaded here; the training data is read only to check for overlap.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

from heldout_shape import (compile_key, conversation_problems, example_lines,  # noqa: F401
                           load, norm)

ROOT = Path(__file__).resolve().parent.parent
REAL_ES = ROOT / "tests" / "nlu" / "real_es"
QUESTIONS_PATH = REAL_ES / "questions.yml"
CONVERSATIONS_PATH = REAL_ES / "conversations.yml"
OTHER_SETS = (sorted((ROOT / "data").rglob("*.yml"))
              + sorted((ROOT / "tests" / "nlu").glob("heldout*.yml"))
              + sorted((ROOT / "tests" / "nlu" / "real").glob("*.yml")))

STATES = {"CA", "NY", "none"}
VOICES = {"participant", "family", "advocate", "other"}
BROAD_TOPICS = {
    "after_aot", "care_court", "compare_5150", "conservatorship", "county_status", "duration",
    "eligibility", "hearing_rights", "hearing_when", "help", "how_ends", "how_ordered", "lawyer",
    "medication", "monitoring", "noncompliance", "treatment_rights", "voluntary_option",
    "what_is_aot", "who_can_request",
}
SPECIAL_TOPICS = {"crisis", "off_topic"}
NEW_TOPIC = re.compile(r"new:[a-z0-9_]{2,40}")
QUESTION_FIELDS = {"text", "state", "topic", "key", "src", "voice", "uncertain"}
TURN_FIELDS = {"text", "key", "not"}

# Floors and spread from the brief (issue 14).
MIN_QUESTIONS, MIN_CONVERSATIONS = 160, 15
MIN_TURNS, MAX_TURNS = 2, 5
MIN_SHARE_WITH_SRC = 1 / 3
BROAD_SHARE = (0.45, 0.65)           # "about 55% broad, 45% specific"
MIN_STATE_SHARE = {"CA": 0.35, "NY": 0.25, "none": 0.10}
MIN_CRISIS, MIN_OFF_TOPIC = 4, 3
CONVERSATION_KINDS = {"county_then": 3, "zip_then": 3, "what_about": 3, "already_on": 2,
                      "state_alone": 2, "lang_switch": 2}
OVERLAP_MIN_WORDS = 5

# An honest "our sources do not settle it" reply in Spanish must pass every uncertain key.
HONEST_UNSURE = "Las fuentes que usamos no lo aclaran. Pregunte a su condado o a un abogado."
# Broad Spanish replies that answer nothing specific: few keys may accept them.
BROAD_REPLIES = [
    "El AOT es un tratamiento ambulatorio para adultos con una enfermedad mental grave. "
    "Un juez decide. Llame al departamento de salud mental de su condado.",
    "El tratamiento ambulatorio asistido (AOT) existe con la Ley de Laura (WIC 5346) en "
    "California y la Ley de Kendra (MHL 9.60) en Nueva York. Usted tiene derechos.",
    "¿Quiso decir: quién puede pedir AOT, cómo se ordena o sus derechos en la audiencia?",
]
MAX_SHARE_BROAD_PASSES = 0.12
MAX_SHARE_KEY_ECHOES_QUESTION = 0.05
# Crisis wording belongs only in the `crisis` lines; no phone-number shapes anywhere.
CRISIS_WORDS = re.compile(
    r"suicid|matar(me|se|lo|la)?\b|quitar(me|se) la vida|hacer(me|se) da[nñ]o|lastimar"
    r"|cuchillo|\barma\b|pistola|sobredosis", re.I)
PHONE = re.compile(r"(\d[\s().-]*){7,}")










def question_problems(row) -> list[str]:
    """Why one question line is malformed (empty list when it is fine)."""
    if not isinstance(row, dict):
        return [f"not a mapping: {row!r}"]
    out = [f"unknown field {k}" for k in set(row) - QUESTION_FIELDS]
    text = row.get("text")
    if not isinstance(text, str) or not text.strip() or "\n" in text:
        out.append("text must be one non-empty line")
    if row.get("state") not in STATES:
        out.append(f"state {row.get('state')!r}")
    if row.get("voice") not in VOICES:
        out.append(f"voice {row.get('voice')!r}")
    topic = str(row.get("topic"))
    if topic not in BROAD_TOPICS | SPECIAL_TOPICS and not NEW_TOPIC.fullmatch(topic):
        out.append(f"topic {topic!r}")
    if "src" in row and not re.fullmatch(r"https?://\S+", str(row["src"])):
        out.append(f"src {row['src']!r} is not an address")
    if "uncertain" in row and row["uncertain"] is not True:
        out.append("uncertain is only ever `true`")
    try:
        key = compile_key(row.get("key"), str(text))
        if row.get("uncertain") and not key.search(HONEST_UNSURE):
            out.append("uncertain, but an honest 'sources do not settle this' reply fails the key")
        if topic == "crisis" and not key.search("Llame al 988 y marque 2."):
            out.append("a crisis key must accept the 988 reply")
    except AssertionError as err:
        out.append(str(err))
    return out


QUESTIONS = load(QUESTIONS_PATH)
CONVERSATIONS = load(CONVERSATIONS_PATH)
TURNS = [turn for conv in CONVERSATIONS for turn in conv.get("turns", [])]
MAIN = [row for row in QUESTIONS if row.get("topic") not in SPECIAL_TOPICS]


def test_question_count_and_format():
    assert isinstance(QUESTIONS, list) and len(MAIN) >= MIN_QUESTIONS, len(MAIN)
    bad = {str(row.get("text"))[:60]: p for row in QUESTIONS if (p := question_problems(row))}
    assert not bad, bad


def test_questions_are_one_line_each():
    lines = [ln for ln in QUESTIONS_PATH.read_text(encoding="utf-8").splitlines()
             if ln.startswith("- ")]
    assert len(lines) == len(QUESTIONS)


def test_no_duplicate_questions():
    counts = collections.Counter(norm(row["text"]) for row in QUESTIONS)
    assert not [t for t, n in counts.items() if n > 1]


def test_spread_of_states_topics_and_sources():
    states = collections.Counter(row["state"] for row in MAIN)
    assert all(states[s] / len(MAIN) >= share for s, share in MIN_STATE_SHARE.items()), states
    broad = [row for row in MAIN if row["topic"] in BROAD_TOPICS]
    assert BROAD_SHARE[0] <= len(broad) / len(MAIN) <= BROAD_SHARE[1], len(broad)
    assert {row["topic"] for row in broad} == BROAD_TOPICS
    with_src = [row for row in QUESTIONS if row.get("src")]
    assert len(with_src) / len(QUESTIONS) >= MIN_SHARE_WITH_SRC, len(with_src)


def test_crisis_and_off_topic_lines():
    topics = collections.Counter(row["topic"] for row in QUESTIONS)
    assert topics["crisis"] >= MIN_CRISIS and topics["off_topic"] >= MIN_OFF_TOPIC, topics


def test_crisis_wording_only_in_crisis_lines_and_no_phone_numbers():
    texts = [row["text"] for row in MAIN] + [turn.get("text", "") for turn in TURNS]
    assert not [t for t in texts if CRISIS_WORDS.search(t)]
    crisis = [row["text"] for row in QUESTIONS if row["topic"] == "crisis"]
    assert sum(bool(CRISIS_WORDS.search(t)) for t in crisis) >= MIN_CRISIS - 1, crisis
    assert not [t for t in texts + crisis if PHONE.search(t)]


def test_keys_are_specific():
    """A key that a broad reply passes, or that the question itself passes,
    cannot tell a specific answer from an off-target one."""
    keys = [(row["text"], re.compile(row["key"], re.I)) for row in QUESTIONS]
    for reply in BROAD_REPLIES:
        passes = sum(bool(k.search(reply)) for _, k in keys)
        assert passes / len(keys) <= MAX_SHARE_BROAD_PASSES, (reply[:40], passes)
    echoes = [t for t, k in keys if k.search(t)]
    assert len(echoes) / len(keys) <= MAX_SHARE_KEY_ECHOES_QUESTION, echoes




def test_conversation_count_format_and_kinds():
    assert isinstance(CONVERSATIONS, list) and len(CONVERSATIONS) >= MIN_CONVERSATIONS
    ids = [conv.get("id") for conv in CONVERSATIONS]
    assert len(set(ids)) == len(ids)
    bad = [p for conv in CONVERSATIONS for p in conversation_problems(conv)]
    assert not bad, bad
    joined = " ".join(ids)
    assert all(joined.count(kind) >= n for kind, n in CONVERSATION_KINDS.items())


def test_no_overlap_with_training_or_other_heldout_sets():
    seen = {norm(t) for path in OTHER_SETS for t in example_lines(load(path))}
    assert seen, "no training examples found: the overlap check would pass vacuously"
    mine = [row["text"] for row in QUESTIONS] + [
        turn["text"] for turn in TURNS if len(norm(turn["text"]).split()) >= OVERLAP_MIN_WORDS]
    overlap = sorted({t for t in mine if norm(t) in seen})
    assert not overlap, overlap


def row(**changes) -> dict:
    """A well-formed question line, with `changes` applied."""
    return {"text": "cuanto dura?", "state": "CA", "topic": "duration", "key": "6 meses",
            "voice": "family", **changes}


# The checks above must be able to fail: feed them broken data.
@pytest.mark.parametrize("bad, why", [
    (row(state="TX"), "state"),
    (row(topic="durations"), "topic"),
    (row(key="(6"), "compile"),
    (row(key="x|"), "empty"),
    (row(voice="judge"), "voice"),
    (row(text="a\nb"), "one"),
    (row(key="1 año", uncertain=True), "honest"),
    (row(topic="crisis", key="911"), "988"),
    (row(src="pagina omh"), "address"),
    (row(note="x"), "unknown field"),
])
def test_question_problems_catch_broken_rows(bad, why):
    assert not question_problems(row()), "the well-formed line itself is rejected"
    assert any(why in p for p in question_problems(bad)), question_problems(bad)


def test_crisis_pattern_sees_spanish_crisis_wording():
    assert CRISIS_WORDS.search("ya no aguanto, quiero quitarme la vida")
    assert not CRISIS_WORDS.search("mi hijo esta en crisis de salud mental, a quien llamo")


@pytest.mark.parametrize("bad, why", [
    ({"turns": [{"text": "ca", "key": "6"}] * 2}, "no id"),
    ({"id": "a", "turns": [{"text": "ca", "key": "6"}]}, "turns"),
    ({"id": "a", "turns": [{"text": "", "key": "6"}, {"text": "x", "key": "1"}]}, "empty text"),
    ({"id": "a", "turns": [{"text": "q", "key": "6", "not": "a|"}, {"text": "x", "key": "1"}]},
     "empty"),
])
def test_conversation_problems_catch_broken_ones(bad, why):
    assert any(why in p for p in conversation_problems(bad)), conversation_problems(bad)
