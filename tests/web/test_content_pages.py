"""Advocates' pages after the content audit (issue 10): the county list's age is said
prominently, and internal names (intents) are not shown to readers."""
from __future__ import annotations

from bot.content import load
from web_helpers import visible


def test_counties_page_says_how_old_the_list_is(client):
    html = client.get("/counties").text
    as_of = load().county_meta["as_of"]["CA"]
    assert f"How old this list is: the California list is from {as_of}." in visible(html)
    # prominent: before the first table, in a note
    assert html.index("How old this list is") < html.index("<table")
    assert 'class="notice" role="note"' in html


def test_county_statuses_are_dated_on_the_page(client):
    text = visible(client.get("/counties").text)
    assert "Has an AOT program" not in text
    assert "On DRC's December 2021 list of counties with AOT" in text
    assert "Required by state law (MHL 9.60)" in text


def test_topic_pages_do_not_show_intent_names(client):
    for path in ("/topics", "/topics/lawyer"):
        html = client.get(path).text
        assert "Intent" not in visible(html) and "ask_lawyer" not in html
