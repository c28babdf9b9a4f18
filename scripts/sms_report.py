"""Segments per answer by SMS, before and after the SMS forms -> reports/sms_segments.md.

For every topic version (content/answers/*.yml) it renders what the answer action sends
(actions/answers.py, with the guided tool offer) and what the SMS channel makes of it:
- before: the full answer as one text thread, paged at 3 segments with "Reply MORE"
  (what the gateway sent before the SMS forms): its segments, and whether the first
  text holds the answer's phone number and its citation;
- after: the first text (the SMS form, the MORE line and the menu), as a number that has
  already had the notice gets it.
Also the first reply to "hi" from a new number, before (notice + full greeting) and after
(greet_sms). GSM-7 segments: 160 septets for one, 153 per part when concatenated.

    .venv/bin/python scripts/sms_report.py [--out reports/sms_segments.md]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402

from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions.answers import answer_topic  # noqa: E402
from bot.content import load  # noqa: E402
from bot.web import sms_forms  # noqa: E402
from bot.web.sms import compose, paginate, segments, septets, to_gsm7  # noqa: E402

SHORT_CITE = re.compile(r"\bLaw: (WIC|MHL|42 USC|CARE Act)\b")


def action_messages(topic) -> list[dict]:
    d = CollectingDispatcher()
    answer_topic(d, topic.id, topic.state)
    return [{"text": m["text"], "buttons": m.get("buttons") or []} for m in d.messages]


def phones(content, text: str) -> list[str]:
    numbers = {v for c in content.contacts.values() for k, v in c.items() if k in ("phone", "tty")}
    found = [(text.find(n), n) for n in numbers
             if re.search(rf"(?<![\d-]){re.escape(n)}(?![\d-])", text)]
    return [n for _, n in sorted(found)]


def measure(content, topic) -> dict:
    msgs = action_messages(topic)
    full = to_gsm7(compose(msgs))
    old_first = paginate(full)[0]
    plan = sms_forms.plan(content, msgs, compose, septets)
    new_first = paginate(to_gsm7(compose(plan.first)))[0]
    phone = next(iter(phones(content, full)), "")
    return {
        "topic": f"{topic.state} {topic.id}", "full_chars": septets(full), "full_segments": segments(full),
        "old_texts": len(paginate(full)), "old_phone": bool(phone) and phone in old_first,
        "old_cite": "Law/source:" in old_first, "new_chars": septets(new_first),
        "new_segments": segments(new_first), "new_phone": bool(phone) and phone in new_first,
        "new_cite": bool(SHORT_CITE.search(new_first)), "has_phone": bool(phone),
        "has_menu": any(m["buttons"] for m in msgs),
        "menu_first": all(f"for {to_gsm7(b['title'])}" in new_first
                          for m in msgs for b in m["buttons"]),
    }


def first_reply(content) -> tuple[str, str]:
    """The first text to "hi" from a new number: before (notice + greeting) and after."""
    before = paginate(to_gsm7(compose(content.render_dialogue("sms_disclosure")
                                      + content.render_dialogue("greet"))))[0]
    plan = sms_forms.plan(content, content.render_dialogue("greet"), compose, septets)
    after = paginate(to_gsm7(compose(plan.first)))[0]
    return before, after


def _stats(values: list[int]) -> str:
    return f"median {statistics.median(values):g}, worst {max(values)}"


def report(content) -> str:
    rows = [measure(content, t) for by_state in content.topics.values() for t in by_state.values()]
    with_phone = [r for r in rows if r["has_phone"]]
    before, after = first_reply(content)
    yes = {True: "yes", False: "no"}
    lines = [
        "# SMS segments per answer",
        "",
        "Made by `scripts/sms_report.py` (`make sms-report`). GSM-7: 160 characters for one",
        "segment, 153 per segment when a text is longer. Before: the full answer, paged at 3",
        "segments with \"Reply MORE\". After: the first text is the answer's SMS form",
        "(content/answers/*.yml `sms`), the MORE line and the menu; the full answer follows on MORE.",
        "",
        f"- Answers: {len(rows)} (every topic and state version).",
        f"- Before, the full answer: {_stats([r['full_segments'] for r in rows])} segments; "
        f"{_stats([r['full_chars'] for r in rows])} characters; "
        f"{sum(r['old_texts'] > 1 for r in rows)} of {len(rows)} need more than one text.",
        f"- After, the first text: {_stats([r['new_segments'] for r in rows])} segments; "
        f"{_stats([r['new_chars'] for r in rows])} characters.",
        f"- Phone number in the first text (of {len(with_phone)} answers that give one): "
        f"before {sum(r['old_phone'] for r in with_phone)}, after {sum(r['new_phone'] for r in with_phone)}.",
        f"- Citation in the first text: before {sum(r['old_cite'] for r in rows)} of {len(rows)}, "
        f"after {sum(r['new_cite'] for r in rows)} of {len(rows)}.",
        f"- Menu in the first text, after (of {sum(r['has_menu'] for r in rows)} answers with buttons): "
        f"{sum(r['menu_first'] for r in rows if r['has_menu'])}.",
        f"- First text to \"hi\" from a new number: notice + full greeting (before) {septets(before)} characters, "
        f"{segments(before)} segments, 988 {yes['988' in before]}, menu {yes['Reply 1 for' in before]}; "
        f"after {septets(after)} characters, {segments(after)} segments, 988 {yes['988' in after]}, "
        f"menu {yes['Reply 1 for' in after]}.",
        "",
        "| Answer | Before: chars | segments | texts | phone 1st | cite 1st | After: chars | segments | phone 1st | cite 1st |",
        "|---|---:|---:|---:|---|---|---:|---:|---|---|",
    ]
    for r in rows:
        ph = (lambda v: yes[v]) if r["has_phone"] else (lambda v: "-")
        lines.append(f"| {r['topic']} | {r['full_chars']} | {r['full_segments']} | {r['old_texts']} | "
                     f"{ph(r['old_phone'])} | {yes[r['old_cite']]} | {r['new_chars']} | {r['new_segments']} | "
                     f"{ph(r['new_phone'])} | {yes[r['new_cite']]} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "reports" / "sms_segments.md"))
    args = ap.parse_args(argv)
    text = report(load())
    Path(args.out).write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[8:16]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
