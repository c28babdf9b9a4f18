"""A whole conversation in Debian's Chromium against the real stack (web app, Rasa, actions)."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser):
    """A fresh person: new context, so no cookie and no remembered state."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def test_a_family_member_asks_about_a_hearing_and_a_county(page, stack):
    page.goto(stack.ports.web_url + "/")
    page.fill("#message", "my son got papers for a laura's law hearing. when is the hearing?")
    page.click("button.send")
    page.wait_for_selector("#log >> text=5 court days")
    page.fill("#message", "does sacramento county have it")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log >> text=listed Sacramento County, California, as having AOT")
    page.fill("#message", "can they force him to take medication")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log >> text=Riese")
    page.fill("#message", "can i talk to a real person")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log >> text=(916) 504-5810")
    assert "988" in page.inner_text("body")


def test_a_quick_reply_from_the_real_assistant(page, stack):
    page.goto(stack.ports.web_url + "/")
    page.fill("#message", "do i get a lawyer")
    page.keyboard.press("Enter")
    page.click("#quick-area button:has-text('New York')")
    page.wait_for_selector("#log >> text=Mental Hygiene Legal Service")


def test_eligibility_walk_through_with_buttons(page, stack):
    """A parent goes through the criteria by tapping the quick replies, then reloads."""
    page.goto(stack.ports.web_url + "/")
    page.click("#quick-area button:has-text('Who qualifies? Step by step')")
    page.wait_for_selector("#log >> text=California or New York")
    page.click("#quick-area button:has-text('California')")
    page.wait_for_selector("#log >> text=Who are you asking about?")
    page.click("#quick-area button:has-text('My daughter')")
    page.wait_for_selector("#log >> text=Is your daughter 18 or older?")
    for i, answer in enumerate(["Yes", "Yes", "Not sure", "No", "Yes", "Yes", "Yes"]):
        page.click(f"#quick-area button:has-text('{answer}')")
        # wait for the next question (or the summary) before tapping again
        page.wait_for_selector(f"#log >> text={i + 2} of 7" if i < 6 else "#log >> text=Only a court decides")
    assert "You said no to: a history of not following treatment" in page.inner_text("#log")
    # The next message: the answers leave the stored transcript.
    page.fill("#message", "do i get a lawyer")
    page.keyboard.press("Enter")
    page.wait_for_selector("#log >> text=right to a lawyer")
    page.reload()
    log = page.inner_text("#log")
    assert "right to a lawyer" in log and "Only a court decides" not in log
