"""Phone first by SMS (issue 13): what a first-time texter on a cheap phone gets.

Signed Twilio requests to POST /sms/twilio, with the fake Rasa of web_helpers.py
answering as Rasa's actions do (the greeting, a topic answer: rendered from content/).
"""
from __future__ import annotations

import re

import pytest
from bot.content import load
from bot.web.sms import MORE_SUFFIX, is_gsm7, segments, septets, to_gsm7
from web_helpers import sms, twiml_text

MENU_LINE = re.compile(r"^Reply (\d+) for (.+)$", re.M)


def as_rasa(messages: list[dict], body: dict) -> list[dict]:
    """Messages as Rasa's REST channel sends them (buttons on the message that has them)."""
    out = []
    for m in messages:
        msg = {"recipient_id": body["sender"], "text": m["text"]}
        if m.get("buttons"):
            msg["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in m["buttons"]]
        out.append(msg)
    return out


@pytest.fixture
def rasa_greets(fake_rasa):
    """'hi' gets the greeting (action_greet); a menu payload gets a canned answer."""
    greet = load().render_dialogue("greet")

    def reply(body):
        if body["message"] == "hi":
            return as_rasa(greet, body)
        return [{"recipient_id": body["sender"], "text": f"Canned answer to: {body['message']}"}]

    fake_rasa.reply = reply
    return fake_rasa


# ---- the first reply ---------------------------------------------------------------------------
def test_first_reply_to_hi_is_two_segments_with_notice_988_and_the_menu(client, rasa_greets):
    text = twiml_text(sms(client, "hi", phone="+15550004444"))
    assert is_gsm7(text) and segments(text) <= 2, (septets(text), text)
    assert not text.endswith(MORE_SUFFIX)  # nothing of the greeting waits for MORE
    lines = text.splitlines()
    notice = to_gsm7(load().render_dialogue("sms_disclosure")[0]["text"])
    assert lines[0] == notice  # the notice, once, in one line
    assert text.count("not legal advice") == 1 and "DELETE" in lines[0]
    assert "988" in text
    menu = MENU_LINE.findall(text)
    assert [int(n) for n, _ in menu] == list(range(1, len(menu) + 1)) and len(menu) >= 5
    titles = [t for _, t in menu]
    assert {"What is AOT?", "Talk to a person"} <= set(titles)
    for title in titles:
        assert len(title) <= 20, title  # short titles: the menu fits on a small screen


@pytest.mark.parametrize("pick", [1, 2, 3, 4, 5, 6])
def test_a_number_texted_next_picks_the_option_shown(client, rasa_greets, pick):
    text = twiml_text(sms(client, "hi"))
    shown = dict(MENU_LINE.findall(text))
    if str(pick) not in shown:
        pytest.skip("menu shorter than this number")
    payload = {b["title"]: b["payload"] for b in load().render_dialogue("greet_sms")[-1]["buttons"]}
    sms(client, str(pick))
    assert rasa_greets.messages[-1] == payload[shown[str(pick)]]


def test_out_of_range_number_after_the_greeting_asks_again(client, rasa_greets):
    text = twiml_text(sms(client, "hi"))
    n = len(MENU_LINE.findall(text))
    again = twiml_text(sms(client, str(n + 1)))
    assert f"1 to {n}" in again
    assert rasa_greets.messages == ["hi"]


def test_the_notice_is_not_repeated_before_later_replies(client, rasa_greets):
    sms(client, "hi")
    second = twiml_text(sms(client, "hi"))
    assert "not legal advice" in second  # the greeting's SMS form carries it each time
    third = twiml_text(sms(client, "what now"))
    assert "not legal advice" not in third


def test_first_reply_before_this_change_was_longer():
    """The measure the issue gives: the old first reply (notice + full greeting) was over
    2 segments; the SMS form is not (so this test fails if greet_sms is dropped)."""
    from bot.web.sms import compose

    c = load()
    old = to_gsm7(compose(c.render_dialogue("sms_disclosure") + c.render_dialogue("greet")))
    new = to_gsm7(compose(c.render_dialogue("greet_sms")))
    assert segments(old) > 2 >= segments(new)


# ---- every answer has an SMS form (content/answers/*.yml `sms`) ---------------------------------------
SHORT_CITE = re.compile(r"\bLaw: ((?:WIC|MHL|42 USC|CARE Act)\b[^\n]*?)(?:\.\s|\.?$)")
DIGITS = re.compile(r"\d+")


def all_topics():
    c = load()
    return [t for by_state in c.topics.values() for t in by_state.values()]


def topic_ids():
    return [f"{t.state}-{t.id}" for t in all_topics()]


def full_text(c, topic) -> str:
    return " ".join(m["text"] for m in c.render_topic(topic))


def phones_in_order(c, text: str) -> list[str]:
    """The phone numbers (contacts.yml) a text gives, in the order it gives them."""
    numbers = {v for ct in c.contacts.values() for k, v in ct.items() if k in ("phone", "tty")}
    found = [(text.find(n), n) for n in numbers if re.search(rf"(?<![\d-]){re.escape(n)}(?![\d-])", text)]
    return [n for _, n in sorted(found)]


def first_text_budget(c) -> str:
    """What follows the SMS form in its text: the MORE line."""
    return "\n\n" + to_gsm7(c.render_dialogue("sms_full_answer")[0]["text"])


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_every_answer_has_an_sms_form_within_two_segments(topic):
    c = load()
    assert topic.sms, f"{topic.state} {topic.id}: no `sms` form"
    form = c.render_topic_sms(topic)
    assert to_gsm7(form) == form, "the SMS form must be written in GSM-7 characters"
    assert segments(form + first_text_budget(c)) <= 2, (septets(form), form)
    # it is shorter than the full answer (else MORE would give nothing new)
    assert septets(form) < septets(to_gsm7(full_text(c, topic)))


def topics_with_phones():
    c = load()
    return [t for t in all_topics() if phones_in_order(c, full_text(c, t))]


def test_answers_with_phone_numbers_are_found():
    assert len(topics_with_phones()) >= 8  # the check below runs on each of them


@pytest.mark.parametrize("topic", topics_with_phones(), ids=lambda t: f"{t.state}-{t.id}")
def test_every_sms_form_gives_the_answers_phone_number(topic):
    c = load()
    phones = phones_in_order(c, full_text(c, topic))
    # the first number the full answer gives (the help it names first)
    assert phones[0] in c.render_topic_sms(topic), (topic.state, topic.id, phones[0])


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_every_sms_form_ends_with_a_short_citation_of_the_answers_law(topic):
    c = load()
    form = c.render_topic_sms(topic)
    m = SHORT_CITE.search(form)
    assert m, f"{topic.state} {topic.id}: no 'Law: WIC/MHL/42 USC ...' citation in {form!r}"
    assert m.start() > 0, "the key fact comes first, not the citation"
    cited = set(DIGITS.findall(c.citation_line(topic)))
    assert set(DIGITS.findall(m.group(1))) <= cited, (m.group(1), topic.citation)


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_no_sms_form_states_a_number_the_full_answer_does_not(topic):
    """Digits (days, months, ages, years, sections, phone numbers) come only from the
    full answer or content/legal_numbers.yml: the short form adds no fact of its own."""
    c = load()
    allowed = set(DIGITS.findall(full_text(c, topic))) | {str(v) for v in c.numbers.values()}
    extra = set(DIGITS.findall(c.render_topic_sms(topic))) - allowed
    assert extra == set(), (topic.state, topic.id, extra)


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_every_state_answers_sms_form_names_its_state(topic):
    """A text read alone must say whose law it is."""
    form = load().render_topic_sms(topic)
    names = {"CA": ("California", "Laura's Law"), "NY": ("New York", "Kendra's Law"),
             "ALL": ("California", "New York", "AOT")}[topic.state]
    assert any(n in form for n in names), (topic.state, topic.id)


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_every_sms_form_reads_at_grade_8_or_below(topic):
    """Plain language, as for the full answers (tests/test_content.py): short sentences."""
    import textstat

    words = re.split(r"\sLaw: ", load().render_topic_sms(topic))[0]  # the citation excluded
    assert textstat.flesch_kincaid_grade(words) <= 8, words


# The sentence a frightened reader needs, in the first text (not behind MORE).
KEY_FACTS = [
    ("CA", "medication", "AOT cannot force you to take medication"),
    ("NY", "medication", "does not allow anyone to force medication on you"),
    ("CA", "lawyer", "you have the right to a lawyer"),
    ("NY", "lawyer", "you have the right to a lawyer at every stage"),
    ("CA", "noncompliance", "not contempt of court"),
    ("NY", "noncompliance", "not contempt of court"),
    ("CA", "hearing_when", "no more than 5 court days"),
    ("NY", "duration", "up to 12 months"),
    ("CA", "duration", "up to 6 months"),
]


@pytest.mark.parametrize("state,topic_id,fact", KEY_FACTS)
def test_the_key_fact_is_in_the_sms_form(state, topic_id, fact):
    c = load()
    topic = c.topics[topic_id][state]
    assert fact in c.render_topic_sms(topic)
    assert fact in full_text(c, topic)  # the same words as the full answer


def test_the_checks_can_fail():
    """The scanners above, on made-up forms."""
    assert not SHORT_CITE.search("You have a lawyer. Call 911.")
    assert SHORT_CITE.search("Yes. Law: WIC 5346(c).").group(1) == "WIC 5346(c)"
    assert SHORT_CITE.search("Yes. Law: MHL 9.60(g), (h)(5).").group(1) == "MHL 9.60(g), (h)(5)"
    c = load()
    assert phones_in_order(c, "Call (916) 504-5810, or 988.") == ["(916) 504-5810", "988"]
    assert phones_in_order(c, "in 1988 and 3110") == []


# ---- an answer by SMS: the SMS form first, the full answer on MORE ----------------------------------
def action_answer(topic_id: str, state: str) -> list[dict]:
    """What Rasa sends for a topic: the real action's messages (actions/answers.py)."""
    from actions.answers import answer_topic
    from rasa_sdk.executor import CollectingDispatcher

    d = CollectingDispatcher()
    answer_topic(d, topic_id, state)
    return [{"text": m["text"], "buttons": m.get("buttons") or []} for m in d.messages]


@pytest.fixture
def rasa_answers(fake_rasa):
    """'hi' gets the greeting; 'CA lawyer' gets the California lawyer answer; else canned."""
    c = load()

    def reply(body):
        msg = body["message"]
        if msg == "hi":
            return as_rasa(c.render_dialogue("greet"), body)
        state, _, topic_id = msg.partition(" ")
        if topic_id in c.topics:
            return as_rasa(action_answer(topic_id, state), body)
        return [{"recipient_id": body["sender"], "text": f"Canned answer to: {msg}"}]

    fake_rasa.reply = reply
    return fake_rasa


def read_all(client, first: str) -> list[str]:
    """The first text and every page a person gets by texting MORE."""
    pages = [first]
    while pages[-1].endswith(MORE_SUFFIX) or pages[-1].splitlines()[-1:] == [MORE_LINE] \
            or MORE_LINE in pages[-1].splitlines():
        page = twiml_text(sms(client, "MORE"))
        if page.startswith("That was everything"):
            break
        pages.append(page)
        assert len(pages) < 12
    return pages


MORE_LINE = "Reply MORE for the full answer."


def test_an_answers_first_text_has_the_key_fact_phone_and_citation(client, rasa_answers):
    sms(client, "hi")  # the notice came with the greeting
    first = twiml_text(sms(client, "CA lawyer"))
    assert is_gsm7(first) and segments(first) <= 2, (septets(first), first)
    assert first.startswith("Yes. In California, you have the right to a lawyer")
    assert "(916) 504-5810" in first and "Law: WIC 5346(c)." in first
    assert MORE_LINE in first
    rest = read_all(client, first)[1:]
    joined = norm_pages(rest)
    for m in load().render_topic(load().topics["lawyer"]["CA"]):
        assert " ".join(to_gsm7(m["text"]).split()) in joined  # MORE gives the full answer
    assert twiml_text(sms(client, "MORE")).startswith("That was everything")


def norm_pages(pages: list[str]) -> str:
    return " ".join(" ".join(p.replace(MORE_SUFFIX, "").split()) for p in pages)


@pytest.mark.parametrize("topic", all_topics(), ids=topic_ids())
def test_every_answer_by_sms_leads_with_its_sms_form_and_gives_the_rest_on_more(make_client,
                                                                               rasa_answers, topic):
    client = make_client(rate_limit=0)
    c = load()
    sms(client, "hi")
    first = twiml_text(sms(client, f"{topic.state} {topic.id}"))
    form = c.render_topic_sms(topic)
    assert first.startswith(form), first  # nothing before the key fact
    assert segments(first) <= 2 and is_gsm7(first), (septets(first), first)
    pages = read_all(client, first)
    assert len(pages) >= 2  # the full answer is there, behind MORE
    joined = norm_pages(pages[1:])
    for m in c.render_topic(topic):
        assert " ".join(to_gsm7(m["text"]).split()) in joined, m["text"]
    # a menu (the topic's buttons, the guided tool offer) is in the first text, so a
    # number texted next picks an option the person saw; and again after the full answer
    buttons = [b for m in action_answer(topic.id, topic.state) for b in m["buttons"]]
    full_menu = [(str(i), to_gsm7(b["title"])) for i, b in enumerate(buttons, 1)]
    assert MENU_LINE.findall(pages[-1]) == full_menu
    shown = MENU_LINE.findall(first)
    assert shown == full_menu[:len(shown)]  # the same numbers as the full menu


def test_a_menu_that_fits_is_in_the_first_text_and_its_number_works(client, rasa_answers):
    sms(client, "hi")
    first = twiml_text(sms(client, "CA hearing_when"))
    assert segments(first) <= 2
    from actions.topic_reply import tool_offer

    offer = tool_offer("hearing_when", "CA")
    assert f"Reply 1 for {offer['title']}" in first  # seen in the first text
    sms(client, "1")
    assert rasa_answers.messages[-1] == offer["payload"]


def test_a_first_time_texter_asking_a_question_gets_the_notice_then_the_sms_form(client, rasa_answers):
    c = load()
    first = twiml_text(sms(client, "NY medication", phone="+15550006666"))
    notice = to_gsm7(c.render_dialogue("sms_disclosure")[0]["text"])
    form = c.render_topic_sms(c.topics["medication"]["NY"])
    assert first.startswith(notice + "\n\n" + form)
    assert septets(first) <= 459 and MORE_LINE in first  # notice + form: within 3 segments


def test_a_reply_the_gateway_does_not_recognise_is_sent_whole(client, rasa_answers):
    """Changed words on one side only: no SMS form, the full text paged as before."""
    c = load()
    msgs = action_answer("lawyer", "CA")
    msgs[0]["text"] += " (edited)"
    rasa_answers.reply = lambda body: as_rasa(msgs, body)
    sms(client, "hi")
    first = twiml_text(sms(client, "anything"))
    assert first.startswith(to_gsm7(msgs[0]["text"]))
    assert c.render_topic_sms(c.topics["lawyer"]["CA"]) not in first


def test_the_segments_report_measures_before_and_after(tmp_path):
    """scripts/sms_report.py (make sms-report): every answer's first text is at most 2
    segments and holds its citation; the full answers it compares with are longer."""
    import importlib.util

    from web_helpers import ROOT

    spec = importlib.util.spec_from_file_location("sms_report", ROOT / "scripts" / "sms_report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    c = load()
    rows = [mod.measure(c, t) for t in all_topics()]
    assert max(r["new_segments"] for r in rows) <= 2
    assert all(r["new_cite"] for r in rows)
    assert all(r["new_phone"] for r in rows if r["has_phone"])
    assert sum(r["full_segments"] > 2 for r in rows) > len(rows) // 2
    out = tmp_path / "sms.md"
    assert mod.main(["--out", str(out)]) == 0
    assert "| CA lawyer |" in out.read_text()


def test_talk_to_a_person_right_after_a_crisis_still_starts_with_988(client, fake_rasa):
    """Lines Rasa sends before an answer stay before its SMS form (actions/contacts.py)."""
    c = load()
    msgs = c.render_dialogue("help_after_crisis") + action_answer("help", "CA")
    fake_rasa.reply = lambda body: as_rasa(msgs, body)
    sms(client, "hi")
    first = twiml_text(sms(client, "talk to a person"))
    assert first.startswith(to_gsm7(msgs[0]["text"]))
    assert c.render_topic_sms(c.topics["help"]["CA"]) in first
    assert septets(first) <= 459 and is_gsm7(first)


def test_only_the_options_that_fit_are_shown_first_with_their_own_numbers():
    """A menu too long for the first text: options 1..k are shown, numbered as in the full menu."""
    from bot.web import sms_forms
    from bot.web.sms import compose

    c = load()
    topic = c.topics["lawyer"]["CA"]
    many = [{"title": f"Follow-up question number {i}", "payload": f"/x{i}"} for i in range(1, 9)]
    msgs = action_answer("lawyer", "CA")
    msgs[-1]["buttons"] = many
    plan = sms_forms.plan(c, msgs, compose, septets)
    first = to_gsm7(compose(plan.first))
    shown = MENU_LINE.findall(first)
    assert 0 < len(shown) < len(many) and segments(first) <= 2
    assert shown == [(str(i), b["title"]) for i, b in enumerate(many[:len(shown)], 1)]
    assert first.startswith(c.render_topic_sms(topic))


# ---- the assistant's own replies with an SMS form (content/dialogue.yml `<key>_sms`) ---------------
def dialogue_forms():
    c = load()
    return sorted(k for k in c.dialogue if k.endswith("_sms") and not k.startswith("crisis")
                  and k[:-4] in c.dialogue)


def test_greet_and_menu_have_sms_forms():
    assert {"greet_sms", "menu_sms"} <= set(dialogue_forms())


@pytest.mark.parametrize("key", dialogue_forms())
def test_every_dialogue_sms_form_fits_two_segments_with_its_menu(key):
    from bot.web.sms import compose

    c = load()
    text = to_gsm7(compose(c.render_dialogue(key)))
    assert segments(text) <= 2, (key, septets(text))
    # the same choices as the reply it stands for (same payloads), short titles
    base = {b["payload"] for m in c.render_dialogue(key[:-4]) for b in m.get("buttons", [])}
    own = [b for m in c.render_dialogue(key) for b in m.get("buttons", [])]
    assert {b["payload"] for b in own} <= base
    assert all(len(b["title"]) <= 20 for b in own)


def test_start_over_by_sms_shows_the_short_menu_in_one_text(client, fake_rasa):
    c = load()
    msgs = c.render_dialogue("start_over") + c.render_dialogue("menu")
    fake_rasa.reply = lambda body: as_rasa(msgs, body)
    sms(client, "hi")
    text = twiml_text(sms(client, "start over"))
    assert text.startswith(to_gsm7(msgs[0]["text"])) and segments(text) <= 2
    titles = [b["title"] for b in c.render_dialogue("menu_sms")[-1]["buttons"]]
    assert [t for _, t in MENU_LINE.findall(text)] == titles
    sms(client, "2")
    assert fake_rasa.messages[-1] == c.render_dialogue("menu_sms")[-1]["buttons"][1]["payload"]


def test_a_number_before_more_picks_only_an_option_shown(make_client, rasa_answers):
    """An answer whose menu did not fit in its first text: a number texted before MORE
    is not taken as an option the person never saw; after MORE shows the menu, it is."""
    client = make_client(rate_limit=0)
    sms(client, "hi")
    first = twiml_text(sms(client, "CA how_ordered"))
    shown = MENU_LINE.findall(first)
    buttons = [b for m in action_answer("how_ordered", "CA") for b in m["buttons"]]
    assert len(shown) < len(buttons)  # this answer's menu does not all fit
    early = twiml_text(sms(client, str(len(buttons))))
    if shown:
        assert early.startswith("Please reply with a number"), early
    else:
        assert early.startswith("Reply MORE to see the full answer"), early
    pages = read_all(client, first)
    assert MENU_LINE.findall(pages[-1])  # the whole menu, after MORE
    last = buttons[-1]
    reply = twiml_text(sms(client, str(len(buttons))))
    assert reply is not None and not reply.startswith("Please reply with a number"), (last, reply)
