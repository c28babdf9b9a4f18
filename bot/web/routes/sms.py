"""POST /sms/twilio: Twilio's inbound form in, TwiML out. The SMS channel reads a
message here (signature, form) and renders the reply in bot/web/sms.py."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.web.deps import state
from bot.web.shared_state import answer_once
from bot.web.sms import handle_sms

log = logging.getLogger("bot.web.sms")
router = APIRouter()


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




def _plain(request: Request, key: str, status: int) -> Response:
    return Response(state(request).words["errors"][key], status_code=status, media_type="text/plain")


async def _signed_form(request: Request):
    """Twilio's form when the request is a signed form post, else the refusal to send."""
    settings = state(request).settings
    if not settings.twilio_auth_token:
        log.warning("sms refused: TWILIO_AUTH_TOKEN is not set")
        return None, _plain(request, "sms_forbidden", 403)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return None, _plain(request, "sms_form_expected", 415)
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - malformed form body
        return None, _plain(request, "sms_form_malformed", 400)
    signature = request.headers.get("x-twilio-signature", "")
    url = public_url(request, settings.public_url)
    if not signature or not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
        log.warning("sms refused: %s signature", "missing" if not signature else "invalid")
        return None, _plain(request, "sms_forbidden", 403)
    return form, None


@router.post("/sms/twilio", include_in_schema=True, response_class=Response,
             summary="Twilio inbound SMS webhook (TwiML reply)",
             responses={200: {"content": {"application/xml": {}}},
                        403: {"description": "missing or wrong X-Twilio-Signature"}})
async def twilio_webhook(request: Request) -> Response:
    form, refused = await _signed_form(request)
    if refused is not None:
        return refused
    phone = form.get("From")
    body = form.get("Body") or ""
    if not isinstance(phone, str) or not phone.strip() or not isinstance(body, str):
        return _plain(request, "sms_no_sender", 400)
    # Twilio retries a slow webhook with the same MessageSid: answer it once (shared_state).
    text = await answer_once(request.app, form.get("MessageSid"),
                             lambda: handle_sms(state(request).gateway, phone, body))
    return twiml(text)
