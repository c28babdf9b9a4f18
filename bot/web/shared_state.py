"""What several web app processes must share, in Redis (chosen by REDIS_URL; bot/scale.py).

- the per-sender rate limit: the `limits` library's moving window, Redis storage;
- per-sender ordering: a ticket queue per sender (first come, first served; a holder that
  dies is skipped once its lease runs out), so one person's messages reach Rasa one at a
  time and in order, whichever web process took them;
- Twilio's retries: a webhook with a MessageSid already seen gets the first reply, and
  Rasa sees the message once (`answer_once`; also used by the one-process default, in memory).

Without REDIS_URL nothing changes: the gateway keeps its in-memory limiter and locks (one
web process). If Redis is unreachable, a message is still answered: the rate limit lets it
through and ordering falls back to this process, with a warning in the log (never a key,
number or text). Keys in Redis are keyed hashes (bot.web.gateway.Keys), never phone numbers.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from typing import Awaitable, Callable

log = logging.getLogger("bot.web.shared_state")

LEASE_S = 30        # a ticket holder that stops renewing for this long is skipped
POLL_S = 0.02       # how often a waiting message checks whether its turn has come
REPLY_TTL_S = 600   # how long a Twilio reply is kept for a retry with the same MessageSid
PREFIX = "aotweb:"

# Take a ticket and its lease in one step, so no one can see a ticket without a holder.
_TAKE = """
local t = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 3600)
redis.call('SET', KEYS[2] .. t, ARGV[1], 'PX', ARGV[2])
if not redis.call('GET', KEYS[3]) then redis.call('SET', KEYS[3], t, 'EX', 3600) end
return t
"""
# Whose turn: move `serving` past tickets whose holder released or died (lease gone).
_TURN = """
local s = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local last = tonumber(redis.call('GET', KEYS[3]) or ARGV[1])
while s < tonumber(ARGV[1]) and s <= last and redis.call('EXISTS', KEYS[2] .. s) == 0 do
  s = s + 1
end
redis.call('SET', KEYS[1], s, 'EX', 3600)
return s
"""


def _client(url: str):
    import redis.asyncio as aioredis

    return aioredis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                             health_check_interval=15)


class RedisRateLimiter:
    """The gateway's `allow(key)`, shared by every web process (limits: moving window)."""

    def __init__(self, url: str, limit: int, window: float):
        from limits import RateLimitItemPerSecond
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self.limit = limit
        self.item = RateLimitItemPerSecond(max(limit, 1), max(int(window), 1))
        # Keep the storage: the strategy holds only a weak reference to it.
        self.storage = RedisStorage(url, socket_timeout=1, socket_connect_timeout=1)
        self.limiter = MovingWindowRateLimiter(self.storage)

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.limit <= 0:
            return True
        try:
            return self.limiter.hit(self.item, PREFIX + "rate", key)
        except Exception as exc:  # noqa: BLE001 - Redis down: answer rather than refuse
            log.warning("rate limit store unreachable (%s): message let through",
                        type(exc).__name__)
            return True


class RedisSenderLocks:
    """The gateway's `await acquire(key) -> release()`, across processes: a ticket queue."""

    def __init__(self, url: str, fallback):
        self.redis = _client(url)
        self.fallback = fallback  # the in-memory SenderLocks, when Redis cannot be reached
        self._take = self.redis.register_script(_TAKE)
        self._turn = self.redis.register_script(_TURN)
        self._tasks: set[asyncio.Task] = set()

    def _keys(self, key: str) -> tuple[str, str, str]:
        base = PREFIX + "order:" + key
        return base + ":next", base + ":held:", base + ":serving"

    async def acquire(self, key: str) -> Callable[[], None]:
        nxt, held, serving = self._keys(key)
        token = uuid.uuid4().hex
        try:
            ticket = int(await self._take(keys=[nxt, held, serving], args=[token, LEASE_S * 1000]))
            renewed = time.monotonic()
            while int(await self._turn(keys=[serving, held, nxt], args=[ticket])) != ticket:
                await asyncio.sleep(POLL_S)
                if time.monotonic() - renewed > LEASE_S / 3:  # still waiting: keep our place
                    await self.redis.pexpire(held + str(ticket), LEASE_S * 1000)
                    renewed = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - Redis down: order within this process only
            log.warning("ordering store unreachable (%s): ordering within this process only",
                        type(exc).__name__)
            return await self.fallback.acquire(key)
        return self._releaser(held + str(ticket))

    def _releaser(self, lease: str) -> Callable[[], None]:
        done = False

        def release() -> None:
            nonlocal done
            if done:
                return
            done = True
            task = asyncio.get_running_loop().create_task(self._release(lease))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return release

    async def _release(self, lease: str) -> None:
        try:
            await self.redis.delete(lease)  # the next ticket's turn (see _TURN)
        except Exception as exc:  # noqa: BLE001 - the lease runs out by itself
            log.warning("ordering store unreachable on release (%s)", type(exc).__name__)


# ---- Twilio retries: one answer per MessageSid ----------------------------------------------
class MemoryReplies:
    """One web process: replies by MessageSid, in memory, for REPLY_TTL_S."""

    def __init__(self):
        self._seen: dict[str, tuple[float, asyncio.Future]] = {}

    async def once(self, sid: str, make: Callable[[], Awaitable]):
        now = time.monotonic()
        for k in [k for k, (t, _) in self._seen.items() if now - t > REPLY_TTL_S]:
            del self._seen[k]
        if sid in self._seen:
            log.info("sms retry: the first reply is sent again")
            return await asyncio.shield(self._seen[sid][1])
        future = asyncio.get_running_loop().create_future()
        self._seen[sid] = (now, future)
        try:
            result = await make()
        except BaseException as exc:
            del self._seen[sid]
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning
            raise
        future.set_result(result)
        return result


class RedisReplies:
    """Several web processes: the first to claim a MessageSid answers; a retry elsewhere
    waits for that reply (kept REPLY_TTL_S in Redis) and sends it again."""

    def __init__(self, url: str, wait_s: float = 25):
        self.redis = _client(url)
        self.wait_s = wait_s
        self.memory = MemoryReplies()

    async def once(self, sid: str, make: Callable[[], Awaitable]):
        key = PREFIX + "sms:" + sid
        try:
            claimed = await self.redis.set(key, "", nx=True, ex=REPLY_TTL_S)
        except Exception as exc:  # noqa: BLE001 - Redis down: this process's memory only
            log.warning("sms retry store unreachable (%s)", type(exc).__name__)
            return await self.memory.once(sid, make)
        if claimed:
            result = await make()
            try:
                await self.redis.set(key, _encode(result), ex=REPLY_TTL_S)
            except Exception as exc:  # noqa: BLE001
                log.warning("sms retry store unreachable (%s)", type(exc).__name__)
            return result
        log.info("sms retry: waiting for the first reply")
        deadline = time.monotonic() + self.wait_s
        while time.monotonic() < deadline:
            try:
                stored = await self.redis.get(key)
            except Exception:  # noqa: BLE001
                break
            if stored:
                return _decode(stored)
            await asyncio.sleep(0.1)
        return None  # the first request is still busy: this retry sends nothing


def _encode(result) -> str:
    import json

    return json.dumps(result)


def _decode(raw) -> object:
    import json

    return json.loads(raw)


def sid_key(secret: str, sid: str) -> str:
    """A MessageSid as stored: hashed with the sender key (it identifies a message)."""
    return hashlib.sha256(f"{secret}:sms-sid:{sid}".encode()).hexdigest()[:40]


def install(app, gateway, settings) -> None:
    """Called once at start-up: share the gateway's state through Redis when REDIS_URL is
    set; always give the app its Twilio-retry memory (app.state.sms_replies)."""
    url = settings.redis_url
    if not url:
        app.state.sms_replies = MemoryReplies()
        return
    gateway.limiter = RedisRateLimiter(url, settings.rate_limit, settings.rate_window)
    gateway.locks = RedisSenderLocks(url, gateway.locks)
    app.state.sms_replies = RedisReplies(url)
    log.info("rate limits, per-sender ordering and SMS retries shared through Redis")


async def answer_once(app, sid: str | None, make: Callable[[], Awaitable]):
    """The reply for this Twilio MessageSid: computed once, sent again to a retry."""
    replies = getattr(app.state, "sms_replies", None)
    if not sid or replies is None:
        return await make()
    return await replies.once(sid_key(app.state.settings.sender_key or "", sid), make)
