"""Place-only messages are never a crisis by themselves (s7).

"I live in Marin", "we're in Kern", "Queens", "ny", "Laura's Law", "10452": the classifier
had no short place messages among its examples and scored some of them as risky ("i live
in marin" 0.66: "live" is frequent in its crisis examples, "marin" unknown). bot.crisis
drops the CLASSIFIER's level when `place_only` is true; the rules still decide, so a place
said with a crisis phrase keeps its crisis reply.

The filler words (content/crisis_patterns.yml, `place_only`) are taken off; what is left
must be nothing, a ZIP, a state (bot.states) or a county or city (bot.counties).

    >>> place_only("I live in Marin")
    True
    >>> place_only("i live in marin and i want to sleep forever")
    False
"""
from __future__ import annotations

import functools
import re
from typing import Any

from bot.crisis_rules import load_patterns, normalize

_ZIP = re.compile(r"\d{5}(?: \d{4})?")
_RESIDENCE = re.compile(r"\b(?:live|lives|living) in\b|\b(?:vivo|vivimos|vive|viven) en\b|\b(?:county|condado)\b")


@functools.lru_cache(maxsize=1)
def _words() -> tuple[int, re.Pattern[str], frozenset[str]]:
    """(max words, one pattern for every filler phrase longest first, words never a mere place)."""
    conf = load_patterns().get("place_only") or {}
    phrases = {normalize(p) for key in ("lead", "laws", "around") for p in conf.get(key) or []}
    alts = sorted((re.escape(p) for p in phrases if p), key=len, reverse=True)
    never = frozenset(normalize(w) for w in conf.get("never") or [])
    return int(conf.get("max_words", 8)), re.compile(r"\b(?:" + "|".join(alts) + r")\b"), never


def place_only(text: Any) -> bool:
    """True when `text` (short) names only places, states, ZIPs or the laws."""
    if not isinstance(text, str):
        return False
    norm = re.sub(r"[^\w .]+|(?<!\d)\.|\.(?!\d)", " ", normalize(text))
    max_words, filler, never = _words()
    if not norm.split() or len(norm.split()) > max_words:
        return False
    if never & set(norm.split()) and not _RESIDENCE.search(norm):
        return False  # "at the lake": maybe where someone stands; "i live in lake county" is a home
    rest = " ".join(filler.sub(" ", norm).split())
    return not rest or _is_place(rest)


def _is_place(rest: str) -> bool:
    from bot import counties, states

    if all(_ZIP.fullmatch(part) for part in rest.split(" ") if part) and _ZIP.match(rest):
        return True
    if states.alone(rest):
        return True
    # One place, or two ("queens ny", "oakland california"), each a county, city or state.
    words = rest.split()
    for cut in range(len(words), 0, -1):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        if _one_place(head, counties, states) and (not tail or _one_place(tail, counties, states)):
            return True
    return False


def _one_place(words: str, counties: Any, states: Any) -> bool:
    if states.alone(words) or _ZIP.fullmatch(words):
        return True
    found = counties.place_alone(words)
    if found.how == "fuzzy":
        # A near-spelling is not enough to silence the classifier: crisis words can sit a
        # letter or two from a place name. A misspelled place may get the check; safety first.
        return False
    return found.county is not None or found.how == "ambiguous" or bool(found.candidates)
