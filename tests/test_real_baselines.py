"""The baselines and menu scoring of scripts/evaluate_real.py (issue #12, point 5), on a
tiny fixture: they work before the question bank exists and once it does (a fake entry
`faq/fake_mhls_fee` in content/bank/ and data/nlu/bank/, in both Rasa example forms).
No Rasa model is loaded; the assistant's actions and spaCy entity rules run in-process."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rb = module("real_baselines")
LAWYER = ["do i get a lawyer", "will someone defend me in court", "can i have an attorney at the hearing",
          "who is my lawyer for aot", "is there free legal help for the hearing"]
MEDS = ["can they force me to take pills", "do i have to take my medication", "will they make me take meds",
        "can aot force medication", "what if i refuse my medicine"]
BANK_EXAMPLES = ["does mhls charge money", "is mental hygiene legal service free", "how much does mhls cost",
                 "do i pay mhls for helping my son", "mhls fee for kendras law hearing"]
BANK_CONTENT = """category: fake
title: "Fake"
entries:
  - id: fake_mhls_fee
    question: "Does MHLS charge a fee?"
    last_reviewed: 2026-11-29
    answers:
      NY:
        messages:
          - "Zebra fact for New York. Call {{ contacts.ny_mhls.phone }}."
        sms: "Zebra fact."
        citation: "N.Y. Mental Hygiene Law § 9.60"
        source: drc_7173
      CA:
        messages:
          - "Okapi fact for California."
        sms: "Okapi fact."
        citation: "Welf. & Inst. Code § 5346"
        source: [drc_7173, not_yet_in_sources]
"""


def write_data(root: Path, bank: bool) -> None:
    (root / "data" / "nlu").mkdir(parents=True)
    blocks = [("ask_lawyer", LAWYER), ("ask_medication", MEDS)]
    text = 'version: "3.1"\nnlu:\n' + "".join(
        f"- intent: {i}\n  examples: |\n" + "".join(f"    - {e}\n" for e in ex) for i, ex in blocks)
    (root / "data" / "nlu" / "topics.yml").write_text(text)
    if not bank:
        return
    (root / "data" / "nlu" / "bank").mkdir()
    (root / "data" / "nlu" / "bank" / "fake.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/fake_mhls_fee\n  examples: |\n'
        + "".join(f"    - {e}\n" for e in BANK_EXAMPLES[:3])
        + "- intent: faq/fake_mhls_fee\n  examples:\n"
        + "".join(f"  - text: |\n      {e}\n    metadata:\n      source: \"https://example.org\"\n"
                  for e in BANK_EXAMPLES[3:]))
    (root / "content" / "bank").mkdir(parents=True)
    (root / "content" / "bank" / "fake.yml").write_text(BANK_CONTENT)


def test_without_a_bank_there_are_no_faq_labels(tmp_path):
    write_data(tmp_path, bank=False)
    train = rb.training_examples(tmp_path)
    assert {lab for _, lab in train} == {"ask_lawyer", "ask_medication"}
    assert not [lab for lab, _ in rb.answer_documents(train, tmp_path) if lab.startswith("faq/")]
    model = rb.TfidfLogReg(train)
    assert rb.predict_label(model.rank(["can they make me take my pills"])[0]) == "ask_medication"


def test_bank_entries_are_labels_documents_and_replies(tmp_path):
    write_data(tmp_path, bank=True)
    train = rb.training_examples(tmp_path)
    assert sum(lab == "faq/fake_mhls_fee" for _, lab in train) == 5  # both example forms read
    assert ("mhls fee for kendras law hearing", "faq/fake_mhls_fee") in train
    question = "does mhls cost money for my brother"
    assert rb.predict_label(rb.TfidfLogReg(train).rank([question])[0]) == "faq/fake_mhls_fee"
    bm25 = rb.BM25Answers(rb.answer_documents(train, tmp_path))
    assert rb.predict_label(bm25.rank([question])[0]) == "faq/fake_mhls_fee"
    assert bm25.rank(["qwertyuiop"]) == [[]]  # no word in common: no answer, not a guess


def test_a_bank_guess_gets_the_assistants_own_bank_reply():
    """A faq/<id> guess runs action_answer_bank, as the menu button for that entry does."""
    from bot.content import load

    c = load()
    entry = next(i for i, by_state in c.topics.items()
                 if {"CA", "NY"} <= set(by_state) and next(iter(by_state.values())).is_bank)
    ny_first = c.render_text(c.topic(entry, "NY").messages[0])
    ca_first = c.render_text(c.topic(entry, "CA").messages[0])
    ny = rb.reply_for(f"faq/{entry}", "a question", "NY")
    assert rb.ASKS_STATE in ny and ny_first in ny  # asked which state, then answered for NY
    named = rb.reply_for(f"faq/{entry}", "a question under laura's law", "NY")
    assert ca_first in named and rb.ASKS_STATE not in named  # the state the question names wins
    assert rb.reply_for("faq/no_such_entry", "x", "CA") == ""


def test_a_broad_guess_gets_the_assistants_own_reply():
    from bot.content import load

    lawyer = load().topic("lawyer", "NY")
    reply = rb.reply_for("ask_lawyer", "do i get a lawyer under kendra's law", "NY")
    assert load().render_text(lawyer.messages[0]) in reply
    unsure = rb.reply_for("ask_lawyer", "do i get a lawyer", None)
    assert rb.ASKS_STATE in unsure and load().render_text(load().topic("lawyer", "CA").messages[0]) in unsure
    assert rb.reply_for("nlu_fallback", "zzz", None)  # no guess: the assistant's "say it another way"


er = module("evaluate_real")


def test_menu_options_are_read_from_the_rest_buttons_in_order():
    reply = [{"text": "I want to be sure I answer the right question. Did you mean one of these?",
              "buttons": [{"title": "A", "payload": "/ask_lawyer"}, {"title": "B", "payload": "/faq/x_y"},
                          {"title": "C", "payload": '/inform_county{"county": "CA:Fresno"}'},
                          {"title": "Something else", "payload": "/out_of_scope"}]}]
    assert er.menu_labels(reply) == ["ask_lawyer", "faq/x_y", "inform_county"]
    assert er.menu_labels([{"text": "Do I get a lawyer?", "buttons": reply[0]["buttons"]}]) == []


def test_menu_right_and_first():
    import re

    from bot.content import load

    key = re.escape(load().render_text(load().topic("lawyer", "NY").messages[0]))  # only the lawyer answer
    qs = [{"text": "do i get a lawyer", "state": "NY", "key": key, "options": ["ask_medication", "ask_lawyer"]},
          {"text": "do i get a lawyer", "state": "NY", "key": key, "options": ["ask_lawyer"]},
          {"text": "do i get a lawyer", "state": "NY", "key": key, "options": ["ask_medication"]}]
    er.score_menus(qs)
    assert [(q["menu_in"], q["menu_first"]) for q in qs] == [(True, False), (True, True), (False, False)]


def test_section_is_replaced_in_evaluation_md_and_kept_by_evaluate(tmp_path):
    path = tmp_path / "evaluation.md"
    path.write_text("# Evaluation\n\n## Answers end to end\nx\n\n## Plain language\ny\n")
    er.write_section(path, f"{er.REAL_BEGIN}\nfirst\n{er.REAL_END}\n")
    er.write_section(path, f"{er.REAL_BEGIN}\nsecond\n{er.REAL_END}\n")
    text = path.read_text()
    assert "second" in text and "first" not in text and text.count(er.REAL_BEGIN) == 1
    assert text.index("second") < text.index("## Plain language")
    assert module("evaluate").kept_real_section(path)[1] == f"{er.REAL_BEGIN}\nsecond\n{er.REAL_END}"


def test_training_time_is_read_from_train_record(tmp_path, monkeypatch):
    assert er.TRAIN_RECORD == module("train").RECORD  # where train.py writes, evaluate_real reads
    record = tmp_path / "aot.train.json"
    monkeypatch.setattr(er, "TRAIN_RECORD", record)
    assert "not recorded" in er.training_time()
    record.write_text(json.dumps({"seconds": 421.4, "epochs": {"DIETClassifier": 60},
                                  "finished": "2026-11-29T18:00:00+00:00", "machine": "2 cores"}))
    assert er.training_time().startswith("421 s") and "DIETClassifier 60" in er.training_time()


@pytest.mark.parametrize("text", ["", "   ", "?!"])
def test_blank_questions_do_not_crash_the_baselines(text, tmp_path):
    write_data(tmp_path, bank=True)
    train = rb.training_examples(tmp_path)
    assert rb.BM25Answers(rb.answer_documents(train, tmp_path)).rank([text]) == [[]]
    assert rb.predict_label([]) == "nlu_fallback"


def test_report_puts_baselines_beside_the_assistant_per_category():
    qs = [{"text": "a", "topic": "lawyer", "state": "CA", "voice": "family", "key": "x", "ok": True,
           "menu": False},
          {"text": "b", "topic": "new:history", "state": "NY", "voice": "other", "key": "x", "ok": False,
           "menu": True, "menu_in": True, "menu_first": False, "src": "https://example.org"}]
    base = {"TF-IDF + logistic regression": [False, True], "BM25 over the answers": [False, False]}
    info = {"examples": 10, "intents": 3, "bank": 1, "documents": 4, "seconds": 1.0, "replayed": [True, True]}
    text = er.report(qs, [{"id": "zip_then_x", "turns": [True, False], "ok": False}], 5.0, base, info)
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    assert rows["| questions answered right"].count("0.500 (1 of 2)") == 2  # assistant and TF-IDF
    assert rows["| lawyer"].split(" | ")[1:4] == ["1.000 (1 of 1)", "0.000 (0 of 1)", "0.000 (0 of 1)"]
    assert rows["| (specific, `new:`)"].endswith("1.000 (1 of 1) | 1.000 (1 of 1) | 0.000 (0 of 1) |")
    assert rows["| ... right answer among the menu's options"].endswith("1.000 (1 of 1) |")
    assert rows["| zip_then"].startswith("| zip_then | 0.000 (0 of 1) | 0.500 (1 of 2)")
    assert rows["| check: the assistant's own parses through the baselines' reply path"].endswith("(2 of 2) |")
    assert "NOT met" in text and text.startswith(er.REAL_BEGIN) and text.rstrip().endswith(er.REAL_END)
