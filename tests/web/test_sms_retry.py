"""Twilio retries a slow webhook with the same MessageSid: it is answered once (issue #15).
One web process here (in memory); tests/scale checks the same across processes (Redis)."""
from __future__ import annotations

import uuid

from web_helpers import SMS_URL, sign


def _post(client, body: str, sid: str, phone: str = "+15557654321"):
    params = {"From": phone, "To": "+15550000000", "Body": body, "MessageSid": sid,
              "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
    return client.post("/sms/twilio", data=params, headers={"X-Twilio-Signature": sign(params, SMS_URL)})


def test_same_message_sid_twice_reaches_rasa_once_and_gets_the_same_reply(client, fake_rasa):
    sid = "SM" + uuid.uuid4().hex
    first = _post(client, "do i get a lawyer", sid)
    retry = _post(client, "do i get a lawyer", sid)
    assert first.status_code == retry.status_code == 200
    assert retry.text == first.text and "<Message>" in first.text
    assert fake_rasa.messages == ["do i get a lawyer"]


def test_a_new_message_sid_is_a_new_message(client, fake_rasa):
    _post(client, "do i get a lawyer", "SM" + uuid.uuid4().hex)
    _post(client, "do i get a lawyer", "SM" + uuid.uuid4().hex)
    assert fake_rasa.messages == ["do i get a lawyer", "do i get a lawyer"]
