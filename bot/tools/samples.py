"""What the guided tools say for sample answers, for the plain-language checks
(tests/test_content.py and scripts/evaluate.py). Citation lines are left out,
as they are for the answers."""
from __future__ import annotations

from datetime import date
from typing import Any

from bot import states
from bot.tools import flow

TODAY = date(2026, 11, 22)


def tool_outputs() -> dict[str, list[str]]:
    out = {"hearing_result": flow.hearing_result(date(2026, 11, 20)),
           "hearing_result_new_year": flow.hearing_result(date(2026, 12, 29))}
    length: Any
    for st, length in ((states.CA, ["months", 6]), (states.NY, ["months", 12]), (states.NY, "unsure")):
        a: dict[str, Any] = {"tool": "timeline", "state": st, "start": "2026-03-03", "length": length}
        out[f"timeline_{st}{'_unsure' if length == 'unsure' else ''}"] = flow.timeline_result(a, TODAY)
    for st in states.CODES:
        for kind, who in (("self", "self"), ("other", "son")):
            a = {"tool": "eligibility", "state": st, "who_kind": kind, "who": who, "status": "asking",
                 "criteria": {}}
            questions = []
            while flow.next_step(a):
                questions += flow.question(a)
                a["criteria"][flow.next_step(a)] = "no"
            out[f"eligibility_questions_{st}_{kind}"] = questions
            out[f"eligibility_summary_{st}_{kind}"] = flow.eligibility_result(a)
    return {k: [m["text"] for m in v if not m["text"].startswith("Law/source:")] for k, v in out.items()}
