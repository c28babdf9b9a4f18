"""The question-and-answer flow of each guided tool, and the words it sends.

State lives in one dict (the `tool_answers` slot), so the Rasa side is a single
form with a single requested slot: each reply is read here, and the next
question is chosen from what is still missing. Text comes from content/tools.yml.

answers = {"tool": "hearing" | "timeline" | "eligibility", "state": "CA" | "NY" | None,
           "status": "asking" | "ready" | "done" | "stopped" | "switched", ...}
"""
from __future__ import annotations

import re
from datetime import date

from bot.content import Content, load
from bot import i18n, states
from bot.states import today
from bot.topics import registry
from bot.tools import court_days, replies, timeline, wording
from bot.tools.dates import DateProblem, ParsedDate, long_date, parse_date, parse_length, plain

TOOL_FOR_INTENT = registry().tool_for_intent()  # content/topics.yml `tools`
# Intents that may be a clumsy answer rather than a new question: ask again, do not leave.
ANSWER_LIKE_INTENTS = {"affirm", "deny", "nlu_fallback", "out_of_scope", "thank", "inform_state",
                       "bot_challenge", "stop_tool", ""}
SWITCH_CONFIDENCE = 0.6
MAX_RETRIES = 3  # after this many unreadable replies, stop instead of looping


def _c() -> Content:
    return load(i18n.current())


def _t() -> dict:
    return _c().tools


def _say(template: str, **ctx) -> dict:
    return {"text": _c().render_text(template, **ctx)}


def _lines(templates: list[str] | str, **ctx) -> list[dict]:
    if isinstance(templates, str):
        templates = [templates]
    return [_say(t, **ctx) for t in templates]


def _with_buttons(msgs: list[dict], buttons: list[dict], stop: bool = True) -> list[dict]:
    all_buttons = [dict(b) for b in buttons]
    if stop:
        all_buttons.append(dict(_t()["common"]["buttons"]["stop"]))
    if all_buttons:
        msgs[-1]["buttons"] = all_buttons
    return msgs


def tool_name(answers: dict | None) -> str:
    names = _t()["names"]
    return names.get((answers or {}).get("tool"), names["default"])


# ---- starting ---------------------------------------------------------------------
def start(tool: str, text: str, state: str | None, today: date) -> tuple[dict, list[dict]]:
    """Begin a tool, using anything the first message already says (a date, "my son")."""
    answers: dict = {"tool": tool, "state": state, "status": "asking", "retries": 0}
    t = _t()
    if tool == "hearing":
        if state == states.NY:
            answers["status"] = "done"
            return answers, _lines(t["hearing"]["new_york"])
        answers["state"] = states.CA  # hearing dates are worked out for California only
        msgs = [_say(t["hearing"]["intro"])]
        found = parse_date(text, today)
        if isinstance(found, ParsedDate):
            answers["filed"] = found.value.isoformat()
    elif tool == "timeline":
        msgs = [_say(t["timeline"]["intro"])]
        found = parse_date(text, today)
        rest = plain(text)
        if isinstance(found, ParsedDate):
            answers["start"] = found.value.isoformat()
            rest = rest.replace(found.phrase, " ")  # "2 weeks ago", "hace 2 semanas": no length
        length = parse_length(rest)
        if isinstance(length, tuple):
            answers["length"] = list(length)
    else:
        msgs = []
        person = replies.who(text)
        if person:
            answers["who_kind"], answers["who"] = person
    if next_step(answers) is None:
        answers["status"] = "ready"
    return answers, msgs


def next_step(answers: dict) -> str | None:
    """The next thing to ask, or None when the tool has what it needs."""
    tool = answers["tool"]
    if answers.get("status") not in ("asking", None):
        return None
    if tool == "hearing":
        return None if answers.get("filed") else "filed"
    if not answers.get("state"):
        return "state"
    if tool == "timeline":
        if not answers.get("start"):
            return "start"
        return None if answers.get("length") else "length"
    if not answers.get("who"):
        return "who"
    done = answers.setdefault("criteria", {})
    for criterion in _criteria(answers["state"]):
        if criterion["id"] not in done:
            return criterion["id"]
    return None


def _criteria(state: str) -> list[dict]:
    return _t()["eligibility"]["criteria"][state]


# ---- asking ------------------------------------------------------------------------
def question(answers: dict) -> list[dict]:
    """The messages that ask for the next step."""
    t, step = _t(), next_step(answers)
    common = t["common"]
    if step == "state":
        return _with_buttons([_say(common["ask_state"])],
                             [common["buttons"]["california"], common["buttons"]["new_york"]])
    if step == "filed":
        return _with_buttons([_say(t["hearing"]["ask_filed"])], [common["buttons"]["today"]])
    if step == "start":
        return _with_buttons([_say(t["timeline"]["ask_start"])], [common["buttons"]["today"]])
    if step == "length":
        st = answers["state"]
        return _with_buttons([_say(t["timeline"]["ask_length"][st])], t["timeline"]["length_buttons"][st])
    if step == "who":
        return _with_buttons([_say(t["eligibility"]["ask_who"])], t["eligibility"]["who_buttons"])
    if step is None:
        return []
    return _with_buttons([_say(_criterion_question(answers, step))], t["eligibility"]["answer_buttons"])


def _criterion_question(answers: dict, criterion_id: str) -> str:
    criterion = next(c for c in _criteria(answers["state"]) if c["id"] == criterion_id)
    if answers.get("who_kind") == "self":
        return criterion["self"]
    who, whose = wording.who(answers)
    return _c().render_text(criterion["other"], who=who, whose=whose)


# ---- reading a reply ----------------------------------------------------------------
def reply(answers: dict, text: str, intent: str, confidence: float, today: date) -> tuple[dict, list[dict]]:
    """Read one reply to the current question. Returns the new answers and any
    messages to send before the next question (a correction, or "I read that as")."""
    answers = dict(answers)
    step = next_step(answers)
    if step is None:
        return answers, []
    if replies.is_stop(text) or intent == "stop_tool":
        answers["status"] = "stopped"
        return answers, []
    ok, msgs = _read_step(answers, step, text, today)
    if ok:
        answers["retries"] = 0
        if next_step(answers) is None:
            answers["status"] = "ready"
        return answers, msgs
    if replies.wants_to_stop(text):
        answers["status"] = "stopped"
        return answers, []
    if intent not in ANSWER_LIKE_INTENTS and confidence >= SWITCH_CONFIDENCE \
            and not _tried_to_answer(step, text, today):
        answers["status"] = "switched"
        answers["switch_intent"] = intent
        return answers, []
    answers["retries"] = answers.get("retries", 0) + 1
    if answers["retries"] >= MAX_RETRIES:
        answers["status"] = "stopped"
        return answers, []
    return answers, msgs


def _tried_to_answer(step: str, text: str, today: date) -> bool:
    """A wrong date ("Feb 30") or a number is a try at an answer, not a new question,
    whatever the model made of it ("Feb 30" can look like a county name)."""
    if step in ("filed", "start"):
        found = parse_date(text, today)
        return isinstance(found, DateProblem) and found.kind in ("impossible", "too_far", "day_first")
    return step == "length" and bool(re.search(r"\d", text or ""))


def _read_step(answers: dict, step: str, text: str, today: date) -> tuple[bool, list[dict]]:
    t = _t()
    if step == "state":
        st = replies.state(text)
        if st:
            answers["state"] = st
            if answers["tool"] == "eligibility":
                return True, _eligibility_intro(answers)
            return True, []
        return False, [_say(t["common"]["state_retry"])]
    if step in ("filed", "start"):
        found = parse_date(text, today)
        if isinstance(found, DateProblem):
            return False, date_problem(found)
        answers[step] = found.value.isoformat()
        if step == "start":
            return True, [_say(t["common"]["date_read_as"], date=long_date(found.value))]
        return True, []
    if step == "length":
        return _read_length(answers, text)
    if step == "who":
        person = replies.who(text)
        if not person:
            return False, [_say(t["eligibility"]["who_retry"])]
        answers["who_kind"], answers["who"] = person
        return True, []
    value = replies.yes_no(text)
    if value is None:
        return False, [_say(t["eligibility"]["answer_retry"])]
    answers["criteria"] = {**answers.get("criteria", {}), step: value}
    return True, []


def _eligibility_intro(answers: dict) -> list[dict]:
    return [_say(_t()["eligibility"]["intro"][answers["state"]])]


def _read_length(answers: dict, text: str) -> tuple[bool, list[dict]]:
    t, st = _t()["timeline"], answers["state"]
    length = parse_length(text)
    if length is None or (isinstance(length, tuple) and length[1] <= 0):
        return False, [_say(t["length_retry"])]
    if not isinstance(length, tuple):  # "not sure"
        answers["length"] = "unsure"
        return True, ([_say(t["length_unsure"][states.CA])] if st == states.CA else [])
    months = length[1] if length[0] == "months" else length[1] / 30.4
    if st == states.CA and months > timeline.CA_MAX_MONTHS:
        answers["length"] = ["months", timeline.CA_MAX_MONTHS]
        return True, [_say(t["length_too_long"][states.CA])]
    if st == states.NY and months > timeline.NY_MAX_MONTHS:
        return False, [_say(t["length_too_long"][states.NY])]
    answers["length"] = list(length)
    return True, []


def date_problem(problem: DateProblem) -> list[dict]:
    common = _t()["common"]
    if problem.kind == "impossible":
        return _lines(common["date_impossible"], month=problem.month_name, year=problem.year,
                      day=problem.day)
    if problem.kind == "day_first":
        return _lines(common["date_day_first"])
    if problem.kind == "too_far":
        return _lines(common["date_too_far"], date=long_date(problem.value))  # type: ignore[arg-type]
    return _lines(common["date_unreadable"])


# ---- results -----------------------------------------------------------------------
def result(answers: dict, today: date) -> list[dict]:
    tool = answers["tool"]
    if tool == "hearing":
        return hearing_result(date.fromisoformat(answers["filed"]))
    if tool == "timeline":
        return timeline_result(answers, today)
    return eligibility_result(answers)


def _cite(citation: str, sources: list[str]) -> dict:
    return {"text": _c().cite(citation, sources)}


def hearing_result(filed: date) -> list[dict]:
    t = _t()["hearing"]
    d = court_days.hearing_deadline(filed)
    msgs = _lines(t["result"], filed=long_date(filed), deadline=long_date(d.deadline))
    if d.skipped_holidays:
        names = [wording.holiday(day, name) for day, name in d.skipped_holidays]
        msgs.append(_say(t["skipped"], holidays=wording.join(names, dates=True)))
    if d.filed_on_closed_day:
        msgs.append(_say(t["filed_closed"], filed=long_date(filed)))
    if d.unchecked_years:
        msgs.append(_say(t["unchecked_year"],
                         checked=wording.join([str(y) for y in court_days.checked_years()]),
                         years=wording.join([str(y) for y in d.unchecked_years])))
    msgs += _lines(t["after"])
    msgs.append(_cite(t["citation"], t["source"]))
    return msgs


def _length_words(length: list) -> str:
    """'1 month', '6 months', '90 days' (content/tools.yml common.length_words)."""
    unit, n = length
    words = _t()["common"]["length_words"]
    key = ("month" if n == 1 else "months") if unit == "months" else ("day" if n == 1 else "days")
    return _c().render_text(words[key], n=n)


def timeline_result(answers: dict, today: date) -> list[dict]:
    t, st = _t()["timeline"], answers["state"]
    start = date.fromisoformat(answers["start"])
    length = answers["length"]
    if st == states.NY:
        msgs = []
        if length == "unsure":  # count the longest a first order can be (1 year since 2013)
            length = ["months", timeline.NY_FIRST_ORDER_MAX_MONTHS]
            msgs = _lines(t["NY_unsure"])
        ny = timeline.ny_timeline(start, length=tuple(length))
        msgs += _lines(t[states.NY], start=long_date(start), length=_length_words(length),
                       end=long_date(ny.end), renew_from=long_date(ny.renew_from),
                       new_order_until=long_date(ny.new_order_until))
        msgs.append(_say(t["dates_note"]))
        msgs.append(_cite(t["NY_citation"], t["NY_source"]))
        return msgs
    if length == "unsure":
        length = ["months", timeline.CA_MAX_MONTHS]
    tl = timeline.ca_timeline(start, tuple(length))
    affidavits = wording.join([long_date(d) for d in tl.affidavits], dates=True) \
        or _c().render_text(t["no_affidavits"])
    msgs = _lines(t[states.CA], start=long_date(start), length=_length_words(length),
                  affidavits=affidavits, end=long_date(tl.end))
    if tl.end < today:
        msgs.append(_say(t["CA_ended"], end=long_date(tl.end)))
    elif (upcoming := tl.next_affidavit(today)) is not None:
        msgs.append(_say(t["CA_next"], next=long_date(upcoming)))
    msgs.append(_say(t["dates_note"]))
    msgs.append(_cite(t["CA_citation"], t["CA_source"]))
    return msgs


def eligibility_result(answers: dict) -> list[dict]:
    t, st = _t()["eligibility"], answers["state"]
    who, kind = wording.who(answers)[0], answers.get("who_kind", "self")
    by_value: dict[str, list[str]] = {"yes": [], "no": [], "unsure": []}
    for criterion in _criteria(st):
        by_value[answers.get("criteria", {}).get(criterion["id"], "unsure")].append(criterion["short"])
    msgs = [_say(t["summary_intro"]["self" if kind == "self" else "other"], who=who)]
    for value, key in (("yes", "summary_yes"), ("no", "summary_no"), ("unsure", "summary_unsure")):
        if by_value[value]:
            msgs.append(_say(t[key], items=wording.join(by_value[value])))
    msgs.append(_say(t["all_needed"][st]))
    if by_value["no"]:
        msgs.append(_say(t["some_no"]))
    msgs.append(_say(t["only_court"]))
    msgs.append(_say(t["help_intro"]))
    msgs += [{"text": line} for line in contact_lines(st)]
    msgs.append(_say(t["forgotten"]))
    msgs.append(_cite(t[f"{st}_citation"], t[f"{st}_source"]))
    return msgs


def contact_lines(state: str) -> list[str]:
    """'Name: phone. How.' for the state's advocates (numbers from contacts.yml)."""
    out = []
    for contact in _c().contacts_for(state):
        if contact.get("counties"):
            continue
        out.append(_c().piece("contact_line_short", name=contact["name"],
                              phone=contact.get("phone"), how=contact["how"]))
    return out


def stopped(answers: dict | None) -> list[dict]:
    return _lines(_t()["common"]["stopped"], name=tool_name(answers))


def switched(answers: dict | None) -> list[dict]:
    return _lines(_t()["common"]["switched"], name=tool_name(answers))


def nothing_to_stop() -> list[dict]:
    return _lines(_t()["common"]["nothing_to_stop"])


_FILED_OR_STARTED = re.compile(r"\b(fil(e|ed|ing)|start(ed|s)?|beg[au]n|order(ed)?|served|got papers|"
                               r"present\w*|empez\w*|empiez\w*|comenz\w*|inici\w*|orden\w*|"
                               r"notific\w*|entregaron)\b")  # on the text without accents


def tool_for_general_question(topic_id: str | None, text: str,
                              state: str | None = None) -> str | None:
    """A general hearing or duration question that gives a filing or start date
    ("they filed on March 3, when is the hearing?") is answered by the calculator
    (topics with `dated_question_starts_tool` in content/topics.yml)."""
    tool = registry().general_to_tool().get(topic_id or "")
    low = plain(text)
    if tool and _FILED_OR_STARTED.search(low) and isinstance(parse_date(low, today(state)), ParsedDate):
        return tool
    return None
