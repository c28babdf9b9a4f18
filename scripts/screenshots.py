"""Screenshots of the web chat on a small phone and of the crisis panel, and the numbers behind them.

Starts the web app (real crisis detector) with the fake Rasa of the phone-first browser
tests (tests/web/test_phone_first.py: a long New York medication answer with its
follow-ups) on 127.0.0.1, in Debian's Chromium, and saves what is on screen:

    reports/screenshots/first_screen_320.png                     (the first screen, 320 x 640)
    reports/screenshots/answer_320.png                           (right after an answer, 320 x 640)
    reports/screenshots/crisis_320.png, crisis_1280.png          (a crisis reply)
    reports/screenshots/crisis_danger_320.png, _1280.png         (someone in danger now)
    reports/screenshots/measurements.json                        (positions, button sizes, page weight)

With --spanish, against the real assistant (a running stack: the web app's URL, e.g.
`make run`'s http://127.0.0.1:8000), the Spanish web chat at 320 px (issue #14):

    reports/screenshots/es_first_screen_320.png, es_answer_320.png, es_crisis_320.png

Usage: python scripts/screenshots.py [--out reports/screenshots] [--spanish URL]
Nothing leaves the machine: both servers listen on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402

for p in (ROOT / "tests", ROOT / "tests" / "web"):
    sys.path.insert(0, str(p))

SIZES = [(320, 640), (1280, 800)]
MESSAGES = {"crisis": "I want to die", "crisis_danger": "he has a knife"}


def page_weight(url: str) -> dict:
    """Bytes of the chat page and what it loads (no third parties, nothing else)."""
    import httpx

    with httpx.Client(base_url=url, trust_env=False) as c:
        sizes: dict[str, float] = {p: len(c.get(p).content) for p in ("/", "/static/style.css", "/static/chat.js")}
    sizes["total_kb"] = round(sum(sizes.values()) / 1024, 1)
    return sizes


def shoot(browser, url: str, width: int, height: int, name: str, message: str, out: Path) -> dict:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        pg.goto(url + "/")
        pg.fill("#message", message)
        pg.click("button.send")
        pg.wait_for_selector("#log .msg-crisis")
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(out / f"{name}_{width}.png"))
        calls = pg.locator("#log .msg-crisis .call")
        header = pg.locator("header .crisis-link")

        def sizes(loc):
            return [{"text": loc.nth(i).inner_text(), "href": loc.nth(i).get_attribute("href"),
                     **{k: round(v) for k, v in loc.nth(i).bounding_box().items()}}
                    for i in range(loc.count())]

        return {"panel_buttons": sizes(calls), "header_links": sizes(header)}
    finally:
        ctx.close()


def _y(pg, selector: str) -> dict:
    b = pg.locator(selector).first.bounding_box()
    return {"y": round(b["y"]), "bottom": round(b["y"] + b["height"])}


def shoot_phone(browser, url: str, out: Path, width: int = 320, height: int = 640) -> dict:
    """The first screen, then the screen right after a long answer (issue 13's figures)."""
    from test_phone_first import QUESTION, long_answer

    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        pg.goto(url + "/")
        pg.screenshot(path=str(out / f"first_screen_{width}.png"))
        first = {"text_box": _y(pg, "#message"), "first_quick_reply": _y(pg, "#quick-area button"),
                 "leave": _y(pg, "#leave"), "notices": pg.locator("body").inner_text().count("not legal advice")}
        before = pg.locator("#log .msg").count()
        pg.fill("#message", QUESTION)
        pg.click("button.send")
        pg.locator("#quick-area button").first.wait_for()
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(out / f"answer_{width}.png"))
        answer = {"first_reply": _y(pg, f"#log .msg >> nth={before + 1}"),
                  "last_reply": _y(pg, "#log .msg >> nth=-1"), "header": _y(pg, "header.top"),
                  "leave": _y(pg, "#leave"),
                  "follow_ups": pg.locator("#quick-area button").all_inner_texts()}
        for i in range(2):  # two more questions: where is "Leave quickly" now?
            count = pg.locator("#log .msg").count()
            pg.fill("#message", f"{QUESTION} ({i + 2})")
            pg.click("button.send")
            pg.locator("#log .msg").nth(count + len(long_answer())).wait_for()
            pg.wait_for_timeout(300)
        answer["leave_after_3_questions"] = _y(pg, "#leave")
        return {"first_screen": first, "after_answer": answer}
    finally:
        ctx.close()


SPANISH = {"answer": "¿Tengo derecho a un abogado en la audiencia? Vivo en California",
           "crisis": "ya no quiero vivir"}


def shoot_spanish(browser, url: str, out: Path, width: int = 320, height: int = 640) -> dict:
    """The Spanish web chat on a small phone: switched with the Español link, then a question
    and a crisis message answered by the real assistant."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    pg = ctx.new_page()
    try:
        pg.goto(url + "/")
        pg.click("a.lang-switch")
        pg.wait_for_selector('html[lang="es"]')
        pg.screenshot(path=str(out / f"es_first_screen_{width}.png"))
        found = {"lang": pg.locator("html").get_attribute("lang")}
        for name, message in SPANISH.items():
            count = pg.locator("#log .msg").count()
            pg.fill("#message", message)
            pg.click("button.send")
            pg.locator("#log .msg").nth(count + 1).wait_for(timeout=60000)
            pg.wait_for_timeout(500)
            pg.screenshot(path=str(out / f"es_{name}_{width}.png"))
            found[name] = pg.locator("#log .msg").nth(count + 1).inner_text()[:120]
        return found
    finally:
        ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "screenshots")
    ap.add_argument("--spanish", metavar="URL", help="the Spanish shots, against a running stack")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.spanish:
        from playwright.sync_api import sync_playwright

        from browser_support import launch

        with sync_playwright() as p:
            browser = launch(p)
            print(json.dumps(shoot_spanish(browser, args.spanish.rstrip("/"), args.out), indent=1,
                             ensure_ascii=False))
            browser.close()
        return

    from playwright.sync_api import sync_playwright

    from bot.web.app import create_app
    from bot.web.config import Settings
    from browser_support import launch
    from test_browser import ServerThread, free_port
    from test_phone_first import fake_rasa_app

    tmp = Path(tempfile.mkdtemp(prefix="screens-"))
    results: dict = {}
    with ServerThread(fake_rasa_app([]), free_port()) as rasa:
        settings = Settings(rasa_url=rasa.url, action_server_url=rasa.url, db_path=tmp / "web.db",
                            sender_key="screenshots", twilio_auth_token="x", rate_limit=0,
                            tracker_db=tmp / "none.db")
        with ServerThread(create_app(settings), free_port()) as web:
            results["page_weight_bytes"] = page_weight(web.url)
            with sync_playwright() as p:
                browser = launch(p)
                results["phone_320x640"] = shoot_phone(browser, web.url, args.out)
                results["phone_390x844"] = shoot_phone(browser, web.url, Path(tempfile.mkdtemp()), 390, 844)
                for name, message in MESSAGES.items():
                    for width, height in SIZES:
                        results[f"{name}_{width}x{height}"] = shoot(browser, web.url, width, height,
                                                                    name, message, args.out)
                browser.close()
    (args.out / "measurements.json").write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
