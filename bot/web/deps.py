"""What the routers share: the app's state, the session cookie, content negotiation, pages.

Routers import from here, never from each other (the FastAPI full-stack template's
`deps` module). Everything is read from `request.app.state`, set up once by the app factory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot import i18n

COOKIE = "aot_sid"
SID_RE = re.compile(r"[A-Za-z0-9_-]{32,100}")
NEUTRAL_SITE = "https://www.weather.gov/"
VARY_ON_LANGUAGE = ",".join(("Cookie", "Accept-Language"))  # request headers the language comes from


def state(request: Request):
    """The app's shared objects: settings, content, words, keys, store, rasa, gateway, templates."""
    return request.app.state


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def is_https(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return (proto or request.url.scheme) == "https"


def current_sid(request: Request) -> str | None:
    """The web session id from the cookie, when it names a live session."""
    st = state(request)
    sid = request.cookies.get(COOKIE, "")
    if SID_RE.fullmatch(sid) and st.store.session_exists(st.keys.web_key(sid)):
        return sid
    return None


def set_cookie(request: Request, response: Response, sid: str) -> None:
    settings = state(request).settings
    secure = settings.cookie_secure if settings.cookie_secure is not None else is_https(request)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", secure=secure, path="/")


def page(request: Request, name: str, ctx: dict, status: int = 200,
         cache: bool = False, lang: str | None = None) -> HTMLResponse:
    """A page in the request's language, with the switch to the other one."""
    shown = ui(request, lang)
    back = request.url.path
    ctx = {"request": request, "lang": shown.lang, "other_lang": other_lang(shown.lang),
           "back": back, **ctx}
    resp = shown.templates.TemplateResponse(request, name, ctx, status_code=status)
    # A cached page must not be served in the other language (the switch, the cookie).
    resp.headers["cache-control"] = "private, max-age=300" if cache else "no-store"
    resp.headers["vary"] = VARY_ON_LANGUAGE
    resp.headers["content-language"] = shown.lang
    return resp


def error_page(request: Request, status: int, title_key: str, text_key: str | None = None) -> Response:
    """An error, as a page for a browser or as JSON {"detail"} (content/web.yml `errors`)."""
    errors = ui(request).words["errors"]
    text = errors[text_key] if text_key else ""
    if wants_html(request) and not wants_json(request):
        return page(request, "error.html", {"status": status, "title": errors[title_key],
                                            "text": text}, status)
    return JSONResponse({"detail": text or errors[title_key]}, status_code=status)


def bad_request(request: Request, text_key: str) -> Response:
    return error_page(request, 400, "bad_title", text_key)


# ---- the page's language (issue #14) ---------------------------------------------------
LANG_COOKIE = "aot_lang"


@dataclass(frozen=True)
class UI:
    """One language's content, web words and templates (built once by the app factory)."""
    lang: str
    content: Any
    words: Any
    templates: Any


def lang_of(request: Request) -> str:
    """The language to show: the conversation's (kept by bot/web/language.py), else the
    one chosen with the switch before a conversation started (cookie), else the browser's
    first preference (Accept-Language), else English."""
    st = state(request)
    sid = current_sid(request)
    kept = st.store.get_lang(st.keys.web_key(sid)) if sid else None
    if kept:
        return kept
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in i18n.LANGS:
        return chosen
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "es" if first.startswith("es") else i18n.DEFAULT


def ui(request: Request, lang: str | None = None) -> UI:
    uis = getattr(state(request), "uis", None)
    if not uis:  # an app built without languages (some tests): English only
        st = state(request)
        return UI(i18n.DEFAULT, st.content, st.words, st.templates)
    return uis[i18n.normal(lang or lang_of(request))]


def other_lang(lang: str) -> str:
    return next(x for x in i18n.LANGS if x != lang)
