"""Baselines and reply rendering for scripts/evaluate_real.py (issue #12, point 5).

Two baselines, trained in the same run on the same data as the assistant:
  * TF-IDF (word 1-2-grams + character 2-5-grams) + logistic regression over every
    training intent of data/nlu/**/*.yml; a retrieval intent counts as its full label
    `faq/<id>` (the question bank, content/bank/ + data/nlu/bank/, once it exists);
  * BM25 (the `bm25s` library) over one document per answer: each broad topic
    (content/answers/, its titles + its intent's training examples) and each bank
    entry (its question + its `faq/<id>` examples).

A baseline only replaces the intent classifier. Its prediction is turned into the
reply the assistant would give: the assistant's own action for that intent (the
rules in data/rules/), run in-process with the same rule-based entities (the spaCy
ruler in build/spacy/aot_rules), or the bank entry's messages for the question's
state. A "which state?" reply is followed, as for the assistant, by the question's
state (else California). The reply is then scored with the same key regex.
"""
from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ASKS_STATE = "California or New York"
STATE_NAMES = {"CA": "California", "NY": "New York"}
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


# ---- data ------------------------------------------------------------------
def example_texts(examples) -> list[str]:
    """A block's examples: Rasa's "- text" string, or a list of {text, metadata}."""
    if isinstance(examples, str):
        lines = [l.strip()[2:] for l in examples.splitlines() if l.strip().startswith("- ")]
    else:
        lines = [e.get("text", "") if isinstance(e, dict) else str(e) for e in examples or []]
    return [ENTITY_MARKUP.sub(r"\1", l).strip() for l in lines if str(l).strip()]


def training_examples(root: Path = ROOT) -> list[tuple[str, str]]:
    """(text, label) for every intent example in data/nlu/**/*.yml; `faq/<id>` kept whole."""
    pairs = []
    for path in sorted((root / "data" / "nlu").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu", []) or []:
            if "intent" in block:
                pairs += [(t, block["intent"]) for t in example_texts(block.get("examples"))]
    return pairs


def bank_entries(root: Path = ROOT) -> dict[str, dict]:
    """content/bank/<category>.yml entries by id (bank_format.md); {} before the bank exists."""
    out = {}
    for path in sorted((root / "content" / "bank").glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("entries", []) if isinstance(doc, dict) else []:
            out[entry["id"]] = {**entry, "category": doc.get("category", path.stem)}
    return out


# ---- the two baselines ---------------------------------------------------------
class TfidfLogReg:
    """TF-IDF word and character n-grams + logistic regression, over all intents."""

    def __init__(self, train: list[tuple[str, str]]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), lowercase=True),
            TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), lowercase=True))
        self.model = make_pipeline(features, LogisticRegression(C=10, max_iter=3000))
        self.model.fit([t for t, _ in train], [label for _, label in train])

    def rank(self, texts: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
        probs = self.model.predict_proba(texts)
        labels = self.model.classes_
        return [[(labels[i], float(row[i])) for i in row.argsort()[::-1][:k]] for row in probs]


def tokens(text: str) -> list[str]:
    """Lower case, apostrophes dropped ("laura's" -> "lauras"), English stop words out."""
    from bm25s.stopwords import STOPWORDS_EN

    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("\u2019", ""))
    return [w for w in words if w not in STOPWORDS_EN] or words


def answer_documents(train: list[tuple[str, str]], root: Path = ROOT) -> list[tuple[str, str]]:
    """(label, document) per answer: each broad topic and each bank entry."""
    from bot.content import load

    by_label: dict[str, list[str]] = {}
    for text, label in train:
        by_label.setdefault(label, []).append(text)
    docs = []
    for by_state in load().topics.values():
        intent = next(iter(by_state.values())).intent
        if intent.startswith("faq/"):  # bank entries: from `root`'s bank, below
            continue
        titles = sorted({t.title for t in by_state.values()})
        docs.append((intent, " ".join(titles + by_label.get(intent, []))))
    for entry_id, entry in bank_entries(root).items():
        label = f"faq/{entry_id}"
        docs.append((label, " ".join([entry.get("question", "")] + by_label.get(label, []))))
    return docs


class BM25Answers:
    """BM25 (bm25s, Okapi) over one document per answer; no word in common -> no answer."""

    def __init__(self, docs: list[tuple[str, str]]):
        import bm25s

        self.labels = [label for label, _ in docs]
        self.index = bm25s.BM25()
        self.index.index([tokens(d) for _, d in docs], show_progress=False)

    def rank(self, texts: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
        out: list[list[tuple[str, float]]] = []
        for text in texts:
            words = tokens(text)
            if not words:  # a blank message: bm25s cannot score an empty query
                out.append([])
                continue
            scores = self.index.get_scores(words)
            best = scores.argsort()[::-1][:k]
            out.append([(self.labels[i], float(scores[i])) for i in best if scores[i] > 0])
        return out


# ---- replies -----------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def rule_actions() -> dict[str, str]:
    """Intent -> the action its rule runs (data/rules/*.yml, first action after the intent)."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            steps = rule.get("steps", [])
            for step, nxt in zip(steps, steps[1:]):
                if "intent" in step and "action" in nxt:
                    out.setdefault(step["intent"], nxt["action"])
    return out


@functools.lru_cache(maxsize=1)
def actions_by_name() -> dict:
    """The assistant's own custom actions (actions/), by name, to run in-process."""
    import importlib
    import pkgutil

    import actions
    from rasa_sdk import Action

    for mod in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{mod.name}")
    found, todo = {}, list(Action.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        try:
            found[cls().name()] = cls
        except Exception:  # noqa: BLE001 - an abstract helper class has no name
            continue
    return found


@functools.lru_cache(maxsize=1)
def entity_model():
    """The rule-based spaCy pipeline the assistant's RuleEntityExtractor uses."""
    import spacy

    return spacy.load(str(ROOT / "build" / "spacy" / "aot_rules"))


def entities(text: str) -> list[dict]:
    doc = entity_model()(text)
    return [{"entity": e.label_, "value": e.ent_id_ or e.text} for e in doc.ents]


def run_action(name: str, message: dict, slots: dict) -> tuple[list[dict], list[dict]]:
    """(messages, events) of one of the assistant's actions for this parsed message."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    tracker = Tracker("baseline", dict(slots), message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(actions_by_name()[name]().run(dispatcher, tracker, {})) or []
    return dispatcher.messages, events


def reply_for(label: str, text: str, state: str | None, ranking=(), root: Path = ROOT) -> str:
    """The reply the assistant gives when `label` is its understanding of `text`, followed
    (like the evaluation of the assistant) by the question's state when it asks which state."""
    ents = entities(text)
    follow = state if state in STATE_NAMES else "CA"
    if label.startswith("faq/"):  # the assistant's own bank action, as its menu button asks it
        entry_id = label.split("/", 1)[1]
        if entry_id not in bank_entries(root):
            return ""
        ents = [*ents, {"entity": "bank", "value": entry_id}]
        label = "faq"
    rank = [{"name": n, "confidence": s} for n, s in ranking] or [{"name": label, "confidence": 1.0}]
    message = {"text": text, "intent": {"name": label, "confidence": rank[0]["confidence"]},
               "intent_ranking": rank, "entities": ents}
    action = "action_answer_bank" if label == "faq" else rule_actions().get(label, "action_clarify")
    msgs, events = run_action(action, message, {})
    reply = " ".join(m.get("text") or "" for m in msgs)
    if ASKS_STATE in reply:
        slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        follow_msg = {"text": STATE_NAMES[follow], "intent": {"name": "inform_state", "confidence": 1.0},
                      "intent_ranking": [], "entities": [{"entity": "state", "value": follow}]}
        more, _ = run_action("action_answer", follow_msg, slots)
        reply += " " + " ".join(m.get("text") or "" for m in more)
    return reply


def predict_label(ranking: list[tuple[str, float]]) -> str:
    return ranking[0][0] if ranking else "nlu_fallback"
