"""Load and render the curated answers in content/.

content/ is the single source of truth for everything the assistant says.
This module reads it once, checks its shape, and renders answers with Jinja2,
so wording can change without retraining the model.

Layout of content/:
  answers/california.yml, answers/new_york.yml, answers/general.yml  topics
  bank/*.yml      the question bank: specific questions with short answers (bot/bank.py)
  dialogue.yml    the assistant's own lines (greeting, menu, clarify, ...)
  glossary.yml    plain-language meanings of legal words
  counties.yml    every county with its AOT status, as-of date and source
  contacts.yml    every phone number, each with its source
  sources.yml     every source an answer may cite
  tools.yml       the guided tools' lines (hearing date, order timeline, eligibility)
  legal_numbers.yml  every legal number the tools count with (one place for prose and code)
  court_holidays.yml  California court holidays, checked against the courts' lists
  followups.yml   what every answer offers next: help, the menu (related questions: topics.yml)
  topics.yml      the registry of broad topics (bot/topics.py)
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2

from bot import i18n, paths
from bot.bank import load_bank, payload_for
from bot.states import LAWS, STATES
from bot.topics import registry

CONTENT_DIR = paths.CONTENT
__all__ = ["CONTENT_DIR", "LAWS", "STATES", "Content", "County", "Source", "Topic", "load"]


@dataclass(frozen=True)
class Source:
    id: str
    short: str
    title: str
    publisher: str
    date: str
    where: str
    covers: tuple[str, ...] = ()  # "CA", "NY" or "US": whose law the source speaks about


@dataclass(frozen=True)
class Topic:
    id: str
    state: str  # "CA", "NY" or "ALL"
    intent: str
    title: str
    messages: tuple[str, ...]
    citation: str
    sources: tuple[str, ...]  # ids in sources.yml; the first is the main one
    last_reviewed: str
    buttons: tuple[dict, ...] = ()
    # The SMS form (content/answers/*.yml `sms`): the key fact, the phone number if the
    # answer has one, and a short citation, in at most 2 texts. The full answer follows on MORE.
    sms: str = ""
    # A topic whose answer presumes its subject (the 5150 comparison starts "AOT is not
    # the same as a 5150"): a regex the question must match for this answer to be given;
    # otherwise actions/answers.py takes the model's next guess.
    asked_about: str = ""
    # Question-bank entries (content/bank/): their category, and what they offer next.
    category: str = ""
    related: tuple[str, ...] = ()

    @property
    def is_bank(self) -> bool:
        return bool(self.category)

    @property
    def payload(self) -> str:
        """What a button that asks this question sends back."""
        return payload_for(self.id) if self.is_bank else "/" + self.intent

    @property
    def source(self) -> str:
        return self.sources[0]


@dataclass(frozen=True)
class County:
    name: str
    state: str
    status: str  # has_aot | no_aot | not_listed
    aliases: tuple[str, ...] = ()
    note: str = ""
    note_source: str = ""
    later: tuple[dict, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.state}:{self.name}"


@dataclass
class Content:
    sources: dict[str, Source]
    topics: dict[str, dict[str, Topic]]  # topic id -> state -> Topic
    dialogue: dict[str, dict]
    glossary: dict[str, dict]
    counties: list[County]
    county_meta: dict[str, dict]
    contacts: dict[str, dict]
    env: jinja2.Environment = field(repr=False, default=None)  # type: ignore[assignment]
    tools: dict = field(default_factory=dict)  # tools.yml: the guided tools' lines
    numbers: dict = field(default_factory=dict)  # legal_numbers.yml: key -> value
    lang: str = i18n.DEFAULT  # "en", or "es": the Spanish twins (content/es/, bot/i18n.py)
    names: dict = field(default_factory=dict)  # states.yml in this language: code -> name, law

    @property
    def states(self) -> dict[str, str]:
        """State names in this language ("New York" / "Nueva York")."""
        return {code: n["name"] for code, n in self.names.items()} or dict(STATES)

    @property
    def laws(self) -> dict[str, str]:
        return {code: n["law"] for code, n in self.names.items()} or dict(LAWS)

    def other(self, lang: str) -> "Content":
        """The same content in another language."""
        return self if lang == self.lang else load(lang)

    # ---- look-ups -------------------------------------------------------
    def topic_for_intent(self, intent: str) -> str | None:
        for topic_id, by_state in self.topics.items():
            if any(t.intent == intent for t in by_state.values()):
                return topic_id
        return None

    def states_for(self, topic_id: str) -> set[str]:
        return set(self.topics.get(topic_id, {}))

    def topic(self, topic_id: str, state: str | None) -> Topic | None:
        """The version of a topic for a state; None when the state must be asked."""
        by_state = self.topics.get(topic_id, {})
        if state in by_state:
            return by_state[state]
        if "ALL" in by_state:
            return by_state["ALL"]
        if len(by_state) == 1:  # a topic that exists for one state only
            return next(iter(by_state.values()))
        return None

    def contacts_for(self, state: str | None, county: str | None = None) -> list[dict]:
        """Contacts for a state (and county), most local first; crisis lines excluded."""
        out = []
        for cid, c in self.contacts.items():
            if cid in ("crisis_988", "emergency_911"):
                continue
            states = c.get("states", [])
            if state and state not in states and "ALL" not in states:
                continue
            if c.get("counties") and county not in c["counties"]:
                continue
            out.append({"id": cid, **c})
        out.sort(key=lambda c: 0 if c.get("counties") else 1)
        return out

    # ---- rendering ------------------------------------------------------
    def render_text(self, template: str, **ctx: Any) -> str:
        return self.env.from_string(template).render(**self.base_context(), **ctx).strip()

    def base_context(self) -> dict:
        return {"contacts": self.contacts, "states": self.states, "laws": self.laws,
                "numbers": self.numbers, "lang": self.lang}

    def citation_line(self, topic: Topic) -> str:
        return self.cite(topic.citation, topic.sources)

    def cite(self, citation: str, sources: tuple[str, ...] | list[str]) -> str:
        """'Law/source: <citation>. <source names>.' A source whose name the citation
        already holds (e.g. a U.S. Code section cited as its own source) is not repeated."""
        shorts = [self.sources[s].short for s in sources]
        shorts = [s for i, s in enumerate(shorts)
                  if _plain(s) not in _plain(citation) and s not in shorts[:i]]
        return self.piece("cite", citation=citation, sources="; ".join(shorts))

    def piece(self, piece_id: str, /, **ctx: Any) -> str:
        """One of dialogue.yml's `pieces` (a button title, the contact line, ...), rendered."""
        return self.render_text(self.dialogue["pieces"][piece_id], **ctx)

    def render_topic(self, topic: Topic, **ctx: Any) -> list[dict]:
        """Messages for a topic, ending with its citation line."""
        msgs: list[dict[str, Any]] = [{"text": self.render_text(m, state=topic.state, **ctx)}
                                      for m in topic.messages]
        msgs.append({"text": self.citation_line(topic)})
        if topic.buttons:
            msgs[-1]["buttons"] = [dict(b) for b in topic.buttons]
        return msgs

    def render_topic_sms(self, topic: Topic, **ctx: Any) -> str:
        """A topic's SMS form (its key fact, phone number and short citation); '' if none."""
        return self.render_text(topic.sms, state=topic.state, **ctx) if topic.sms else ""

    def render_dialogue(self, key: str, **ctx: Any) -> list[dict]:
        """The assistant's own lines (greeting, menu, ...) from dialogue.yml."""
        entry = self.dialogue[key]
        msgs: list[dict[str, Any]] = [{"text": self.render_text(m, **ctx)} for m in entry["messages"]]
        if entry.get("buttons"):
            msgs[-1]["buttons"] = [
                {"title": self.render_text(b["title"], **ctx), "payload": b["payload"]}
                for b in entry["buttons"]
            ]
        return msgs


def _plain(text: str) -> str:
    """Letters and digits only: '42 U.S.C. § 290aa-17' and '42 USC 290aa-17' compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _read(name: str, lang: str = i18n.DEFAULT) -> Any:
    """content/<name> in a language (the English file with its Spanish twin's words)."""
    return i18n.read(name, lang)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _load_topics(sources: dict[str, Source], lang: str) -> dict[str, dict[str, Topic]]:
    """The answers, each with its intent and `asked_about` from the registry (topics.yml)."""
    reg = registry()
    topics: dict[str, dict[str, Topic]] = {}
    for path in sorted((CONTENT_DIR / "answers").glob("*.yml")):
        doc = _read(f"answers/{path.name}", lang)
        state = doc["state"]
        for raw in doc["topics"]:
            if raw["id"] not in reg.topics:
                raise ValueError(f"{path.name}: topic {raw['id']} is not in content/topics.yml")
            entry = reg.topics[raw["id"]]
            topic = Topic(
                id=raw["id"], state=state, intent=entry.intent, title=raw["title"],
                messages=tuple(raw["messages"]), citation=raw["citation"],
                sources=tuple(_as_list(raw["source"])),
                last_reviewed=str(raw["last_reviewed"]), buttons=tuple(raw.get("buttons", ())),
                sms=raw.get("sms", ""), asked_about=entry.asked_about,
            )
            unknown = [s for s in topic.sources if s not in sources]
            if unknown:
                raise ValueError(f"{path.name}: topic {topic.id} cites unknown source {unknown}")
            if state in topics.setdefault(topic.id, {}):
                raise ValueError(f"{path.name}: topic {topic.id} defined twice for {state}")
            topics[topic.id][state] = topic
    return topics


def _load_bank(sources: dict[str, Source], lang: str) -> dict[str, dict[str, Topic]]:
    return {entry_id: {state: Topic(**fields) for state, fields in by_state.items()}
            for entry_id, by_state in load_bank(CONTENT_DIR / "bank", sources, lang).items()}


@functools.lru_cache(maxsize=1)
def legal_numbers() -> dict[str, dict]:
    """content/legal_numbers.yml: each legal number with its citation and source."""
    return _read("legal_numbers.yml")


def legal_number(key: str) -> int:
    """One legal number (e.g. 'ca_hearing_days'), read by the tools and the answers alike."""
    return legal_numbers()[key]["value"]


@functools.lru_cache(maxsize=None)
def followups(lang: str = i18n.DEFAULT) -> dict:
    """content/followups.yml: what every answer offers next (related question, help, more)."""
    return _read("followups.yml", i18n.normal(lang))


def load(lang: str | None = i18n.DEFAULT) -> Content:
    """Read content/ once per process and language ("en" or "es"; anything else is English)."""
    return _load(i18n.normal(lang))


@functools.lru_cache(maxsize=None)
def _load(lang: str) -> Content:
    sources = {k: Source(id=k, **{**v, "covers": tuple(v.get("covers", ()))})
               for k, v in _read("sources.yml").items()}
    county_doc = _read("counties.yml", lang)
    counties = [
        County(
            name=c["name"], state=c["state"], status=c["status"],
            aliases=tuple(c.get("aliases", ())), note=c.get("note", ""),
            note_source=c.get("note_source", ""), later=tuple(c.get("later", ())),
        )
        for c in county_doc["counties"]
    ]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True)
    return Content(
        sources=sources,
        topics={**_load_topics(sources, lang), **_load_bank(sources, lang)},
        dialogue=_read("dialogue.yml", lang),
        glossary=_read("glossary.yml", lang),
        counties=counties,
        county_meta={"as_of": county_doc["as_of"], "source": county_doc["source"],
                     "status_labels": county_doc["status_labels"]},
        contacts=_read("contacts.yml", lang),
        env=env,
        tools=_read("tools.yml", lang),
        numbers={k: v["value"] for k, v in legal_numbers().items()},
        lang=lang,
        names=_read("states.yml", lang),
    )
