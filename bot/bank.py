"""The question bank (content/bank/*.yml): specific questions, each with its own short answer.

Each entry becomes a Topic per state (CA, NY or ALL), like the broad topics in
content/answers/, so everything that serves a topic serves a bank entry too: the
state question, the "this is about the other state" line, follow-ups, SMS forms,
citations and the content tests. The entry's Rasa label is the retrieval intent
`faq/<id>`, served by the ResponseSelector (actions/bank.py checks its confidence).
"""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from bot import i18n, paths

RETRIEVAL_INTENT = "faq"
ENTITY = "bank"  # a button's payload names its entry: /faq{"bank": "<id>"}


def intent_for(entry_id: str) -> str:
    return f"{RETRIEVAL_INTENT}/{entry_id}"


def payload_for(entry_id: str) -> str:
    """A button that asks a bank question. '/faq/<id>' would not reach the faq rule, so the
    entry travels as an entity of the retrieval intent."""
    return '/%s{"%s": "%s"}' % (RETRIEVAL_INTENT, ENTITY, entry_id)


def selector_ranking(message: dict[str, Any]) -> list[tuple[str, float]]:
    """(entry id, confidence) from the ResponseSelector, best first; [] when it did not run."""
    selected = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = selected.get("ranking") or []
    if not ranking and selected.get("response"):
        ranking = [selected["response"]]
    out = []
    for r in ranking:
        key = r.get("intent_response_key") or ""
        if key.startswith(RETRIEVAL_INTENT + "/"):
            out.append((key.split("/", 1)[1], float(r.get("confidence") or 0.0)))
    return out


def entries(bank_dir: Path, lang: str = i18n.DEFAULT) -> list[tuple[str, dict[str, Any]]]:
    """(category, raw entry) for every entry of every category file, in file order; in
    Spanish, the English entry with its twin's words (bot/i18n.py)."""
    out = []
    for path in sorted(bank_dir.glob("*.yml")):
        doc = _doc(bank_dir, path, lang) or {}
        if "entries" not in doc:  # e.g. a sources file beside the categories
            continue
        out += [(doc.get("category", path.stem), raw) for raw in doc["entries"]]
    return out


def _doc(bank_dir: Path, path: Path, lang: str) -> Any:
    if lang != i18n.DEFAULT and bank_dir == paths.CONTENT / "bank":
        return i18n.read(f"bank/{path.name}", lang)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_bank(bank_dir: Path, sources: Collection[str],
              lang: str = i18n.DEFAULT) -> dict[str, dict[str, dict]]:
    """entry id -> state -> the fields of its Topic (bot.content builds them); raises on an
    unknown source id or a repeated entry id."""
    bank: dict[str, dict[str, dict]] = {}
    for category, raw in entries(bank_dir, lang):
        if raw["id"] in bank:
            raise ValueError(f"bank: entry {raw['id']} defined twice")
        bank[raw["id"]] = {state: _topic_fields(category, raw, state, answer, sources)
                           for state, answer in raw["answers"].items()}
    return bank


def _topic_fields(category: str, raw: dict, state: str, answer: dict,
                  sources: Collection[str]) -> dict[str, Any]:
    cited = tuple([answer["source"]] if isinstance(answer["source"], str) else answer["source"])
    unknown = [s for s in cited if s not in sources]
    if unknown:
        raise ValueError(f"bank: entry {raw['id']} ({state}) cites unknown source {unknown}")
    return dict(
        id=raw["id"], state=state, intent=intent_for(raw["id"]), title=raw["question"],
        messages=tuple(answer["messages"]), citation=answer["citation"], sources=cited,
        last_reviewed=str(raw["last_reviewed"]), sms=answer.get("sms", ""),
        related=tuple(raw.get("related", ())), category=category,
        asked_about=raw.get("asked_about", ""),
    )
