"""Crisis detection figures: recall and false alarms, rules alone, classifier alone, both.

    python scripts/crisis_report.py                       # tests/crisis/corpus_dev.yml
    python scripts/crisis_report.py tests/crisis/corpus_heldout.yml --out reports/crisis_heldout.md
    python scripts/crisis_report.py --misses              # also list what each net missed

A corpus file is YAML: `crisis: [{text, family, lang}]`, `near_miss: [{text, kind, lang}]`.
Prints a Markdown report and writes it (default reports/crisis.md). The classifier is
refitted for the report without any line of the corpus files given (a few short lines
are also NLU examples or pattern phrases), so its figures are out-of-sample.

"Caught" = the crisis or the check level. "Full" = the crisis level. For near misses,
"false alarm" = the full crisis reply; the check level is counted apart, and questions
about a PAST crisis (kind past_history) are reported on their own line.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402

from bot import crisis, crisis_model  # noqa: E402
import yaml  # noqa: E402


def load_corpus(path: Path) -> tuple[list[dict], list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data.get("crisis") or []), list(data.get("near_miss") or [])


def judge(text: str, detector, model) -> dict:
    match = detector.scan(text)
    score = model.score(text)
    both = crisis.combine(match, score, text, detector)
    limits = model.thresholds
    return {
        "rules": match.level if match else None,
        "model": "crisis" if score.risk >= limits["crisis"] else "check" if score.risk >= limits["check"] else None,
        "both": both.level, "key": both.reply_key, "risk": score.risk,
    }


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}% ({n}/{d})" if d else "-"


def table_crisis(rows: list[tuple[dict, dict]]) -> list[str]:
    groups: dict[tuple, list] = defaultdict(list)
    for item, result in rows:
        groups[(item.get("family", "?"), item.get("lang", "?"))].append(result)
        groups[("ALL", item.get("lang", "?"))].append(result)
        groups[("ALL", "all")].append(result)
    out = ["| family | lang | n | rules caught | rules: full | model caught | model: full | BOTH caught | both: full crisis | both: check |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for (fam, lang), res in sorted(groups.items(), key=lambda kv: (kv[0][0] == "ALL", kv[0])):
        n = len(res)
        out.append(f"| {fam} | {lang} | {n} | {pct(sum(r['rules'] is not None for r in res), n)} | "
                   f"{pct(sum(r['rules'] == 'crisis' for r in res), n)} | "
                   f"{pct(sum(r['model'] is not None for r in res), n)} | "
                   f"{pct(sum(r['model'] == 'crisis' for r in res), n)} | "
                   f"**{pct(sum(r['both'] is not None for r in res), n)}** | "
                   f"{pct(sum(r['both'] == 'crisis' for r in res), n)} | {pct(sum(r['both'] == 'check' for r in res), n)} |")
    return out


def table_near(rows: list[tuple[dict, dict]]) -> list[str]:
    groups: dict[tuple, list] = defaultdict(list)
    for item, result in rows:
        kind = item.get("kind", "?")
        groups[(kind, item.get("lang", "?"))].append(result)
        if kind != "past_history":
            groups[("ALL but past_history", "all")].append(result)
        groups[("ALL", "all")].append(result)
    out = ["| kind | lang | n | rules: full | model: full | BOTH: full crisis (false alarm) | both: check | both: nothing |",
           "|---|---|---|---|---|---|---|---|"]
    for (kind, lang), res in sorted(groups.items(), key=lambda kv: (kv[0][0].startswith("ALL"), kv[0])):
        n = len(res)
        out.append(f"| {kind} | {lang} | {n} | {pct(sum(r['rules'] == 'crisis' for r in res), n)} | "
                   f"{pct(sum(r['model'] == 'crisis' for r in res), n)} | "
                   f"**{pct(sum(r['both'] == 'crisis' for r in res), n)}** | "
                   f"{pct(sum(r['both'] == 'check' for r in res), n)} | {pct(sum(r['both'] is None for r in res), n)} |")
    return out


def speed(texts: list[str]) -> list[str]:
    detector = crisis.get_detector()
    model = crisis_model.get_model()
    out = []
    for name, fn in (("rules: detect()", crisis.detect), ("classifier: score()", model.score),
                     ("both: assess()", crisis.assess)):
        fn("warm up")
        start = time.perf_counter()
        for text in texts:
            fn(text)
        out.append(f"| {name} | {1000 * (time.perf_counter() - start) / len(texts):.3f} ms |")
    big = "My son has schizophrenia and refuses treatment. " * 400
    start = time.perf_counter()
    crisis.assess(big)
    out.append(f"| assess() on a 20,000-character message | {1000 * (time.perf_counter() - start):.1f} ms |")
    del detector
    return out


def baseline_speed(texts_file: Path) -> str:
    """Time the detector on main (before issue 9), if /work/main or BASELINE_REPO is there."""
    repo = Path(os.environ.get("BASELINE_REPO", ROOT.parent / "main"))
    if not (repo / "bot" / "crisis.py").exists() or repo.resolve() == ROOT.resolve():
        return "| rules on main (before) | not measured (no baseline checkout) |"
    code = ("import sys,time,yaml; sys.path.insert(0, sys.argv[1]); from bot import crisis; "
            "t=yaml.safe_load(open(sys.argv[2]))['texts']; crisis.detect('warm up'); s=time.perf_counter()\n"
            "for x in t: crisis.detect(x)\nprint((time.perf_counter()-s)*1000/len(t))")
    try:
        ms = subprocess.run([sys.executable, "-c", code, str(repo), str(texts_file)], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(repo)}).stdout.strip()
        return f"| rules on main (before issue 9): detect() | {float(ms.splitlines()[-1]):.3f} ms |"
    except Exception as exc:  # noqa: BLE001
        return f"| rules on main (before) | not measured ({type(exc).__name__}) |"


HOW = """## How it works (bot/crisis.py, bot/crisis_model.py)

1. **Rules first** (content/crisis_patterns.yml, spaCy PhraseMatcher + Matcher on normalised
   text: contractions, SMS shorthand, misspellings, accents). Each family is `crisis` or
   `check` level. Context lists lower a crisis match to `check` when the message is about
   the past or the criteria ("last year", "in 2019", "does that count", "eligible") and
   nothing says "now"; a danger/medical `check` match becomes `crisis` with an urgency
   marker ("right now", "what do i do"); a threat to a relative said as a joke ("lol")
   asks instead of alarming.
2. **Classifier second** (TF-IDF word 1-2 + char_wb 2-5 n-grams, logistic regression, as
   in CMD-1): fitted at load from content/crisis_training.yml + data/nlu + the pattern
   phrases; scored per sentence; risk = 1 - P(none).
3. **Levels** (`bot.crisis.assess`): crisis = a crisis-level rule, or risk >= the crisis
   threshold; check = a check-level rule, a past-crisis question, or risk between the
   thresholds; else none. The reply key follows level, category and language:
   crisis / crisis_danger (911 first: danger_now, harm_others, overdose) / crisis_es /
   crisis_danger_es / crisis_check / crisis_check_danger / crisis_check_history (+ _es).

Read the dev figures with care: the rules and the classifier's own examples were
tuned while looking at what the dev corpus missed (its phenomena, never its lines:
tests/test_crisis_levels.py checks the training file shares no line with any corpus).
The held-out corpus, run by the lead with this script, is the honest measure.
"""


def cross_validation(folds: int = 5) -> list[str]:
    """The classifier on its OWN training set, out-of-fold (a second, independent figure)."""
    import numpy
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels = crisis_model.training_set()
    probs = cross_val_predict(crisis_model.build_pipeline(), texts, labels, method="predict_proba",
                              cv=StratifiedKFold(folds, shuffle=True, random_state=0))
    classes = sorted(set(labels))
    risk = 1 - probs[:, classes.index("none")]
    y = numpy.array(labels) != "none"
    lim = crisis_model.get_model().thresholds
    out = [f"## Classifier alone, {folds}-fold cross-validation on its own training set ({len(texts)} examples)", "",
           "| threshold | recall on crisis examples | flagged among non-crisis examples |", "|---|---|---|"]
    for name in ("check", "crisis"):
        th = lim[name]
        out.append(f"| {name} >= {th} | {pct(int((risk[y] >= th).sum()), int(y.sum()))} | "
                   f"{pct(int((risk[~y] >= th).sum()), int((~y).sum()))} |")
    return out + [""]


def misses(rows_c, rows_n) -> list[str]:
    out = ["", "## Missed crisis phrasings (both nets)", ""]
    out += [f"- [{i.get('family')}/{i.get('lang')}] {i['text']} (risk {r['risk']:.2f})" for i, r in rows_c if r["both"] is None]
    out += ["", "## Near misses given the FULL crisis reply", ""]
    out += [f"- [{i.get('kind')}/{i.get('lang')}] {i['text']} (rules {r['rules']}, risk {r['risk']:.2f})"
            for i, r in rows_n if r["both"] == "crisis"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", default=[str(ROOT / "tests" / "crisis" / "corpus_dev.yml")])
    parser.add_argument("--out", default=str(ROOT / "reports" / "crisis.md"))
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--cv", action="store_true", help="add the classifier's cross-validation on its training set")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    detector = crisis.get_detector()
    rules_s = time.perf_counter() - start
    start = time.perf_counter()
    model = crisis_model.get_model()
    model_s = time.perf_counter() - start
    corpus_lines = [i["text"] for c in args.corpus for i in sum(load_corpus(Path(c)), [])]
    measured = crisis_model.CrisisModel(exclude=corpus_lines)  # out-of-sample for these lines
    lines = ["# Crisis detection: measured", "",
             f"Generated by `python scripts/crisis_report.py {' '.join(Path(c).name for c in args.corpus)}`. "
             "Caught = crisis or check level; full = the crisis reply. Classifier thresholds: "
             f"check >= {model.thresholds['check']}, crisis >= {model.thresholds['crisis']}; "
             f"refitted for this report on {measured.size} examples, leaving out every line of the "
             f"corpus files measured ({model.size - measured.size} short lines such as \"i want to hurt myself\" are also "
             "NLU examples or pattern phrases), so the classifier's figures are out-of-sample.", "", HOW]
    all_texts = []
    for corpus in args.corpus:
        path = Path(corpus)
        crisis_rows, near_rows = load_corpus(path)
        rows_c = [(i, judge(i["text"], detector, measured)) for i in crisis_rows]
        rows_n = [(i, judge(i["text"], detector, measured)) for i in near_rows]
        all_texts += [i["text"] for i in crisis_rows + near_rows]
        lines += [f"## {path.name}: crisis phrasings (recall)", ""] + table_crisis(rows_c) + [""]
        lines += [f"## {path.name}: near misses (false alarms)", ""] + table_near(rows_n) + [""]
        if args.misses:
            lines += misses(rows_c, rows_n) + [""]
    if args.cv:
        lines += cross_validation()
    if not args.no_speed and all_texts:
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            yaml.safe_dump({"texts": all_texts}, fh)
        lines += ["## Speed (this machine, per message, over every corpus line)", "", "| what | time |", "|---|---|",
                  baseline_speed(Path(fh.name))] + speed(all_texts)
        lines += [f"| build the rule matchers (first use) | {rules_s:.2f} s |",
                  f"| fit the classifier (first use) | {model_s:.2f} s |", ""]
        os.unlink(fh.name)
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
