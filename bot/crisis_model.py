"""The second crisis net: a small classifier that generalises beyond the patterns.

Design after the CMD-1 detector (npj Digital Medicine 2023, cited in issue 9):
TF-IDF word (1-2) and character (2-5, inside word boundaries) n-grams feeding a
logistic regression. Character n-grams forgive misspellings and SMS shorthand;
word pairs carry "no point", "better off". Classes: none | self (suicide,
self-harm, hopelessness) | danger (to others or from others, now) | medical
(overdose, not breathing). The risk score is 1 - P(none).

No pickle and no downloaded weights: the model is fitted when first used from
plain-text examples in the repository (content/crisis_training.yml, plus the
project's NLU examples in data/nlu/ and the phrases of content/crisis_patterns.yml),
deterministically (lbfgs, fixed data order), in about a second on one core.
Messages are normalised by bot.crisis.normalize first, so "dont"/"don't" and
"u"/"you" look the same to both nets.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from bot import paths

ROOT = paths.ROOT
TRAINING_PATH = ROOT / "content" / "crisis_training.yml"
NLU_DIR = ROOT / "data" / "nlu"
CLASSES = ("none", "self", "danger", "medical")
# Category reported for a classifier-only hit (the rule categories of bot/crisis.py).
CLASS_CATEGORY = {"self": "suicide", "danger": "danger_now", "medical": "overdose"}
RULE_CLASS = {"suicide": "self", "self_harm": "self", "danger_now": "danger",
              "harm_others": "danger", "overdose": "medical"}
MAX_CHARS = 20_000          # the model reads at most this much (the rules read everything)
_SEGMENT = re.compile(r"(?<=[.!?;\n])\s+")
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


@dataclass(frozen=True)
class Score:
    risk: float       # 1 - P(none), 0..1: the highest over the message's sentences
    cls: str          # most likely risk class: self | danger | medical
    segment: str = ""  # the normalised sentence that scored highest

    @property
    def category(self) -> str:
        return CLASS_CATEGORY.get(self.cls, "suicide")


def _nlu_examples(nlu_dir: Path) -> tuple[list[str], list[str]]:
    """(non-crisis examples, crisis examples) from the Rasa NLU files, entity marks removed."""
    negatives: list[str] = []
    positives: list[str] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block or not isinstance(block.get("examples"), str):
                continue
            lines = [l.strip()[2:].strip() for l in block["examples"].splitlines() if l.strip().startswith("- ")]
            lines = [_ENTITY.sub(lambda m: m.group(1) or m.group(2), l) for l in lines]
            (positives if block["intent"] == "crisis" else negatives).extend(lines)
    return negatives, positives


def training_set(path: Path | str = TRAINING_PATH, nlu_dir: Path | str = NLU_DIR,
                 with_patterns: bool = True, exclude: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(texts, labels) in a fixed order. Labels are CLASSES. `exclude`: texts to leave
    out (compared normalised), e.g. the lines of a corpus being measured, so the
    classifier's figure on that corpus is out-of-sample."""
    texts, labels = _all_examples(Path(path), Path(nlu_dir), with_patterns)
    if not exclude:
        return texts, labels
    from bot.crisis_rules import normalize

    drop = {normalize(t) for t in exclude}
    kept = [(t, l) for t, l in zip(texts, labels) if normalize(t) not in drop]
    return [t for t, _ in kept], [l for _, l in kept]


def _all_examples(path: Path, nlu_dir: Path, with_patterns: bool) -> tuple[list[str], list[str]]:
    from bot import crisis_rules as crisis

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    labels: list[str] = []
    for cls in CLASSES[1:]:
        for text in data["crisis"].get(cls) or []:
            texts.append(text)
            labels.append(cls)
    for text in data["not_crisis"]:
        texts.append(text)
        labels.append("none")
    negatives, positives = _nlu_examples(nlu_dir)
    texts += negatives
    labels += ["none"] * len(negatives)
    for text in positives:  # label the model's own crisis examples by what the rules say
        match = crisis.get_detector().scan(text)
        texts.append(text)
        labels.append(RULE_CLASS.get(match.category, "self") if match else "self")
    if with_patterns:
        patterns = crisis.load_patterns()
        for fam in patterns["families"]:
            if fam.get("level", "crisis") != "crisis" or fam.get("classifier") is False:
                continue
            for phrase in fam.get("phrases") or []:
                texts.append(phrase)
                labels.append(RULE_CLASS[fam["category"]])
        for phrase in patterns.get("exclude") or []:
            texts.append(phrase)
            labels.append("none")
    return texts, labels


def thresholds(path: Path | str = TRAINING_PATH) -> dict[str, float]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {"check": float(data["thresholds"]["check"]), "crisis": float(data["thresholds"]["crisis"])}


def build_pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from bot.crisis_rules import normalize

    features = make_union(
        TfidfVectorizer(preprocessor=normalize, analyzer="word", ngram_range=(1, 2),
                        token_pattern=r"(?u)\b\w+\b", sublinear_tf=True, min_df=1),
        TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(2, 5),
                        sublinear_tf=True, min_df=2, max_features=60_000),
    )
    # liblinear (one-vs-rest) fits in a fraction of a second; random_state fixes its shuffling.
    classifier = LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000,
                                    solver="liblinear", random_state=0)
    return make_pipeline(features, classifier)


class _LinearScorer:
    """The fitted pipeline's arithmetic for ONE text, without scikit-learn's per-call
    overhead (~4 ms for a single short message, mostly input validation): for each
    vectorizer, sublinear tf times idf, L2-normalised, dotted with the coefficients;
    then the one-vs-rest logistic probabilities, normalised. Tests check it equals
    `pipeline.predict_proba`."""

    def __init__(self, pipeline: Any) -> None:
        import numpy

        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.parts = []
        offset = 0
        for _, vec in union.transformer_list:
            vocab = {term: offset + idx for term, idx in vec.vocabulary_.items()}
            idf = numpy.zeros(offset + len(vec.idf_))
            idf[offset:] = vec.idf_
            self.parts.append((vec.build_analyzer(), vocab))
            offset += len(vec.idf_)
        self.idf = numpy.concatenate([vec.idf_ for _, vec in union.transformer_list])
        self.coef = classifier.coef_.T.copy()       # (features, classes)
        self.intercept = classifier.intercept_.copy()

    def proba(self, text: str) -> Any:
        import numpy

        scores = self.intercept.copy()
        for analyzer, vocab in self.parts:
            counts: dict[int, int] = {}
            for term in analyzer(text):
                idx = vocab.get(term)
                if idx is not None:
                    counts[idx] = counts.get(idx, 0) + 1
            if not counts:
                continue
            idx = numpy.fromiter(counts.keys(), dtype=numpy.int64, count=len(counts))
            tf = numpy.fromiter(counts.values(), dtype=float, count=len(counts))
            values = (1.0 + numpy.log(tf)) * self.idf[idx]
            values /= numpy.sqrt((values * values).sum())
            scores += values @ self.coef[idx]
        probs = 1.0 / (1.0 + numpy.exp(-scores))
        return probs / probs.sum()


class CrisisModel:
    """Fitted once; `score` costs well under a millisecond for a short message."""

    def __init__(self, texts: Optional[list[str]] = None, labels: Optional[list[str]] = None,
                 path: Path | str = TRAINING_PATH, exclude: Iterable[str] = ()) -> None:
        if texts is None or labels is None:
            texts, labels = training_set(path, exclude=exclude)
        self.pipeline = build_pipeline().fit(texts, labels)
        self.scorer = _LinearScorer(self.pipeline)
        classes = list(self.pipeline.classes_)
        self._none = classes.index("none")
        self._classes = classes
        self.thresholds = thresholds(path)
        self.size = len(texts)

    def score(self, text: Any) -> Score:
        if not isinstance(text, str) or not text.strip():
            return Score(0.0, "self")
        best: tuple[float, Any, str] | None = None
        segments = self.segments(text)
        # A short message is scored whole, then by sentence (segments()), so that place and
        # law words cannot dilute a death wish. A sentence of fewer than SENTENCE_WORDS words
        # counts alone only at the crisis threshold: such fragments ("paste it here", "shes
        # not sick just annoying", "my ex blocked me everywhere") scored at the check level
        # alone, which their whole messages did not (own hostile held-out set, session 7).
        short = len(text) <= 200
        if len(segments) > 1:  # "I live in Marin." is no risk on its own (bot/crisis_place.py)
            from bot.crisis_place import place_only

            segments = [s for s in segments if not place_only(s)] or segments
        for n, segment in enumerate(segments):
            probs = self.scorer.proba(segment)
            risk = 1.0 - float(probs[self._none])
            if (short and n and segment != text and len(segment.split()) < SENTENCE_WORDS
                    and risk < self.thresholds["crisis"]):
                continue
            if best is None or risk > best[0]:
                best = (risk, probs, segment)
        if best is None:  # only sentences below the floor (the whole was a place): score whole
            probs = self.scorer.proba(segments[0])
            best = (1.0 - float(probs[self._none]), probs, segments[0])
        assert best is not None  # segments() gives at least one
        risk, probs, segment = best
        row = [(p, c) for p, c in zip(probs, self._classes) if c != "none"]
        return Score(risk, max(row)[1], segment)

    @staticmethod
    def segments(text: str) -> list[str]:
        """The message when short, else each sentence, so one sentence of crisis in a long
        message is not diluted. Very long messages: sentences grouped to at most 200 scores."""
        text = text[:MAX_CHARS]
        if len(text) <= 200:
            # Also each sentence: "nyc. my mom wont eat, says she wants to be dead. shes on
            # kendras law" scored 0.35 whole (place and law words dilute it), 0.95 alone.
            parts = [p for p in _SEGMENT.split(text) if p.strip()]
            return [text] + parts if len(parts) > 1 else [text]
        parts = [p for p in _SEGMENT.split(text) if p.strip()] or [text]
        if len(parts) > 200:
            size = -(-len(parts) // 200)
            parts = [" ".join(parts[i:i + size]) for i in range(0, len(parts), size)]
        return parts


SENTENCE_WORDS = 6  # a shorter sentence of a short message is scored alone only at the crisis level

_lock = threading.Lock()
_model: Optional[CrisisModel] = None


def get_model() -> CrisisModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = CrisisModel()
    return _model


def reset() -> None:
    global _model
    with _lock:
        _model = None
