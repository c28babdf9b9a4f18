"""Content integrity: every answer cited and sourced, every number sourced,
every county present once and matching the source document."""
from __future__ import annotations

from pathlib import Path

import datetime
import re

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

PHONE = re.compile(r"(\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}")
def _domain() -> dict:
    """The domain Rasa trains on: domain.yml + the registry's intents (scripts/build_rasa.py)."""
    from bot.paths import SOURCE_DOMAIN
    from bot.topics import registry
    from scripts.build_rasa import domain

    return domain(registry(), [], SOURCE_DOMAIN)


DOMAIN = _domain()
TOPIC_INTENTS = [i for i in DOMAIN["intents"] if i.startswith("ask_") and i != "ask_glossary"]


def all_topics(content):
    return [t for by_state in content.topics.values() for t in by_state.values()]


def test_every_topic_intent_has_an_answer(content):
    missing = [i for i in TOPIC_INTENTS if content.topic_for_intent(i) is None]
    assert missing == []


def test_every_topic_has_citation_source_and_review_date(content):
    for t in all_topics(content):
        assert t.citation.strip(), t.id
        assert t.source in content.sources, t.id
        datetime.date.fromisoformat(t.last_reviewed)
        assert t.messages, t.id


@pytest.mark.parametrize("topic_id", ["how_ordered", "lawyer", "eligibility", "hearing_rights",
                                      "duration", "medication", "noncompliance", "how_ends",
                                      "help", "what_is_aot", "county_status"])
def test_state_dependent_topics_exist_for_both_states(content, topic_id):
    assert {"CA", "NY"} <= content.states_for(topic_id)


def test_every_topic_renders_with_its_citation_last(content):
    for t in all_topics(content):
        msgs = content.render_topic(t)
        assert msgs[-1]["text"].startswith("Law/source: " + t.citation)
        for m in msgs:
            assert m["text"] and len(m["text"]) <= 459, (t.id, m["text"][:60])
            assert "{{" not in m["text"] and "“" not in m["text"] and "’" not in m["text"], t.id


def test_every_dialogue_line_renders(content):
    ctx = dict(county="Fresno", name="Kings", text="x", place="Reno, NV", source="s", as_of="d",
               state_name="California", terms=["petition"], max_chars="1,000", topic_state="New York")
    for key in content.dialogue:
        if key != "pieces":  # the small pieces the code assembles: test_every_piece_renders
            assert content.render_dialogue(key, **ctx), key


def test_every_piece_renders(content):
    ctx = dict(name="Fresno", state_name="California", phone="1", email="e", how="h", source="s",
               text="t", citation="c", sources="s")
    for key in content.dialogue["pieces"]:
        assert content.piece(key, **ctx), key


def test_phone_numbers_only_in_contacts_and_each_sourced(content):
    """Answers name numbers through contacts.yml, so each number has one place and a source."""
    for path in (ROOT / "content").rglob("*.yml"):
        if path.name == "contacts.yml":
            continue
        assert not PHONE.search(path.read_text()), f"raw phone number in {path.name}"
    for cid, c in content.contacts.items():
        assert c["source"] in content.sources, cid
        assert c.get("phone") or c.get("how"), cid


def test_every_tty_has_its_own_source(content):
    """Numbers themselves are traced to a [verified-src] line or a seed in
    tests/test_content_audit.py (the old check here accepted any line of the notes)."""
    for cid, c in content.contacts.items():
        if c.get("tty"):
            assert c.get("tty_source") in content.sources, cid


@pytest.mark.skipif(not SHARED.exists(), reason="../shared not beside the repository")
def test_source_files_exist(content):
    for s in content.sources.values():
        if s.where.startswith("shared/"):
            assert (ROOT.parent / s.where.split(",")[0]).exists(), s.id


def test_every_county_once(content):
    ca = [c.name for c in content.counties if c.state == "CA"]
    ny = [c.name for c in content.counties if c.state == "NY"]
    assert len(ca) == len(set(ca)) == 58
    assert len(ny) == len(set(ny)) == 62
    assert all(c.status == "required" for c in content.counties if c.state == "NY")
    assert set(content.county_meta["as_of"]) == {"CA", "NY"}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared not beside the repository")
def test_california_statuses_match_the_drc_lists(content):
    seed = (SHARED / "seeds" / "002_427bd67b1dd908ad.txt").read_text()
    has = re.search(r"31 counties have AOT: (.*?)\.\s", seed).group(1)
    no = re.search(r"27 counties do not have AOT: (.*?)\.\s", seed).group(1)
    split = lambda s: {n.strip().removeprefix("and ").strip() for n in s.split(";")}
    has_names, no_names = split(has), set()
    for name in split(no):
        no_names |= set(name.split("/"))  # "Sutter/Yuba"
    status = {c.name: c.status for c in content.counties if c.state == "CA"}
    assert {n for n, s in status.items() if s == "has_aot"} == has_names
    assert {n for n, s in status.items() if s == "no_aot"} == no_names
    assert {n for n, s in status.items() if s == "not_listed"} == {"Solano"}


def test_later_reports_are_sourced(content):
    for c in content.counties:
        for report in c.later:
            assert report["source"] in content.sources and report["text"], c.name


def test_glossary_terms_are_sourced(content):
    terms = content.glossary["terms"]
    assert len(terms) >= 15
    for t in terms:
        sources = [t["source"]] if isinstance(t["source"], str) else t["source"]
        assert t["meaning"] and t["citation"] and sources, t["term"]
        assert all(s in content.sources for s in sources), t["term"]


def _grade(text: str) -> float:
    import textstat

    return textstat.flesch_kincaid_grade(text)


def test_every_answer_reads_at_grade_8_or_below(content):
    """Plain language: Flesch-Kincaid grade of each answer (textstat), citation line excluded."""
    ctx = dict(county="San Luis Obispo", name="Kings", text="x", place="Reno, NV", source="s",
               as_of="December 2021", state_name="California", terms=["petition"], max_chars="1,000",
               topic_state="New York")
    too_hard = {}
    for t in all_topics(content):
        grade = _grade(" ".join(m["text"] for m in content.render_topic(t)[:-1]))
        if grade > 8:
            too_hard[f"{t.state}:{t.id}"] = grade
    for key in (k for k in content.dialogue if k != "pieces"):  # pieces are not sentences
        grade = _grade(" ".join(m["text"] for m in content.render_dialogue(key, **ctx)))
        if grade > 8:
            too_hard[f"dialogue:{key}"] = grade
    assert too_hard == {}


def test_tool_lines_read_at_grade_8_or_below():
    from bot.tools.samples import tool_outputs

    too_hard = {}
    for key, texts in tool_outputs().items():
        grade = _grade(" ".join(texts))
        if grade > 8:
            too_hard[key] = grade
    assert too_hard == {}


def test_tool_results_cite_their_law_and_sources(content):
    tools = content.tools
    for key in ("hearing",):
        assert all(s in content.sources for s in tools[key]["source"])
    for key in ("timeline", "eligibility"):
        for st in ("CA", "NY"):
            assert all(s in content.sources for s in tools[key][f"{st}_source"]), (key, st)
            assert tools[key][f"{st}_citation"]
