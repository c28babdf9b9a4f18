"""Answers and conversations end to end on the independent real-question set.

tests/nlu/real/ holds 440 questions and 52 multi-turn conversations written apart
from the training data (a third paraphrased from public pages; see its README).
Each question goes, in a new conversation, to a running Rasa + action server; a
"which state?" reply is answered with the question's state (else California). A
reply is right when it matches the question's `key` (and no `not`). Conversations
count as right only when every turn is.

Writes reports/evaluation_real.md and prints the summary. It is a measure, never a
training source: do not tune on its lines (issue #12).

Usage: python scripts/evaluate_real.py [--out reports] [--limit N]
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402
from bot.states import STATES  # noqa: E402
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # Rasa logs message text at debug level

REAL = ROOT / "tests" / "nlu" / "real"
STATE_NAMES = STATES
ASKS_STATE = "California or New York"
MENU = "Did you mean one of these"


def load() -> tuple[list[dict], list[dict]]:
    questions = yaml.safe_load((REAL / "questions.yml").read_text(encoding="utf-8"))
    conversations = yaml.safe_load((REAL / "conversations.yml").read_text(encoding="utf-8"))
    return questions, conversations


def judge(reply: str, key: str, not_: str | None = None) -> bool:
    if not re.search(key, reply, re.IGNORECASE):
        return False
    return not (not_ and re.search(not_, reply, re.IGNORECASE))


class Assistant:
    """A running Rasa + action server (bot.stack), talked to over Rasa's REST channel."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url

    def say(self, sender: str, text: str) -> str:
        reply = self.client.post(self.url, json={"sender": sender, "message": text}).json()
        return " ".join(m.get("text") or "" for m in reply)


def ask_questions(bot: Assistant, questions: list[dict]) -> list[dict]:
    results = []
    for q in questions:
        sender = f"real-{uuid.uuid4().hex[:10]}"
        reply = bot.say(sender, q["text"])
        if ASKS_STATE in reply:
            reply += " " + bot.say(sender, STATE_NAMES.get(q.get("state") or "", "California"))
        results.append({**q, "reply": reply, "ok": judge(reply, q["key"]), "menu": MENU in reply})
    return results


def run_conversations(bot: Assistant, conversations: list[dict]) -> list[dict]:
    results = []
    for conv in conversations:
        sender = f"realc-{uuid.uuid4().hex[:10]}"
        turns = []
        for turn in conv["turns"]:
            reply = bot.say(sender, turn["text"])
            turns.append(judge(reply, turn["key"], turn.get("not")))
        results.append({"id": conv["id"], "turns": turns, "ok": all(turns)})
    return results


def share(rows: list, pred=lambda r: r["ok"]) -> str:
    n = len(rows)
    k = sum(1 for r in rows if pred(r))
    return f"{k / n:.3f} ({k} of {n})" if n else "-"


def report(qs: list[dict], convs: list[dict], seconds: float) -> str:
    lines = ["# Independent real questions, end to end", "",
             "Measured by `python scripts/evaluate_real.py` on `tests/nlu/real/` (written apart "
             "from the training data, never trained or tuned on). A reply is right when it holds "
             "the question's key fact.", "",
             "| what | figure |", "|---|---|",
             f"| questions answered right | {share(qs)} |",
             f"| ... broad topics | {share([q for q in qs if not q['topic'].startswith('new:')])} |",
             f"| ... specific questions (`new:` topics) | {share([q for q in qs if q['topic'].startswith('new:')])} |",
             f"| ... with a public-page source | {share([q for q in qs if q.get('src')])} |",
             f"| got a \"did you mean\" menu | {share(qs, lambda r: r['menu'])} |",
             f"| conversations right (every turn) | {share(convs)} |",
             f"| conversation turns right | {share([{'ok': t} for c in convs for t in c['turns']])} |",
             f"| time | {seconds:.0f} s |", "", "## By state", "", "| state | right |", "|---|---|"]
    for state in ("CA", "NY", "none"):
        lines.append(f"| {state} | {share([q for q in qs if str(q.get('state')) == state])} |")
    lines += ["", "## Broad topics", "", "| topic | right |", "|---|---|"]
    by_topic = collections.defaultdict(list)
    for q in qs:
        by_topic[q["topic"] if not q["topic"].startswith("new:") else "(specific)"].append(q)
    for topic in sorted(by_topic):
        lines.append(f"| {topic} | {share(by_topic[topic])} |")
    lines += ["", "Question texts are not copied here, so that the set keeps meaning something."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports")
    parser.add_argument("--limit", type=int, default=0, help="only the first N of each (a quick run)")
    args = parser.parse_args()
    import httpx

    from bot.stack import Ports, Stack

    questions, conversations = load()
    if args.limit:
        questions, conversations = questions[:args.limit], conversations[:args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="aot-real-"))
    stack = Stack(ports=Ports(rasa=15405, actions=15455, web=18400), tracker_db=tmp / "trackers.db",
                  web=False, log_dir=tmp, extra_env={"RATE_LIMIT": "0"}).start()
    start = time.perf_counter()
    try:
        stack.wait_ready(timeout=300)
        with httpx.Client(timeout=60) as client:
            bot = Assistant(client, f"{stack.ports.rasa_url}/webhooks/rest/webhook")
            qs = ask_questions(bot, questions)
            convs = run_conversations(bot, conversations)
    finally:
        stack.stop()
    text = report(qs, convs, time.perf_counter() - start)
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation_real.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
