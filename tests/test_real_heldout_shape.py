"""Shape of the REAL held-out set (issue 12, point 5): tests/nlu/real/.

These questions and conversations measure the assistant end to end: a reply is
right when it matches the line's `key` (and, for a conversation turn, does not
match its `not`). They only mean something if they stay apart from the training
data and from the older held-out sets, are safe to send, and keep the spread the
issue asks for. How they were written and from which pages: tests/nlu/real/README.md.
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
REAL = ROOT / "tests" / "nlu" / "real"
QUESTIONS_PATH = REAL / "questions.yml"
CONVERSATIONS_PATH = REAL / "conversations.yml"
# Everything the assistant is trained on, and the older held-out sets.
# (all of data/, so NLU files in sub-folders and e2e story turns count too)
OTHER_SETS = sorted((ROOT / "data").rglob("*.yml")) + sorted(
    (ROOT / "tests" / "nlu").glob("heldout*.yml"))

STATES = {"CA", "NY", "none"}
VOICES = {"participant", "family", "advocate", "other"}
BROAD_TOPICS = {
    "after_aot", "care_court", "compare_5150", "conservatorship", "county_status", "duration",
    "eligibility", "hearing_rights", "hearing_when", "help", "how_ends", "how_ordered", "lawyer",
    "medication", "monitoring", "noncompliance", "treatment_rights", "voluntary_option",
    "what_is_aot", "who_can_request",
}
NEW_TOPIC = re.compile(r"new:[a-z0-9_]{2,40}")
QUESTION_FIELDS = {"text", "state", "topic", "key", "src", "voice", "uncertain"}
TURN_FIELDS = {"text", "key", "not"}

# Floors and spread from the brief.
MIN_QUESTIONS, MIN_CONVERSATIONS = 400, 40
MIN_TURNS, MAX_TURNS = 2, 5
MIN_SHARE_WITH_SRC = 1 / 3
STATE_SHARE = {"CA": (0.40, 0.50), "NY": (0.30, 0.40), "none": (0.15, 0.25)}
MIN_PER_VOICE = {"participant": 80, "family": 80, "advocate": 40, "other": 10}
MIN_SPECIFIC = 150          # `new:` topics: the specific questions the issue is about
MIN_SPECIFIC_TOPICS = 40    # and spread over many of them
# Conversation turns this short ("ca", "ny", "what about New York?", a ZIP code)
# are the point of a context test and look like anything anyone types: they are
# exempt from the overlap check. Longer turns are not.
OVERLAP_MIN_WORDS = 5

# An honest "we do not know" reply must pass every key marked uncertain.
HONEST_UNSURE = "The sources we use do not settle this. Ask your county or a lawyer."
# Broad replies that answer nothing specific: few keys may accept them.
BROAD_REPLIES = [
    "AOT is court-ordered outpatient treatment for adults with a serious mental illness. "
    "A judge decides. Contact your county behavioral health department for help.",
    "Assisted Outpatient Treatment (AOT) lets a court order outpatient mental health treatment "
    "under Laura's Law (WIC 5346) in California and Kendra's Law (MHL 9.60) in New York. "
    "You have rights, including a lawyer.",
    "Did you mean: who can ask for AOT, how AOT is ordered, or your rights at the hearing?",
]
MAX_SHARE_BROAD_PASSES = 0.12
MAX_SHARE_KEY_ECHOES_QUESTION = 0.05
# Safe to send: no crisis wording, no phone-number shapes in what a user types.
CRISIS_WORDS = re.compile(
    r"\b(suicid\w*|kill\w*|die|dying|dead|overdos\w*|self[- ]?harm\w*|cut(ting)? (my|him|her)self"
    r"|hurt(ing)? (my|him|her|them)sel(f|ves)|end (my|his|her) life|weapon|knife|right now|rn)\b",
    re.I)
PHONE = re.compile(r"(\d[\s().-]*){7,}")








def other_examples() -> set[str]:
    return {norm(t) for path in OTHER_SETS for t in example_lines(load(path))}




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
    if topic not in BROAD_TOPICS and not NEW_TOPIC.fullmatch(topic):
        out.append(f"topic {topic!r}")
    if "src" in row and not re.fullmatch(r"https?://\S+", str(row["src"])):
        out.append(f"src {row['src']!r} is not an address")
    if "uncertain" in row and row["uncertain"] is not True:
        out.append("uncertain is only ever `true`")
    try:
        key = compile_key(row.get("key"), str(text))
        if row.get("uncertain") and not key.search(HONEST_UNSURE):
            out.append("uncertain, but an honest 'sources do not settle this' reply fails the key")
    except AssertionError as err:
        out.append(str(err))
    return out


QUESTIONS = load(QUESTIONS_PATH)
CONVERSATIONS = load(CONVERSATIONS_PATH)
TURNS = [turn for conv in CONVERSATIONS for turn in conv.get("turns", [])]


def test_question_count_and_format():
    assert isinstance(QUESTIONS, list) and len(QUESTIONS) >= MIN_QUESTIONS, len(QUESTIONS or [])
    bad = {str(row.get("text"))[:60]: p for row in QUESTIONS if (p := question_problems(row))}
    assert not bad, bad


def test_questions_are_one_line_each():
    """The brief: one question a line, so diffs and counts stay honest."""
    lines = [ln for ln in QUESTIONS_PATH.read_text(encoding="utf-8").splitlines()
             if ln.startswith("- ")]
    assert len(lines) == len(QUESTIONS)


def test_no_duplicate_questions():
    counts = collections.Counter(norm(row["text"]) for row in QUESTIONS)
    assert not [t for t, n in counts.items() if n > 1]


def test_state_spread():
    counts = collections.Counter(row["state"] for row in QUESTIONS)
    for state, (low, high) in STATE_SHARE.items():
        assert low <= counts[state] / len(QUESTIONS) <= high, (state, counts)


def test_voice_spread():
    counts = collections.Counter(row["voice"] for row in QUESTIONS)
    assert all(counts[v] >= n for v, n in MIN_PER_VOICE.items()), counts


def test_specific_questions_are_many_and_varied():
    specific = [row["topic"] for row in QUESTIONS if row["topic"].startswith("new:")]
    assert len(specific) >= MIN_SPECIFIC and len(set(specific)) >= MIN_SPECIFIC_TOPICS
    broad = {row["topic"] for row in QUESTIONS} & BROAD_TOPICS
    assert broad == BROAD_TOPICS, BROAD_TOPICS - broad


def test_at_least_a_third_paraphrase_public_pages():
    with_src = [row for row in QUESTIONS if row.get("src")]
    assert len(with_src) / len(QUESTIONS) >= MIN_SHARE_WITH_SRC, len(with_src)


def test_keys_are_specific():
    """A key that a broad topic page passes, or that the question itself passes,
    cannot tell a specific answer from an off-target one."""
    keys = [(row["text"], re.compile(row["key"], re.I)) for row in QUESTIONS]
    for reply in BROAD_REPLIES:
        passes = sum(bool(k.search(reply)) for _, k in keys)
        assert passes / len(keys) <= MAX_SHARE_BROAD_PASSES, (reply[:40], passes)
    echoes = [t for t, k in keys if k.search(t)]
    assert len(echoes) / len(keys) <= MAX_SHARE_KEY_ECHOES_QUESTION, echoes


def test_safe_to_send():
    texts = [row["text"] for row in QUESTIONS] + [turn.get("text", "") for turn in TURNS]
    assert not [t for t in texts if CRISIS_WORDS.search(t)]
    assert not [t for t in texts if PHONE.search(t)]




def test_conversation_count_and_format():
    assert isinstance(CONVERSATIONS, list) and len(CONVERSATIONS) >= MIN_CONVERSATIONS
    ids = [conv.get("id") for conv in CONVERSATIONS]
    assert len(set(ids)) == len(ids)
    bad = [p for conv in CONVERSATIONS for p in conversation_problems(conv)]
    assert not bad, bad


def test_conversations_cover_the_context_failures():
    """Each kind of context loss the issue names has conversations testing it."""
    ids = " ".join(conv["id"] for conv in CONVERSATIONS)
    for kind, floor in {"county_then": 6, "zip_then": 4, "state_alone": 4, "what_about": 4,
                        "already_on": 5, "ny_asks_ca_only": 5, "followup_county": 3}.items():
        assert ids.count(kind) >= floor, kind


def test_no_overlap_with_training_or_other_heldout_sets():
    seen = other_examples()
    assert seen, "no training examples found: the overlap check would pass vacuously"
    mine = [row["text"] for row in QUESTIONS] + [
        turn["text"] for turn in TURNS if len(norm(turn["text"]).split()) >= OVERLAP_MIN_WORDS]
    overlap = sorted({t for t in mine if norm(t) in seen})
    assert not overlap, overlap


def row(**changes) -> dict:
    """A well-formed question line, with `changes` applied."""
    return {"text": "how long?", "state": "CA", "topic": "duration", "key": "6",
            "voice": "family", **changes}


# The checks above must be able to fail: feed them broken data.
@pytest.mark.parametrize("bad, why", [
    (row(state="TX"), "state"),
    (row(topic="durations"), "topic"),
    (row(key="(6"), "compile"),
    (row(key="x|"), "empty"),
    (row(voice="judge"), "voice"),
    (row(text="a\nb"), "one"),
    (row(key="1 year", uncertain=True), "honest"),
    (row(src="omh page"), "address"),
    (row(note="x"), "unknown field"),
])
def test_question_problems_catch_broken_rows(bad, why):
    assert not question_problems(row()), "the well-formed line itself is rejected"
    assert any(why in p for p in question_problems(bad)), question_problems(bad)


def test_overlap_check_sees_rasa_markup_and_other_formats():
    nlu = {"nlu": [{"intent": "ask_duration",
                    "examples": "- how long does [kendra's law](law) last\n- other\n"}]}
    messages = {"messages": [{"text": "Who can renew a court order?", "intent": "x"}]}
    seen = {norm(t) for t in example_lines(nlu) + example_lines(messages)}
    assert norm("How long does Kendra's Law last?") in seen
    assert norm("who can renew a court order") in seen


def conv(turn: dict | None = None, **changes) -> dict:
    """A well-formed conversation whose first turn is `turn`, with `changes` applied."""
    first = turn if turn is not None else {"text": "ca", "key": "6"}
    return {"id": "a", "turns": [first, {"text": "x", "key": "1"}], **changes}


@pytest.mark.parametrize("bad, why", [
    ({"turns": conv()["turns"]}, "no id"),
    (conv(turns=[{"text": "ca", "key": "6"}]), "turns"),
    (conv(turns=[{"text": "q", "key": "6"}] * 6), "turns"),
    (conv({"text": "", "key": "6"}), "empty text"),
    (conv({"text": "q", "key": "6["}), "compile"),
    (conv({"text": "q", "key": "6", "not": "a|"}), "empty"),
    (conv({"text": "q", "key": "6", "note": "x"}), "fields"),
])
def test_conversation_problems_catch_broken_ones(bad, why):
    assert not conversation_problems(conv()), "the well-formed conversation itself is rejected"
    assert any(why in p for p in conversation_problems(bad)), conversation_problems(bad)
