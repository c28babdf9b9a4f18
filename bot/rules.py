"""Which action answers which intent, read from the rules themselves: the unconditional
`intent -> action` rules of data/rules/*.yml and the ones derived from the registry
(content/topics.yml) and the question bank (scripts/build_rasa.py writes those).

actions/tools.py uses this when a new question ends a guided tool: the question is
answered by the action its own rule names, so a new intent with its own action needs
no change in Python. (Why not a Rasa rule keyed on the interrupting intent: once a form
completes, Rasa drops the form's turns from the featurized history, so no rule can see
that intent after action_tool_result; checked with RulePolicy, it predicted the fallback.)
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from bot import paths
from bot.topics import Registry, registry

BANK_INTENT = "faq"
BANK_ACTION = "action_answer_bank"


def bank_entries(bank_dir: Path = paths.BANK) -> list[dict]:
    """Every entry of content/bank/*.yml (a file without `entries`, e.g. sources_new.yml,
    adds none). An id used twice is an error."""
    out: list[dict] = []
    for path in sorted(bank_dir.glob("*.yml")) if bank_dir.is_dir() else []:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out += doc.get("entries") or [] if isinstance(doc, dict) else []
    ids = [e["id"] for e in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"bank ids used twice: {dupes}")
    return out


def static_rules(data_dir: Path = paths.DATA) -> dict[str, str]:
    """Intent -> action of every unconditional two-step rule in data/rules/*.yml."""
    out = {}
    for path in sorted((data_dir / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            steps = rule.get("steps", [])
            if rule.get("condition") or len(steps) != 2:
                continue
            if "intent" in steps[0] and "action" in steps[1]:
                out[steps[0]["intent"]] = steps[1]["action"]
    return out


def derived_rules(reg: Registry, entries: list[dict]) -> dict[str, str]:
    """Intent -> action for every topic, tool and (with a bank) the retrieval intent."""
    out = reg.intent_actions()
    if entries:
        out[BANK_INTENT] = BANK_ACTION
    return out


def intent_actions(reg: Registry | None = None, entries: list[dict] | None = None,
                   data_dir: Path = paths.DATA) -> dict[str, str]:
    """Every intent -> action that the rules declare."""
    reg = registry() if reg is None else reg
    entries = bank_entries() if entries is None else entries
    return {**static_rules(data_dir), **derived_rules(reg, entries)}


@functools.lru_cache(maxsize=1)
def action_for_intent() -> dict[str, str]:
    """intent_actions() of the project's own files, read once per process."""
    return intent_actions()
