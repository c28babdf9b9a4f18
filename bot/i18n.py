"""Languages: English content/ and its Spanish twins in content/es/ (issue #14).

A twin mirrors its English file (content/es/bank/roles.yml is the twin of
content/bank/roles.yml) but holds only the words a person reads. Everything else
(citations, sources, phone numbers, payloads, dates, legal numbers) is left out of the
twin and taken from the English file, so each fact keeps one source of truth.
How to write a twin: docs/spanish.md. `tests/test_spanish_twins.py` fails when an English
line has no twin, or a twin differs from its English line in a placeholder or a digit.

Merging: mappings key by key; lists of mappings by position (an `id` must agree);
lists of strings (an answer's messages) are replaced whole.
"""
from __future__ import annotations

import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml

from bot import paths

LANGS = ("en", "es")
DEFAULT = "en"
TWINS = paths.CONTENT / "es"

# Keys whose values are not words a person reads: they live in the English file only.
NON_TEXT = frozenset({
    "payload", "citation", "source", "sources", "related", "keywords", "state", "status",
    "covers", "where", "publisher", "date", "short", "intent", "states", "counties", "phone",
    "tty", "email", "category", "last_reviewed", "injection_patterns", "CA_source", "NY_source",
    "CA_citation", "NY_citation", "tool", "action", "asked_about", "note_source", "tty_source",
    "press", "text_word", "remove", "max", "value", "fuzzy", "resources",
    "dated_question_starts_tool", "as_of", "aliases",
})
# The language of the turn being answered (actions/lang.py sets it from the message's
# metadata, which the web app fills in: bot/web/language.py). Content is read in it.
CURRENT: ContextVar[str] = ContextVar("aot_lang", default=DEFAULT)
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_DIGITS = re.compile(r"\d+")


def normal(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT


def current() -> str:
    return CURRENT.get()


# Where a key of NON_TEXT holds words after all: web.yml is all page chrome (its
# "sources" is a label); an eligibility question's `short` name is read in the summary;
# counties.yml's `counties` list holds the notes, and its `as_of` is shown as written.
_TEXT_IN = {"web.yml": NON_TEXT, "tools.yml": {"short"}, "counties.yml": {"counties", "as_of"},
            "glossary.yml": {"aliases"}}  # the words Spanish speakers use for a term
# Placeholders a Spanish twin may add: the crisis line's Spanish service (press 2, AYUDA).
_TWIN_MAY_ADD = re.compile(r"\{\{\s*contacts\.crisis_988\.spanish\.\w+\s*\}\}")


def non_text(key: Any, rel: str) -> bool:
    """Whether `key` of content/<rel> holds data rather than words (left out of a twin)."""
    if key in _TEXT_IN.get(rel, ()):
        return False
    if key == "name" and rel == "counties.yml":
        return True  # county names are names
    return key in NON_TEXT


def read(rel: str, lang: str | None = DEFAULT) -> Any:
    """content/<rel> in a language: the English file with its twin's words laid over it.
    A missing twin gives the English file (the twins test says so first)."""
    english = _load(paths.CONTENT / rel)
    twin_path = TWINS / rel
    if normal(lang) == DEFAULT or not twin_path.exists():
        return english
    return overlay(english, _load(twin_path), rel)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def overlay(english: Any, twin: Any, rel: str, key: Any = None) -> Any:
    if isinstance(english, dict) and isinstance(twin, dict):
        return {k: (overlay(v, twin[k], rel, k) if k in twin and not non_text(k, rel) else v)
                for k, v in english.items()} | _added_aliases(english, twin, rel)
    if isinstance(english, list) and isinstance(twin, list):
        if english and all(isinstance(x, str) for x in english):
            return list(twin)
        return [overlay(a, b, rel) for a, b in zip(english, twin)] + english[len(twin):]
    if isinstance(english, str) and isinstance(twin, str) and twin.strip():
        return twin
    return english


def _added_aliases(english: dict, twin: dict, rel: str) -> dict:
    """A glossary term's Spanish words, besides its English ones (people mix them)."""
    if "aliases" not in twin or not rel.endswith("glossary.yml"):
        return {}
    return {"aliases": list(dict.fromkeys([*english.get("aliases", []), *twin["aliases"]]))}


# ---- checks (tests/test_spanish_twins.py) ------------------------------------------------
def facts(text: str, twin: bool = False) -> tuple[list[str], list[str]]:
    """The placeholders (their names: words in quotes inside them are language) and the
    digits of a line: what a twin must keep exactly. The crisis line's Spanish-service
    placeholders do not count: a Spanish line may add them (press 2, AYUDA)."""
    text = _TWIN_MAY_ADD.sub(" ", text)
    holders = sorted(re.sub(r"\s+|'[^']*'|\"[^\"]*\"", "", h) for h in _PLACEHOLDER.findall(text))
    return holders, sorted(_DIGITS.findall(_PLACEHOLDER.sub(" ", text)))


def problems(rel: str) -> list[str]:
    """What is wrong with the twin of content/<rel> (missing lines, extra data, facts that differ)."""
    if not (TWINS / rel).exists():
        return [f"{rel}: no Spanish twin content/es/{rel}"]
    out: list[str] = []
    _compare(_load(paths.CONTENT / rel), _load(TWINS / rel), rel, rel, out)
    return out


def _compare(en: Any, es: Any, where: str, rel: str, out: list[str]) -> None:
    if isinstance(en, dict):
        _compare_dict(en, es, where, rel, out)
    elif isinstance(en, list):
        _compare_list(en, es, where, rel, out)
    elif isinstance(en, str):
        if not isinstance(es, str) or not es.strip():
            out.append(f"{where}: the twin must be a line of text")
        elif facts(en) != facts(es, twin=True):
            out.append(f"{where}: placeholders or digits differ: {facts(en)} vs {facts(es, True)}")


def _compare_dict(en: dict, es: Any, where: str, rel: str, out: list[str]) -> None:
    if not isinstance(es, dict):
        out.append(f"{where}: the twin must be a mapping")
        return
    for k, v in en.items():
        if k == "id":
            if es.get("id") != v:
                out.append(f"{where}: id {es.get('id')!r}, English {v!r} (out of order?)")
        elif non_text(k, rel):
            if k in es:
                out.append(f"{where}.{k}: data, not words: leave it out of the twin")
        elif has_text(v, rel):
            if k in es:
                _compare(v, es[k], f"{where}.{k}", rel, out)
            else:
                out.append(f"{where}.{k}: no Spanish")
    extra = [k for k in es if k not in en and not (k == "aliases" and rel == "glossary.yml")]
    out += [f"{where}.{k}: not in the English file" for k in extra]


def _compare_list(en: list, es: Any, where: str, rel: str, out: list[str]) -> None:
    if not isinstance(es, list) or not es:
        out.append(f"{where}: the twin must be a list")
    elif all(isinstance(x, str) for x in en):
        if not all(isinstance(x, str) for x in es):
            out.append(f"{where}: the twin must be a list of lines")
        elif facts(" ".join(en)) != facts(" ".join(es), twin=True):
            out.append(f"{where}: placeholders or digits differ: {facts(' '.join(en))} vs "
                       f"{facts(' '.join(es), True)}")
    elif len(en) != len(es):
        out.append(f"{where}: {len(es)} items, English has {len(en)}")
    else:
        for i, (a, b) in enumerate(zip(en, es)):
            _compare(a, b, f"{where}[{i}]", rel, out)


def has_text(value: Any, rel: str) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(has_text(v, rel) for v in value)
    if isinstance(value, dict):
        return any(k != "id" and not non_text(k, rel) and has_text(v, rel) for k, v in value.items())
    return False


def text_files() -> list[str]:
    """The content files a person reads words from: each needs a Spanish twin."""
    keep = []
    for path in sorted(paths.CONTENT.rglob("*.yml")):
        rel = str(path.relative_to(paths.CONTENT))
        if rel.startswith("es/") or rel in _NO_TWIN:
            continue
        if has_text(_load(path), rel):
            keep.append(rel)
    return keep


# Files with no words of their own for a person: names of documents (sources.yml, shown as
# published), the topic registry, the crisis detector's patterns and training phrases
# (the crisis replies themselves are in dialogue.yml), and the language switch words.
_NO_TWIN = frozenset({"sources.yml", "topics.yml", "crisis_patterns.yml", "crisis_training.yml",
                      "languages.yml"})
