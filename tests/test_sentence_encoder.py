"""The pretrained sentence encoder (bot/sentence_encoder.py) and the opinion built on it
(bot/semantic.py): the NumPy forward pass gives the reference model's vectors, it knows
paraphrases the word model cannot, and what is stored loads without pickle."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import sentence_encoder
from bot.rasa_lexical import Lexical, blend
from bot.semantic import Semantic

# Vectors from the reference implementation (sentence-transformers 6.2.0 on PyTorch
# 2.13.0 CPU, SentenceTransformer(<the package's model folder>).encode(..., normalize_embeddings=True)),
# for these texts in this order.
REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.npy"
TEXTS = ["can they force my son to take meds", "is my brother allowed to refuse medication on AOT",
         "what is the weather today", "¿Qué es la Ley de Laura?", "x", ""]


@pytest.fixture(scope="module")
def encoder() -> sentence_encoder.SentenceEncoder:
    return sentence_encoder.shared()


def test_it_gives_the_reference_models_vectors(encoder):
    ours = encoder.encode(TEXTS)
    assert np.abs(ours - np.load(REFERENCE, allow_pickle=False)).max() < 1e-4


def test_batches_of_mixed_lengths_give_the_same_vectors_as_one_at_a_time(encoder):
    together = encoder.encode(TEXTS, batch=4)
    alone = np.vstack([encoder.encode([t]) for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-5


def test_a_paraphrase_is_nearer_than_another_subject(encoder):
    shots, refuse, weather = encoder.encode(TEXTS[:3])
    assert shots @ refuse > 0.5 > 0.1 > shots @ weather


def test_odd_input_gives_a_unit_vector_not_a_crash(encoder):
    odd = ["", " ", "🙂🙂🙂", "a" * 5000, "\x00\x01", "؟ ما هو"]
    vectors = encoder.encode(odd)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


TRAIN = [("can they force me to take my meds", "ask_medication"),
         ("do i have to take the medicine the doctor gives", "ask_medication"),
         ("will i get a lawyer", "ask_lawyer"), ("who represents me at the hearing", "ask_lawyer"),
         ("what is assisted outpatient treatment", "ask_what_is_aot"),
         ("explain aot to me", "ask_what_is_aot")]


@pytest.fixture(scope="module")
def semantic() -> Semantic:
    return Semantic.fit([t for t, _ in TRAIN], [label for _, label in TRAIN], c=10.0)


def test_it_knows_a_paraphrase_with_no_word_in_common(semantic):
    """"injections" and "shots" appear in no example; the word model cannot know them."""
    p = semantic.proba("are the shots mandatory")
    assert max(p, key=p.get) == "ask_medication"
    lexical = Lexical.fit([t for t, _ in TRAIN], [label for _, label in TRAIN], c=10.0)
    both = blend({}, lexical.proba("are the shots mandatory"), 0.0, p, 0.5)
    assert max(both, key=both.get) == "ask_medication"


def test_it_is_stored_as_json_and_arrays_and_loads_without_pickle(semantic, tmp_path):
    semantic.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["semantic.json", "semantic.npz"]
    np.load(tmp_path / "semantic.npz", allow_pickle=False)
    again = Semantic.load(tmp_path)
    a, b = semantic.proba("do i get an attorney"), again.proba("do i get an attorney")
    assert a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a)


def test_a_model_stored_before_the_encoder_existed_loads_without_it(tmp_path):
    assert Semantic.load(tmp_path) is None


def test_blend_weights_the_three_opinions():
    q = blend({"a": 1.0}, {"b": 1.0}, 0.15, {"c": 1.0}, 0.2)
    assert q == pytest.approx({"a": 0.15, "b": 0.65, "c": 0.2})
    # without the encoder's opinion, the words take its share
    assert blend({"a": 1.0}, {"b": 1.0}, 0.15, None, 0.2) == pytest.approx({"a": 0.15, "b": 0.85})
