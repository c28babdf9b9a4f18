"""No held-out question is in the training data (issue #12, point 5).

A held-out figure means something only if the model never saw the question. Every
held-out line (tests/nlu/real/questions.yml, the turns of tests/nlu/real/conversations.yml,
tests/nlu/heldout*.yml, the development sets tests/nlu/dev_es.yml and dev_en.yml, and the
development conversations tests/nlu/dev_conversations.yml) is normalised
(lower case, apostrophes dropped, punctuation and extra spaces removed, Rasa entity markup
unwrapped) and must not equal any normalised training example of data/nlu/**/*.yml
(sub-folders too: the question bank's data/nlu/bank/, in either Rasa example form). The
training data is read only here, by code.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "nlu" / "real"
# Conversation turns this short ("ca", "ny", a ZIP code, "what about New York?") are the
# point of a context test and look like anything anyone types; the same exemption as
# tests/test_real_heldout_shape.py. Every question, whatever its length, is checked.
TURN_MIN_WORDS = 5
# Held-out lines that may also be training examples. Empty: every line found was removed
# from the TRAINING data (the 4 first found, and 22 phrasings the bank's writers had also
# read on the same public pages). The last test fails once a listed line no longer leaks,
# so this list can only shrink.
KNOWN_LEAKS: set[str] = set()


def baselines():
    spec = importlib.util.spec_from_file_location("real_baselines", ROOT / "scripts" / "real_baselines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalise(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})", r"\1", str(text)).lower()
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def heldout_lines(root: Path = ROOT) -> list[tuple[str, str]]:
    """(where, text) for every held-out line."""
    real = root / "tests" / "nlu" / "real"
    out = [("real question", q["text"]) for q in yaml.safe_load((real / "questions.yml").read_text())]
    for conv in yaml.safe_load((real / "conversations.yml").read_text()):
        out += [(f"turn of {conv['id']}", t["text"]) for t in conv["turns"]
                if len(str(t["text"]).split()) >= TURN_MIN_WORDS]
    # The development conversations (tests/nlu/dev_conversations.yml, for the context rules)
    # are kept out of training the same way.
    dev_conversations = root / "tests" / "nlu" / "dev_conversations.yml"
    if dev_conversations.exists():
        for conv in yaml.safe_load(dev_conversations.read_text(encoding="utf-8")):
            out += [(f"dev turn of {conv['id']}", t["text"]) for t in conv["turns"]
                    if len(str(t["text"]).split()) >= TURN_MIN_WORDS]
    read = baselines().example_texts
    # The development sets (tests/nlu/dev_es.yml, dev_en.yml) are kept out of training the same way.
    dev = [p for p in (root / "tests" / "nlu" / f"dev_{lang}.yml" for lang in ("es", "en")) if p.exists()]
    for path in sorted((root / "tests" / "nlu").glob("heldout*.yml")) + dev:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu", []) if isinstance(doc, dict) else []:
            out += [(path.name, t) for t in read(block.get("examples"))]
        rows = doc.get("messages", []) if isinstance(doc, dict) else doc
        out += [(path.name, r["text"]) for r in rows or [] if isinstance(r, dict) and r.get("text")]
    return out


def leaks(root: Path = ROOT) -> list[str]:
    training = {normalise(t) for t, _ in baselines().training_examples(root)}
    return [f"{where}: {text}" for where, text in heldout_lines(root) if normalise(text) in training]


def test_normalise_drops_case_punctuation_apostrophes_and_spaces():
    assert normalise("Can  my MOM ask for Laura's Law??") == normalise("can my mom ask for lauras law")
    assert normalise("does [Fresno](county) have AOT?") == "does fresno have aot"
    assert normalise("can my mom ask") != normalise("can my dad ask")


def test_a_held_out_question_in_the_training_data_is_found(tmp_path):
    """The check can fail: a held-out question copied (re-cased, re-punctuated) into a bank file."""
    (tmp_path / "tests" / "nlu" / "real").mkdir(parents=True)
    (tmp_path / "tests" / "nlu" / "real" / "questions.yml").write_text(
        '- {text: "Is Laura\'s Law still in effect?", key: "x"}\n- {text: "who pays for AOT", key: "x"}\n')
    (tmp_path / "tests" / "nlu" / "real" / "conversations.yml").write_text("[]\n")
    (tmp_path / "data" / "nlu" / "bank").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "bank" / "history.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/still_in_effect\n  examples:\n'
        '  - text: |\n      is lauras law   still in effect\n    metadata:\n      source: "https://example.org"\n')
    assert leaks(tmp_path) == ["real question: Is Laura's Law still in effect?"]


def test_no_held_out_question_is_in_the_training_data():
    found = leaks()
    new = [f for f in found if normalise(f.split(": ", 1)[1]) not in KNOWN_LEAKS]
    assert not new, f"{len(new)} held-out lines are training examples too:\n" + "\n".join(new)


def test_known_leaks_are_still_leaks():
    """A listed leak that was fixed must leave the list, so the list cannot hide a new one."""
    still = {normalise(f.split(": ", 1)[1]) for f in leaks()}
    assert KNOWN_LEAKS <= still, f"no longer leaking, remove from KNOWN_LEAKS: {KNOWN_LEAKS - still}"


def test_every_dev_set_label_is_an_intent_we_have():
    """A typo'd or retired label in the development set would score as a miss that no model can fix."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    topics = yaml.safe_load((ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))
    known = set(domain["intents"]) | {t["intent"] for t in topics["topics"]}
    known |= {t["intent"] for t in topics["tools"].values()}
    known |= {f"faq/{i}" for i in baselines().bank_entries()}
    labels = set()
    for name in ("dev_es.yml", "dev_en.yml"):
        dev = yaml.safe_load((ROOT / "tests" / "nlu" / name).read_text(encoding="utf-8"))
        labels |= {block["intent"] for block in dev["nlu"]}
    assert "faq/no_such_entry" not in known and "ask_what_is_aot" in known
    assert not labels - known, f"labels with no intent: {sorted(labels - known)}"
