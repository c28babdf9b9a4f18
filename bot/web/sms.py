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

from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.web import sms_forms
from bot.web.gateway import Gateway, clean_text, collect_buttons
from bot.web.shared_state import answer_once
from bot.web.store import later_key

log = logging.getLogger("bot.web.sms")

# ---- GSM 03.38 -------------------------------------------------------------------------
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = "^{}\\[~]|€"  # each costs two septets (escape + char)
GSM_CHARS = frozenset(GSM_BASIC + GSM_EXT)
SEGMENT = 153             # septets per part of a concatenated message
MAX_SEGMENTS = 3
SMS_LIMIT = SEGMENT * MAX_SEGMENTS  # 459
MORE_SUFFIX = "\n\nReply MORE for the rest."

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
    n = septets(text)
    return 1 if n <= 160 else -(-n // SEGMENT)


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
    budget = limit - septets(MORE_SUFFIX)
    while septets(rest) > limit:
        cut = _cut_point(rest, budget)
        pages.append(rest[:cut].rstrip() + MORE_SUFFIX)
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
        menu = "\n".join(f"Reply {i} for {to_gsm7(b['title'])}" for i, b in enumerate(buttons, 1))
        body = f"{body}\n\n{menu}" if body else menu
    return body


# ---- keywords (only as a lone word) -----------------------------------------------------------
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
START_WORDS = {"START", "UNSTOP", "YES"}   # opt back in (only matter once opted out)
HELP_WORDS = {"HELP", "INFO"}
DELETE_WORDS = {"DELETE"}
MORE_WORDS = {"MORE"}


def keyword(body: str | None) -> str | None:
    """The keyword when the whole message is one word ("stop", " STOP. "), else None.
    "stop all" and "opt-out" count as STOPALL and OPTOUT: carriers treat them so."""
    word = (body or "").strip().strip(".!?,;:'\"()").strip()
    word = re.sub(r"(?i)^(stop|opt)[\s-]+(all|out)$", r"\1\2", word)
    if re.fullmatch(r"[A-Za-z]+", word):
        return word.upper()
    return None


def menu_choice(body: str | None) -> int | None:
    m = re.fullmatch(r"\s*#?\s*(\d{1,2})\s*[.)]?\s*", body or "")
    return int(m.group(1)) if m else None


# ---- signature ---------------------------------------------------------------------------------
def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def public_url(request: Request, configured: str = "") -> str:
    """The URL Twilio requested, as Twilio saw it (it signs exactly that URL)."""
    path = request.url.path
    query = request.url.query
    path_qs = path + (f"?{query}" if query else "")
    if configured:
        return configured.rstrip("/") + path_qs
    headers = request.headers
    proto = _first(headers.get("x-forwarded-proto"))
    host = _first(headers.get("x-forwarded-host"))
    fwd = headers.get("forwarded")
    if fwd and not (proto and host):
        first = fwd.split(",")[0]
        for part in first.split(";"):
            k, _, v = part.strip().partition("=")
            v = v.strip('"')
            if k.lower() == "proto" and not proto:
                proto = v
            elif k.lower() == "host" and not host:
                host = v
    proto = proto or request.url.scheme
    host = host or headers.get("host") or request.url.netloc
    port = _first(headers.get("x-forwarded-port"))
    if port and ":" not in host and port not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{proto}://{host}{path_qs}"


def twiml(text: str | list[str] | None) -> Response:
    """TwiML with one <Message> per text (a crisis reply is two: see crisis_texts)."""
    resp = MessagingResponse()
    for t in [text] if isinstance(text, str) else (text or []):
        if t:
            resp.message(t)
    return Response(content=str(resp), media_type="application/xml")


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

    return _dialogue_text(content or load(), "sms_nothing_more")



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
    form = gw.content.render_dialogue(crisis_sms_key(gw.content, key))
    notes = [m for m, in_panel in zip(outcome.messages, panel_flags(outcome, gw)) if not in_panel]
    rest = [{"text": m["text"]} for m in form[1:] + notes]
    if outcome.buttons:
        rest.append({"text": "", "buttons": outcome.buttons})
    return [to_gsm7(form[0]["text"]), compose(rest)]


def choose_text(n: int) -> str:
    return f"Please reply with a number from 1 to {n}, or type your question."


# ---- the route -------------------------------------------------------------------------------------
router = APIRouter()


@router.post("/sms/twilio", include_in_schema=True, response_class=Response,
             summary="Twilio inbound SMS webhook (TwiML reply)",
             responses={200: {"content": {"application/xml": {}}},
                        403: {"description": "missing or wrong X-Twilio-Signature"}})
async def twilio_webhook(request: Request) -> Response:
    app = request.app
    settings = app.state.settings
    if not settings.twilio_auth_token:
        log.warning("sms refused: TWILIO_AUTH_TOKEN is not set")
        return Response("Forbidden", status_code=403, media_type="text/plain")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return Response("Expected a form post", status_code=415, media_type="text/plain")
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - malformed form body
        return Response("Malformed form", status_code=400, media_type="text/plain")
    signature = request.headers.get("x-twilio-signature", "")
    url = public_url(request, settings.public_url)
    if not signature or not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
        log.warning("sms refused: %s signature", "missing" if not signature else "invalid")
        return Response("Forbidden", status_code=403, media_type="text/plain")

    phone = form.get("From")
    body = form.get("Body") or ""
    if not isinstance(phone, str) or not phone.strip() or not isinstance(body, str):
        return Response("Missing From", status_code=400, media_type="text/plain")
    # Twilio retries a slow webhook with the same MessageSid: answer it once (shared_state).
    text = await answer_once(app, form.get("MessageSid"),
                             lambda: handle_sms(app.state.gateway, phone, body))
    return twiml(text)


async def handle_sms(gw: Gateway, phone: str, body: str) -> str | list[str] | None:
    """The reply to one text message: one text, or a list (a crisis), or None (silence)."""
    store, content, keys = gw.store, gw.content, gw.keys
    key = keys.sms_key(phone)
    word = keyword(body)

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
        gw.forget_rasa(keys.sms_sender(phone, store.sms_epoch(key)))
        store.sms_bump_epoch(key)
        log.info("channel=sms kind=delete")
        return deleted_text(content)
    if word in MORE_WORDS:
        page, left = store.sms_pop_page(key)
        if page and not left:  # the last page shows the whole menu: its numbers work now
            store.offer_later_now(key)
        return page or nothing_more_text()

    sender = keys.sms_sender(phone, store.sms_epoch(key))
    choice = menu_choice(body)
    offered = store.get_offered(key) or []
    if choice is not None and not offered and store.get_offered(later_key(key)):
        return _dialogue_text(gw.content, "sms_more_first")  # the menu is behind MORE
    if choice is not None and offered:
        if not 1 <= choice <= len(offered):
            return choose_text(len(offered))
        outcome = await gw.handle(channel="sms", key=key, sender_id=sender,
                                  payload=offered[choice - 1]["payload"])
    else:
        outcome = await gw.handle(channel="sms", key=key, sender_id=sender, text=body)

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
            seen = {" ".join(m["text"].split()) for m in first if m.get("text")}
            first = [m for m in disclosure(content) if " ".join(m["text"].split()) not in seen] + first
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
        return start_text(gw.content)
    if gw.detect(clean_text(body)[:20000]):
        log.info("channel=sms kind=crisis_opted_out")
        return crisis_first_text(gw.content)
    return None


def _first_page(store, key: str, text: str) -> str:
    pages = paginate(to_gsm7(text))
    store.sms_set_pages(key, pages[1:])
    return pages[0] if pages else nothing_more_text()
