"""The web chat: GET /, POST /chat, POST /delete, POST /leave (works without JavaScript)."""
from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.web import transcript
from bot import i18n
from bot.web.deps import (COOKIE, LANG_COOKIE, NEUTRAL_SITE, bad_request, current_sid, lang_of,
                          page, set_cookie, state, ui, wants_json)

log = logging.getLogger("bot.web")
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, deleted: str = ""):
    ctx = transcript.chat_context(state(request), current_sid(request), ui(request).content)
    ctx["deleted"] = deleted == "1"
    return page(request, "chat.html", ctx)


async def _read_form(request: Request) -> tuple[str | None, str | None, str | None]:
    """(message, payload, error key): the web channel reads a message from its form."""
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - malformed body
        return None, None, "form_unreadable"
    message, payload = form.get("message"), form.get("payload")
    if message is not None and not isinstance(message, str) or \
            payload is not None and not isinstance(payload, str):
        return None, None, "text_only"
    if message is None and payload is None:
        return None, None, "no_message"
    return message, payload, None


@router.post("/chat")
async def chat_post(request: Request):
    message, payload, error = await _read_form(request)
    if error:
        return bad_request(request, error)
    st, sid = state(request), current_sid(request)
    before = lang_of(request)  # the switch's choice (cookie) carries into a new conversation
    new = sid is None
    if new:
        sid = secrets.token_urlsafe(32)
        st.store.create_session(st.keys.web_key(sid))
        if request.cookies.get(LANG_COOKIE) in i18n.LANGS:
            st.store.set_lang(st.keys.web_key(sid), before)
    key = st.keys.web_key(sid)
    greet_buttons = transcript.greeting(ui(request, before).content)[1]
    outcome = await st.gateway.handle(
        channel="web", key=key, sender_id=st.keys.web_sender(sid),
        text=message if payload is None else None, payload=payload, default_offered=greet_buttons,
        on_tool_signal=lambda which: st.store.mark_tool(key, which), default_lang=before)
    # A finished guided tool's answers stay on screen until the next message,
    # then are blanked in this transcript (Rasa's store blanks them at once).
    st.store.forget_finished_tools(key)
    shown = ui(request, outcome.lang)
    new_rows = transcript.keep_outcome(st.store, shown.content, st.gateway, key, outcome)
    resp = _fragments(shown, new_rows, outcome) if wants_json(request) else \
        RedirectResponse("/#last", status_code=303)
    if new:
        set_cookie(request, resp, sid)
    return resp


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, back: str = "/"):
    """The Español / English switch on every page: kept for the conversation (and, before
    one starts, in a cookie). Works without JavaScript; goes back to the page it was on."""
    st, sid = state(request), current_sid(request)
    lang = code if code in i18n.LANGS else i18n.DEFAULT
    if sid:
        st.store.set_lang(st.keys.web_key(sid), lang)
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="lax", path="/",
                    max_age=st.settings.retention_days * 86400)
    resp.headers["cache-control"] = "no-store"
    return resp


def _fragments(st, new_rows: list[dict], outcome) -> JSONResponse:
    """The script's reply: the new turns and the new quick replies as HTML fragments."""
    env = st.templates.env
    ctx = {"turns": transcript.view_turns(st.content, new_rows, fresh=True), "quick": outcome.buttons}
    n = len(outcome.buttons)
    status = env.globals["web"]["quick_status"]
    resp = JSONResponse({
        "kind": outcome.kind,
        "html": env.get_template("_turns.html").render(ctx),
        "quick_replies": env.get_template("_quick.html").render(ctx),
        # read out once by screen readers (a live status outside the buttons)
        "quick_status": st.content.render_text(status, n=n) if n else "",
        "lang": outcome.lang,
    })
    resp.headers["cache-control"] = "no-store"
    return resp


@router.get("/chat")
async def chat_get():
    return RedirectResponse("/", status_code=303)


def _forget(request: Request) -> None:
    sid = current_sid(request)
    if sid:
        st = state(request)
        st.gateway.forget(st.keys.web_key(sid), st.keys.web_sender(sid))


@router.post("/delete")
async def delete_conversation(request: Request):
    _forget(request)
    log.info("channel=web kind=delete")
    resp: Response = JSONResponse({"deleted": True}) if wants_json(request) else \
        RedirectResponse("/?deleted=1", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    resp.delete_cookie(LANG_COOKIE, path="/")
    return resp


@router.post("/leave")
async def leave(request: Request):
    _forget(request)
    resp: Response = JSONResponse({"left": True, "go": NEUTRAL_SITE}) if wants_json(request) else \
        RedirectResponse(NEUTRAL_SITE, status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    resp.delete_cookie(LANG_COOKIE, path="/")
    resp.headers["clear-site-data"] = '"cache", "storage"'
    resp.headers["cache-control"] = "no-store"
    return resp
