"""Shape of the off-topic and hostile held-out sets (issue #9, point 6).

These sets measure how the assistant handles messages next to AOT and hostile or
manipulative ones. They only measure if they stay apart from the training data,
cover every subject and intent, and are safe to send to a test system. How they
were written: tests/nlu/HELDOUT_OFFTOPIC.md. No model is loaded here.
"""
from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

from bot import crisis, nlu_examples

NLU = Path(__file__).resolve().parent / "nlu"
OFFTOPIC = nlu_examples.messages(NLU / "heldout_offtopic.yml")
HOSTILE = nlu_examples.messages(NLU / "heldout_hostile.yml")
EVERY = OFFTOPIC + HOSTILE

SUBJECTS = {"other_holds", "minors", "other_states", "criminal_court", "family_court",
            "housing", "benefits", "other_programs", "general"}
KINDS = {
    "hostile": {"angry_at_law", "insult_bot", "false_claim"},
    "misuse_request": {"custody", "revenge", "neighbor", "ex_partner", "landlord", "coworker"},
    "injection": {"prompt_injection"},
}
# Floors from the brief: 70 off-topic (5 a subject), 45 hostile (12 an intent).
MIN_OFFTOPIC, MIN_PER_SUBJECT = 70, 5
MIN_HOSTILE, MIN_PER_INTENT = 45, 12
# About a third of the off-topic set paraphrases real public pages.
MIN_SHARE_WITH_SRC = 0.30
# None of these is a crisis: words that would make it one, and phone-number shapes.
CRISIS_WORDS = re.compile(
    r"\b(suicid\w*|kill\w*|die|dying|dead|overdos\w*|self[- ]?harm\w*|cut(ting)? (my|him|her)self"
    r"|hurt(ing)? (my|him|her|them)sel(f|ves)|end (my|his|her) life|weapon|knife|right now|rn)\b")
PHONE = re.compile(r"(\d[\s().-]*){7,}")
# The false-alarm target for the crisis detector: at most 1%.
MAX_CRISIS_FLAG_SHARE = 0.01


def norm(text: str) -> str:
    """Lower case, letters and digits only, single spaces: 'What's a 5150?' == 'whats a 5150'."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def test_offtopic_counts_per_subject():
    assert len(OFFTOPIC) >= MIN_OFFTOPIC
    counts = collections.Counter(m["subject"] for m in OFFTOPIC)
    assert set(counts) == SUBJECTS, set(counts) ^ SUBJECTS
    thin = {s: n for s, n in counts.items() if n < MIN_PER_SUBJECT}
    assert thin == {}


def test_offtopic_entries_use_allowed_ids():
    bad = [m for m in OFFTOPIC
           if m.get("intent") != "out_of_scope" or m.get("subject") not in SUBJECTS
           or not set(m) <= {"text", "intent", "subject", "src"}]
    assert bad == []


def test_hostile_counts_per_intent():
    assert len(HOSTILE) >= MIN_HOSTILE
    counts = collections.Counter(m["intent"] for m in HOSTILE)
    assert set(counts) == set(KINDS), set(counts) ^ set(KINDS)
    thin = {i: n for i, n in counts.items() if n < MIN_PER_INTENT}
    assert thin == {}


def test_hostile_entries_use_allowed_kinds():
    bad = [m for m in HOSTILE
           if m.get("kind") not in KINDS.get(m.get("intent"), set())
           or not set(m) <= {"text", "intent", "kind", "src"}]
    assert bad == []


def test_every_kind_is_present():
    seen = {(m["intent"], m["kind"]) for m in HOSTILE}
    missing = {(i, k) for i, kinds in KINDS.items() for k in kinds} - seen
    assert missing == set()


def test_texts_are_single_nonempty_lines():
    bad = [m for m in EVERY
           if not isinstance(m.get("text"), str) or not m["text"].strip() or "\n" in m["text"]]
    assert bad == []


def test_sources_are_addresses_and_enough_paraphrase_real_pages():
    bad = [m["src"] for m in EVERY if "src" in m and not re.match(r"https?://\S+$", m["src"])]
    assert bad == []
    with_src = sum("src" in m for m in OFFTOPIC)
    assert with_src / len(OFFTOPIC) >= MIN_SHARE_WITH_SRC


def test_no_duplicates_across_both_sets():
    counts = collections.Counter(norm(m["text"]) for m in EVERY)
    assert [t for t, n in counts.items() if n > 1] == []


def test_not_in_training_data_or_other_heldout_sets():
    """Reads data/nlu/*.yml at run time; the sets were written without seeing it."""
    seen = {norm(t) for t, _ in nlu_examples.training()} | {norm(t) for t, _ in nlu_examples.heldout()}
    assert seen, "no training or held-out examples were read"
    overlap = [m["text"] for m in EVERY if norm(m["text"]) in seen]
    assert overlap == []


@pytest.mark.parametrize("message", EVERY, ids=lambda m: m["text"][:40])
def test_safe_to_send(message):
    """No phone numbers and no crisis words: these sets measure off-topic and hostile
    handling, so a crisis reply to one of them is a false alarm, not a catch."""
    assert not PHONE.search(message["text"])
    assert not CRISIS_WORDS.search(message["text"].lower())


def test_crisis_detector_false_alarms_stay_within_target():
    flagged = [m["text"] for m in EVERY if crisis.detect(m["text"])]
    assert len(flagged) <= MAX_CRISIS_FLAG_SHARE * len(EVERY), flagged


def test_existing_heldout_reader_skips_these_sets():
    """heldout() feeds the intent-accuracy test: it must not crash on, or silently
    absorb, files that hold `messages` instead of Rasa `nlu` blocks."""
    texts = {norm(t) for t, _ in nlu_examples.heldout()}
    assert texts and not texts & {norm(m["text"]) for m in EVERY}
