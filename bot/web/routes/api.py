"""POST /api/messages: Rasa's REST channel format, for chat widgets."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, constr

from bot import i18n
from bot.web import crisis_view
from bot.web.deps import state

router = APIRouter()


class ButtonModel(BaseModel):
    title: str
    payload: str


class MessageIn(BaseModel):
    sender: constr(strip_whitespace=True, min_length=1, max_length=200) = Field(
        ..., description="Your id for this conversation (any string; it is hashed before use).")
    message: str = Field(
        "", description="What the person typed, or the payload of a button just offered. "
        "Text starting with '/' that is not such a payload is treated as plain text. "
        "Long messages are cut (the reply says so).")
    metadata: Optional[Dict[str, Any]] = Field(
        None, description="Accepted for compatibility with Rasa's REST channel; ignored.")
    lang: Optional[str] = Field(
        None, description="\"en\" or \"es\": answer in this language from now on (a widget's "
        "language switch). Without it the language is detected from the messages and kept.")

    class Config:
        schema_extra = {"example": {"sender": "widget-1234", "message": "Do I get a lawyer?"}}


class CrisisCall(BaseModel):
    id: str = Field(..., description="call_911 | call_988 | text_988")
    title: str = Field(..., description="The button's words, e.g. the words of `text_988`.")
    href: str = Field(..., description="A tel: or sms: link.")


class CrisisMarker(BaseModel):
    kind: str = Field("crisis", description="Always \"crisis\": this message is part of a crisis reply.")
    reply: str = Field(..., description="Which crisis reply (its key in content/dialogue.yml).")
    danger_now: bool = Field(..., description="Someone may be in danger right now: the `call_911` button comes first.")
    lang: str = Field("en", description="The reply's language.")
    calls: List[CrisisCall] = Field(..., description="Big call/text buttons to show, in order.")


class BotMessage(BaseModel):
    recipient_id: str
    text: Optional[str] = None
    buttons: Optional[List[ButtonModel]] = None
    custom: Optional[CrisisMarker] = Field(
        None, description="Only on the messages of a crisis reply (Rasa's `custom` field): "
        "style them as one prominent crisis panel and show `calls` as large buttons.")



@router.post("/api/messages", response_model=List[BotMessage], response_model_exclude_none=True,
             summary="Send a message; get the assistant's replies (Rasa REST format)",
             responses={413: {"description": "Body too large"},
                        429: {"description": "Too many messages from this sender"}},
             tags=["chat"])
async def api_messages(msg: MessageIn, request: Request):
    """Same request and reply format as Rasa's `/webhooks/rest/webhook`.

    Crisis messages get the crisis reply first, even when the assistant is down.
    Each message of a crisis reply carries `custom` (Rasa's field for custom
    payloads): `{"kind": "crisis", "reply", "danger_now", "lang", "calls": [{"id",
    "title", "href"}]}`. Show those messages as one prominent panel, and `calls` as
    large buttons (tel:/sms: links) in that order; the `call_911` button is first when
    `danger_now` is true. Other messages have no `custom`.
    If the assistant cannot answer, the reply is a short message with people to call.
    """
    st = state(request)
    if msg.lang in i18n.LANGS:
        st.store.set_lang(st.keys.api_key(msg.sender), msg.lang)
    outcome = await st.gateway.handle(
        channel="api", key=st.keys.api_key(msg.sender), sender_id=st.keys.api_sender(msg.sender),
        text=msg.message, typed_payloads=True)
    out = render(st, msg.sender, outcome)
    if outcome.kind == "limited":
        return JSONResponse([o.dict(exclude_none=True) for o in out], status_code=429,
                            headers={"retry-after": str(int(st.settings.rate_window))})
    return out


def render(st, recipient: str, outcome) -> list[BotMessage]:
    """The API channel's rendering: Rasa's format, a crisis reply marked in `custom`."""
    in_panel = crisis_view.panel_flags(outcome, st.gateway)
    marker = None
    if any(in_panel):
        content = st.gateway.words_in(outcome.lang)
        info = crisis_view.outcome_panel(content, outcome)
        marker = crisis_view.api_marker(content, info["reply"], info["danger_now"])
    return [BotMessage(recipient_id=recipient, text=m["text"] or None,
                       buttons=m.get("buttons") or None, custom=marker if flag else None)
            for m, flag in zip(outcome.messages, in_panel)]
