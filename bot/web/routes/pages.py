"""The advocates' pages: /topics, /topics/{id}, /counties, /contacts (printable, cached).
What they show is decided in bot/web/pages_view.py."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web import pages_view
from bot.web.deps import page, ui

router = APIRouter(include_in_schema=False)


@router.get("/topics", response_class=HTMLResponse)
async def topics(request: Request):
    st = ui(request)
    return page(request, "topics.html", {"groups": pages_view.topic_groups(st.content, st.words),
                                         "count": pages_view.topic_count(st.content)}, cache=True)


@router.get("/topics/{topic_id}", response_class=HTMLResponse)
async def topic_page(request: Request, topic_id: str):
    st = ui(request)
    ctx = pages_view.topic_versions(st.content, st.words, topic_id)
    if ctx is None:
        errors = st.words["errors"]
        return page(request, "error.html", {"status": 404, "title": errors["topic_not_found_title"],
                                            "text": errors["topic_not_found"]}, 404)
    return page(request, "topic.html", ctx, cache=True)


@router.get("/counties", response_class=HTMLResponse)
async def counties(request: Request):
    return page(request, "counties.html", pages_view.county_groups(ui(request).content), cache=True)


@router.get("/contacts", response_class=HTMLResponse)
async def contacts(request: Request):
    st = ui(request)
    return page(request, "contacts.html", pages_view.contact_rows(st.content, st.words), cache=True)
