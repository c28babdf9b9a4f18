"""Read Rasa NLU YAML files as (text, intent) pairs: training data and the held-out set."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Off-topic and hostile held-out sets (issue 9), written apart from data/nlu/: a
# YAML list of {text, intent, subject|kind, src?}, not Rasa NLU format, so they
# are read by read_labelled() and reported on their own (scripts/evaluate.py).
LABELLED = {"off-topic": ROOT / "tests" / "nlu" / "heldout_offtopic.yml",
            "hostile and manipulative": ROOT / "tests" / "nlu" / "heldout_hostile.yml"}
# heldout.yml (issue #5) and heldout_tools.yml (the guided tools' intents), each
# written by someone who had not seen data/nlu/.
HELDOUT = [p for p in sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")) if p not in LABELLED.values()]
TRAINING = sorted((ROOT / "data" / "nlu").glob("*.yml"))


@dataclass(frozen=True)
class Labelled:
    """One held-out message: its label, and the subject (off-topic) or kind (hostile set)."""

    text: str
    intent: str
    group: str = "-"
    src: str = ""


def read_labelled(path: Path) -> list[Labelled]:
    """A YAML list of {text, intent, subject|kind, src?}. A row without text or intent is an error."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(rows, list):
        raise ValueError(f"{path.name}: expected a YAML list of {{text, intent, ...}}")
    out = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not str(row.get("text") or "").strip() or not row.get("intent"):
            raise ValueError(f"{path.name}: item {n} needs a text and an intent")
        group = row.get("subject") or row.get("kind") or "-"
        out.append(Labelled(str(row["text"]).strip(), str(row["intent"]), str(group), str(row.get("src") or "")))
    return out


def labelled_heldout() -> dict[str, list[Labelled]]:
    """The off-topic and hostile held-out sets that exist, by name."""
    return {name: read_labelled(path) for name, path in LABELLED.items() if path.exists()}


def read(paths: list[Path] | Path) -> list[tuple[str, str]]:
    pairs = []
    for path in [paths] if isinstance(paths, Path) else paths:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):  # a labelled list (read_labelled), not Rasa NLU
            continue
        for block in doc.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    pairs.append((line.strip()[2:].strip(), block["intent"]))
    return pairs


def heldout() -> list[tuple[str, str]]:
    return read(HELDOUT)


def training() -> list[tuple[str, str]]:
    return read(TRAINING)


# A general question and its guided tool lead to the same content: each general
# answer offers its tool, and each tool states the rule it works from. So a
# held-out line labelled with one and understood as the other is counted as
# "related" (reported next to the strict figure, never hidden in it).
RELATED = {frozenset(pair) for pair in [
    ("ask_eligibility", "check_eligibility"),
    ("ask_hearing_when", "calc_hearing_date"),
    ("ask_duration", "calc_order_timeline"),
    ("ask_how_ends", "calc_order_timeline"),
]}


def same_or_related(want: str, got: str) -> bool:
    return want == got or frozenset((want, got)) in RELATED
