"""SMS gateway for Twilio: POST /sms/twilio, Twilio's inbound form in, TwiML out.

- Every request must carry a valid X-Twilio-Signature (twilio's RequestValidator,
  auth token from TWILIO_AUTH_TOKEN; the public URL from PUBLIC_URL or rebuilt from
  X-Forwarded-Proto/Host). Missing or wrong: 403, and nothing reaches Rasa.
- Replies use GSM-7 characters only and fit in 3 segments (459 septets); the rest
  waits for "MORE". Buttons become a numbered menu; "1" maps back to the payload
  of the first button just offered to that sender.
- A lone STOP word opts out (one confirmation naming the service and the crisis line, then
  silence until START); HELP/INFO says what this is and how to reach a person, and is
  answered even after STOP (carriers allow HELP replies); DELETE erases the conversation.
- SMS forms (bot/web/sms_forms.py): the greeting is sent as `greet_sms` (the notice in
  one line, the crisis line and a short numbered menu, at most 2 segments); a topic answer's first
  text is its `sms` form (key fact, phone number, short citation), the full answer
  after MORE. The first reply to a new number has the one-line notice (`sms_disclosure`)
  unless its SMS form carries it.
- Crisis first: the crisis reply's first text is its SMS form (content/dialogue.yml
  `crisis_sms`, or `<reply key>_sms`): one segment, starting with the crisis line. Its other lines
  and the numbered menu follow in a second text. A crisis message from a number that
  opted out still gets that first text, once per message, and nothing else: safety
  comes before the opt-out; the number stays opted out and nothing reaches Rasa.
  (If Twilio's own opt-out handling blocks messages to that number, it is not sent.)
- No menu asks for a carrier keyword: menus are numbers, and button titles never use
  STOP, END, QUIT, ... (tests/web/test_sms_keywords.py).
- The Rasa sender id is a keyed hash of the phone number; the number itself is
  never stored or logged.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from bot import i18n
from bot.web import sms_forms
from bot.web.gateway import Gateway, collect_buttons
from bot.web.text import clean_text, not_said
from bot.web.words import line

log = logging.getLogger("bot.web.sms")

# ---- GSM 03.38 -------------------------------------------------------------------------
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = "^{}\\[~]|€"  # each costs two septets (escape + char)
GSM_CHARS = frozenset(GSM_BASIC + GSM_EXT)
SEGMENT = 153             # septets per part of a concatenated message
MAX_SEGMENTS = 3
SMS_LIMIT = SEGMENT * MAX_SEGMENTS  # 459
MORE_SUFFIX = "\n\n" + line("sms", "more", lang="en")


def more_suffix() -> str:
    """'Reply MORE ...' in the conversation's language (bot.i18n.current())."""
    return "\n\n" + line("sms", "more")

_REPLACE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u00b4": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2043": "-", "\u2022": "-", "\u00b7": "-", "\u25cf": "-", "\u25aa": "-",
    "\u2026": "...", "\u2044": "/", "\u00d7": "x", "\u00f7": "/",
    "\u00a9": "(c)", "\u00ae": "(R)", "\u2122": "TM", "\u00a2": "c", "\u00b0": " degrees",
    "\t": " ", "\u00a0": " ", "\u202f": " ", "\u3000": " ", "\u2028": "\n", "\u2029": "\n",
    "\u00b6": "", "\u00ad": "",
    # GSM has these letters only in one case: keep the one it has
    "\u00c0": "A", "\u00c8": "E", "\u00cc": "I", "\u00d2": "O", "\u00d9": "U",
    "\u00e7": "c",
}


def _to_gsm(ch: str) -> str:
    if ch in GSM_CHARS:
        return ch
    if ch in _REPLACE:
        return _REPLACE[ch]
    cat = unicodedata.category(ch)
    if cat == "Zs":
        return " "
    out = ""
    for d in unicodedata.normalize("NFKD", ch):
        if d in GSM_CHARS:
            out += d
        elif d in _REPLACE:
            out += _REPLACE[d]
    if out:
        return out
    # emoji, symbols, invisible marks: drop; letters of another script: '?'
    return "?" if cat[0] in "LN" else ""


def to_gsm7(text: str) -> str:
    """Only GSM-7 characters: curly quotes, dashes, emoji and the like replaced or dropped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    out = "".join(_to_gsm(ch) for ch in text)
    out = re.sub(r"[ ]{2,}", " ", out)
    out = re.sub(r" *\n *", "\n", out)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip()


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_CHARS for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in GSM_EXT else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS parts a text costs: GSM-7 (160, then 153 septets a part), or UCS-2
    (70, then 67 UTF-16 units) when one character is outside GSM-7. The one count."""
    if is_gsm7(text):
        n, single, part = septets(text), 160, SEGMENT
    else:
        n, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if n <= single else -(-n // part)


def _fit(text: str, budget: int) -> int:
    """Largest prefix length whose septet count is within budget."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ch in GSM_EXT else 1
        if used > budget:
            return i
    return len(text)


def _cut_point(text: str, budget: int) -> int:
    hard = _fit(text, budget)
    head = text[:hard]
    for sep, floor in (("\n\n", 0.4), ("\n", 0.5), (". ", 0.5), ("? ", 0.5), ("! ", 0.5),
                       ("; ", 0.6), (", ", 0.7), (" ", 0.6)):
        i = head.rfind(sep)
        if i >= hard * floor and i > 0:
            return i + len(sep.rstrip(" ")) if sep.strip() else i + len(sep)
    return max(hard, 1)


def paginate(text: str, limit: int = SMS_LIMIT) -> list[str]:
    """Pages of at most `limit` septets; every page but the last ends with 'Reply MORE'."""
    rest = text.strip()
    pages: list[str] = []
    suffix = more_suffix()
    budget = limit - septets(suffix)
    while septets(rest) > limit:
        cut = _cut_point(rest, budget)
        pages.append(rest[:cut].rstrip() + suffix)
        rest = rest[cut:].lstrip()
    if rest:
        pages.append(rest)
    return pages


def compose(messages: list[dict]) -> str:
    """One SMS text: the messages, then the buttons as a numbered menu."""
    texts = [to_gsm7(m["text"]) for m in messages if m.get("text")]
    body = "\n\n".join(t for t in texts if t)
    buttons = collect_buttons(messages)
    if buttons:
        menu = "\n".join(line("sms", "menu_line", n=i, title=to_gsm7(b["title"]))
                         for i, b in enumerate(buttons, 1))
        body = f"{body}\n\n{menu}" if body else menu
    return body


# ---- keywords (only as a lone word) -----------------------------------------------------------
# English and Spanish (accents optional). A Spanish keyword also sets the conversation's
# language (SPANISH_WORDS); ESPAÑOL / ENGLISH themselves are read by the gateway
# (bot/web/language.py), like the web's switch.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
              "PARAR", "CANCELAR", "BAJA"}
START_WORDS = {"START", "UNSTOP", "YES", "COMENZAR", "INICIAR"}   # opt back in (once opted out)
HELP_WORDS = {"HELP", "INFO", "AYUDA"}
DELETE_WORDS = {"DELETE", "BORRAR"}
MORE_WORDS = {"MORE", "MAS"}
SPANISH_WORDS = {"PARAR", "CANCELAR", "BAJA", "COMENZAR", "INICIAR", "AYUDA", "BORRAR", "MAS"}


def keyword(body: str | None) -> str | None:
    """The keyword when the whole message is one word ("stop", " STOP. ", "más"), else None.
    "stop all" and "opt-out" count as STOPALL and OPTOUT: carriers treat them so."""
    word = (body or "").strip().strip(".!?,;:'\"()¡¿").strip()
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    word = re.sub(r"(?i)^(stop|opt)[\s-]+(all|out)$", r"\1\2", word)
    if re.fullmatch(r"[A-Za-z]+", word):
        return word.upper()
    return None


def menu_choice(body: str | None) -> int | None:
    m = re.fullmatch(r"\s*#?\s*(\d{1,2})\s*[.)]?\s*", body or "")
    return int(m.group(1)) if m else None


# ---- the lines the SMS channel adds: all wording is in content/dialogue.yml (sms_*) --------------
def _dialogue_text(content, key: str) -> str:
    return compose(content.render_dialogue(key))


def help_text(content) -> str:
    """What this is and how to reach a person (content/dialogue.yml: sms_help)."""
    return to_gsm7(_dialogue_text(content, "sms_help"))


def disclosure(content) -> list[dict]:
    """The first reply to a new number starts with this."""
    return content.render_dialogue("sms_disclosure")


def stop_text(content) -> str:
    return _dialogue_text(content, "sms_stop")


def start_text(content) -> str:
    return _dialogue_text(content, "sms_start")


def deleted_text(content) -> str:
    return _dialogue_text(content, "sms_deleted")


def nothing_more_text(content=None) -> str:
    from bot.content import load

    return _dialogue_text(content or load(i18n.current()), "sms_nothing_more")



def crisis_sms_key(content, reply_key: str | None) -> str:
    """The SMS form of a crisis reply: `<key>_sms` when content has one, else crisis_sms."""
    own = f"{reply_key}_sms" if reply_key else ""
    return own if own in content.dialogue else "crisis_sms"


def crisis_first_text(content, reply_key: str | None = None) -> str:
    """The one-segment text that leads a crisis reply by SMS."""
    return to_gsm7(content.render_dialogue(crisis_sms_key(content, reply_key))[0]["text"])


def crisis_texts(gw: Gateway, outcome) -> list[str]:
    """A crisis reply by SMS: [the one-segment crisis text, the rest with the menu]."""
    from bot.web.crisis_view import panel_flags

    key = getattr(outcome, "reply_key", None) or outcome.kind
    content = gw.words_in(getattr(outcome, "lang", None))
    form = content.render_dialogue(crisis_sms_key(content, key))
    notes = [m for m, in_panel in zip(outcome.messages, panel_flags(outcome, gw)) if not in_panel]
    rest = [{"text": m["text"]} for m in form[1:] + notes]
    if outcome.buttons:
        rest.append({"text": "", "buttons": outcome.buttons})
    return [to_gsm7(form[0]["text"]), compose(rest)]


# ---- one text message in, the reply out -------------------------------------------------------
async def handle_sms(gw: Gateway, phone: str, body: str) -> str | list[str] | None:
    """The reply to one text message: one text, or a list (a crisis), or None (silence),
    in the conversation's language (a Spanish keyword sets it)."""
    key = gw.keys.sms_key(phone)
    word = keyword(body)
    if word in SPANISH_WORDS:
        gw.store.set_lang(key, "es")
    lang = gw.store.get_lang(key) or i18n.DEFAULT
    token = i18n.CURRENT.set(lang)
    try:
        return await _handle_sms(gw, phone, body, key, word, gw.words_in(lang))
    finally:
        i18n.CURRENT.reset(token)


async def _handle_sms(gw: Gateway, phone: str, body: str, key: str, word: str | None,
                      content) -> str | list[str] | None:
    store, keys = gw.store, gw.keys

    if word in STOP_WORDS:
        if store.sms_opted_out(key):
            return None
        store.sms_set_opt_out(key, True)
        log.info("channel=sms kind=opt_out")
        return stop_text(content)
    if word in HELP_WORDS:  # always answered, also after STOP
        log.info("channel=sms kind=help")
        if store.sms_opted_out(key):
            return paginate(help_text(content))[0]
        store.sms_touch(key)
        return _first_page(store, key, help_text(content))
    if store.sms_opted_out(key):
        return _opted_out_reply(gw, key, word, body)
    store.sms_touch(key)
    if word in DELETE_WORDS:
        gw.forget(key, keys.sms_sender(phone, store.sms_epoch(key)))
        log.info("channel=sms kind=delete")
        return deleted_text(content)
    if word in MORE_WORDS:
        page, left = store.sms_pop_page(key)
        if page and not left:  # the last page shows the whole menu: its numbers work now
            store.offer_later_now(key)
        return page or nothing_more_text(content)

    outcome = await gw.handle(channel="sms", key=key, sender_id=keys.sms_sender(phone, store.sms_epoch(key)),
                              text=body, number=menu_choice(body))
    i18n.CURRENT.set(outcome.lang)  # the message may have switched the language
    content = gw.words_in(outcome.lang)
    if outcome.kind in ("choose", "more_first"):  # about the menu: no notice, no paging
        return compose(outcome.messages)
    if outcome.kind.startswith("crisis"):
        first, rest = crisis_texts(gw, outcome)
        pages = paginate(rest) if rest else []
        store.sms_set_pages(key, pages[1:])
        return [first] + pages[:1]
    return _answer_texts(store, key, content, outcome.messages)


def _answer_texts(store, key: str, content, messages: list[dict]) -> str:
    """An answer by SMS: its SMS form first when it has one (bot/web/sms_forms.py), the
    notice before the first reply to a new number, the rest after MORE."""
    plan = sms_forms.plan(content, messages, compose, septets)
    if plan.offered is not None:  # the menu shown is the SMS form's: numbers pick from it
        store.set_offered(key, plan.offered)
    store.set_offered_later(key, plan.offered_later if plan.rest else None)
    first = plan.first
    if not store.sms_disclosed(key):
        store.sms_set_disclosed(key)
        if not plan.discloses:
            first = not_said(disclosure(content), first) + first
    pages = paginate(to_gsm7(compose(first)))
    if plan.rest:
        pages += paginate(to_gsm7(compose(plan.rest)))
    store.sms_set_pages(key, pages[1:])
    return pages[0] if pages else nothing_more_text(content)


def _opted_out_reply(gw: Gateway, key: str, word: str | None, body: str) -> str | None:
    """After STOP: START opts back in; a crisis still gets the one-segment crisis text
    (safety before the opt-out, see the top); anything else, silence."""
    if word in START_WORDS:
        gw.store.sms_set_opt_out(key, False)
        log.info("channel=sms kind=opt_in")
        return start_text(gw.words_in())
    if gw.detect(clean_text(body)[:20000]):
        log.info("channel=sms kind=crisis_opted_out")
        content = gw.words_in()
        return crisis_first_text(content, "crisis_es" if i18n.current() == "es" else None)
    return None


def _first_page(store, key: str, text: str) -> str:
    pages = paginate(to_gsm7(text))
    store.sms_set_pages(key, pages[1:])
    return pages[0] if pages else nothing_more_text(None)
