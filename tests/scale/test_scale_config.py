"""The scaled stack's generated configuration and its privacy guards, without servers."""
from __future__ import annotations

import asyncio
import logging

import pytest

from bot import scale_engines
from bot.scale import ENDPOINTS, ScalePorts, ScaledStack


def test_nginx_retries_dropped_requests_to_rasa_and_actions_but_not_web_posts(tmp_path):
    ports = ScalePorts(base=40000)
    scale_engines.nginx_command(tmp_path, web=1, rasa=2, actions=3, web_ports=[11, 12],
                                rasa_ports=[21, 22], action_ports=[31])
    conf = (tmp_path / "nginx" / "nginx.conf").read_text()
    servers = conf.split("  server {")[1:]
    by_port = {s.split("listen 127.0.0.1:")[1].split(";")[0]: s for s in servers}
    assert "non_idempotent" not in by_port["1"]
    assert "non_idempotent" in by_port["2"] and "non_idempotent" in by_port["3"]
    assert "access_log off" in conf  # no addresses or URLs in a log
    assert "server 127.0.0.1:21 " in conf and "server 127.0.0.1:22 " in conf
    assert ports.replicas("rasa", 2) == [40101, 40102]


def test_postgres_logs_no_failed_statement_and_listens_locally(tmp_path):
    cmd = " ".join(scale_engines.postgres_command(tmp_path, 5999))
    assert "log_min_error_statement=panic" in cmd and "listen_addresses=127.0.0.1" in cmd


def test_redis_password_only_in_a_private_file(tmp_path):
    cmd = scale_engines.redis_command(tmp_path, 6999, "s3cret")
    assert "s3cret" not in " ".join(cmd)
    conf = tmp_path / "redis.conf"
    assert "requirepass s3cret" in conf.read_text() and conf.stat().st_mode & 0o077 == 0


def test_endpoints_read_every_value_from_the_environment(tmp_path, monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    stack = ScaledStack(directory=tmp_path)
    for key, value in stack.env().items():
        monkeypatch.setenv(key, value)
    store = read_endpoint_config(str(ENDPOINTS), "tracker_store")
    locks = read_endpoint_config(str(ENDPOINTS), "lock_store")
    assert store.kwargs["dialect"] == "postgresql" and store.kwargs["password"] == stack.secrets.postgres
    assert locks.type == "bot.lock_store.RedisLockStore" and locks.kwargs["password"] == stack.secrets.redis
    assert read_endpoint_config(str(ENDPOINTS), "action_endpoint").url == "http://127.0.0.1:5055/webhook"


def test_supervisord_config_holds_no_secret(tmp_path):
    stack = ScaledStack(directory=tmp_path)
    from bot.supervise import config_text

    text = config_text(stack.programs(), run_dir=tmp_path, log_dir=tmp_path, tag="t", cwd=tmp_path,
                       options={"postgres": {"stopsignal": "INT"}})
    assert stack.secrets.postgres not in text and stack.secrets.redis not in text
    assert "stopsignal=INT" in text


def test_a_failed_message_is_logged_without_its_words(caplog):
    import structlog
    from rasa.utils.log_utils import configure_structlog

    from bot import rasa_privacy

    configure_structlog(logging.WARNING)
    rasa_privacy.apply()
    try:
        raise ValueError("psycopg2 error [parameters: 'my private words']")
    except ValueError:
        structlog.get_logger().exception("rest.message.received.failure", text="my private words")
    assert "rest.message.received.failure" in caplog.text
    assert "my private words" not in caplog.text


class _Down:
    domain = None
    event_broker = None

    def __init__(self, loud: bool):
        self.fail_loudly = loud

    async def retrieve(self, sender_id):
        raise ConnectionError("database down")


@pytest.mark.parametrize("loud", [True, False])
def test_postgres_store_fails_loudly_instead_of_starting_afresh_in_memory(loud):
    import bot.tracker_store  # noqa: F401 - installs the change
    from rasa.core.tracker_store import FailSafeTrackerStore

    store = FailSafeTrackerStore(_Down(loud))
    if loud:
        with pytest.raises(ConnectionError):
            asyncio.run(store.retrieve("someone"))
    else:  # Rasa's own behaviour for other stores (the embedded SQLite default)
        assert asyncio.run(store.retrieve("someone")) is None
