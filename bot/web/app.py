"""The FastAPI app: web chat, JSON API, SMS webhook, advocates' pages, health.

    GET  /                 web chat (works without JavaScript)
    POST /chat             send a message or press a button (form post, or JSON for the script)
    POST /delete           delete my conversation
    POST /leave            leave quickly: clear everything, go to a neutral site
    POST /api/messages     Rasa's REST format, for chat widgets
    POST /sms/twilio       Twilio inbound SMS (see sms.py)
    GET  /topics, /topics/{id}, /counties, /contacts   advocates' pages from content/
    GET  /healthz          web app, Rasa and action server, separately
    GET  /docs             OpenAPI

Every text about AOT and every phone number comes from content/ (bot.content).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, Field, constr
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web import crisis_view, shared_state, sms
from bot.web.config import Settings
from bot.web.gateway import Gateway, Keys, collect_buttons
from bot.web.rasa_client import RasaClient
from bot.web.store import Store, find_tracker_db

log = logging.getLogger("bot.web")

HERE = Path(__file__).resolve().parent
COOKIE = "aot_sid"
SID_RE = re.compile(r"[A-Za-z0-9_-]{32,100}")
NEUTRAL_SITE = "https://www.weather.gov/"
# ---- API models (pydantic v1) ---------------------------------------------------------------
class ButtonModel(BaseModel):
    title: str
    payload: str


class MessageIn(BaseModel):
    sender: constr(strip_whitespace=True, min_length=1, max_length=200) = Field(
        ..., description="Your id for this conversation (any string; it is hashed before use).")
    message: str = Field(
        "", description="What the person typed, or the payload of a button just offered. "
        "Text starting with '/' that is not such a payload is treated as plain text. "
        "Long messages are cut (the reply says so).")
    metadata: Optional[Dict[str, Any]] = Field(
        None, description="Accepted for compatibility with Rasa's REST channel; ignored.")

    class Config:
        schema_extra = {"example": {"sender": "widget-1234", "message": "Do I get a lawyer?"}}


class CrisisCall(BaseModel):
    id: str = Field(..., description="call_911 | call_988 | text_988")
    title: str = Field(..., description="The button's words, e.g. the words of `text_988`.")
    href: str = Field(..., description="A tel: or sms: link.")


class CrisisMarker(BaseModel):
    kind: str = Field("crisis", description="Always \"crisis\": this message is part of a crisis reply.")
    reply: str = Field(..., description="Which crisis reply (its key in content/dialogue.yml).")
    danger_now: bool = Field(..., description="Someone may be in danger right now: the `call_911` button comes first.")
    lang: str = Field("en", description="The reply's language.")
    calls: List[CrisisCall] = Field(..., description="Big call/text buttons to show, in order.")


class BotMessage(BaseModel):
    recipient_id: str
    text: Optional[str] = None
    buttons: Optional[List[ButtonModel]] = None
    custom: Optional[CrisisMarker] = Field(
        None, description="Only on the messages of a crisis reply (Rasa's `custom` field): "
        "style them as one prominent crisis panel and show `calls` as large buttons.")


# ---- middleware: body limit, security headers, privacy-safe access log ------------------------------
class FrontDoorMiddleware:
    """Pure ASGI: refuses huge bodies (413), adds security headers, logs no query or body."""

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        status_holder = {"status": 0}
        try:
            length = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            length = 0
        if length > self.max_body:
            resp = JSONResponse({"detail": "Request body too large."}, status_code=413)
            await resp(scope, receive, send)
            log.info("%s %s 413", scope.get("method"), path[:100])
            return

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge()
            return message

        docs = path.startswith("/docs") or path.startswith("/redoc")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
                ]
                if not docs:
                    extra.append((b"content-security-policy", (
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        "connect-src 'self'; form-action 'self' " + NEUTRAL_SITE.rstrip("/") + "; "
                        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'").encode()))
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + extra
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not status_holder["status"]:
                resp = JSONResponse({"detail": "Request body too large."}, status_code=413)
                await resp(scope, receive, send)
                status_holder["status"] = 413
        except Exception as exc:  # noqa: BLE001 - never a stack trace, never text in logs
            log.error("unhandled %s on %s", type(exc).__name__, path[:100])
            if not status_holder["status"]:
                resp = JSONResponse({"detail": "Something went wrong. Please try again."},
                                    status_code=500)
                await resp(scope, receive, send)
                status_holder["status"] = 500
        finally:
            log.info("%s %s %s %.0fms", scope.get("method"), path[:100], status_holder["status"],
                     (time.perf_counter() - start) * 1000)


class _TooLarge(Exception):
    pass


# ---- helpers ------------------------------------------------------------------------------------
def _tel(phone: str) -> str:
    digits = re.sub(r"[^\d+]", "", phone)
    return f"tel:{digits}"


def make_phone_linker(contacts: dict):
    """Jinja filter: escape text, then make every phone number from contacts.yml a tel: link."""
    phones = sorted({str(c[k]) for c in contacts.values() for k in ("phone", "tty") if c.get(k)},
                    key=len, reverse=True)
    if not phones:
        return lambda text: escape(text)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(str(escape(p))) for p in phones) + r")(?![\w-])")

    def linker(text) -> Markup:
        safe = str(escape(text or ""))
        return Markup(pattern.sub(lambda m: f'<a href="{_tel(m.group(1))}">{m.group(1)}</a>', safe))

    return linker


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _is_https(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return (proto or request.url.scheme) == "https"


def create_app(settings: Settings | None = None, *, rasa_transport=None, content=None,
               detect=None) -> FastAPI:
    settings = settings or Settings.from_env()
    if content is None:
        from bot.content import load

        content = load()
    if detect is None:
        from bot.crisis import detect  # crisis first: the app does not start without it

    keys = Keys(settings.sender_key or secrets.token_hex(32))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        store = Store(settings.db_path)
        rasa = RasaClient(settings.rasa_url, settings.action_server_url, settings.rasa_timeout,
                          settings.health_timeout, transport=rasa_transport)
        app.state.store = store
        app.state.rasa = rasa
        app.state.gateway = Gateway(store, rasa, content, detect, keys, settings.max_chars,
                                    settings.rate_limit, settings.rate_window,
                                    find_tracker_db(settings.tracker_db))
        shared_state.install(app, app.state.gateway, settings)  # Redis when REDIS_URL is set
        store.purge(settings.retention_days)
        await asyncio.to_thread(detect, "warm up")  # build the crisis matchers before the first user

        async def purge_hourly():
            while True:
                await asyncio.sleep(3600)
                store.purge(settings.retention_days)

        purger = asyncio.create_task(purge_hourly())
        try:
            yield
        finally:
            purger.cancel()
            await app.state.gateway.drain(timeout=5)
            await rasa.aclose()
            store.close()

    docs_offline = _offline_docs_path()
    app = FastAPI(
        title="AOT rights assistant: front door",
        version="1.0",
        description=(
            "Web chat, SMS gateway and advocates' pages for an assistant that explains "
            "Assisted Outpatient Treatment rights. Information, not legal advice. "
            "`POST /api/messages` takes and returns Rasa's REST channel format."),
        lifespan=lifespan,
        docs_url=None if docs_offline else "/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.content = content
    app.state.keys = keys

    # The web page's own words (content/dialogue.yml web_chat), rendered once.
    web_words = {k: v if k == "quick_status" else content.render_text(v)
                 for k, v in content.dialogue["web_chat"].items() if isinstance(v, str)}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["phones"] = make_phone_linker(content.contacts)
    env.globals.update(
        crisis=content.contacts.get("crisis_988", {}),
        emergency=content.contacts.get("emergency_911", {}),
        neutral_site=NEUTRAL_SITE,
        crisis_header=crisis_view.header(content),
        web=web_words,
    )
    templates = Jinja2Templates(env=env)
    app.state.templates = templates

    app.add_middleware(FrontDoorMiddleware, max_body=settings.max_body_bytes)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["POST"], allow_headers=["content-type"])
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if docs_offline:
        _mount_offline_docs(app, docs_offline)
    app.include_router(sms.router)

    greet_buttons = collect_buttons(content.render_dialogue("greet"))
    # The web greeting is short (content/dialogue.yml web_chat): the notice is at the top.
    greet_texts = [{"role": "bot", "text": m["text"]} for m in content.render_dialogue("web_chat")]

    def view_turns(rows: list[dict], fresh: bool = False, anchor: int | None = None) -> list[dict]:
        """Transcript rows -> what _turns.html shows: a crisis reply's rows become one
        panel. The latest reply is new: its rows from id `anchor` on (`fresh`: every row,
        the script's fragments; no anchor: the rows after the person's last message).
        A new panel is announced (role="alert"). Without the script the page opens
        (#last) at a new panel, else at the reply's first message, not its last."""
        out: list[dict] = []
        for r in rows:
            new = fresh or anchor is not None and r.get("id", 0) >= anchor
            if r["role"] == "crisis" and out and out[-1]["role"] == "crisis":
                out[-1]["texts"].append(r["text"])
            elif r["role"] == "crisis":
                info = r.get("panel") or {}
                out.append({"role": "crisis", "texts": [r["text"]], "new": new, "panel": crisis_view.panel(
                    content, info.get("reply"), info.get("danger_now", False))})
            else:
                out.append({"role": r["role"], "text": r["text"], "new": new})
        if anchor is None and not fresh:
            last_user = max((i for i, t in enumerate(out) if t["role"] == "user"), default=-1)
            for t in out[last_user + 1:]:
                t["new"] = True
        fresh_replies = [i for i, t in enumerate(out) if t["new"] and t["role"] != "user"]
        panels = [i for i in fresh_replies if out[i]["role"] == "crisis"]
        for i in panels:
            out[i]["alert"] = True
        if out and not fresh:
            out[panels[-1] if panels else fresh_replies[0] if fresh_replies else -1]["anchor"] = True
        return out

    # ---- sessions ------------------------------------------------------------------------
    def current_sid(request: Request) -> str | None:
        sid = request.cookies.get(COOKIE, "")
        if SID_RE.fullmatch(sid) and app.state.store.session_exists(keys.web_key(sid)):
            return sid
        return None

    def set_cookie(request: Request, response: Response, sid: str) -> None:
        secure = settings.cookie_secure if settings.cookie_secure is not None else _is_https(request)
        response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", secure=secure, path="/")

    def forget(sid: str | None) -> None:
        if not sid:
            return
        app.state.store.delete_session(keys.web_key(sid))
        app.state.gateway.forget_rasa(keys.web_sender(sid))

    def page(request: Request, name: str, ctx: dict, status: int = 200,
             cache: bool = False) -> HTMLResponse:
        resp = templates.TemplateResponse(request, name, {"request": request, **ctx},
                                          status_code=status)
        resp.headers["cache-control"] = "public, max-age=300" if cache else "no-store"
        return resp

    def chat_context(sid: str | None) -> dict:
        store = app.state.store
        if sid:
            key = keys.web_key(sid)
            turns, anchor = store.transcript(key), store.anchor(key)
            offered = store.get_offered(key)
        else:
            turns, anchor, offered = [], None, None
        return {"greeting": greet_texts, "turns": view_turns(turns, anchor=anchor),
                "quick": greet_buttons if offered is None else offered, "first_screen": not turns,
                "max_chars": settings.max_chars, "retention_days": settings.retention_days}

    def store_outcome(key: str, outcome) -> list[dict]:
        """Add the person's turn and the replies to the transcript; the new rows."""
        store, rows = app.state.store, []
        if crisis_view.is_crisis(outcome) and store.tool_open(key):
            # A crisis ends a guided tool (Rasa forgets its answers): so does this transcript,
            # at the next message; the crisis message and the panel stay.
            store.mark_tool(key, "end")
        if outcome.shown:
            store.add_turn(key, "user", outcome.shown)
            rows.append({"role": "user", "text": outcome.shown})
        markers = dict(outcome.markers)
        in_panel = crisis_view.panel_flags(outcome, app.state.gateway)
        panel = crisis_view.outcome_panel(content, outcome) if any(in_panel) else None
        first = None
        for i, m in enumerate(outcome.messages):
            if i in markers:
                store.mark_tool(key, markers.pop(i))
            role = "crisis" if in_panel[i] else "bot"
            row_id = store.add_turn(key, role, m["text"], m.get("buttons"), panel if in_panel[i] else None)
            first = first or row_id
            rows.append({"role": role, "text": m["text"], "panel": panel})
        for which in markers.values():
            store.mark_tool(key, which)
        store.set_anchor(key, first)
        return rows

    # ---- web chat -------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def chat_page(request: Request, deleted: str = ""):
        sid = current_sid(request)
        ctx = chat_context(sid)
        ctx["deleted"] = deleted == "1"
        return page(request, "chat.html", ctx)

    @app.post("/chat", include_in_schema=False)
    async def chat_post(request: Request):
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - malformed body
            return _bad_request(request, "The form could not be read. Please try again.")
        message, payload = form.get("message"), form.get("payload")
        if message is not None and not isinstance(message, str) or \
                payload is not None and not isinstance(payload, str):
            return _bad_request(request, "Please send text only.")
        if message is None and payload is None:
            return _bad_request(request, "The form had no message.")

        sid = current_sid(request)
        new = sid is None
        if new:
            sid = secrets.token_urlsafe(32)
            app.state.store.create_session(keys.web_key(sid))
        key = keys.web_key(sid)
        outcome = await app.state.gateway.handle(
            channel="web", key=key, sender_id=keys.web_sender(sid),
            text=message if payload is None else None, payload=payload,
            default_offered=greet_buttons)
        store = app.state.store
        # A finished guided tool's answers stay on screen until the next message,
        # then are blanked in this transcript (Rasa's store blanks them at once).
        store.forget_finished_tools(key)
        new_rows = store_outcome(key, outcome)

        if _wants_json(request):
            ctx = {"turns": view_turns(new_rows, fresh=True), "quick": outcome.buttons}
            n = len(outcome.buttons)
            resp = JSONResponse({
                "kind": outcome.kind,
                "html": env.get_template("_turns.html").render(ctx),
                "quick_replies": env.get_template("_quick.html").render(ctx),
                # read out once by screen readers (a live status outside the buttons)
                "quick_status": content.render_text(web_words["quick_status"], n=n) if n else "",
            })
            resp.headers["cache-control"] = "no-store"
        else:
            resp = RedirectResponse("/#last", status_code=303)
        if new:
            set_cookie(request, resp, sid)
        return resp

    @app.get("/chat", include_in_schema=False)
    async def chat_get():
        return RedirectResponse("/", status_code=303)

    @app.post("/delete", include_in_schema=False)
    async def delete_conversation(request: Request):
        forget(current_sid(request))
        log.info("channel=web kind=delete")
        if _wants_json(request):
            resp = JSONResponse({"deleted": True})
        else:
            resp = RedirectResponse("/?deleted=1", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    @app.post("/leave", include_in_schema=False)
    async def leave(request: Request):
        forget(current_sid(request))
        if _wants_json(request):
            resp = JSONResponse({"left": True, "go": NEUTRAL_SITE})
        else:
            resp = RedirectResponse(NEUTRAL_SITE, status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        resp.headers["clear-site-data"] = '"cache", "storage"'
        resp.headers["cache-control"] = "no-store"
        return resp

    # ---- JSON API (Rasa REST format) ---------------------------------------------------------------------
    @app.post("/api/messages", response_model=List[BotMessage], response_model_exclude_none=True,
              summary="Send a message; get the assistant's replies (Rasa REST format)",
              responses={413: {"description": "Body too large"},
                         429: {"description": "Too many messages from this sender"}},
              tags=["chat"])
    async def api_messages(msg: MessageIn):
        """Same request and reply format as Rasa's `/webhooks/rest/webhook`.

        Crisis messages get the crisis reply first, even when the assistant is down.
        Each message of a crisis reply carries `custom` (Rasa's field for custom
        payloads): `{"kind": "crisis", "reply", "danger_now", "lang", "calls": [{"id",
        "title", "href"}]}`. Show those messages as one prominent panel, and `calls` as
        large buttons (tel:/sms: links) in that order; the `call_911` button is first when
        `danger_now` is true. Other messages have no `custom`.
        If the assistant cannot answer, the reply is a short message with people to call.
        """
        outcome = await app.state.gateway.handle(
            channel="api", key=keys.api_key(msg.sender), sender_id=keys.api_sender(msg.sender),
            text=msg.message, typed_payloads=True)
        in_panel = crisis_view.panel_flags(outcome, app.state.gateway)
        marker = None
        if any(in_panel):
            info = crisis_view.outcome_panel(content, outcome)
            marker = crisis_view.api_marker(content, info["reply"], info["danger_now"])
        out = [BotMessage(recipient_id=msg.sender, text=m["text"] or None,
                          buttons=m.get("buttons") or None, custom=marker if flag else None)
               for m, flag in zip(outcome.messages, in_panel)]
        if outcome.kind == "limited":
            return JSONResponse([o.dict(exclude_none=True) for o in out], status_code=429,
                                headers={"retry-after": str(int(settings.rate_window))})
        return out

    # ---- advocates' pages -----------------------------------------------------------------------------------
    from bot.content import LAWS, STATES

    def render_topic(topic) -> dict:
        try:
            msgs = content.render_topic(topic)
            dynamic = False
        except jinja2.TemplateError:
            # needs conversation context (e.g. a county): show the template itself
            msgs = [{"text": m} for m in topic.messages] + [{"text": content.citation_line(topic)}]
            dynamic = True
        ids = getattr(topic, "sources", None) or (topic.source,)
        srcs = [content.sources[i] for i in ids if i in content.sources]
        return {"topic": topic, "messages": msgs, "sources": srcs, "dynamic": dynamic,
                "buttons": collect_buttons(msgs)}

    state_names = {**STATES, "ALL": "Both states"}

    def grouped_topics() -> list[dict]:
        groups = []
        for state in [*STATES, "ALL"]:
            items = [render_topic(by_state[state]) for by_state in content.topics.values()
                     if state in by_state]
            if items:
                law = LAWS.get(state)
                groups.append({"state": state, "name": state_names[state], "law": law,
                               "entries": items})
        return groups

    @app.get("/topics", response_class=HTMLResponse, include_in_schema=False)
    async def topics(request: Request):
        return page(request, "topics.html", {"groups": grouped_topics(),
                                             "count": sum(len(v) for v in content.topics.values())},
                    cache=True)

    @app.get("/topics/{topic_id}", response_class=HTMLResponse, include_in_schema=False)
    async def topic_page(request: Request, topic_id: str):
        by_state = content.topics.get(topic_id)
        if not by_state:
            return page(request, "error.html", {"status": 404, "title": "Topic not found",
                                                "text": "There is no topic with that name."}, 404)
        versions = [{"state": s, "name": state_names.get(s, s), "law": LAWS.get(s),
                     **render_topic(t)} for s, t in by_state.items()]
        return page(request, "topic.html", {"topic_id": topic_id, "versions": versions,
                                            "title": next(iter(by_state.values())).title},
                    cache=True)

    @app.get("/counties", response_class=HTMLResponse, include_in_schema=False)
    async def counties(request: Request):
        groups = []
        for state, name in STATES.items():
            rows = sorted((c for c in content.counties if c.state == state), key=lambda c: c.name)
            if not rows:
                continue
            src_id = content.county_meta.get("source", {}).get(state)
            groups.append({"state": state, "name": name, "law": LAWS.get(state), "rows": rows,
                           "as_of": content.county_meta.get("as_of", {}).get(state),
                           "source": content.sources.get(src_id) if src_id else None})
        labels = content.county_meta["status_labels"]  # content/counties.yml
        counts = {s: {k: sum(1 for c in content.counties if c.state == s and c.status == k)
                      for k in labels} for s in STATES}
        return page(request, "counties.html", {"groups": groups, "labels": labels,
                                               "counts": counts, "sources": content.sources},
                    cache=True)

    @app.get("/contacts", response_class=HTMLResponse, include_in_schema=False)
    async def contacts(request: Request):
        rows = [{"id": cid, **c, "source_obj": content.sources.get(c.get("source", "")),
                 "tty_source_obj": content.sources.get(c.get("tty_source", ""))}
                for cid, c in content.contacts.items()]
        return page(request, "contacts.html", {"rows": rows, "state_names": state_names},
                    cache=True)

    # ---- health ----------------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["health"], summary="Web app, Rasa and action server, separately")
    async def healthz():
        rasa_h, actions_h = await asyncio.gather(app.state.rasa.rasa_health(),
                                                 app.state.rasa.action_server_health())
        ok = rasa_h["ok"] and actions_h["ok"]
        return JSONResponse({"status": "ok" if ok else "degraded", "web": {"ok": True},
                             "rasa": rasa_h, "action_server": actions_h},
                            headers={"cache-control": "no-store"})

    # ---- errors: never a stack trace ------------------------------------------------------------------------
    def _bad_request(request: Request, text: str) -> Response:
        if _wants_html(request) and not _wants_json(request):
            return page(request, "error.html", {"status": 400, "title": "Something was wrong with that",
                                                "text": text}, 400)
        return JSONResponse({"detail": text}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_html(request) and not _wants_json(request):
            title = "Page not found" if exc.status_code == 404 else "Something went wrong"
            return page(request, "error.html", {"status": exc.status_code, "title": title,
                                                "text": ""}, exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        # Say what is wrong without echoing what was sent.
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append({"field": loc or "body", "problem": err.get("msg", "invalid")})
        return JSONResponse({"detail": "The request was not valid.", "problems": problems},
                            status_code=422)

    return app


def _offline_docs_path() -> Path | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").exists() else None


def _mount_offline_docs(app: FastAPI, path: Path) -> None:
    """/docs without a CDN: Swagger UI from the swagger-ui-bundle package."""
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/docs-assets", StaticFiles(directory=str(path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=app.title + " - API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")


def __getattr__(name: str):
    # `app` is built on first use, so importing this module (e.g. in tests) has no side effects.
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)
