"""Phone first (issue 13), measured in a real browser: Debian's Chromium driven by
Playwright at 320 x 640 and 390 x 844, the real app, and a fake Rasa whose answer is
long: the New York medication answer from content/, with the follow-ups the action adds.

- after a reply, its FIRST message is on screen (below the sticky header) and focused;
  without JavaScript the page opens there (#last);
- on the first screen, the text box and the first quick reply are on screen, and the
  notice is said once, with a "More" link;
- "Leave quickly" stays on screen (after three questions, scrolled anywhere), at least
  44 x 44 px, and covers neither the 988 links nor what it sits on; after leaving, Back
  does not show the conversation;
- every answer ends with follow-ups, announced by a live status; no "Assistant said:";
- tables are cards at 320 px (no column off screen); the chat page stays under 25 KB;
- axe-core: no serious or critical violation on any page, before and after a conversation.
"""
from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from test_browser import AXE, NEUTRAL, ServerThread, _neutral_site, free_port

pytestmark = pytest.mark.browser

SIZES = [(320, 640), (390, 844)]
QUESTION = "Can they force me to take medication in New York?"
PAGES = ["/", "/topics", "/topics/medication", "/counties", "/contacts"]
MIN = 44


def long_answer() -> list[dict]:
    """What Rasa sends for the question: the NY medication answer, follow-ups last."""
    from actions.answers import follow_ups
    from bot.content import load

    c = load()
    msgs = c.render_topic(c.topic("medication", "NY"))
    msgs[-1]["buttons"] = follow_ups("medication", "NY", [])
    return msgs


def fake_rasa_app(received: list) -> Starlette:
    async def webhook(request: Request):
        body = await request.json()
        received.append(body["message"])
        if body["message"].startswith("/"):
            return JSONResponse([{"recipient_id": body["sender"], "text": "A short reply."}])
        return JSONResponse([{"recipient_id": body["sender"], **m} for m in long_answer()])

    async def ok(request):
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                             Route("/", ok), Route("/health", ok)])


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from bot.web.app import create_app
    from bot.web.config import Settings

    received: list = []
    tmp = tmp_path_factory.mktemp("phone")
    with ServerThread(fake_rasa_app(received), free_port()) as rasa:
        settings = Settings(rasa_url=rasa.url, action_server_url=rasa.url, db_path=tmp / "web.db",
                            sender_key="phone-test", twilio_auth_token="x", rate_limit=0,
                            tracker_db=tmp / "none.db")
        with ServerThread(create_app(settings), free_port()) as server:
            yield {"url": server.url, "received": received}


def new_page(browser, width: int, height: int, js: bool = True):
    ctx = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=js)
    ctx.route("https://www.weather.gov/**", _neutral_site)  # nothing leaves the machine
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    return ctx, pg


def box(pg, selector: str) -> dict:
    return pg.locator(selector).first.bounding_box()


def inside(b: dict, width: int, height: int) -> bool:
    return b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width + 0.5 \
        and b["y"] + b["height"] <= height + 0.5


def on_top(pg, selector: str) -> bool:
    """Whether the element is what a tap at its centre hits (nothing covers it)."""
    b = box(pg, selector)
    return pg.locator(selector).first.evaluate(
        "(el, p) => { const hit = document.elementFromPoint(p.x, p.y); return !!hit && el.contains(hit); }",
        {"x": b["x"] + b["width"] / 2, "y": b["y"] + b["height"] / 2})


def ask(pg, text: str = QUESTION, js: bool = True) -> int:
    """Send a question; returns how many bubbles were in the log before it."""
    before = pg.locator("#log .msg").count()
    pg.fill("#message", text)
    if js:
        pg.click("button.send")
        pg.locator("#log .msg").nth(before + len(long_answer())).wait_for()
        pg.wait_for_timeout(250)  # let the scroll settle
    else:
        with pg.expect_navigation():
            pg.click("button.send")
    return before


def check_first_reply_in_view(pg, before: int, width: int, height: int) -> dict:
    first = pg.locator("#log .msg").nth(before + 1)  # before + 0 is the person's own message
    assert long_answer()[0]["text"][:40] in first.inner_text()
    b = first.bounding_box()
    header = box(pg, "header.top")
    # on screen, below the sticky header, its top part readable
    assert b["y"] >= header["y"] + header["height"] - 1, (b, header)
    assert b["y"] + min(b["height"], 60) <= height, (b, height)
    return {"first_reply_y": round(b["y"]), "header_bottom": round(header["y"] + header["height"])}


# ---- the first screen -------------------------------------------------------------------------------
@pytest.mark.parametrize("width,height", SIZES)
def test_first_screen_has_the_text_box_and_a_first_question(browser, web, width, height):
    ctx, pg = new_page(browser, width, height)
    try:
        pg.goto(web["url"] + "/")
        assert inside(box(pg, "#message"), width, height), box(pg, "#message")
        assert inside(box(pg, "#quick-area button"), width, height), box(pg, "#quick-area button")
        assert inside(box(pg, "button.send"), width, height)
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        # the notice once, short, with a link to more
        assert pg.locator("body").inner_text().count("not legal advice") == 1
        more = pg.locator(".always a")
        assert more.get_attribute("href") == "#about" and inside(more.bounding_box(), width, height)
        more.click()
        about = pg.locator("#about").bounding_box()
        assert 0 <= about["y"] < height and "not the court" in pg.locator("#about").inner_text()
    finally:
        ctx.close()


# ---- after a reply: its first message ------------------------------------------------------------------
@pytest.mark.parametrize("width,height", SIZES)
def test_reply_opens_at_its_first_message_and_focuses_it(browser, web, width, height):
    ctx, pg = new_page(browser, width, height)
    try:
        pg.goto(web["url"] + "/")
        for _ in range(2):  # the second time, the log above is long
            before = ask(pg)
            check_first_reply_in_view(pg, before, width, height)
            focused = pg.evaluate("document.activeElement.textContent.trim()")
            assert focused == long_answer()[0]["text"], focused
        # the last bubble (the citation) is far below: the page did not jump to the end
        last = pg.locator("#log .msg").last.bounding_box()
        assert last["y"] > pg.locator("#log .msg").nth(before + 1).bounding_box()["y"]
    finally:
        ctx.close()


@pytest.mark.parametrize("width,height", SIZES)
def test_without_javascript_the_page_opens_at_the_first_message(browser, web, width, height):
    ctx, pg = new_page(browser, width, height, js=False)
    try:
        pg.goto(web["url"] + "/")
        for _ in range(2):
            before = ask(pg, js=False)
            assert pg.url.endswith("/#last")
            assert pg.locator("#log .msg").nth(before + 1).get_attribute("id") == "last"
            check_first_reply_in_view(pg, before, width, height)
    finally:
        ctx.close()


# ---- Leave quickly ----------------------------------------------------------------------------------
@pytest.mark.parametrize("width,height", SIZES)
def test_leave_quickly_is_always_on_screen(browser, web, width, height):
    ctx, pg = new_page(browser, width, height)
    try:
        pg.goto(web["url"] + "/")
        leave = box(pg, "#leave")
        assert leave["width"] >= MIN and leave["height"] >= MIN, leave
        for link in pg.locator("header .crisis-link").all():  # it covers neither 988 link
            b = link.bounding_box()
            assert b["x"] >= leave["x"] + leave["width"] or b["y"] >= leave["y"] + leave["height"] \
                or b["x"] + b["width"] <= leave["x"] or b["y"] + b["height"] <= leave["y"], (b, leave)
        assert on_top(pg, "header .crisis-link")
        for _ in range(3):
            ask(pg)
            assert inside(box(pg, "#leave"), width, height) and on_top(pg, "#leave")
        for where in ("0", "document.body.scrollHeight / 2", "document.body.scrollHeight"):
            pg.evaluate(f"() => window.scrollTo(0, {where})")
            pg.wait_for_timeout(50)
            assert inside(box(pg, "#leave"), width, height) and on_top(pg, "#leave"), where
            assert on_top(pg, "header .crisis-link")  # 988 stays on screen too
    finally:
        ctx.close()


def test_back_after_leaving_does_not_show_the_chat(browser, web):
    ctx, pg = new_page(browser, 320, 640)
    try:
        pg.goto(web["url"] + "/")
        ask(pg, "a private question about my son")
        with pg.expect_navigation(url=NEUTRAL):
            pg.click("#leave")
        pg.go_back()
        pg.wait_for_timeout(300)
        # the chat's history entry was replaced: Back leaves the site, and nothing is shown
        assert not pg.url.startswith(web["url"]), pg.url
        assert "a private question" not in pg.content()
    finally:
        ctx.close()


def go_back(pg) -> None:
    """Back, as a person presses it. Chromium may still be swapping the page's process
    after the cross-site redirect ("Not attached to an active page"): try again then."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            pg.go_back(wait_until="load")
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            pg.wait_for_timeout(500)


def test_back_after_leaving_without_javascript_does_not_show_the_conversation(browser, web):
    ctx, pg = new_page(browser, 320, 640, js=False)
    try:
        pg.goto(web["url"] + "/")
        ask(pg, "a private question about my daughter", js=False)
        with pg.expect_request(NEUTRAL):
            pg.click("#leave")
        pg.wait_for_url(lambda u: not u.startswith(web["url"]), wait_until="commit")
        pg.wait_for_load_state("load")
        go_back(pg)
        pg.wait_for_timeout(300)
        # the chat page is never kept (no-store): Back loads it again, and it is empty
        assert "a private question" not in pg.content()
        assert pg.locator("#log .msg-user").count() == 0
    finally:
        ctx.close()


# ---- follow-ups and what screen readers hear ------------------------------------------------------------
def test_follow_ups_after_an_answer_are_offered_and_announced(browser, web):
    ctx, pg = new_page(browser, 320, 640)
    try:
        pg.goto(web["url"] + "/")
        ask(pg)
        titles = pg.locator("#quick-area button").all_inner_texts()
        assert titles == [b["title"] for b in long_answer()[-1]["buttons"]]
        assert len(titles) == 3 and "Who can help where I live" in titles and "Ask something else" in titles
        # right under the answer, before the text box
        order = pg.evaluate("() => !!(document.getElementById('quick-area').compareDocumentPosition("
                            "document.getElementById('chat-form')) & Node.DOCUMENT_POSITION_FOLLOWING)")
        assert order
        pg.locator("#quick-status:has-text('3 suggested replies')").wait_for()
        assert pg.get_attribute("#quick-status", "role") == "status"
        # the log announces new messages itself, with no label before every bubble
        assert pg.get_attribute("#log", "aria-live") == "polite"
        assert pg.get_attribute("#log", "aria-relevant") == "additions"
        assert "Assistant said" not in pg.content()
        # a follow-up goes through the offered-buttons path to Rasa
        pg.click("#quick-area button:has-text('Who can help where I live')")
        pg.wait_for_selector("text=A short reply.")
        assert web["received"][-1] == "/ask_help"
    finally:
        ctx.close()


# ---- tables and weight -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/contacts", "/counties"])
def test_tables_are_cards_with_every_column_on_screen_at_320(browser, web, path):
    ctx, pg = new_page(browser, 320, 640)
    try:
        pg.goto(web["url"] + path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 320
        cells = pg.locator("table.cards td[data-label]")
        assert cells.count() > 10
        for i in range(0, cells.count(), max(1, cells.count() // 25)):
            b = cells.nth(i).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 320.5, (path, i, b)
        label = cells.first.evaluate("el => getComputedStyle(el, '::before').content")
        assert label.strip('"') == cells.first.get_attribute("data-label")
    finally:
        ctx.close()


def test_chat_page_weighs_under_25_kb_with_no_third_parties(web):
    with httpx.Client(base_url=web["url"], trust_env=False) as c:
        html = c.get("/").text
        total = len(html.encode()) + sum(len(c.get(p).content) for p in ("/static/style.css", "/static/chat.js"))
    assert total < 25 * 1024, total
    assert "http://" not in html.replace(web["url"], "") and "//" not in html.split("<body")[0].replace(
        'content="width=device-width', "")


# ---- axe-core on every page, before and after a conversation -------------------------------------------------
def axe(pg) -> list[dict]:
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width,height", SIZES)
def test_axe_on_every_page_before_and_after_a_conversation(browser, web, width, height):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/install.sh test (npm install axe-core)")
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    bad = {}
    try:
        for when in ("before", "after"):
            if when == "after":
                pg.goto(web["url"] + "/")
                ask(pg)
                ask(pg, "What about a second question?")
                bad["/ (live, after)"] = axe(pg)
            for path in PAGES:
                pg.goto(web["url"] + path)
                bad[f"{path} ({when})"] = axe(pg)
    finally:
        ctx.close()
    bad = {k: v for k, v in bad.items() if v}
    assert bad == {}, json.dumps(bad, indent=1)
