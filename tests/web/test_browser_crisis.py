"""The crisis panel in a real browser (Debian's Chromium, Playwright), on a small
phone (320 x 640) and a laptop (1280 x 800): after a crisis message the panel and
its buttons are on screen, and every button is at least 44 x 44 CSS px.

Uses the servers of test_browser.py: the real app and crisis detector, a fake Rasa.
"""
from __future__ import annotations

import pytest
from test_browser import servers  # noqa: F401 - the module's servers fixture

pytestmark = pytest.mark.browser

SIZES = [(320, 640), (1280, 800)]
MIN = 44


def boxes(pg, selector: str) -> list[dict]:
    return [pg.locator(selector).nth(i).bounding_box() for i in range(pg.locator(selector).count())]


def in_view(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 \
        and box["y"] + box["height"] <= height + 0.5


def check_panel(pg, width: int, height: int, first: str = "call_988") -> None:
    panel = pg.locator("#log .msg-crisis").last
    assert panel.get_attribute("role") == "alert"
    calls = boxes(pg, "#log .msg-crisis >> nth=-1 >> .call")
    assert len(calls) >= 2
    classes = pg.locator("#log .msg-crisis >> nth=-1 >> .call").evaluate_all(
        "els => els.map(e => e.classList[1] + ' ' + e.getAttribute('href'))")
    assert classes[0].startswith(first), classes
    for box in calls:
        assert box["width"] >= MIN and box["height"] >= MIN, box
        assert in_view(box, width, height), (box, width, height)  # the buttons are on screen
    head = pg.locator("#log .msg-crisis >> nth=-1 >> .crisis-h").bounding_box()
    assert in_view(head, width, height), head  # and the panel's heading
    # only one element announces it (the hidden error line is empty)
    alerts = pg.locator("[role=alert]:not([hidden])").count()
    assert alerts == 1


@pytest.mark.parametrize("width,height", SIZES)
def test_crisis_panel_in_view_with_big_buttons(browser, servers, width, height):  # noqa: F811
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    try:
        pg.goto(servers["web"] + "/")
        for box in boxes(pg, "header .crisis-link"):
            assert box["width"] >= MIN and box["height"] >= MIN, box
        hrefs = pg.locator("header .crisis-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert hrefs == ["tel:988", "sms:988"]
        # fill the log first, so the panel has to be brought into view
        for i in range(3):
            pg.fill("#message", f"question {i}")
            pg.click("button.send")
            pg.wait_for_selector(f"text=Canned answer to: question {i}")
        pg.fill("#message", "I want to die")
        pg.click("button.send")
        pg.wait_for_selector("#log .msg-crisis")
        pg.wait_for_timeout(200)
        check_panel(pg, width, height)
        assert pg.evaluate("document.activeElement.id") == "message"  # still ready to type
        # someone in danger right now: "Call 911" first
        pg.fill("#message", "he has a knife")
        pg.click("button.send")
        pg.wait_for_selector("#log .msg-crisis >> nth=1")
        pg.wait_for_timeout(200)
        check_panel(pg, width, height, first="call_911")
    finally:
        ctx.close()


def test_crisis_panel_without_javascript(browser, servers):  # noqa: F811
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    pg = ctx.new_page()
    try:
        pg.goto(servers["web"] + "/")
        pg.fill("#message", "I want to die")
        with pg.expect_navigation():
            pg.click("button.send")
        assert pg.url.endswith("/#last")
        assert pg.get_attribute("#last", "class").startswith("msg msg-crisis")
        check_panel(pg, 320, 640)
    finally:
        ctx.close()


def test_axe_on_the_crisis_panel(browser, servers):  # noqa: F811
    import json

    from test_browser import axe_scan

    def crisis(pg):
        pg.fill("#message", "he has a knife")
        pg.click("button.send")
        pg.wait_for_selector("#log .msg-crisis")

    bad = axe_scan(browser, servers["web"] + "/", crisis)
    assert bad == [], json.dumps(bad, indent=1)
