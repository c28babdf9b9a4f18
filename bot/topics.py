"""The registry of broad topics (content/topics.yml): each topic once.

The Rasa rules for topics, the tool a topic's answer offers, the related question
offered after it, the general-question-to-tool map and the evaluation's "related"
intents are all read from here (scripts/build_rasa.py writes the Rasa side).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths

DEFAULT_ACTION = "action_answer"
START_TOOL_ACTION = "action_start_tool"


@dataclass(frozen=True)
class Tool:
    id: str
    intent: str
    states: tuple[str, ...]


@dataclass(frozen=True)
class TopicEntry:
    id: str
    intent: str
    action: str = DEFAULT_ACTION
    tool: str | None = None
    dated_question_starts_tool: bool = False
    related: tuple[str, ...] = ()
    asked_about: str = ""
    answers: bool = True  # False: answered from elsewhere (the glossary)


@dataclass(frozen=True)
class Registry:
    topics: dict[str, TopicEntry]
    tools: dict[str, Tool]

    def tool_for_intent(self) -> dict[str, str]:
        """Intent -> the guided tool it starts ('calc_hearing_date' -> 'hearing')."""
        return {t.intent: t.id for t in self.tools.values()}

    def topic_for_intent(self, intent: str) -> TopicEntry | None:
        return next((t for t in self.topics.values() if t.intent == intent), None)

    def general_to_tool(self) -> dict[str, str]:
        """Topic id -> tool, for general questions that give a date the tool can use."""
        return {t.id: t.tool for t in self.topics.values()
                if t.tool and t.dated_question_starts_tool}

    def related_intents(self) -> set[frozenset[str]]:
        """A topic's intent and its tool's intent lead to the same content."""
        return {frozenset((t.intent, self.tools[t.tool].intent))
                for t in self.topics.values() if t.tool}

    def intent_actions(self) -> dict[str, str]:
        """Intent -> action for every topic and tool: the derived Rasa rules."""
        out = {t.intent: t.action for t in self.topics.values()}
        out.update({t.intent: START_TOOL_ACTION for t in self.tools.values()})
        return out


def read(path: Path = paths.TOPICS) -> Registry:
    """Read and check a registry file (a test builds one with an extra topic)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    tools = {tid: Tool(id=tid, intent=raw["intent"], states=tuple(raw.get("states", ())))
             for tid, raw in doc.get("tools", {}).items()}
    topics: dict[str, TopicEntry] = {}
    for raw in doc["topics"]:
        entry = TopicEntry(**{**raw, "related": tuple(raw.get("related", ()))})
        if entry.id in topics:
            raise ValueError(f"{path.name}: topic {entry.id} listed twice")
        if entry.tool and entry.tool not in tools:
            raise ValueError(f"{path.name}: topic {entry.id} offers unknown tool {entry.tool}")
        topics[entry.id] = entry
    for entry in topics.values():
        unknown = [r for r in entry.related if r not in topics]
        if unknown:
            raise ValueError(f"{path.name}: topic {entry.id} relates to unknown {unknown}")
    return Registry(topics=topics, tools=tools)


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """content/topics.yml, read once per process."""
    return read()
