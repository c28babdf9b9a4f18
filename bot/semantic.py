"""A third opinion on what a message asks: logistic regression over sentence vectors.

The word model (bot/rasa_lexical.py `Lexical`) knows the words of the training examples;
DIET learns its embeddings from them alone. Neither knows that "shots" are medication or
that "can they make him" asks about forced treatment, unless an example said so. The
pretrained encoder (bot/sentence_encoder.py) does: on the development sets written apart
from the data (tests/nlu/dev_en.yml, dev_es.yml, heldout.yml), this model alone put 0.841
of the questions on the right label, against 0.86 for the two others blended, and the
three blended 0.904 (see config.yml for the weights).

Stored as JSON and NumPy arrays (`allow_pickle=False`), like the word model.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot import sentence_encoder


class Semantic:
    def __init__(self, coef: np.ndarray, intercept: np.ndarray, labels: list[str]) -> None:
        self.coef_t = np.ascontiguousarray(coef.T)  # (384, labels): one product, no copy
        self.intercept, self.labels = intercept, labels

    @classmethod
    def fit(cls, texts: list[str], labels: list[str], c: float) -> "Semantic":
        from sklearn.linear_model import LogisticRegression

        x = sentence_encoder.shared().encode(texts)
        lr = LogisticRegression(C=c, max_iter=2000).fit(x, labels)
        return cls(lr.coef_, lr.intercept_, [str(label) for label in lr.classes_])

    def proba(self, text: str) -> dict[str, float]:
        z = sentence_encoder.shared().encode([text or ""])[0] @ self.coef_t + self.intercept
        z = np.exp(z - z.max())
        return dict(zip(self.labels, (z / z.sum()).tolist()))

    def save(self, path: Path) -> None:
        (path / "semantic.json").write_text(json.dumps({"labels": self.labels}), encoding="utf-8")
        np.savez(path / "semantic.npz", coef=self.coef_t.T, intercept=self.intercept)

    @classmethod
    def load(cls, path: Path) -> "Semantic | None":
        if not (path / "semantic.npz").exists():  # a model trained before this opinion existed
            return None
        meta = json.loads((path / "semantic.json").read_text(encoding="utf-8"))
        arrays = np.load(path / "semantic.npz", allow_pickle=False)
        return cls(arrays["coef"], arrays["intercept"], meta["labels"])
