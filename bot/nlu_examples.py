"""Read Rasa NLU YAML files as (text, intent) pairs: training data and the held-out set."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
TRAINING = sorted((ROOT / "data" / "nlu").glob("*.yml"))


def read(paths: list[Path] | Path) -> list[tuple[str, str]]:
    pairs = []
    for path in [paths] if isinstance(paths, Path) else paths:
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
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
