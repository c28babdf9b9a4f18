"""Advocates' pages are generated from content/ and show exactly what the bot says."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bot.content import STATES, load
from web_helpers import norm, visible

WEB = Path(__file__).resolve().parents[2] / "bot" / "web"
PAGES = ["/", "/topics", "/counties", "/contacts"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_always_visible_parts(client, path):
    r = client.get(path)
    assert r.status_code == 200
    html = r.text
    assert "Information, not legal advice" in html
    crisis = load().contacts["crisis_988"]["phone"]
    assert f'<a href="tel:{crisis}">{crisis}</a>' in html
    assert 'class="leave"' in html and 'action="/leave"' in html
    assert '<html lang="en">' in html and 'name="viewport"' in html
    assert "/static/style.css" in html


def test_topics_lists_every_topic_with_citation_source_and_date(client):
    c = load()
    html = client.get("/topics").text
    text = visible(html)
    count = 0
    for topic_id, by_state in c.topics.items():
        for state, topic in by_state.items():
            count += 1
            assert f'id="{state}-{topic_id}"' in html
            assert norm(topic.citation) in text
            for src in getattr(topic, "sources", (topic.source,)):
                assert norm(c.sources[src].title) in text
            assert topic.last_reviewed in text
            try:
                rendered = c.render_topic(topic)
            except Exception:
                continue
            for m in rendered:  # word for word what the bot says
                assert norm(m["text"]) in text, (topic_id, state, m["text"][:60])
    assert count > 0
    for state, name in STATES.items():
        if any(state in v for v in c.topics.values()):
            assert name in text


@pytest.mark.parametrize("topic_id", sorted(load().topics))
def test_each_topic_page(client, topic_id):
    c = load()
    r = client.get(f"/topics/{topic_id}")
    assert r.status_code == 200
    text = visible(r.text)
    for state, topic in c.topics[topic_id].items():
        assert norm(topic.citation) in text
        assert topic.last_reviewed in text
        assert norm(c.citation_line(topic)) in text


@pytest.mark.parametrize("bad", ["nope", "..%2F..%2Fetc%2Fpasswd", "%3Cscript%3E", "a" * 500])
def test_unknown_topic_is_404(client, bad):
    r = client.get(f"/topics/{bad}", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert "<script>" not in r.text


def test_counties_page(client):
    c = load()
    html = client.get("/counties").text
    text = visible(html)
    for county in c.counties:
        assert f"<th scope=\"row\">{county.name.replace(chr(39), '&#39;')}</th>" in html
        for later in county.later:
            assert norm(later["text"]) in text
    for state in STATES:
        as_of = c.county_meta["as_of"].get(state)
        if as_of:
            assert str(as_of) in text
        src = c.county_meta["source"].get(state)
        if src:
            assert norm(c.sources[src].title) in text
    assert "Not listed: check with the county" in text or not any(
        x.status == "not_listed" for x in c.counties)


def test_contacts_page_lists_every_number_with_source(client):
    c = load()
    text = visible(client.get("/contacts").text)
    for cid, contact in c.contacts.items():
        if contact.get("phone"):
            assert contact["phone"] in text
        src = c.sources.get(contact.get("source", ""))
        if src:
            assert src.short in text


def test_pages_are_printable(client):
    css = client.get("/static/style.css").text
    assert "@media print" in css
    print_css = css[css.index("@media print"):]
    assert ".leave-form" in print_css and ".compose" in print_css


def test_no_phone_number_or_legal_fact_is_hard_coded():
    """Every number comes from content/: none in the app's code, templates or script."""
    phone = re.compile(r"(?<![\w#.-])(\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}|988|911|311)(?![\w-])")
    for path in WEB.rglob("*"):
        if path.suffix not in (".py", ".html", ".js", ".css"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for m in phone.finditer(line):
                raise AssertionError(f"{path.name}:{n}: hard-coded number {m.group(0)!r}")
    for path in WEB.rglob("*.html"):
        text = path.read_text()
        for phrase in ("5 business days", "72 hours", "6 months", "clear and convincing",
                       "Welf. & Inst", "MHL 9.60", "5346", "180 days"):
            assert phrase not in text, (path.name, phrase)


def test_templates_autoescape(client):
    env = client.app.state.templates.env
    assert env.autoescape is True or env.autoescape("x.html")
    out = env.from_string("{{ x }}").render(x="<script>")
    assert out == "&lt;script&gt;"


@pytest.mark.parametrize("query", ["?deleted=abc", "?deleted=1&x=%FF", "?" + "a=1&" * 500])
def test_odd_query_strings_on_pages(client, query):
    assert client.get("/" + query).status_code == 200
    assert client.get("/chat").status_code == 200  # GET /chat goes back to the page


def test_contacts_page_shows_local_counties_and_the_tty_source(client):
    from bot.content import load

    c = load()
    page = client.get("/contacts").text
    assert "Los Angeles" in page and "Bronx, Kings, New York, Queens, Richmond" in page
    assert c.sources[c.contacts["ca_drc"]["tty_source"]].short.replace("'", "&#39;") in page
