"""Off-topic, hostile and misuse replies (issue 9, points 4 and 5).

Words live in content/offtopic.yml and content/hostile.yml; this module only
decides which entry fits a message and renders it. Decisions return keys.

Why keywords and not a classifier: the subjects are few and named by plain
words ("custody", "5150", "evicted"), a keyword list can be read and fixed by
anyone editing content/ without retraining, and the model already decided the
message is off-topic, so the list only has to pick among 8 subjects. Close
misspellings ("evicton", "custdy") are forgiven with rapidfuzz, as the county
search does (bot/counties.py).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import yaml
from rapidfuzz import fuzz

from bot.content import CONTENT_DIR, load

GENERAL = "general"
FUZZY_CUTOFF = 88   # "custdy" ~ "custody" 92; "indian" ~ "indiana" 92 (so place names are exact only)
FUZZY_MIN_LEN = 6   # shorter words match only whole ("rent" must not find "parent")
WORD = re.compile(r"[a-z0-9][a-z0-9'.\-]*")


@dataclass(frozen=True)
class Matcher:
    """Words of one subject or myth: exact phrases, regexes, fuzzy-matchable phrases."""

    phrases: tuple[str, ...]
    regexes: tuple[re.Pattern, ...]
    fuzzy: bool = True

    def matches(self, text: str) -> bool:
        norm = normalise(text)
        padded = f" {norm} "
        if any(f" {p} " in padded for p in self.phrases):
            return True
        if any(r.search(norm) for r in self.regexes):
            return True
        return self.fuzzy and _fuzzy_hit(self.phrases, norm.split())


def normalise(text: str) -> str:
    """Lower case, accents dropped ("cárcel" -> "carcel"), curly quotes straightened,
    punctuation between words dropped."""
    text = unicodedata.normalize("NFKD", (text or "").lower().replace("\u2019", "'").replace("\u2018", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(w.strip("'.-") for w in WORD.findall(text) if w.strip("'.-"))


def _fuzzy_hit(phrases: tuple[str, ...], words: list[str]) -> bool:
    """A phrase of n words against every n-word window of the message."""
    for phrase in phrases:
        if len(phrase) < FUZZY_MIN_LEN:
            continue
        n = len(phrase.split())
        for i in range(len(words) - n + 1):
            if fuzz.ratio(phrase, " ".join(words[i:i + n])) >= FUZZY_CUTOFF:
                return True
    return False


def _matcher(keywords: list[str], fuzzy: bool = True) -> Matcher:
    phrases = tuple(normalise(k) for k in keywords if not k.startswith("/"))
    regexes = tuple(re.compile(k[1:-1]) for k in keywords if k.startswith("/"))
    return Matcher(phrases=phrases, regexes=regexes, fuzzy=fuzzy)


def _read(name: str) -> dict:
    return yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def offtopic() -> dict:
    return _read("offtopic.yml")


@functools.lru_cache(maxsize=1)
def hostile() -> dict:
    return _read("hostile.yml")


@functools.lru_cache(maxsize=1)
def _subject_matchers() -> dict[str, Matcher]:
    subjects = offtopic()["subjects"]
    return {k: _matcher(v.get("keywords") or [], v.get("fuzzy", True)) for k, v in subjects.items()}


@functools.lru_cache(maxsize=1)
def _myth_matchers() -> dict[str, Matcher]:
    return {k: _matcher(v["keywords"], fuzzy=False) for k, v in hostile()["myths"].items()}


def pick_subject(text: str) -> str:
    """The first subject (in content order) whose words the message uses, else 'general'."""
    for key, matcher in _subject_matchers().items():
        if key != GENERAL and matcher.matches(text):
            return key
    return GENERAL


def find_myth(text: str) -> str | None:
    """The first myth from content/hostile.yml the message states, if any."""
    return next((k for k, m in _myth_matchers().items() if m.matches(text)), None)


# ---- rendering ---------------------------------------------------------------
def _source_line(citation: str, sources: list[str]) -> str:
    c = load()
    if citation:
        return c.cite(citation, sources)
    return c.piece("source_line", sources="; ".join(c.sources[s].short for s in sources))


def _with_buttons(msgs: list[dict], buttons: list[dict] | None) -> list[dict]:
    if buttons:
        msgs[-1]["buttons"] = [dict(b) for b in buttons]
    return msgs


def render_subject(subject: str) -> list[dict]:
    """'I cover AOT in California and New York; for that, try ...', then its source."""
    entry = offtopic()["subjects"].get(subject) or offtopic()["subjects"][GENERAL]
    c = load()
    msgs = [{"text": c.render_text(m)} for m in entry["messages"]]
    msgs.append({"text": _source_line(entry.get("citation", ""), entry["source"])})
    return _with_buttons(msgs, entry.get("buttons"))


def render_hostile(myth: str | None) -> list[dict]:
    """Acknowledge, correct a false claim with its source when there is one, offer the rights."""
    c, h = load(), hostile()
    msgs = [{"text": c.render_text(m)} for m in h["hostile"]["opening"]]
    if myth:
        entry = h["myths"][myth]
        msgs += [{"text": c.render_text(m)} for m in entry["correction"]]
        msgs.append({"text": _source_line(entry["citation"], entry["source"])})
    msgs += [{"text": c.render_text(m)} for m in h["hostile"]["offer"]]
    return _with_buttons(msgs, h["hostile"].get("buttons"))


def render_misuse() -> list[dict]:
    """A clear no, what AOT is for, and that a judge decides on clear and convincing evidence."""
    c, entry = load(), hostile()["misuse"]
    msgs = [{"text": c.render_text(m)} for m in entry["messages"]]
    msgs.append({"text": _source_line(entry["citation"], entry["source"])})
    return msgs
