"""Which language a conversation is in (issue #14): English or Spanish.

Detected from each message by a language-identification library (lingua, limited to
the two languages the assistant speaks, its models loaded without running code), chosen
explicitly (the web's Español switch, the SMS keywords ESPAÑOL / ENGLISH, "no hablo
inglés"), and kept for the conversation until changed. content/languages.yml holds the
words and the two thresholds, with why.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import yaml

from bot import i18n, paths

_CONFIG = paths.CONTENT / "languages.yml"


@functools.lru_cache(maxsize=1)
def config() -> dict:
    return yaml.safe_load(_CONFIG.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def _fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces: "¡ESPAÑOL!" -> "espanol"."""
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", re.sub(r"[^\w' ]+", " ", text)).strip()


@functools.lru_cache(maxsize=1)
def _words() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    cfg = config()
    switch = {lang: {_fold(w) for w in words} for lang, words in cfg["switch"].items()}
    asks = {lang: [_fold(w) for w in words] for lang, words in cfg["asks"].items()}
    return switch, asks


def switch_word(text: str) -> str | None:
    """The language a message that is only a switch word names ("ESPAÑOL", "english")."""
    folded = _fold(text)
    switch, _ = _words()
    return next((lang for lang, words in switch.items() if folded in words), None)


def asked_for(text: str) -> str | None:
    """The language a message asks for in so many words ("no hablo inglés")."""
    folded = _fold(text)
    _, asks = _words()
    found = [lang for lang, phrases in asks.items() if any(p in folded for p in phrases)]
    return found[0] if len(found) == 1 else None


def _sample(text: str) -> str:
    """The distinct words of a message, in order (at most 60): padding, repeated words and
    runs of one letter ("aaaa...", "x x x") say nothing about its language."""
    words = re.findall(r"[^\W\d_]{2,30}", (text or "")[:5000])
    return " ".join(dict.fromkeys(w.lower() for w in words if len(set(w.lower())) > 1))  # noqa


def detect(text: str) -> tuple[str | None, float]:
    """(language, confidence) by the detector; (None, 0) for too few letters."""
    text = " ".join(_sample(text).split()[:60])
    if sum(ch.isalpha() for ch in text) < config()["min_letters"]:
        return None, 0.0
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    best = values[0]
    return ("es" if best.language.name == "SPANISH" else "en"), float(best.value)


def choose(text: str, kept: str | None) -> tuple[str, bool]:
    """(the language to answer this message in, whether to keep it for the conversation),
    given the one kept so far (None: not yet known, so a first clear message decides)."""
    chosen = switch_word(text) or asked_for(text)
    if chosen:
        return chosen, True
    lang, sure = detect(text)
    cfg = config()
    needed = cfg["first_message_min"] if kept is None else cfg["switch_min"]
    if lang is not None and sure >= needed:
        return lang, True
    return kept or i18n.DEFAULT, False


def warm_up() -> None:
    """Load the detector's models now, not on a first user (about 0.3 s)."""
    detect("warm up the detector")
