"""The web chat in a real browser: Debian's Chromium driven by Playwright.

The app runs in uvicorn in a background thread on 127.0.0.1, talking to a fake
Rasa (another uvicorn thread) that returns canned replies with buttons. Includes
an axe-core accessibility scan (axe.min.js from build/node, installed by
`scripts/install.sh test`).
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "build" / "node" / "node_modules" / "axe-core" / "axe.min.js"
NEUTRAL = "https://www.weather.gov/"
XSS = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"


# ---- servers in threads ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    def __init__(self, app, port: int):
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def fake_rasa_app(received: list) -> Starlette:
    async def webhook(request: Request):
        body = await request.json()
        received.append(body["message"])
        msg = body["message"]
        sender = body["sender"]
        if msg == "take your time":
            await asyncio.sleep(1.0)
        if msg == "say nothing":
            return JSONResponse([])  # Rasa's empty reply: a failure
        if "<script" in msg:
            return JSONResponse([{"recipient_id": sender, "text": XSS}])
        if msg == "/first_choice":
            return JSONResponse([{"recipient_id": sender, "text": "You picked the first choice."}])
        if msg == "/second_choice":
            return JSONResponse([{"recipient_id": sender, "text": "You picked the second choice."}])
        return JSONResponse([
            {"recipient_id": sender, "text": f"Canned answer to: {msg}"},
            {"recipient_id": sender, "text": "Anything else?",
             "buttons": [{"title": "First choice", "payload": "/first_choice"},
                         {"title": "Second choice", "payload": "/second_choice"}]},
        ])

    async def root(request):
        return PlainTextResponse("Hello from Rasa: fake")

    async def health(request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                             Route("/", root), Route("/health", health)])


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    from bot.web.app import create_app
    from bot.web.config import Settings

    received: list = []
    rasa_port, web_port = free_port(), free_port()
    tmp = tmp_path_factory.mktemp("browser")
    with ServerThread(fake_rasa_app(received), rasa_port) as rasa:
        settings = Settings(rasa_url=rasa.url, action_server_url=rasa.url, db_path=tmp / "web.db",
                            sender_key="browser-test", twilio_auth_token="x", rate_limit=0,
                            tracker_db=tmp / "none.db")
        with ServerThread(create_app(settings), web_port) as web:
            yield {"web": web.url, "received": received}


def _neutral_site(route):
    route.fulfill(status=200, content_type="text/html",
                  body="<!doctype html><title>Weather</title><p>Weather forecast</p>")


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 800})
    ctx.route("https://www.weather.gov/**", _neutral_site)  # nothing leaves the machine
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    ctx.close()


def bot_texts(pg) -> list[str]:
    return pg.locator("#log .msg-bot p").all_inner_texts()


def ask(pg, text: str) -> None:
    pg.fill("#message", text)
    pg.click("button.send")


# ---- conversations ---------------------------------------------------------------------------------
def test_ask_a_question_and_read_the_answer(page, servers):
    page.goto(servers["web"] + "/")
    page.evaluate("window.__same_page = 42")
    ask(page, "Do I get a lawyer?")
    page.wait_for_selector("text=Canned answer to: Do I get a lawyer?")
    assert page.evaluate("window.__same_page") == 42  # no reload with JavaScript on
    assert page.locator("#log .msg-user p").last.inner_text() == "Do I get a lawyer?"
    assert page.is_hidden("#typing")
    # focus moved to the reply's first message, where reading starts (issue 13)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Canned answer to: Do I get a lawyer?"
    assert page.input_value("#message") == ""
    # the log region is what screen readers follow
    assert page.get_attribute("#log", "role") == "log"
    assert page.get_attribute("#log", "aria-live") == "polite"
    # survives a reload
    page.reload()
    assert "Canned answer to: Do I get a lawyer?" in bot_texts(page)


def test_typing_indicator_and_failure_message(page, servers):
    from bot.content import load

    page.goto(servers["web"] + "/")
    ask(page, "take your time")
    page.locator("#typing").wait_for(state="visible")
    assert page.is_disabled("button.send")
    page.wait_for_selector("text=Canned answer to: take your time")
    assert page.is_hidden("#typing") and page.is_enabled("button.send")
    ask(page, "say nothing")
    error = load().render_dialogue("error")[0]["text"]
    page.wait_for_selector(f"#log .msg-bot p:has-text({json.dumps(error)})")


def test_click_a_quick_reply(page, servers):
    page.goto(servers["web"] + "/")
    ask(page, "hello")
    page.wait_for_selector("#quick-area button:has-text('First choice')")
    page.click("#quick-area button:has-text('First choice')")
    page.wait_for_selector("text=You picked the first choice.")
    assert page.locator("#log .msg-user p").last.inner_text() == "First choice"
    assert "/first_choice" in servers["received"]
    # that reply offered no buttons: the old ones are gone
    assert page.locator("#quick-area button").count() == 0


def test_greeting_quick_reply_goes_to_rasa(page, servers):
    from bot.content import load

    first = load().render_dialogue("greet")[-1]["buttons"][0]
    page.goto(servers["web"] + "/")
    page.click(f"#quick-area button:has-text({json.dumps(first['title'])})")
    page.wait_for_selector(f"text=Canned answer to: {first['payload']}")


def test_keyboard_only_conversation(page, servers):
    page.goto(servers["web"] + "/")
    # Tab from the top of the page to the message box
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "message":
            break
    else:
        pytest.fail("the message box cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.type("Can they force medication?")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Canned answer to: Can they force medication?")
    active = "document.activeElement.textContent.trim()"
    assert page.evaluate(active) == "Canned answer to: Can they force medication?"  # the reply's start
    # on to the follow-ups right under the answer with Tab, press one with Enter
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "Second choice":
            break
    else:
        pytest.fail("the quick replies cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=You picked the second choice.")
    # the skip link works from the keyboard too
    page.goto(servers["web"] + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_without_javascript(browser, servers):
    ctx = browser.new_context(java_script_enabled=False)
    ctx.route("https://www.weather.gov/**", _neutral_site)
    pg = ctx.new_page()
    try:
        pg.goto(servers["web"] + "/")
        pg.fill("#message", "What is AOT without scripts?")
        with pg.expect_navigation():
            pg.click("button.send")
        assert pg.url.endswith("/#last")
        assert "Canned answer to: What is AOT without scripts?" in bot_texts(pg)
        with pg.expect_navigation():
            pg.click("#quick-area button:has-text('First choice')")
        assert "You picked the first choice." in bot_texts(pg)
        pg.reload()
        assert "Canned answer to: What is AOT without scripts?" in bot_texts(pg)
        # delete my conversation, without scripts
        with pg.expect_navigation():
            pg.click("button:has-text('Delete my conversation')")
        assert "Your conversation was deleted." in pg.content()
        assert "What is AOT without scripts?" not in pg.content()
        # leave quickly, without scripts: a plain form post and a redirect
        pg.fill("#message", "another private question")
        with pg.expect_navigation():
            pg.click("button.send")
        # (route() does not see a redirect's target, so watch for the request itself)
        with pg.expect_request(NEUTRAL):
            pg.click("#leave")
        # offline, the neutral site itself fails to load; either way we left the app
        pg.wait_for_url(lambda u: not u.startswith(servers["web"]), wait_until="commit")
        pg.goto(servers["web"] + "/")
        assert "another private question" not in pg.content()
    finally:
        ctx.close()


def test_leave_quickly(page, servers):
    page.goto(servers["web"] + "/")
    ask(page, "something private")
    page.wait_for_selector("text=Canned answer to: something private")
    start = time.monotonic()
    with page.expect_navigation(url=NEUTRAL):
        page.click("#leave")
    assert time.monotonic() - start < 3
    assert page.url == NEUTRAL
    # Back does not bring the conversation back, nor does a fresh visit
    page.go_back()
    page.goto(servers["web"] + "/")
    assert "something private" not in page.content()
    assert page.context.cookies() == [] or all(c["name"] != "aot_sid" for c in page.context.cookies())


def test_injected_script_is_shown_as_text(page, servers):
    page.goto(servers["web"] + "/")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    greeting = page.locator("#log .msg-bot").count()
    ask(page, "<script>alert('x')</script>")
    page.locator("#log .msg-bot").nth(greeting).wait_for()  # (no eval: our CSP forbids it)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    assert XSS in bot_texts(page)
    assert "<script>alert('x')</script>" in page.locator("#log .msg-user p").all_inner_texts()
    page.reload()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert XSS in bot_texts(page)


@pytest.mark.parametrize("width", [320, 640])
def test_readable_when_narrow_or_zoomed(browser, servers, width):
    """320 px wide, and 1280 px at 200% zoom (= 640 CSS px): no sideways scrolling."""
    ctx = browser.new_context(viewport={"width": width, "height": 700})
    pg = ctx.new_page()
    try:
        for path in ("/", "/topics", "/counties"):
            pg.goto(servers["web"] + path)
            overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (path, overflow)
        pg.goto(servers["web"] + "/")
        assert pg.is_visible("#leave") and pg.is_visible("text=Information, not legal advice.")
        box = pg.locator("#message").bounding_box()
        assert box["width"] >= 150
    finally:
        ctx.close()


# ---- accessibility -------------------------------------------------------------------------------------
def axe_scan(browser, url: str, before=None) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install.sh test (npm install axe-core)")
    ctx = browser.new_context(bypass_csp=True)  # to inject axe.min.js into our strict-CSP pages
    pg = ctx.new_page()
    try:
        pg.goto(url)
        if before:
            before(pg)
        pg.add_script_tag(path=str(AXE))
        result = pg.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
    finally:
        ctx.close()
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["/", "/topics", "/counties", "/contacts"])
def test_axe_no_serious_or_critical_violations(browser, servers, path):
    bad = axe_scan(browser, servers["web"] + path)
    assert bad == [], json.dumps(bad, indent=1)


def test_axe_chat_with_conversation(browser, servers):
    def converse(pg):
        pg.fill("#message", "hello axe")
        pg.click("button.send")
        pg.wait_for_selector("text=Canned answer to: hello axe")

    bad = axe_scan(browser, servers["web"] + "/", converse)
    assert bad == [], json.dumps(bad, indent=1)
