"""Shared fixtures. The model is trained at most once per run (make test trains
before pytest; the `trained_model` fixture only checks it is fresh)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # Rasa logs message text at debug level
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def content():
    from bot.content import load

    return load()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The trained model; trains only if it is missing or stale (e.g. plain `pytest`).
    AOT_NO_TRAIN=1 uses the model as it is (parallel work on a shared model: no retraining)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train

    if os.environ.get("AOT_NO_TRAIN") == "1" and train.MODEL.exists():
        return train.MODEL
    train.train()
    return train.MODEL


@pytest.fixture(scope="session")
def agent(trained_model):
    """The trained model loaded in this process, for NLU checks without servers."""
    import asyncio
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # in-process Rasa would print every message at debug level

    loaded = Agent.load(str(trained_model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict:
        return loop.run_until_complete(loaded.parse_message(text))

    yield parse
    loop.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, shared by the tests of one module.

    Module scope, not session: Playwright's sync API keeps an asyncio loop
    running on the main thread while it is open, so any later test that calls
    asyncio.run() would fail. Closing it after each browser module avoids that."""
    from playwright.sync_api import sync_playwright

    from browser_support import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
