"""Fixtures for the web app tests: an app per test with a fake Rasa (see web_helpers.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from bot.web.app import create_app  # noqa: E402
from bot.web.config import Settings  # noqa: E402
from web_helpers import TOKEN, FakeRasa, stub_detect  # noqa: E402


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(db_path=tmp_path / "web.db", sender_key="test-key",
                    twilio_auth_token=TOKEN, tracker_db=tmp_path / "trackers.db",
                    rate_limit=12, rate_window=60)


@pytest.fixture
def make_client(settings, fake_rasa):
    """Factory: make_client(**overrides) -> TestClient (lifespan running)."""
    opened = []

    def make(detect=stub_detect, **overrides):
        s = Settings(**{**settings.__dict__, **overrides})
        app = create_app(s, rasa_transport=fake_rasa.transport, detect=detect)
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


