"""One registry of topics (content/topics.yml): the Rasa rules, the domain's intents, the
tool offers, the related questions and the interrupt routing all follow from it, and a
new topic or bank entry needs nothing more than its content and its examples."""
from __future__ import annotations

import yaml
from rasa.shared.core.domain import Domain

from bot import paths
from bot.rules import intent_actions
from bot.topics import read, registry
from scripts import build_rasa

NEW_TOPIC = {"id": "court_costs", "intent": "ask_court_costs", "action": "action_court_costs",
             "related": ["lawyer"]}


def _registry_with_new_topic(tmp_path):
    doc = yaml.safe_load(paths.TOPICS.read_text(encoding="utf-8"))
    doc["topics"].append(NEW_TOPIC)
    path = tmp_path / "topics.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _built(tmp_path, topics=paths.TOPICS, bank=None):
    out = build_rasa.build(topics=topics, bank=bank or tmp_path / "no_bank", out=tmp_path / "rasa")
    domain = yaml.safe_load((out / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((out / "data" / "derived.yml").read_text(encoding="utf-8"))["rules"]
    return domain, {r["steps"][0]["intent"]: r["steps"][1]["action"] for r in rules}


def test_a_new_topic_needs_only_its_registry_entry(tmp_path):
    topics = _registry_with_new_topic(tmp_path)
    domain, rules = _built(tmp_path, topics)
    assert "ask_court_costs" in domain["intents"]
    assert rules["ask_court_costs"] == "action_court_costs"
    Domain.from_dict(domain)  # Rasa reads the derived domain
    # After it interrupts a guided tool, it is answered by its own action too.
    assert intent_actions(read(topics), [])["ask_court_costs"] == "action_court_costs"
    assert read(topics).topics["court_costs"].related == ("lawyer",)


def test_a_bank_entry_needs_no_more_than_its_content_and_examples(tmp_path):
    """The retrieval intent, its action and its rule come from the build; no per-entry
    response in the domain (the words stay in content/bank/, actions/bank.py renders them)."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "roles.yml").write_text(yaml.safe_dump({"category": "roles", "entries": [
        {"id": "public_defender_role", "question": "What does the public defender do?"}]}))
    (bank / "sources_new.yml").write_text(yaml.safe_dump({"some_source": {"short": "x"}}))
    domain, rules = _built(tmp_path, bank=bank)
    assert not [r for r in domain.get("responses") or {} if r.startswith("utter_faq")]
    assert "faq" in domain["intents"] and "action_answer_bank" in domain["actions"]
    assert rules["faq"] == "action_answer_bank"
    Domain.from_dict(domain)


def test_without_a_bank_there_is_no_faq_intent(tmp_path):
    domain, rules = _built(tmp_path)
    assert "faq" not in domain["intents"] and "faq" not in rules


def test_every_topic_and_tool_is_answered_by_its_rule(tmp_path):
    domain, rules = _built(tmp_path)
    reg = registry()
    for topic in reg.topics.values():
        assert rules[topic.intent] == topic.action and topic.intent in domain["intents"]
    for tool in reg.tools.values():
        assert rules[tool.intent] == "action_start_tool"
    # The source domain does not list them again: the registry is the one place.
    source = yaml.safe_load(paths.SOURCE_DOMAIN.read_text(encoding="utf-8"))
    assert not set(source["intents"]) & set(rules)


def test_the_registry_feeds_the_maps_that_used_to_be_tables():
    from bot.nlu_examples import RELATED
    from bot.tools.flow import TOOL_FOR_INTENT

    reg = registry()
    assert TOOL_FOR_INTENT == {"calc_hearing_date": "hearing", "calc_order_timeline": "timeline",
                               "check_eligibility": "eligibility"}
    assert reg.general_to_tool() == {"hearing_when": "hearing", "duration": "timeline",
                                     "how_ends": "timeline"}
    assert frozenset(("ask_eligibility", "check_eligibility")) in RELATED and len(RELATED) == 4


def test_every_answered_topic_is_in_the_registry_and_back():
    from bot.content import load

    answered = {t for t, by_state in load().topics.items()  # bank entries: content/bank/
                if not next(iter(by_state.values())).is_bank}
    listed = {t.id for t in registry().topics.values() if t.answers}
    assert answered == listed
