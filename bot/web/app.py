"""The app factory: web chat, JSON API, SMS webhook, advocates' pages, health.

    GET  /                 web chat (works without JavaScript)         routes/chat.py
    POST /chat             send a message or press a button
    POST /delete           delete my conversation
    POST /leave            leave quickly: clear everything, go to a neutral site
    POST /api/messages     Rasa's REST format, for chat widgets         routes/api.py
    POST /sms/twilio       Twilio inbound SMS                           routes/sms.py
    GET  /topics, /topics/{id}, /counties, /contacts   advocates' pages routes/pages.py
    GET  /healthz          web app, Rasa and action server, separately  routes/health.py
    GET  /docs             OpenAPI

Settings are read once (bot/web/config.py); every route reads the shared objects from
`app.state` (bot/web/deps.py). Every word comes from content/ (dialogue.yml, web.yml).
"""
from __future__ import annotations

import asyncio
import contextlib
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot import i18n
from bot.web import config, shared_state
from bot.web.config import Settings
from bot.web.deps import NEUTRAL_SITE, UI, error_page, wants_html, wants_json
from bot.web.gateway import Gateway, Keys
from bot.web.middleware import FrontDoorMiddleware
from bot.web.rasa_client import RasaClient
from bot.web.routes import api, chat, health, pages, sms
from bot.web.store import Store, find_tracker_db
from bot.web.templating import HERE, make_templates
from bot.web.words import words_for

DESCRIPTION = ("Web chat, SMS gateway and advocates' pages for an assistant that explains "
               "Assisted Outpatient Treatment rights. Information, not legal advice. "
               "`POST /api/messages` takes and returns Rasa's REST channel format.")


def _lifespan(settings: Settings, rasa_transport, detect):
    """Open the store and the Rasa client, build the gateway, purge old conversations
    hourly; on shutdown wait for background forwards, then close."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        st = app.state
        st.store = Store(settings.db_path)
        st.rasa = RasaClient(settings.rasa_url, settings.action_server_url, settings.rasa_timeout,
                             settings.health_timeout, transport=rasa_transport)
        st.gateway = Gateway(st.store, st.rasa, st.content, detect, st.keys, settings.max_chars,
                             settings.rate_limit, settings.rate_window,
                             find_tracker_db(settings.tracker_db))
        shared_state.install(app, st.gateway, settings)  # Redis when REDIS_URL is set
        st.store.purge(settings.retention_days)
        await asyncio.to_thread(detect, "warm up")  # build the crisis matchers before the first user
        purger = asyncio.create_task(_purge_hourly(st.store, settings.retention_days))
        try:
            yield
        finally:
            purger.cancel()
            await st.gateway.drain(timeout=5)
            await st.rasa.aclose()
            st.store.close()
    return lifespan


async def _purge_hourly(store: Store, days: int) -> None:
    while True:
        await asyncio.sleep(3600)
        store.purge(days)


def create_app(settings: Settings | None = None, *, rasa_transport=None, content=None,
               detect=None) -> FastAPI:
    settings = settings or config.load()
    if content is None:
        from bot.content import load

        content = load()
    if detect is None:
        from bot.crisis import detect  # crisis first: the app does not start without it
    docs_offline = _offline_docs_path()
    app = FastAPI(title="AOT rights assistant: front door", version="1.0", description=DESCRIPTION,
                  lifespan=_lifespan(settings, rasa_transport, detect),
                  docs_url=None if docs_offline else "/docs", redoc_url=None)
    words = words_for(content)
    app.state.settings, app.state.content, app.state.words = settings, content, words
    app.state.keys = Keys(settings.sender_key or secrets.token_hex(32))
    app.state.templates = make_templates(content, words, NEUTRAL_SITE)
    app.state.uis = _uis(content)
    app.add_middleware(FrontDoorMiddleware, max_body=settings.max_body_bytes,
                       neutral_site=NEUTRAL_SITE, details=words["errors"])
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["POST"], allow_headers=["content-type"])
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if docs_offline:
        _mount_offline_docs(app, docs_offline)
    for router in (chat.router, api.router, sms.router, pages.router, health.router):
        app.include_router(router)
    _add_error_handlers(app)
    return app


def _uis(content) -> dict:
    """Each language's content, words and templates (deps.ui picks one per request)."""
    out = {}
    for lang in i18n.LANGS:
        c = content.other(lang) if hasattr(content, "other") else content
        w = words_for(c)
        out[lang] = UI(lang, c, w, make_templates(c, w, NEUTRAL_SITE))
    return out


def _add_error_handlers(app: FastAPI) -> None:
    """Errors never show a stack trace, nor echo what was sent."""
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if wants_html(request) and not wants_json(request):
            return error_page(request, exc.status_code,
                              "not_found" if exc.status_code == 404 else "server_title")
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append({"field": loc or "body", "problem": err.get("msg", "invalid")})
        return JSONResponse({"detail": request.app.state.words["errors"]["invalid"],
                             "problems": problems}, status_code=422)


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
