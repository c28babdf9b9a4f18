"""Crisis first: the two nets combined (issue 9). The rules (bot/crisis_rules.py, whose
names this module re-exports, so `crisis.detect`, `crisis.normalize` ... keep working)
decide first; the classifier (bot/crisis_model.py) catches what they miss.

    >>> assess("idk anymore, honestly i want to die").level
    'crisis'

The rules live in their own module so the classifier can use them (its training labels,
its text normalisation) without importing this one: no import cycle.
"""
from __future__ import annotations

from typing import Any, Optional

from bot.crisis_rules import *  # noqa: F403 - the public names of the rules net
from bot.crisis_rules import (Assessment, CrisisDetector, CrisisMatch, get_detector,
                              guess_language, normalize)


def assess(text: Any, use_model: bool = True, nlp: Any = None) -> Assessment:
    """Both nets on `text`. Never raises on a str; a non-str gives level None.
    If the classifier cannot be built or fails, the rules alone decide."""
    if not isinstance(text, str) or not text.strip():
        return Assessment(None, None, "en")
    detector = get_detector(nlp)
    match = detector.scan(text)
    score = None
    if use_model:
        try:
            from bot import crisis_model

            score = crisis_model.get_model().score(text)
        except Exception:  # noqa: BLE001 - the rules still answer; never break the safety net
            import logging

            logging.getLogger(__name__).exception("crisis classifier failed; rules only")
    return combine(match, score, text, detector)


# A classifier-only "check" needs at least this many words (see combine()).
MODEL_MIN_WORDS = 4


def combine(match: Optional[CrisisMatch], score: Any, text: str,
            detector: Optional[CrisisDetector] = None) -> Assessment:
    """The decision table (kept apart so tests and scripts/crisis_report.py can use it)."""
    risk = float(score.risk) if score is not None else 0.0
    limits = _model_thresholds(score)
    model_level = ("crisis" if risk >= limits["crisis"] else "check" if risk >= limits["check"]
                   else None) if score is not None else None
    guessed = guess_language(text)
    if match is not None:
        level = match.level
        if level == "check" and model_level == "crisis" and match.context != "history":
            level = "crisis"
        language = "es" if guessed == "es" else match.language
        source = "rules+model" if model_level else "rules"
        return Assessment(level, match.category, language, match.family, source, risk,
                          match.context, match)
    if model_level == "check" and len(normalize(text).split()) < MODEL_MIN_WORDS:
        # Two or three words give the classifier too little to go on ("say nothing",
        # "something private" scored as risky); short crisis messages are the rules' job.
        model_level = None
    if model_level is not None and _names_only_a_place(text):
        model_level = None  # "I live in Marin": no crisis words at all (bot/crisis_place.py)
    if model_level is None:
        return Assessment(None, None, guessed, score=risk)
    context = ""
    if model_level == "crisis" and detector is not None and _history_only(detector, text):
        model_level, context = "check", "history"
    return Assessment(model_level, score.category, guessed, "model", "model", risk, context)


def _names_only_a_place(text: str) -> bool:
    """A short message naming only places or the laws. If the check fails, keep the level."""
    try:
        from bot.crisis_place import place_only

        return place_only(text)
    except Exception:  # noqa: BLE001 - when in doubt, ask (safety first)
        return False


def _model_thresholds(score: Any) -> dict[str, float]:
    if score is None:
        return {"check": 1.1, "crisis": 1.1}
    from bot import crisis_model

    return crisis_model.get_model().thresholds


def _history_only(detector: CrisisDetector, text: str) -> bool:
    """A past/criteria question with nothing saying "now" (see context in crisis_patterns.yml)."""
    flags = detector._context(normalize(text))
    return "present" not in flags and "past" in flags and "criteria" in flags


# Check-level reply keys and the crisis reply that follows a "yes" to their question.
FOLLOWUP_KEYS = {"crisis_check": "crisis", "crisis_check_es": "crisis_es",
                 "crisis_check_danger": "crisis_danger", "crisis_check_danger_es": "crisis_danger_es"}
FOLLOWUP_PAYLOAD = "/crisis"  # the "yes" button of a check reply (content/dialogue.yml)
_YES = frozenset({"yes", "y", "yeah", "yea", "yep", "ya", "yup", "yes i am", "i am", "si", "sí",
                  "si lo estoy", "si estoy", "claro", "maybe", "kind of", "kinda", "sort of",
                  "a veces", "tal vez", "quizas", "yes someone is", "si hay peligro", "yes i am thinking about it"})


def is_yes(text: Any) -> bool:
    """A short "yes" (or "maybe": treated as yes after a check question: safety first)."""
    norm = re.sub(r"[^\w ]", " ", normalize(text))
    return " ".join(norm.split()) in {normalize(w) for w in _YES}
