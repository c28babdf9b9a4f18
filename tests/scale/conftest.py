"""Start the scaled stack once for tests/scale: real PostgreSQL, Redis and nginx (Debian's
packages), 2 Rasa replicas, 2 action servers, 2 web app processes, under supervisord
(bot/scale.py). Skipped, with the reason, when the packages are missing (CI installs them:
scripts/install.sh test as root)."""
from __future__ import annotations

import shutil

import pytest

from bot import scale_engines
from bot.scale import ScaledStack
from bot.stack import ROOT
from bot.web.gateway import Keys
from scale_helpers import HASH_KEY, PORTS, PUBLIC_URL, RATE_LIMIT, TWILIO_TOKEN, Api


def pytest_collection_modifyitems(items):
    lacking = scale_engines.missing()
    if not lacking:
        return
    skip = pytest.mark.skip(reason="needs Debian's " + ", ".join(lacking)
                            + " (apt-get install -y postgresql redis-server nginx; "
                              "scripts/install.sh test installs them as root)")
    for item in items:
        if "scaled" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def model(request):
    """models/aot.tar.gz as it is (make test trains first); trains only when it is missing."""
    from bot.stack import MODEL

    return MODEL if MODEL.exists() else request.getfixturevalue("trained_model")


@pytest.fixture(scope="session")
def scaled(model):
    directory = ROOT / "var" / "scale-test"  # not /tmp: PostgreSQL's user must reach it as root
    shutil.rmtree(directory, ignore_errors=True)
    stack = ScaledStack(ports=PORTS, rasa=2, actions=2, web=2, directory=directory, extra_env={
        "SENDER_HASH_KEY": HASH_KEY, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "PUBLIC_URL": PUBLIC_URL,
        "RATE_LIMIT": str(RATE_LIMIT), "RATE_WINDOW": "60"})
    stack.start()
    try:
        stack.wait_ready(timeout=420)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(HASH_KEY)


@pytest.fixture(scope="session")
def failure_texts(content) -> set[str]:
    """What the web app says when Rasa or the action server could not answer."""
    return {content.render_dialogue(key)[0]["text"] for key in ("restarting", "error")}


@pytest.fixture
def api(scaled) -> Api:
    return Api(scaled)
