"""The advocates' pages' presentation (bot/web/pages_view.py), on its own: no app, no request."""
from __future__ import annotations

import pytest

from bot.content import load
from bot.web import pages_view
from bot.web.words import words_for


@pytest.fixture(scope="module")
def content():
    return load()


@pytest.fixture(scope="module")
def words(content):
    return words_for(content)


def test_topics_are_grouped_california_new_york_then_both_and_none_is_lost(content, words):
    groups = pages_view.topic_groups(content, words)
    assert [g["state"] for g in groups] == [s for s in ("CA", "NY", "ALL")
                                            if any(s in t for t in content.topics.values())]
    assert sum(len(g["entries"]) for g in groups) == pages_view.topic_count(content)
    both = next(g for g in groups if g["state"] == "ALL")
    assert both["name"] == words["topics"]["both_states"] and both["law"] is None
    ca = groups[0]
    assert ca["name"] == "California" and ca["law"] == "Laura's Law"


def test_every_topic_shows_its_words_and_names_its_sources(content, words):
    for group in pages_view.topic_groups(content, words):
        for item in group["entries"]:
            assert item["messages"] and all(m["text"].strip() for m in item["messages"])
            assert item["sources"], item["topic"].id  # every answer names its source


def test_an_answer_that_needs_the_conversation_is_shown_as_its_template(content):
    class Needy:  # a topic whose words need a county from the conversation
        id, state, title, citation, source, sources = "x", "CA", "X", "WIC 5346", "s", ()
        messages = ("{{ county.name }} has a program.",)

    def refuse(topic):
        import jinja2
        raise jinja2.UndefinedError("county")

    class Content:
        sources = {}
        render_topic = staticmethod(refuse)
        citation_line = staticmethod(lambda topic: "Law: WIC 5346.")

    item = pages_view.render_topic(Content(), Needy())
    assert item["dynamic"] is True
    assert [m["text"] for m in item["messages"]] == ["{{ county.name }} has a program.", "Law: WIC 5346."]


def test_one_topic_page_and_an_unknown_topic(content, words):
    topic_id = next(iter(content.topics))
    view = pages_view.topic_versions(content, words, topic_id)
    assert view["topic_id"] == topic_id and view["versions"]
    assert {v["state"] for v in view["versions"]} == set(content.topics[topic_id])
    assert pages_view.topic_versions(content, words, "no-such-topic") is None


def test_counties_are_sorted_counted_and_dated(content):
    view = pages_view.county_groups(content)
    for g in view["groups"]:
        names = [c.name for c in g["rows"]]
        assert names == sorted(names)
        assert g["as_of"]
        assert sum(view["counts"][g["state"]].values()) == len(g["rows"])


def test_every_contact_row_carries_its_source(content, words):
    view = pages_view.contact_rows(content, words)
    assert len(view["rows"]) == len(content.contacts)
    for row in view["rows"]:
        if row.get("source") in content.sources:
            assert row["source_obj"] is content.sources[row["source"]]
    assert view["state_names"]["CA"] == "California"
