"""How well the assistant understands people, and how plain its answers are.

Writes reports/evaluation.md (+ PNG plots) and prints a summary:
  * held-out intent accuracy and macro F1 (tests/nlu/heldout*.yml, never trained on),
    per-intent table, commonest confusions; also counting a general question and
    its guided tool as one (bot/nlu_examples.RELATED), reported beside the strict figure;
  * two baselines on the same questions in the same run: keyword matching
    (keywords chosen from the training data by chi-squared) and TF-IDF retrieval
    over content/ (nearest answer text);
  * optional k-fold cross-validation on the training data (`--cv 5`, slow: it trains k times);
  * every answer's reading grade (textstat Flesch-Kincaid), words, sentences, SMS segments,
    including what the guided tools say;
  * with --e2e: answer correctness end to end. Each held-out question goes to a
    running assistant (real HTTP), and the reply must hold the key fact of its
    label (tests/nlu/key_facts.yml);
  * off-topic and hostile held-out sets (tests/nlu/heldout_offtopic.yml,
    heldout_hostile.yml, when they exist; issue 9): accuracy per set and per
    subject/kind, by predicted intent and, with --e2e, by the reply; and, with
    --e2e, how many non-crisis replies carry 988/911.

Usage: python scripts/evaluate.py [--quick] [--cv K] [--e2e] [--out reports]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # Rasa logs message text at debug level

from bot import nlu_examples  # noqa: E402
from bot.content import load  # noqa: E402

MODEL = ROOT / "models" / "aot.tar.gz"
GRADE_LIMIT = 8.0


# ---- predictions -----------------------------------------------------------
def model_predictions(texts: list[str]) -> list[str]:
    return [p["intent"]["name"] for p in model_parses(texts)]


def model_parses(texts: list[str]) -> list[dict]:
    """The model's whole parse of each text (intent, ranking, entities)."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # in-process Rasa would print every message at debug level

    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    out = [loop.run_until_complete(agent.parse_message(t)) for t in texts]
    loop.close()
    return out


def keyword_baseline(train: list[tuple[str, str]], texts: list[str], per_intent: int = 12) -> list[str]:
    """Each intent's most telling words (chi-squared on the training data); most hits wins."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.feature_selection import chi2

    vec = CountVectorizer(binary=True, token_pattern=r"[a-z0-9']+")
    x = vec.fit_transform([t.lower() for t, _ in train])
    vocab = np.array(vec.get_feature_names_out())
    labels = np.array([i for _, i in train])
    keywords = {}
    for intent in sorted(set(labels)):
        scores, _ = chi2(x, labels == intent)
        keywords[intent] = set(vocab[np.argsort(np.nan_to_num(scores))[::-1][:per_intent]])
    preds = []
    for text in texts:
        words = set(vec.build_analyzer()(text.lower()))
        hits = {i: len(words & k) for i, k in keywords.items()}
        best = max(hits.values())
        winners = [i for i, h in hits.items() if h == best]
        preds.append(winners[0] if best > 0 and len(winners) == 1 else "nlu_fallback")
    return preds


def retrieval_baseline(texts: list[str]) -> list[str]:
    """Nearest piece of content/ by TF-IDF cosine; its intent is the prediction."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    c = load()
    docs, labels = [], []
    for by_state in c.topics.values():
        for t in by_state.values():
            docs.append(t.title + " " + " ".join(c.render_topic(t)[i]["text"] for i in range(len(t.messages))))
            labels.append(t.intent)
    for term in c.glossary["terms"]:
        docs.append(f"what does {term['term']} mean {term['meaning']}")
        labels.append("ask_glossary")
    for key in ("greet", "thank", "goodbye", "crisis", "out_of_scope", "bot_challenge", "start_over"):
        ctx = dict(county="x", name="x", text="x", place="x", source="x", as_of="x", state_name="x", terms=[])
        docs.append(" ".join(m["text"] for m in c.render_dialogue(key, **ctx)))
        labels.append(key)
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")
    d = vec.fit_transform(docs)
    q = vec.transform(texts)
    sims = (q @ d.T).toarray()
    return [labels[int(row.argmax())] if row.max() > 0 else "nlu_fallback" for row in sims]


# ---- metrics ---------------------------------------------------------------
def scores(truth: list[str], pred: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(truth))
    p, r, f, n = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return {
        "accuracy": accuracy_score(truth, pred),
        "macro_f1": f1_score(truth, pred, labels=labels, average="macro", zero_division=0),
        "per_intent": {lab: (p[i], r[i], f[i], int(n[i])) for i, lab in enumerate(labels)},
        "confusions": collections.Counter((t, q) for t, q in zip(truth, pred) if t != q).most_common(10),
    }


def cross_validation(folds: int, out: Path) -> str:
    """Rasa's own k-fold cross-validation on the training data (trains k models). The derived
    domain (scripts/build_rasa.py) holds the bank's responses the ResponseSelector needs."""
    from scripts import build_rasa

    build_rasa.build()
    subprocess.run(
        [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data/nlu", "--domain",
         str(build_rasa.paths.RASA_DOMAIN), "--cross-validation", "-f", str(folds),
         "--out", str(out / "cv")], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "LOG_LEVEL": "INFO"})
    (out / "cv" / "folds.txt").write_text(str(folds))
    return cv_summary(out / "cv", folds)


def cv_summary(cv_dir: Path, folds: int | None = None) -> str:
    """The pooled test-fold figures Rasa writes to cv/intent_report.json."""
    path = cv_dir / "intent_report.json"
    if folds is None and (cv_dir / "folds.txt").exists():
        folds = int((cv_dir / "folds.txt").read_text())
    if not path.exists():
        return "cross-validation failed: no intent_report.json"
    report = yaml.safe_load(path.read_text())  # JSON is YAML
    n = report["macro avg"]["support"]
    fallback = sum(1 for e in yaml.safe_load((cv_dir / "intent_errors.json").read_text())
                   if (e.get("intent_prediction") or {}).get("name") == "nlu_fallback") \
        if (cv_dir / "intent_errors.json").exists() else None
    lines = [f"{folds or '?'}-fold cross-validation, test folds pooled ({n} training examples, each "
             f"predicted by a model that did not train on it):",
             f"accuracy {report['accuracy']:.3f}, macro F1 {report['macro avg']['f1-score']:.3f}, "
             f"weighted F1 {report['weighted avg']['f1-score']:.3f}"]
    if fallback:
        lines.append(f"of the misses, {fallback} were a clarifying question (nlu_fallback)")
    lines.append("Lower than on the held-out set, likely because each fold trains on 80% of a small "
                 "set in which many examples are deliberately long and rambling.")
    return "\n".join(lines)


def machine_description() -> str:
    """CPU model, cores, memory and Python: the machine the numbers come from."""
    cpu, mem = "unknown CPU", ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        kb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {sys.version.split()[0]}"


def related_accuracy(truth: list[str], pred: list[str]) -> float:
    return sum(nlu_examples.same_or_related(t, p) for t, p in zip(truth, pred)) / len(truth)


# ---- answers end to end -------------------------------------------------------
KEY_FACTS = ROOT / "tests" / "nlu" / "key_facts.yml"


def state_for(question: str) -> str:
    q = question.lower()
    return "New York" if any(w in q for w in ("new york", "kendra", " ny", "nyc", "brooklyn")) else "California"


def ask_running_assistant(questions: list[str], follow_state: bool = True) -> list[str]:
    """Each question, in a new conversation, through the running Rasa + action server.
    A "which state?" reply is answered with the state the question names (follow_state)."""
    import tempfile
    import uuid

    import httpx

    from bot.stack import Ports, Stack

    tmp = Path(tempfile.mkdtemp(prefix="aot-eval-"))
    stack = Stack(ports=Ports(rasa=15305, actions=15355, web=18300), tracker_db=tmp / "trackers.db",
                  web=False, log_dir=tmp, extra_env={"RATE_LIMIT": "0"}).start()
    replies = []
    try:
        stack.wait_ready(timeout=300)
        url = f"{stack.ports.rasa_url}/webhooks/rest/webhook"
        with httpx.Client(timeout=30) as client:
            def say(sender: str, text: str) -> str:
                reply = client.post(url, json={"sender": sender, "message": text}).json()
                return " ".join(m.get("text") or "" for m in reply)

            for question in questions:
                sender = f"eval-{uuid.uuid4().hex[:10]}"
                text = say(sender, question)
                if follow_state and "California or New York" in text:
                    text += " " + say(sender, state_for(question))
                replies.append(text)
    finally:
        stack.stop()
    return replies


def end_to_end(heldout: list[tuple[str, str]], replies: list[str]) -> dict:
    """Each held-out question's reply must hold the key fact of its label."""
    import re

    facts = yaml.safe_load(KEY_FACTS.read_text())
    results = []
    for (question, label), text in zip(heldout, replies):
        pattern = facts.get("questions", {}).get(question, facts[label])
        results.append((question, label, bool(re.search(pattern, text, re.IGNORECASE)), text))
    by_intent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for _, label, ok, _ in results:
        by_intent[label][0] += ok
        by_intent[label][1] += 1
    return {"correct": sum(r[2] for r in results) / len(results), "n": len(results),
            "by_intent": dict(by_intent), "failures": [r for r in results if not r[2]]}


# ---- off-topic and hostile held-out sets (issue 9) ---------------------------
OFF_TOPIC_REPLIES = {"hostile", "out_of_scope"}  # an injection is right when it gets one of these


def intent_right(want: str, got: str) -> bool:
    return got in OFF_TOPIC_REPLIES if want == "injection" else got == want


def aot_markers() -> list[str]:
    """Lines that only an AOT answer, a guided tool or the "did you mean" menu sends."""
    c = load()
    lines = [c.render_topic(t)[0]["text"] for by_state in c.topics.values() for t in by_state.values()]
    lines += [c.render_dialogue(k)[0]["text"] for k in ("clarify", "ask_state", "menu")]
    tools = c.tools
    lines += [tools["hearing"]["intro"], tools["timeline"]["intro"], tools["eligibility"]["ask_who"],
              tools["common"]["ask_state"]]
    return [line for line in lines if isinstance(line, str)]


def reply_right(want: str, reply: str, facts: dict, markers: list[str]) -> bool:
    """The reply holds its label's key fact and no AOT answer, tool or menu."""
    import re

    pattern = facts.get(want)
    return bool(pattern and re.search(pattern, reply, re.IGNORECASE)) and not any(m in reply for m in markers)


def subject_first_line(subject: str) -> str | None:
    from bot import off_topic

    if subject not in off_topic.offtopic()["subjects"]:
        return None
    return off_topic.render_subject(subject)[0]["text"]


def tally(rows: list[tuple[str, bool]]) -> dict[str, list[int]]:
    """{group: [right, n]} from (group, right) rows, with "all" first."""
    out: dict[str, list[int]] = {"all": [0, 0]}
    for group, ok in rows:
        for key in ("all", group):
            out.setdefault(key, [0, 0])
            out[key][0] += ok
            out[key][1] += 1
    return out


def chosen_reply(parse: dict) -> str:
    """The intent whose reply the person gets: the prediction, or after a clarifying
    question, the off-topic/hostile/misuse guess actions/clarify.py acts on."""
    from rasa_sdk import Tracker

    from actions.clarify import off_topic_guess

    name = (parse.get("intent") or {}).get("name") or ""
    if name != "nlu_fallback":
        return name
    return off_topic_guess(Tracker("eval", {}, parse, [], False, None, {}, "action_listen")) or name


def offtopic_scores(items: list, preds: list[str], replies: list[str] | None = None,
                    chosen: list[str] | None = None) -> dict:
    """Per set: intent right (NLU), the reply chosen after a clarifying guess, subject
    routed (off-topic subjects), and reply right (e2e)."""
    from bot import off_topic

    nlu = tally([(i.group, intent_right(i.intent, p)) for i, p in zip(items, preds)])
    by_label = tally([(i.intent, intent_right(i.intent, p)) for i, p in zip(items, preds)])
    subject_items = [i for i in items if i.intent == "out_of_scope" and subject_first_line(i.group)]
    routed = tally([(i.group, off_topic.pick_subject(i.text) == i.group) for i in subject_items])
    result = {"nlu": nlu, "by_label": by_label, "routed": routed if subject_items else {},
              "chosen": tally([(i.group, intent_right(i.intent, c)) for i, c in zip(items, chosen)]) if chosen else {},
              "misses": [(i.text, i.intent, i.group, p) for i, p in zip(items, preds)
                         if not intent_right(i.intent, p)][:10]}
    if replies is not None:
        facts, markers = yaml.safe_load(KEY_FACTS.read_text()), aot_markers()
        rows, subj = [], []
        for i, reply in zip(items, replies):
            rows.append((i.group, reply_right(i.intent, reply, facts, markers)))
            first = subject_first_line(i.group) if i.intent == "out_of_scope" else None
            if first:
                subj.append((i.group, first in reply))
        result["e2e"] = tally(rows)
        result["e2e_subject"] = tally(subj) if subj else {}
    return result


CRISIS_NUMBER = r"(?<!\d)(988|911)(?!\d)"


def crisis_numbers_in_content() -> list[str]:
    """Which of the assistant's own lines and answers (other than the crisis reply) carry
    988/911: read from the templates, so no line needs its context to be checked."""
    import re

    c = load()
    carries = re.compile(CRISIS_NUMBER + r"|contacts\.(crisis_988|emergency_911)")
    found = [f"dialogue:{k}" for k, entry in c.dialogue.items()
             if k != "crisis" and carries.search(" ".join(entry.get("messages", [])))]
    found += [f"{t.state}:{t.id}" for by_state in c.topics.values() for t in by_state.values()
              if carries.search(" ".join(t.messages))]
    return found


def crisis_numbers_in_replies(labels: list[str], replies: list[str]) -> dict:
    """How many non-crisis replies carry 988 or 911, and for which labels (issue 9)."""
    import re

    pattern = re.compile(CRISIS_NUMBER)
    rows = [(lab, bool(pattern.search(r))) for lab, r in zip(labels, replies) if lab != "crisis"]
    by_label = collections.Counter(lab for lab, hit in rows if hit)
    return {"with": sum(hit for _, hit in rows), "n": len(rows), "by_label": dict(by_label.most_common())}


# ---- plain language ---------------------------------------------------------
def sms_segments(text: str) -> int:
    from bot.web.sms import segments  # the one way SMS parts are counted

    return segments(text)


def readability() -> list[dict]:
    import textstat

    c = load()
    rows = []
    for by_state in c.topics.values():
        for t in by_state.values():
            msgs = [m["text"] for m in c.render_topic(t)[:-1]]
            text = " ".join(msgs)
            rows.append({"answer": f"{t.state}:{t.id}", "grade": textstat.flesch_kincaid_grade(text),
                         "words": textstat.lexicon_count(text), "sentences": textstat.sentence_count(text),
                         "sms_segments": sum(sms_segments(m) for m in msgs)})
    from bot.tools.samples import tool_outputs

    for name, msgs in tool_outputs().items():
        text = " ".join(msgs)
        rows.append({"answer": f"tool:{name}", "grade": textstat.flesch_kincaid_grade(text),
                     "words": textstat.lexicon_count(text), "sentences": textstat.sentence_count(text),
                     "sms_segments": sum(sms_segments(m) for m in msgs)})
    return sorted(rows, key=lambda r: -r["grade"])


def readability_es() -> list[dict]:
    """The Spanish twins' reading level: Crawford's formula, made for Spanish, gives years of
    schooling (textstat; Flesch-Kincaid counts English syllables and does not apply)."""
    import textstat

    c = load("es")
    rows = []
    textstat.set_lang("es")
    try:
        for by_state in c.topics.values():
            for t in by_state.values():
                text = " ".join(m["text"] for m in c.render_topic(t)[:-1])
                rows.append({"answer": f"{t.state}:{t.id}", "grade": textstat.crawford(text),
                             "ease": textstat.fernandez_huerta(text)})
    finally:
        textstat.set_lang("en_US")
    return sorted(rows, key=lambda r: -r["grade"])


def spanish_plain_language(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    grades = [r["grade"] for r in rows]
    over = [r for r in rows if r["grade"] > GRADE_LIMIT]
    return ["", "### In Spanish", "",
            f"Answers: {len(rows)} (the Spanish twins, content/es/). Reading level (Crawford, years of "
            f"schooling, textstat): max {max(grades):.1f}, median {statistics.median(grades):.1f}; "
            f"Fernandez-Huerta ease median {statistics.median(r['ease'] for r in rows):.0f} (60-70 is "
            f"'normal', higher is easier). Above {GRADE_LIMIT:.0f} years: {len(over)}"
            + (": " + ", ".join(r["answer"] for r in over[:20]) + (" ..." if len(over) > 20 else "") if over else ".")]


# ---- report ----------------------------------------------------------------
def plot(results: dict, model_scores: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    labels = [n.replace(" over ", "\nover ").replace(" baseline", "\nbaseline") for n in names]
    ax.bar(labels, [results[n]["accuracy"] for n in names], color=["#2b6", "#999", "#bbb"][: len(names)])
    ax.set_ylim(0, 1)
    ax.set_ylabel("held-out accuracy")
    ax.set_title("Assistant vs baselines (same questions, same run)")
    fig.tight_layout()
    fig.savefig(out / "accuracy.png", dpi=120)
    per = model_scores["per_intent"]
    fig, ax = plt.subplots(figsize=(7, 8))
    intents = sorted(per, key=lambda i: per[i][2])
    ax.barh(intents, [per[i][2] for i in intents], color="#2b6")
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1 on held-out questions")
    fig.tight_layout()
    fig.savefig(out / "per_intent_f1.png", dpi=120)
    plt.close("all")
    return ["accuracy.png", "per_intent_f1.png"]


def pct(right_n: list[int]) -> str:
    right, n = right_n
    return f"{right}/{n} ({right / n:.0%})" if n else "-"


def offtopic_section(off: dict[str, dict], numbers: dict | None) -> list[str]:
    """Off-topic and hostile held-out figures (issue 9), and 988/911 in non-crisis replies."""
    lines = ["", "## Off-topic, hostile and manipulative messages (held-out)", "",
             "tests/nlu/heldout_offtopic.yml and heldout_hostile.yml, written apart from the training data.",
             "Intent: the predicted intent is the label (`injection` is right when predicted hostile or",
             "out_of_scope; a clarifying question, nlu_fallback, counts as a miss even though",
             "actions/clarify.py then gives the off-topic or hostile reply when that was the best guess).",
             "Reply chosen: the same, after that clarifying guess (no servers; the rules map each intent to one reply).",
             "Subject routed: the off-topic reply the action picks from the words (content/offtopic.yml).",
             "End to end (--e2e): the reply holds the label's key fact (tests/nlu/key_facts.yml) and no AOT",
             "answer, guided tool or \"did you mean\" menu; for off-topic, also the subject's own reply.", ""]
    if not off:
        lines += ["The held-out sets are not in tests/nlu/ yet: no figures.", ""]
    for name, r in off.items():
        cols = ["intent"] + (["reply chosen"] if r.get("chosen") else []) + \
            (["subject routed"] if r["routed"] else []) + \
            (["reply end to end"] if "e2e" in r else []) + (["subject reply end to end"] if r.get("e2e_subject") else [])
        lines += [f"### {name}: intent right {pct(r['nlu']['all'])}", "",
                  "| subject or kind | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        for group in sorted(r["nlu"], key=lambda g: (g != "all", g)):
            cells = [pct(r["nlu"][group])]
            if r.get("chosen"):
                cells.append(pct(r["chosen"].get(group, [0, 0])))
            if r["routed"]:
                cells.append(pct(r["routed"].get(group, [0, 0])))
            if "e2e" in r:
                cells.append(pct(r["e2e"].get(group, [0, 0])))
            if r.get("e2e_subject"):
                cells.append(pct(r["e2e_subject"].get(group, [0, 0])))
            lines.append(f"| {group} | " + " | ".join(cells) + " |")
        lines += ["", "By label: " + ", ".join(f"{k} {pct(v)}" for k, v in r["by_label"].items() if k != "all")]
        if r["misses"]:
            lines += ["", "First intent misses (text, label, subject/kind, predicted):", ""]
            lines += [f"- \"{t}\" ({lab}, {g}) -> {p}" for t, lab, g, p in r["misses"]]
        lines.append("")
    if numbers:
        lines += ["### 988/911 in replies that are not crisis replies", "",
                  f"{numbers['with']} of {numbers['n']} non-crisis held-out questions got a reply that carries "
                  f"988 or 911 (end to end)." + (" By label: " + ", ".join(
                      f"{k} {v}" for k, v in numbers["by_label"].items()) + "." if numbers["by_label"] else ""),
                  "Some are meant (the goodbye line keeps 988 in view); the rest are noise to review.", ""]
    lines += ["Lines in content/ other than the crisis reply that carry 988/911 (whether or not a held-out "
              "question reaches them): " + (", ".join(crisis_numbers_in_content()) or "none") + ".", ""]
    return lines


def kept_real_section(path: Path) -> list[str]:
    """The independent real-question sections scripts/evaluate_real.py and
    scripts/evaluate_spanish.py wrote into this report (between their markers): kept, so
    the report stays the one place."""
    import re

    text = path.read_text(encoding="utf-8") if path.exists() else ""
    out = []
    for begin, end in (("REAL_BEGIN", "REAL_END"), ("SPANISH_BEGIN", "SPANISH_END")):  # + evaluate_spanish.py's
        found = re.search(rf"<!-- {begin}.*?<!-- {end} -->", text, re.DOTALL)
        out += ["", found.group(0), ""] if found else []
    return out


def write_report(out: Path, n: int, results: dict, rows: list[dict], cv: str, plots: list[str],
                 machine: str, e2e: dict | None = None, off: dict | None = None,
                 numbers: dict | None = None) -> Path:
    model = results["assistant"]
    lines = ["# Evaluation", "", f"Machine: {machine}. Held-out questions: {n} (tests/nlu/heldout*.yml).", "",
             "## Understanding", "",
             "| system | accuracy | accuracy, general question and its tool as one | macro F1 |",
             "|---|---|---|---|"]
    lines += [f"| {k} | {v['accuracy']:.3f} | {v['related_accuracy']:.3f} | {v['macro_f1']:.3f} |"
              for k, v in results.items()]
    target = model["accuracy"] >= 0.9 and all(model["accuracy"] > v["accuracy"] for k, v in results.items() if k != "assistant")
    lines += ["", f"Target (strict accuracy >= 0.90 and above both baselines): {'met' if target else 'NOT met'}.",
              *([f"Why: three of the new guided-tool intents (calc_hearing_date, calc_order_timeline, "
                 f"check_eligibility) compete with their general twins; counting a general question and its tool "
                 f"as one, accuracy is {model['related_accuracy']:.3f}. The held-out set was not used "
                 f"to tune the model."] if not target else []),
              "A clarifying question (nlu_fallback) counts as a miss. The middle column counts a general",
              "question understood as its guided tool (or the reverse) as right: both lead to the same",
              "content (bot/nlu_examples.RELATED).", "",
              *[f"![{p}]({p})" for p in plots], "", "### Per intent (assistant)", "",
              "| intent | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    lines += [f"| {i} | {p:.2f} | {r:.2f} | {f:.2f} | {k} |" for i, (p, r, f, k) in model["per_intent"].items()]
    lines += ["", "### Commonest confusions (expected -> predicted)", ""]
    lines += [f"- {t} -> {p}: {c}" for (t, p), c in model["confusions"]]
    if cv:
        lines += ["", "### Cross-validation on the training data", "", "```", cv, "```"]
    if e2e:
        lines += ["", "## Answers end to end", "",
                  "Each held-out question sent to the running assistant (real HTTP; a \"which state?\" "
                  "answered with the state the question names, else California). A reply is correct "
                  "when it holds the key fact of the question's label (tests/nlu/key_facts.yml).", "",
                  f"**Correct: {e2e['correct']:.3f}** of {e2e['n']} questions.", "",
                  "| intent | correct | n |", "|---|---|---|"]
        lines += [f"| {i} | {c} | {k} |" for i, (c, k) in sorted(e2e["by_intent"].items())]
        lines += ["", "First misses (question, label, start of the reply):", ""]
        lines += [f"- \"{q}\" ({lab}): {t[:120]}..." for q, lab, _, t in e2e["failures"][:15]]
    lines += offtopic_section(off or {}, numbers)
    lines += kept_real_section(out / "evaluation.md")  # scripts/evaluate_real.py's figures
    grades = [r["grade"] for r in rows]
    over = [r for r in rows if r["grade"] > GRADE_LIMIT]
    lines += ["", "## Plain language", "",
              f"Answers: {len(rows)}. Reading grade (Flesch-Kincaid, textstat): max {max(grades):.1f}, "
              f"median {statistics.median(grades):.1f}. Above grade {GRADE_LIMIT:.0f}: {len(over)}"
              + (": " + ", ".join(r["answer"] for r in over) if over else "."), "",
              "| answer | grade | words | sentences | SMS segments |", "|---|---|---|---|---|"]
    lines += [f"| {r['answer']} | {r['grade']:.1f} | {r['words']} | {r['sentences']} | {r['sms_segments']} |" for r in rows]
    lines += spanish_plain_language(readability_es())
    path = out / "evaluation.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 60-question subset, for CI")
    parser.add_argument("--cv", type=int, default=0, help="k for k-fold cross-validation (slow)")
    parser.add_argument("--cv-from", default=None,
                        help="report an earlier cross-validation run (its cv/ folder) instead of running one")
    parser.add_argument("--e2e", action="store_true", help="answer correctness through a running assistant")
    parser.add_argument("--out", default=str(ROOT / "reports"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    heldout = nlu_examples.heldout()
    if args.quick:
        heldout = heldout[::max(1, len(heldout) // 60)]
    texts, truth = [t for t, _ in heldout], [i for _, i in heldout]
    labelled = nlu_examples.labelled_heldout()  # off-topic and hostile sets, when they exist
    off_items = [i for items in labelled.values() for i in items]
    start = time.monotonic()
    parses = model_parses(texts + [i.text for i in off_items])  # the model loads once
    all_preds = [p["intent"]["name"] for p in parses]
    preds = {"assistant": all_preds[:len(texts)],
             "keyword baseline": keyword_baseline(nlu_examples.training(), texts),
             "TF-IDF retrieval over content/": retrieval_baseline(texts)}
    results = {k: {**scores(truth, v), "related_accuracy": related_accuracy(truth, v)}
               for k, v in preds.items()}
    rows = readability()
    cv = cross_validation(args.cv, out) if args.cv else (cv_summary(Path(args.cv_from)) if args.cv_from else "")
    replies = ask_running_assistant(texts + [i.text for i in off_items]) if args.e2e else None
    e2e = end_to_end(heldout, replies[:len(texts)]) if replies else None
    off, at = {}, len(texts)
    for name, items in labelled.items():
        off[name] = offtopic_scores(items, all_preds[at:at + len(items)],
                                    replies[at:at + len(items)] if replies else None,
                                    [chosen_reply(p) for p in parses[at:at + len(items)]])
        at += len(items)
    numbers = crisis_numbers_in_replies(truth + [i.intent for i in off_items], replies) if replies else None
    machine = machine_description()
    report = write_report(out, len(texts), results, rows, cv, plot(results, results["assistant"], out),
                          machine, e2e, off, numbers)
    for k, v in results.items():
        print(f"{k:32} accuracy {v['accuracy']:.3f} (related {v['related_accuracy']:.3f})  "
              f"macro F1 {v['macro_f1']:.3f}")
    if e2e:
        print(f"answers end to end: {e2e['correct']:.3f} correct of {e2e['n']}")
    for name, r in off.items():
        print(f"{name}: intent right {pct(r['nlu']['all'])}"
              + (f", end to end {pct(r['e2e']['all'])}" if "e2e" in r else ""))
    if numbers:
        print(f"non-crisis replies with 988/911: {numbers['with']} of {numbers['n']}")
    print(f"max reading grade {max(r['grade'] for r in rows):.1f}; report: {report} "
          f"({time.monotonic() - start:.0f} s)")


if __name__ == "__main__":
    main()
