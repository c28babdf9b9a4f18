"""Run the web app: `python -m bot.web` (HOST, PORT, WEB_LOG_LEVEL or LOG_LEVEL
from the environment).

Binds to 127.0.0.1:8000 by default. Uvicorn's access log is off: it would log
query strings. The app logs one line per request itself: method, path, status and
time, never a query string, a body, a phone number or a sender id.
"""
from __future__ import annotations

import os
import sys

if os.environ.get("WEB_ALLOW_TENSORFLOW") != "1":
    # The web process never needs TensorFlow, but spaCy (used by the crisis detector)
    # imports it through thinc when it is installed: about 400 MB for nothing.
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]

import uvicorn  # noqa: E402

LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain",
                            "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "bot.web": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def main() -> None:
    from bot.web import config

    settings = config.load()
    config = {**LOG_CONFIG, "loggers": {**LOG_CONFIG["loggers"]}}
    config["loggers"]["bot.web"] = {**config["loggers"]["bot.web"], "level": settings.log_level}
    uvicorn.run(
        "bot.web.app:app",
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=config,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        timeout_keep_alive=30,
    )


if __name__ == "__main__":
    main()
