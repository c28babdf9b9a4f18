"""Write the Rasa files derived from the registry and the question bank into build/rasa/.

  build/rasa/domain.yml        domain.yml + every topic's and tool's intent; with a bank:
                               action_answer_bank (the retrieval intent `faq` comes from
                               the examples in data/nlu/bank/)
  build/rasa/data/derived.yml  the rules: each topic's intent -> its action, each tool's
                               intent -> action_start_tool, `faq` -> action_answer_bank

Not committed: scripts/train.py and `make validate` run this first, and read
  rasa train/validate --domain build/rasa/domain.yml --data data build/rasa/data
(bot/paths.py: RASA_DOMAIN, RASA_DATA; rasa_args() below gives the arguments).

Usage: python scripts/build_rasa.py
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot import paths  # noqa: E402
from bot.bank import ENTITY as BANK_ENTITY  # noqa: E402
from bot.rules import BANK_ACTION, BANK_INTENT, bank_entries, derived_rules  # noqa: E402
from bot.topics import Registry, read  # noqa: E402

def domain(reg: Registry, entries: list[dict], source: Path) -> dict[str, Any]:
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    intents = list(doc.get("intents") or [])
    new = [t.intent for t in reg.topics.values()] + [t.intent for t in reg.tools.values()]
    if entries:
        # The retrieval intent `faq` is listed so the derived rule's intent is known when the
        # rules are read (Rasa's importer adds it again from the examples: a harmless
        # "duplicated intents" warning). No `utter_faq/<id>` responses: the ResponseSelector learns the labels faq/<id>
        # without them, and the answer's words stay in content/bank/ (actions/bank.py);
        # responses nobody utters would fail `rasa data validate --fail-on-warnings`.
        new.append(BANK_INTENT)
        doc["actions"] = list(doc.get("actions") or []) + [BANK_ACTION]
        # A bank button names its entry: /faq{"bank": "<id>"} (bot/bank.py payload_for).
        doc["entities"] = list(doc.get("entities") or []) + [BANK_ENTITY]
    doc["intents"] = intents + [i for i in new if i not in intents]
    return doc


def rules(reg: Registry, entries: list[dict]) -> dict[str, Any]:
    return {"version": "3.1", "rules": [
        {"rule": f"{intent} is answered by {action}", "steps": [{"intent": intent}, {"action": action}]}
        for intent, action in derived_rules(reg, entries).items()]}


def build(topics: Path = paths.TOPICS, bank: Path = paths.BANK,
          source_domain: Path = paths.SOURCE_DOMAIN, out: Path = paths.RASA_BUILD) -> Path:
    """Write domain.yml and data/derived.yml under `out` (a test passes its own files)."""
    reg, entries = read(topics), bank_entries(bank)
    (out / "data").mkdir(parents=True, exist_ok=True)
    head = "# Written by scripts/build_rasa.py from domain.yml, content/topics.yml and content/bank/.\n"
    (out / "domain.yml").write_text(
        head + yaml.safe_dump(domain(reg, entries, source_domain), sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    (out / "data" / "derived.yml").write_text(
        head + yaml.safe_dump(rules(reg, entries), sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    return out


def rasa_args(out: Path = paths.RASA_BUILD) -> list[str]:
    """The arguments `rasa train` and `rasa data validate` need to read the derived files."""
    return ["--domain", str(out / "domain.yml"), "--data", str(paths.DATA), str(out / "data")]


if __name__ == "__main__":
    print(f"Rasa files written to {build()}")
