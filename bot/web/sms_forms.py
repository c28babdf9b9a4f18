"""SMS forms: the shorter words the SMS channel sends instead of a long reply.

Rasa's reply is the same on every channel. The SMS gateway recognises two kinds of
reply by their words, which are rendered from content/ (so the match is exact), and
sends their SMS form, also from content/:
- a dialogue reply that has a `<key>_sms` entry (greet -> greet_sms): the form takes
  its place, and the form's buttons are the numbered menu. A form marked
  `discloses: true` carries the notice, so no separate notice goes before it.
- a topic answer (content/answers/*.yml) with an `sms` field: the first text is the
  SMS form (key fact, phone number, short citation), then "Reply MORE for the full
  answer." and as much of the menu as still fits in 2 segments (options 1, 2, ... with
  the same numbers as the full menu); the full answer and the whole menu wait for MORE.
Why a look-up and not a marker sent by the Rasa action: the actions, the model and the
web and API replies stay exactly as they are, and a reply the gateway does not
recognise (any change of wording on one side only) falls back to the full text, paged.
Crisis replies never come here: they have their own SMS form (bot/web/sms.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.web.gateway import collect_buttons
from bot.web.text import norm

TWO_SEGMENTS = 306  # septets: 2 parts of a concatenated GSM-7 text (153 each)


@dataclass
class Plan:
    first: list[dict]                                # the messages of the first text
    rest: list[dict] = field(default_factory=list)   # what waits for MORE
    discloses: bool = False                          # the first text carries the notice
    offered: list[dict] | None = None                # the menu, when it differs from Rasa's buttons
    offered_later: list[dict] | None = None          # the full menu, offered once MORE shows it


@dataclass(frozen=True)
class _Run:
    texts: tuple[str, ...]  # the reply's messages, whitespace-normalised
    kind: str               # "dialogue" | "topic"
    ref: object             # the dialogue key of the SMS form, or the Topic



def _runs(content) -> dict[str, list[_Run]]:
    """Every reply that has an SMS form, by its first message (built once per Content)."""
    cached = getattr(content, "_sms_runs", None)
    if cached is not None:
        return cached
    runs: list[_Run] = []
    for key in content.dialogue:
        base = key[: -len("_sms")]
        if key.endswith("_sms") and base in content.dialogue and not key.startswith("crisis"):
            try:
                texts = tuple(norm(m["text"]) for m in content.render_dialogue(base))
            except Exception:  # noqa: BLE001 - a line that needs context has no fixed words
                continue
            runs.append(_Run(texts, "dialogue", key))
    for by_state in content.topics.values():
        for topic in by_state.values():
            if topic.sms:
                texts = tuple(norm(m["text"]) for m in content.render_topic(topic))
                runs.append(_Run(texts, "topic", topic))
    index: dict[str, list[_Run]] = {}
    for run in runs:
        index.setdefault(run.texts[0], []).append(run)
    content._sms_runs = index
    return index


def find(content, messages: list[dict]) -> tuple[int, int, _Run] | None:
    """The first run of messages that is a reply with an SMS form: (start, end, run)."""
    index = _runs(content)
    texts = [norm(m.get("text", "")) for m in messages]
    for i, text in enumerate(texts):
        for run in index.get(text, ()):
            end = i + len(run.texts)
            if tuple(texts[i:end]) == run.texts:
                return i, end, run
    return None


def plan(content, messages: list[dict], compose, septets) -> Plan:
    """What the first text holds and what waits for MORE. `compose` and `septets` are
    bot/web/sms.py's (passed in, so this module does not import the route's module)."""
    found = find(content, messages)
    if found is None:
        return Plan(first=list(messages))
    start, end, run = found
    before, after = messages[:start], messages[end:]
    if run.kind == "dialogue":
        form = content.render_dialogue(run.ref)
        first = before + form + after
        return Plan(first=first, discloses=bool(content.dialogue[run.ref].get("discloses")),
                    offered=collect_buttons(first))
    more = content.render_dialogue("sms_full_answer")
    first = before + [{"text": content.render_topic_sms(run.ref)}] + more
    menu = collect_buttons(messages)
    shown = _menu_that_fits(first, menu, compose, septets)
    # Numbers texted before MORE pick only the options shown; the rest of the menu
    # is offered when MORE sends the page that shows it.
    return Plan(first=first + shown, rest=messages[start:],
                offered=collect_buttons(shown), offered_later=menu)


def _menu_that_fits(first: list[dict], menu: list[dict], compose, septets) -> list[dict]:
    """As much of the menu as keeps the first text within 2 segments, from option 1 on:
    the numbers shown are the numbers of the full menu that ends the full answer, so a
    number texted before MORE picks the option the person saw."""
    for n in range(len(menu), 0, -1):
        part = [{"text": "", "buttons": menu[:n]}]
        if septets(compose(first + part)) <= TWO_SEGMENTS:
            return part
    return []
