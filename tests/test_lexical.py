"""The lexical second opinion (bot/rasa_lexical.py): what it blends, and that it is stored
without pickle."""
from __future__ import annotations

import numpy as np
import pytest

from bot.rasa_lexical import Lexical, blend, model_scores, rankings

TRAIN = [("do i get a lawyer", "ask_lawyer"), ("will someone represent me in court", "ask_lawyer"),
         ("who pays for my attorney", "faq/lawyer_cost_aot"), ("is the lawyer free", "faq/lawyer_cost_aot"),
         ("what is aot", "ask_what_is_aot"), ("explain laura's law", "ask_what_is_aot"),
         ("¿tengo derecho a un abogado?", "ask_lawyer"), ("¿qué es el aot?", "ask_what_is_aot")]


@pytest.fixture(scope="module")
def lexical() -> Lexical:
    return Lexical.fit([t for t, _ in TRAIN], [l for _, l in TRAIN], c=10.0)


def test_it_reads_words_it_was_taught_in_both_languages(lexical):
    assert max(lexical.proba("can i get a lawyer"), key=lexical.proba("can i get a lawyer").get) == "ask_lawyer"
    p = lexical.proba("que es aot")
    assert max(p, key=p.get) == "ask_what_is_aot"
    assert abs(sum(p.values()) - 1) < 1e-9


def test_it_is_stored_as_json_and_arrays_and_loads_without_pickle(lexical, tmp_path):
    lexical.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lexical.json", "lexical.npz"]
    np.load(tmp_path / "lexical.npz", allow_pickle=False)  # raises if anything needs pickle
    again = Lexical.load(tmp_path)
    for text in ("is the lawyer free", "explain aot", "abogado"):
        a, b = lexical.proba(text), again.proba(text)
        assert a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a)


def test_model_scores_split_faq_by_the_selectors_shares():
    parsed = {"intent_ranking": [{"name": "faq", "confidence": 0.6}, {"name": "ask_lawyer", "confidence": 0.4}],
              "response_selector": {"faq": {"ranking": [
                  {"intent_response_key": "faq/lawyer_cost_aot", "confidence": 0.75},
                  {"intent_response_key": "faq/judge_role", "confidence": 0.25}]}}}
    s = model_scores(parsed)
    assert s == pytest.approx({"ask_lawyer": 0.4, "faq/lawyer_cost_aot": 0.45, "faq/judge_role": 0.15})


def test_a_confident_lexical_opinion_can_overturn_the_model_and_the_bank_ranking_follows():
    model = {"ask_lawyer": 0.9, "faq/lawyer_cost_aot": 0.1}
    lexical = {"faq/lawyer_cost_aot": 0.95, "ask_lawyer": 0.05}
    intents, bank = rankings(blend(model, lexical, weight=0.35))
    assert intents[0]["name"] == "faq"  # 0.35*0.1 + 0.65*0.95 = 0.65 > 0.35
    assert bank[0]["intent_response_key"] == "faq/lawyer_cost_aot" and bank[0]["confidence"] == 1.0
    intents, _ = rankings(blend(model, lexical, weight=1.0))  # the model alone
    assert intents[0]["name"] == "ask_lawyer"


def test_a_broad_question_near_many_bank_entries_keeps_its_topic():
    """Twenty entries at 0.03 each must not outweigh the one broad topic at 0.3:
    `faq` counts as its best entry (times bank_weight), not the bank's sum."""
    q = {"ask_how_ordered": 0.3, **{f"faq/entry_{i}": 0.03 for i in range(20)}, "greet": 0.1}
    intents, bank = rankings(q)
    assert intents[0]["name"] == "ask_how_ordered"
    assert sum(i["confidence"] for i in intents) == pytest.approx(1.0)
    assert bank[0]["confidence"] == pytest.approx(1 / 20)  # the bank's shares are unchanged


def test_one_clear_bank_entry_still_wins_over_a_weaker_topic():
    q = {"ask_how_ordered": 0.3, "faq/aot_who_in_hospital_now": 0.34, "faq/judge_role": 0.02}
    intents, bank = rankings(q)
    assert intents[0]["name"] == "faq"  # its best entry, 0.34, beats the topic's 0.3
    assert bank[0]["intent_response_key"] == "faq/aot_who_in_hospital_now"


def test_the_stored_weights_are_read_without_a_copy_per_message(tmp_path):
    """The product x @ W must not copy W (labels x features, ~120 MB in the real model) for
    every message: scipy copies a non-contiguous W. Speed itself: scripts/bench.py."""
    lexical = Lexical.fit(["what is aot", "is the lawyer free", "hola"], ["a", "b", "c"], 10.0)
    lexical.save(tmp_path)
    for model in (lexical, Lexical.load(tmp_path)):
        assert model.coef_t.flags.c_contiguous and model.coef_t.shape[1] == 3
