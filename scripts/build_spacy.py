"""Build the blank-English spaCy pipeline with entity rules from content/.

Usage: python scripts/build_spacy.py [OUT_DIR]   (default: build/spacy/aot_rules)
Writes the pipeline with nlp.to_disk(); config.yml points SpacyNLP at it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.content import load  # noqa: E402
from bot.entity_rules import patterns  # noqa: E402

DEFAULT_OUT = Path("build/spacy/aot_rules")


def build(out: Path = DEFAULT_OUT) -> Path:
    nlp = spacy.blank("en")
    # LOWER: "fresno", "Fresno" and "FRESNO" all match; cased abbreviations use ORTH patterns.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns(load()))  # type: ignore[attr-defined]
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return out


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
    print(f"spaCy rules pipeline written to {path}")
