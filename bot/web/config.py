"""Settings for the web app: one object, read from the environment once at start-up.

Only this module reads the environment for bot/web (and `__main__`'s guard against
importing TensorFlow, which must run before any import).
"""
from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _secret_key(path: Path) -> str:
    """The key used to hash phone numbers and session ids into Rasa sender ids.

    From SENDER_HASH_KEY when set. Otherwise a random key is made once and kept
    in var/ (mode 0600), so sender ids stay the same across restarts and a
    conversation goes on where it was.
    """
    env = os.environ.get("SENDER_HASH_KEY")
    if env:
        return env
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


@dataclass
class Settings:
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout: float = 10.0           # seconds to wait for Rasa's answer
    health_timeout: float = 2.0
    db_path: Path = ROOT / "var" / "web.db"
    tracker_db: Path | None = None       # Rasa's SQLite tracker store, for "delete my conversation"
    sender_key: str = ""                 # HMAC key for sender ids (see _secret_key)
    twilio_auth_token: str = ""          # empty: every SMS webhook call is refused (403)
    public_url: str = ""                 # e.g. https://aot.example.org; else rebuilt from headers
    max_chars: int = 1000                # longer messages are cut (and the user is told)
    max_body_bytes: int = 128 * 1024     # larger request bodies get 413
    rate_limit: int = 20                 # messages per sender ... (0: no limit)
    rate_window: float = 60.0            # ... per this many seconds
    retention_days: int = 30             # web transcripts older than this are deleted
    cookie_secure: bool | None = None    # None: Secure when the request came over https
    cors_origins: list[str] = field(default_factory=list)
    host: str = "127.0.0.1"              # where `python -m bot.web` listens
    port: int = 8000
    log_level: str = "INFO"              # WEB_LOG_LEVEL, else LOG_LEVEL
    forwarded_allow_ips: str = "127.0.0.1"  # proxies trusted for X-Forwarded-*
    redis_url: str = ""                  # the scaled stack: shared limits, ordering, SMS retries
    tracker_url: str = ""                # the scaled stack: Rasa's PostgreSQL tracker store

    @classmethod
    def from_env(cls) -> "Settings":
        db = Path(os.environ.get("WEB_DB", ROOT / "var" / "web.db"))
        tracker = os.environ.get("TRACKER_DB")
        secure = os.environ.get("COOKIE_SECURE")
        return cls(
            rasa_url=os.environ.get("RASA_URL", cls.rasa_url).rstrip("/"),
            action_server_url=os.environ.get("ACTION_SERVER_URL", cls.action_server_url).rstrip("/"),
            rasa_timeout=_float("RASA_TIMEOUT", cls.rasa_timeout),
            db_path=db,
            tracker_db=Path(tracker) if tracker else None,
            sender_key=_secret_key(db.parent / "sender.key"),
            twilio_auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""),
            public_url=os.environ.get("PUBLIC_URL", "").rstrip("/"),
            max_chars=_int("MAX_MESSAGE_CHARS", cls.max_chars),
            rate_limit=_int("RATE_LIMIT", cls.rate_limit),
            rate_window=_float("RATE_WINDOW", cls.rate_window),
            retention_days=_int("RETENTION_DAYS", cls.retention_days),
            cookie_secure=None if secure is None else _bool("COOKIE_SECURE", False),
            cors_origins=[o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o.strip()],
            host=os.environ.get("HOST", cls.host),
            port=_int("PORT", cls.port),
            log_level=os.environ.get("WEB_LOG_LEVEL", os.environ.get("LOG_LEVEL", cls.log_level)).upper(),
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", cls.forwarded_allow_ips),
            redis_url=os.environ.get("REDIS_URL", ""),
            tracker_url=os.environ.get("TRACKER_URL", ""),
        )


@functools.lru_cache(maxsize=1)
def load() -> Settings:
    """The process's settings, read from the environment the first time only."""
    return Settings.from_env()
