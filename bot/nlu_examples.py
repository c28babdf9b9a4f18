"""Read Rasa NLU YAML files as (text, intent) pairs: training data and the held-out set."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths
from bot.topics import registry

ROOT = paths.ROOT
# heldout.yml (issue #5) and heldout_tools.yml (the guided tools' intents), each
# written by someone who had not seen data/nlu/.
HELDOUT = sorted((ROOT / "tests" / "nlu").glob("heldout*.yml"))
TRAINING = sorted((ROOT / "data" / "nlu").glob("*.yml"))


def read(paths: list[Path] | Path) -> list[tuple[str, str]]:
    pairs = []
    for path in [paths] if isinstance(paths, Path) else paths:
        # heldout_offtopic.yml and heldout_hostile.yml (issue #9) hold labelled
        # `messages`, not Rasa `nlu` blocks: read them with messages(), not here.
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    pairs.append((line.strip()[2:].strip(), block["intent"]))
    return pairs


def heldout() -> list[tuple[str, str]]:
    return read(HELDOUT)


def messages(path: Path) -> list[dict]:
    """The off-topic and hostile held-out sets (issue #9): one dict per message,
    with text, intent and subject or kind (and src for paraphrases of public pages)."""
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("messages", [])


def training() -> list[tuple[str, str]]:
    return read(TRAINING)


# A general question and its guided tool lead to the same content: each general
# answer offers its tool, and each tool states the rule it works from. So a
# held-out line labelled with one and understood as the other is counted as
# "related" (reported next to the strict figure, never hidden in it).
RELATED = registry().related_intents()  # a topic and the tool it offers (content/topics.yml)


def same_or_related(want: str, got: str) -> bool:
    return want == got or frozenset((want, got)) in RELATED


# ---- off-topic and hostile held-out sets (issue 9), for scripts/evaluate.py ----
# Written apart from data/nlu/: `messages:` (or a plain YAML list) of
# {text, intent, subject|kind, src?}; reported on their own, per subject or kind.
LABELLED = {"off-topic": ROOT / "tests" / "nlu" / "heldout_offtopic.yml",
            "hostile and manipulative": ROOT / "tests" / "nlu" / "heldout_hostile.yml"}


@dataclass(frozen=True)
class Labelled:
    """One held-out message: its label, and the subject (off-topic) or kind (hostile set)."""

    text: str
    intent: str
    group: str = "-"
    src: str = ""


def read_labelled(path: Path) -> list[Labelled]:
    """Each message of a labelled set. A message without text or intent is an error."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    rows = doc.get("messages") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise ValueError(f"{path.name}: expected `messages:`, a list of {{text, intent, ...}}")
    out = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not str(row.get("text") or "").strip() or not row.get("intent"):
            raise ValueError(f"{path.name}: message {n} needs a text and an intent")
        group = row.get("subject") or row.get("kind") or "-"
        out.append(Labelled(str(row["text"]).strip(), str(row["intent"]), str(group), str(row.get("src") or "")))
    return out


def labelled_heldout() -> dict[str, list[Labelled]]:
    """The off-topic and hostile held-out sets that exist, by name."""
    return {name: read_labelled(path) for name, path in LABELLED.items() if path.exists()}
