"""Relay to Rasa's REST channel (POST {RASA_URL}/webhooks/rest/webhook).

Every way Rasa can fail, a timeout, a refused connection, an HTTP error, a body
that is not a list, or the empty list `[]`, raises `RasaUnavailable`, so the
caller can give the static failure message. `restarting` tells the caller that Rasa or
the action server is down (refused, 502/503, or `[]` while the action server is down):
under `make run` supervisord is restarting it, so answers are back in a moment. Nothing here logs message text or
sender ids.
"""
from __future__ import annotations

import logging
import time
import uuid

import httpx

log = logging.getLogger("bot.web.rasa")


# Failures that mean "a process is down" (supervisord restarts it), not "something broke".
RESTARTING = {"refused", "disconnected", "http_502", "http_503", "actions_down"}


class RasaUnavailable(Exception):
    """Rasa did not give a usable answer. `reason` is a short, text-free tag."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def restarting(self) -> bool:
        return self.reason in RESTARTING


def _clean_buttons(raw) -> list[dict]:
    out = []
    if not isinstance(raw, list):
        return out
    for b in raw:
        if not isinstance(b, dict):
            continue
        title, payload = b.get("title"), b.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title.strip() and payload:
            out.append({"title": title.strip(), "payload": payload})
    return out


def clean_reply(data) -> list[dict]:
    """Keep only text and payload buttons from Rasa's messages."""
    msgs = []
    if not isinstance(data, list):
        raise RasaUnavailable("not_a_list")
    for m in data:
        if not isinstance(m, dict):
            continue
        custom = m.get("custom")
        if isinstance(custom, dict) and custom.get("guided_tool") in ("start", "end"):
            # Not shown: tells the web app a guided tool started or ended.
            msgs.append({"marker": custom["guided_tool"]})
            continue
        if isinstance(custom, dict) and isinstance(custom.get("crisis"), str):
            # Not shown: the `messages` messages before it are a crisis reply (bot/web/crisis_view.py).
            count = custom.get("messages")
            msgs.append({"crisis": {"reply": custom["crisis"], "danger_now": custom.get("danger_now") is True,
                                    "messages": count if isinstance(count, int) and count > 0 else 0}})
            continue
        text = m.get("text") if isinstance(m.get("text"), str) else ""
        buttons = _clean_buttons(m.get("buttons"))
        if text.strip() or buttons:
            msg = {"text": text.strip()}
            if buttons:
                msg["buttons"] = buttons
            msgs.append(msg)
    if not any("text" in m for m in msgs):
        raise RasaUnavailable("empty")
    return msgs


class RasaClient:
    def __init__(self, rasa_url: str, action_server_url: str, timeout: float = 10.0,
                 health_timeout: float = 2.0, transport: httpx.AsyncBaseTransport | None = None):
        self.rasa_url = rasa_url.rstrip("/")
        action = action_server_url.rstrip("/")
        if action.endswith("/webhook"):
            action = action[: -len("/webhook")]
        self.action_server_url = action
        self.health_timeout = health_timeout
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            trust_env=False,  # never send user messages through an environment proxy
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, message: str, metadata: dict | None = None) -> list[dict]:
        # One id per message, the same on every delivery: when nginx sends it again to
        # another Rasa replica, Rasa answers it once (bot/rasa_once.py).
        body = {"sender": sender, "message": message,
                "metadata": {**(metadata or {}), "message_id": uuid.uuid4().hex}}
        start = time.perf_counter()
        try:
            resp = await self._client.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body)
        except httpx.TimeoutException:
            log.warning("rasa timeout after %.2fs", time.perf_counter() - start)
            raise RasaUnavailable("timeout") from None
        except httpx.ConnectError:
            log.warning("rasa refused the connection")
            raise RasaUnavailable("refused") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            # The process went away mid-request (killed, crashed): it is being restarted.
            log.warning("rasa closed the connection without answering")
            raise RasaUnavailable("disconnected") from None
        except httpx.HTTPError as exc:
            log.warning("rasa unreachable (%s)", type(exc).__name__)
            raise RasaUnavailable("unreachable") from None
        if resp.status_code != 200:
            log.warning("rasa answered HTTP %d", resp.status_code)
            raise RasaUnavailable(f"http_{resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            log.warning("rasa answered with a body that is not JSON")
            raise RasaUnavailable("bad_json") from None
        try:
            msgs = clean_reply(data)
        except RasaUnavailable as exc:
            # Rasa answers [] when a custom action could not reach the action server.
            if exc.reason == "empty" and not (await self.action_server_health())["ok"]:
                log.warning("rasa answered nothing: the action server is down")
                raise RasaUnavailable("actions_down") from None
            raise
        log.debug("rasa answered %d message(s) in %.3fs", len(msgs), time.perf_counter() - start)
        return msgs

    async def _probe(self, url: str) -> dict:
        start = time.perf_counter()
        try:
            resp = await self._client.get(url, timeout=self.health_timeout)
        except httpx.HTTPError as exc:
            return {"ok": False, "error": type(exc).__name__}
        out = {"ok": resp.status_code == 200, "status_code": resp.status_code,
               "latency_ms": round((time.perf_counter() - start) * 1000, 1)}
        return out

    async def rasa_health(self) -> dict:
        return await self._probe(f"{self.rasa_url}/")

    async def action_server_health(self) -> dict:
        return await self._probe(f"{self.action_server_url}/health")
