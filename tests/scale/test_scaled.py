"""The scaled stack on real servers (issue #15): replicas share one conversation, a killed
replica or action server loses no message, Redis and PostgreSQL restarts, deletion and the
retention purge on PostgreSQL, Twilio retries answered once. Tests run in file order: the
restarts come last."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest
from twilio.request_validator import RequestValidator

from bot.stack import ROOT
from scale_helpers import PUBLIC_URL, RATE_LIMIT, TWILIO_TOKEN, Api, events, user_texts

pytestmark = pytest.mark.scaled

SCRIPT = ["hi", "do i get a lawyer", "california", "and how long does it last",
          "does fresno county have AOT", "what happens if i miss appointments"]


def test_one_conversation_over_both_replicas_keeps_state(scaled, keys):
    """Turns alternate between the two Rasa replicas; the second knows what the first heard."""
    rasa_ports = scaled.ports.replicas("rasa", 2)
    sender = f"scale-{uuid.uuid4().hex[:10]}"

    def say(text: str, port: int) -> str:
        r = httpx.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                       json={"sender": sender, "message": text}, timeout=40)
        return " ".join(m.get("text", "") for m in r.json())

    assert "California or New York" in say("do i get a lawyer", rasa_ports[0])
    assert "lawyer" in say("california", rasa_ports[1]).lower()
    # the state (California) was kept by replica 2; replica 1 answers from it, without asking
    reply = say("how long does an order last", rasa_ports[0])
    assert "California or New York" not in reply and "6 months" in reply
    assert user_texts(scaled, sender) == ["do i get a lawyer", "california",
                                          "how long does an order last"]


def test_a_message_delivered_to_both_replicas_is_answered_once(scaled):
    """What nginx's retry does when a replica died after storing the turn but before
    answering: the same message (same id) on the other replica gets the stored reply
    and is not stored again (bot/rasa_once.py). A new message with the same words is."""
    rasa_ports = scaled.ports.replicas("rasa", 2)
    sender = f"scale-{uuid.uuid4().hex[:10]}"

    def send(port: int, message_id: str) -> list:
        body = {"sender": sender, "message": "do i get a lawyer",
                "metadata": {"channel": "api", "message_id": message_id}}
        return httpx.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body,
                          timeout=40).json()

    first_id = uuid.uuid4().hex
    first = send(rasa_ports[0], first_id)
    assert "California or New York" in " ".join(m.get("text", "") for m in first)
    assert send(rasa_ports[1], first_id) == first
    assert user_texts(scaled, sender) == ["do i get a lawyer"]
    send(rasa_ports[1], uuid.uuid4().hex)
    assert user_texts(scaled, sender) == ["do i get a lawyer"] * 2


def test_messages_sent_to_both_web_processes_arrive_in_order(scaled, keys):
    """One person's quick messages land on alternating web processes; Rasa gets them one
    at a time, in the order sent (the ticket queue in Redis)."""
    api = Api(scaled)
    web_ports = scaled.ports.replicas("web", 2)
    texts = [f"what is aot {i}" for i in range(6)]
    threads = []
    for i, text in enumerate(texts):
        t = threading.Thread(target=api.say, args=(text, web_ports[i % 2]))
        t.start()
        threads.append(t)
        time.sleep(0.25)  # sent in this order (while earlier ones still wait for Rasa)
    for t in threads:
        t.join(60)
    stored = events(scaled, keys.api_sender(api.sender))
    assert [e["text"] for e in stored if e["type"] == "user"] == texts
    # one at a time: each message's replies come before the next message
    kinds = [e["type"] for e in stored if e["type"] in ("user", "bot")]
    assert all(a != b or a == "bot" for a, b in zip(kinds, kinds[1:])), kinds


def test_rate_limit_is_shared_by_the_web_processes(scaled, content):
    """RATE_LIMIT messages a minute per person in all, not per web process."""
    sender = f"scale-{uuid.uuid4().hex[:10]}"
    limited = " ".join(m["text"] for m in content.render_dialogue("note_limited"))
    replies = [httpx.post(f"http://127.0.0.1:{port}/api/messages", timeout=40,
                          json={"sender": sender, "message": "hi"})
               for port in scaled.ports.replicas("web", 2) * (RATE_LIMIT // 2 + 1)]
    assert [r.status_code for r in replies] == [200] * RATE_LIMIT + [429, 429]
    assert " ".join(m["text"] for m in replies[-1].json()) == limited


def _twilio(body: str, sid: str, phone: str) -> tuple[dict, dict]:
    params = {"From": phone, "To": "+15550000000", "Body": body, "MessageSid": sid,
              "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{PUBLIC_URL}/sms/twilio", params)
    return params, {"X-Twilio-Signature": signature}


def test_twilio_retry_with_the_same_message_sid_is_answered_once(scaled, keys):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    sid = "SM" + uuid.uuid4().hex
    params, headers = _twilio("do i get a lawyer in california", sid, phone)
    replies: list[str] = []

    def post(port: int) -> None:
        r = httpx.post(f"http://127.0.0.1:{port}/sms/twilio", data=params, headers=headers,
                       timeout=40)
        replies.append(r.text)

    # the first request and Twilio's retry, on the two web processes at once
    threads = [threading.Thread(target=post, args=(p,)) for p in scaled.ports.replicas("web", 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    post(scaled.ports.web)  # and a late retry through nginx
    assert len(replies) == 3 and len(set(replies)) == 1 and "<Message>" in replies[0]
    assert user_texts(scaled, keys.sms_sender(phone, 0)) == ["do i get a lawyer in california"]


def test_delete_my_conversation_on_postgres(scaled, keys):
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    for body in ("hi", "do i get a lawyer"):
        params, headers = _twilio(body, "SM" + uuid.uuid4().hex, phone)
        httpx.post(f"{scaled.ports.web_url}/sms/twilio", data=params, headers=headers, timeout=40)
    sender = keys.sms_sender(phone, 0)
    assert user_texts(scaled, sender) == ["hi", "do i get a lawyer"]
    params, headers = _twilio("DELETE", "SM" + uuid.uuid4().hex, phone)
    r = httpx.post(f"{scaled.ports.web_url}/sms/twilio", data=params, headers=headers, timeout=40)
    assert r.status_code == 200
    assert events(scaled, sender) == []


def test_retention_purge_on_postgres(scaled, keys):
    import psycopg2

    old, recent = Api(scaled), Api(scaled)
    old.say("hi")
    recent.say("hi")
    old_id, recent_id = keys.api_sender(old.sender), keys.api_sender(recent.sender)
    con = psycopg2.connect(scaled.tracker_url)
    with con, con.cursor() as cur:  # as if it had been idle for 40 days
        cur.execute("UPDATE events SET timestamp = timestamp - 40 * 86400 WHERE sender_id = %s",
                    (old_id,))
    con.close()
    env = {**os.environ, "TRACKER_URL": scaled.tracker_url, "RETENTION_DAYS": "30",
           "WEB_DB": str(scaled.directory / "web.db"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bot.web.store", "purge"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert events(scaled, old_id) == []
    assert events(scaled, recent_id) != []


def test_guided_tool_answers_are_not_kept_on_postgres(scaled, keys):
    api = Api(scaled)
    api.say("does my son qualify for laura's law?")
    api.press("Yes")
    assert "Nothing you answered is kept" in api.press("No more questions")
    texts = " ".join(str(e.get("text")) for e in events(scaled, keys.api_sender(api.sender)))
    assert "does my son qualify for laura's law?" in texts
    assert "Does your son have a serious mental illness?" not in texts


def _conversations(stack, n: int, failures: list, replies: list) -> list[threading.Thread]:
    def run() -> None:
        api = Api(stack)
        for text in SCRIPT:
            try:
                replies.append((api.sender, api.say(text)))
            except httpx.HTTPError as exc:
                failures.append(type(exc).__name__)
    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


# Killing a Rasa replica mid-message: nginx sends the message to the other replica, which
# waits for the dead one's conversation lock (bot/lock_store.py: a waiting ticket no longer
# expires with it) and answers it once, even if the dead one had stored it (bot/rasa_once.py).
@pytest.mark.parametrize("victim", ["rasa-1", "actions-1"])
def test_killing_a_replica_mid_conversation_loses_no_message(scaled, keys, failure_texts, victim):
    failures: list = []
    replies: list = []
    threads = _conversations(scaled, 3, failures, replies)
    time.sleep(1.0)
    pid = scaled.pids()[victim]
    os.kill(pid, signal.SIGKILL)  # mid-conversation, most likely mid-message
    for t in threads:
        t.join(120)
    assert not failures
    assert len(replies) == 3 * len(SCRIPT)
    assert not [r for _, r in replies if not r or any(f in r for f in failure_texts)]
    for sender in {s for s, _ in replies}:
        stored = user_texts(scaled, keys.api_sender(sender))
        # every message is in the conversation once, in order (a retried one is not doubled)
        assert stored == SCRIPT
    assert scaled.pids()[victim] not in (0, pid) or _restarted(scaled, victim, pid)


def _restarted(stack, name: str, old_pid: int, timeout: float = 30) -> bool:
    """supervisord starts a killed process again (Rasa's replica takes longer to be ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.pids()[name] not in (0, old_pid):
            return True
        time.sleep(0.5)
    return False


def test_once_every_rasa_replica_was_down_people_writing_at_once_are_answered(scaled, failure_texts):
    """As at start (while Rasa loads): nginx saw every replica fail. Once they are back,
    four people writing at the same moment all get answers (nginx used to keep a failed
    replica "down" for all but one trial request: 502, "back in a moment")."""
    replicas = {"rasa-1", "rasa-2"}
    scaled.stop(replicas)
    assert httpx.get(f"{scaled.ports.rasa_url}/", timeout=10).status_code == 502
    scaled.start_programs(replicas)
    scaled.wait_ready(timeout=300, only=replicas)
    replies: list[str] = []
    threads = [threading.Thread(target=lambda: replies.append(Api(scaled).say("do i get a lawyer")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(replies) == 4
    assert all("California or New York" in r for r in replies), replies


@pytest.mark.parametrize("engine", ["redis", "postgres"])
def test_engine_restart_mid_run_recovers_with_clear_errors(scaled, content, failure_texts, engine):
    api = Api(scaled)
    assert "California or New York" in api.say("do i get a lawyer")
    scaled.stop({engine})
    try:
        started = time.monotonic()
        reply = api.say("california")
        assert any(f in reply for f in failure_texts), reply  # a clear "try again" reply
        assert time.monotonic() - started < 25
        # crisis first, even now
        assert "988" in Api(scaled).say("i want to kill myself")
    finally:
        scaled.start_programs({engine})
    deadline = time.monotonic() + 60
    while True:  # back within seconds, and the conversation goes on where it was
        reply = api.say("california")
        if not any(f in reply for f in failure_texts) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert "lawyer" in reply.lower() and not any(f in reply for f in failure_texts)


def test_no_message_text_in_any_log(scaled):
    """Product rule 4, after the faults above: Rasa's failure log lines carry no text."""
    logs = " ".join(p.read_text(errors="replace") for p in scaled.log_dir.glob("*.log"))
    for words in ("do i get a lawyer", "i want to kill myself", "what is aot", "fresno"):
        assert words not in logs.lower()
