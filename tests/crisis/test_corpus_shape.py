"""Shape checks for the independent crisis corpora (issue 9).

These tests only look at the corpus files; they must never import the detector,
so the corpora stay an outside measure of it.
"""
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent
FAMILIES = {
    "suicide_direct", "suicide_passive", "suicide_plan_means", "goodbye_final",
    "hopeless_court", "self_harm", "overdose_medical", "danger_others_now",
    "violence_to_me",
}
KINDS = {
    "legal_criteria", "past_history", "idioms", "news_and_policy",
    "medication_questions", "ordinary_aot", "angry",
}
# file -> (min crisis, min near misses, min per family)
MINIMUMS = {
    "corpus_dev.yml": (520, 1000, 30),
    "corpus_heldout.yml": (200, 400, 15),
}


def _norm(text):
    return re.sub(r"\s+", " ", text.strip().lower())


def _load(name):
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(MINIMUMS))
def corpus(request):
    return request.param, _load(request.param)


def test_sections_and_counts(corpus):
    name, data = corpus
    min_crisis, min_near, _ = MINIMUMS[name]
    assert set(data) == {"crisis", "near_miss"}
    assert len(data["crisis"]) >= min_crisis
    assert len(data["near_miss"]) >= min_near


def test_entry_keys_and_values(corpus):
    _, data = corpus
    for entry in data["crisis"]:
        assert set(entry) == {"text", "family", "lang"}, entry
        assert entry["family"] in FAMILIES, entry
    for entry in data["near_miss"]:
        assert set(entry) == {"text", "kind", "lang"}, entry
        assert entry["kind"] in KINDS, entry
    for entry in data["crisis"] + data["near_miss"]:
        assert entry["lang"] in {"en", "es"}, entry
        assert isinstance(entry["text"], str) and entry["text"].strip(), entry
        assert "\n" not in entry["text"], entry


def test_every_family_and_kind_covered(corpus):
    name, data = corpus
    per_family = Counter(e["family"] for e in data["crisis"])
    assert set(per_family) == FAMILIES
    assert min(per_family.values()) >= MINIMUMS[name][2], per_family
    assert set(Counter(e["kind"] for e in data["near_miss"])) == KINDS
    spanish_families = {e["family"] for e in data["crisis"] if e["lang"] == "es"}
    assert spanish_families == FAMILIES


@pytest.mark.parametrize("section", ["crisis", "near_miss"])
def test_spanish_share_about_a_fifth(corpus, section):
    _, data = corpus
    entries = data[section]
    share = sum(e["lang"] == "es" for e in entries) / len(entries)
    assert 0.15 <= share <= 0.30, share


def test_no_duplicates_within_a_file(corpus):
    _, data = corpus
    texts = [_norm(e["text"]) for e in data["crisis"] + data["near_miss"]]
    dupes = [t for t, n in Counter(texts).items() if n > 1]
    assert not dupes


def test_no_message_shared_between_dev_and_heldout():
    def texts(name):
        data = _load(name)
        return {_norm(e["text"]) for e in data["crisis"] + data["near_miss"]}
    assert not texts("corpus_dev.yml") & texts("corpus_heldout.yml")


def test_does_not_depend_on_the_detector():
    source = Path(__file__).read_text(encoding="utf-8")
    forbidden = ["import " + "bot", "from " + "bot", "crisis" + "_patterns"]
    assert not any(word in source for word in forbidden)
