"""The advocates' pages (/topics, /topics/{id}, /counties, /contacts): what each page
shows, from content/ alone. No request, no template: testable on its own
(tests/web/test_pages_view.py). The words around the data are in content/web.yml.
"""
from __future__ import annotations

import jinja2

from bot.content import LAWS, STATES
from bot.web.gateway import collect_buttons


def _names(content) -> dict:
    """State names in the page's language (content/states.yml or its Spanish twin)."""
    return getattr(content, "states", None) or STATES


def _laws(content) -> dict:
    return getattr(content, "laws", None) or LAWS


def state_names(words) -> dict:
    return {**_names(getattr(words, "content", None)), "ALL": words["topics"]["both_states"]}


def render_topic(content, topic) -> dict:
    """One answer as the assistant says it, with its sources and buttons. An answer that
    needs the conversation (e.g. a county) is shown as its template (`dynamic`)."""
    try:
        msgs, dynamic = content.render_topic(topic), False
    except jinja2.TemplateError:
        msgs = [{"text": m} for m in topic.messages] + [{"text": content.citation_line(topic)}]
        dynamic = True
    ids = getattr(topic, "sources", None) or (topic.source,)
    srcs = [content.sources[i] for i in ids if i in content.sources]
    return {"topic": topic, "messages": msgs, "sources": srcs, "dynamic": dynamic,
            "buttons": collect_buttons(msgs)}


def topic_groups(content, words) -> list[dict]:
    """Every answer, grouped by state (California, New York, then both)."""
    names, groups = state_names(words), []
    for st in [*STATES, "ALL"]:
        items = [render_topic(content, by_state[st]) for by_state in content.topics.values()
                 if st in by_state]
        if items:
            groups.append({"state": st, "name": names[st], "law": _laws(content).get(st),
                           "entries": items})
    return groups


def topic_count(content) -> int:
    return sum(len(v) for v in content.topics.values())


def topic_versions(content, words, topic_id: str) -> dict | None:
    """One topic in each state it has an answer for; None when there is no such topic."""
    by_state = content.topics.get(topic_id)
    if not by_state:
        return None
    names = state_names(words)
    versions = [{"state": s, "name": names.get(s, s), "law": _laws(content).get(s),
                 **render_topic(content, t)}
                for s, t in by_state.items()]
    return {"topic_id": topic_id, "versions": versions, "title": next(iter(by_state.values())).title}


def county_groups(content) -> dict:
    """Counties by state, with the list's date and source, and counts by status."""
    groups = []
    for st, name in _names(content).items():
        rows = sorted((c for c in content.counties if c.state == st), key=lambda c: c.name)
        if not rows:
            continue
        src_id = content.county_meta.get("source", {}).get(st)
        groups.append({"state": st, "name": name, "law": _laws(content).get(st), "rows": rows,
                       "as_of": content.county_meta.get("as_of", {}).get(st),
                       "source": content.sources.get(src_id) if src_id else None})
    labels = content.county_meta["status_labels"]  # content/counties.yml
    counts = {s: {k: sum(1 for c in content.counties if c.state == s and c.status == k)
                  for k in labels} for s in STATES}
    return {"groups": groups, "labels": labels, "counts": counts, "sources": content.sources}


def contact_rows(content, words) -> dict:
    """Every contact with its source (and its TTY's source)."""
    rows = [{"id": cid, **c, "source_obj": content.sources.get(c.get("source", "")),
             "tty_source_obj": content.sources.get(c.get("tty_source", ""))}
            for cid, c in content.contacts.items()]
    return {"rows": rows, "state_names": state_names(words)}
