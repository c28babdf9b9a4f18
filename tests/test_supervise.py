"""The supervisord config that `make run` writes, and supervisord restarting a killed
process while the others keep running (small stand-in programs: no Rasa needed)."""
from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from pathlib import Path

import pytest
from supervisor.options import ServerOptions

from bot.stack import ROOT, Ports, Stack, commands
from bot.supervise import Supervisor, config_text


def parsed(tmp_path: Path, programs: dict[str, list[str]]) -> ServerOptions:
    """The config as supervisord itself reads it (so a typo in a key fails here)."""
    (tmp_path / "log").mkdir(exist_ok=True)
    conf = tmp_path / "supervisord.conf"
    conf.write_text(config_text(programs, run_dir=tmp_path, log_dir=tmp_path / "log", tag="5005",
                                cwd=ROOT))
    options = ServerOptions()
    options.realize(args=["-c", str(conf)])
    return options


def test_stack_config_restarts_every_process_and_stays_local(tmp_path):
    options = parsed(tmp_path, commands(Ports(), tmp_path / "trackers.db"))
    # Control: one unix socket in the run directory, this user only; no TCP control port.
    [server] = options.server_configs
    assert server["family"] == 1 and server["file"] == str(tmp_path / "supervisor-5005.sock")  # AF_UNIX
    assert server["chmod"] == 0o700
    procs = {p.name: p for g in options.process_group_configs for p in g.process_configs}
    assert list(procs) == ["actions", "rasa", "web"]
    for name, p in procs.items():
        assert p.autorestart is True or p.autorestart.__name__ == "RestartUnconditionally"
        assert p.startretries >= 5 and p.stopasgroup and p.killasgroup
        assert p.stdout_logfile == str(tmp_path / "log" / f"{name}-5005.log")
        assert p.redirect_stderr
    assert "-i 127.0.0.1" in procs["rasa"].command
    assert procs["rasa"].startsecs > procs["actions"].startsecs  # Rasa loads a model first


def test_config_holds_no_environment_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "very-secret-token")
    text = config_text(commands(Ports(), tmp_path / "t.db"), run_dir=tmp_path, log_dir=tmp_path,
                       tag="1", cwd=ROOT)
    assert "very-secret-token" not in text and "environment=" not in text
    assert "inet_http_server" not in text


def test_spaces_quotes_and_percent_in_arguments_are_kept(tmp_path):
    argv = [sys.executable, "-c", "print('100% done')", "/a path/with %(here)s"]
    options = parsed(tmp_path, {"p": argv})
    [proc] = [p for g in options.process_group_configs for p in g.process_configs]
    assert shlex.split(proc.command) == argv


def wait_for(check, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_killed_process_is_restarted_while_the_other_keeps_running(tmp_path):
    sleeper = [sys.executable, "-c", "import time; time.sleep(3600)"]
    sup = Supervisor({"one": sleeper, "two": sleeper}, run_dir=tmp_path, log_dir=tmp_path / "log",
                     tag="t", cwd=tmp_path)
    sup.start(env=dict(os.environ))
    try:
        pids = wait_for(lambda: (p := {n: i["pid"] for n, i in sup.states().items()}) and all(p.values()) and p)
        os.kill(pids["one"], signal.SIGKILL)
        new = wait_for(lambda: sup.states()["one"]["pid"] not in (0, pids["one"]) and sup.states()["one"]["pid"])
        assert new != pids["one"]
        assert sup.states()["two"]["pid"] == pids["two"]  # the other was not touched
        log = (tmp_path / "log" / "supervisord-t.log").read_text()
        assert "exited: one (terminated by SIGKILL" in log
    finally:
        sup.shutdown()
    assert sup.proc.poll() is not None
    for pid in (new, pids["two"]):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_second_start_on_the_same_socket_is_refused(tmp_path):
    from bot.supervise import AlreadyRunning

    sleeper = {"one": [sys.executable, "-c", "import time; time.sleep(3600)"]}
    first = Supervisor(sleeper, run_dir=tmp_path, log_dir=tmp_path, tag="t", cwd=tmp_path)
    first.start(env=dict(os.environ))
    try:
        with pytest.raises(AlreadyRunning):
            Supervisor(sleeper, run_dir=tmp_path, log_dir=tmp_path, tag="t", cwd=tmp_path).start(
                env=dict(os.environ))
    finally:
        first.shutdown()


def test_stack_supervisor_uses_var_and_the_rasa_port():
    stack = Stack(ports=Ports(rasa=5999))
    sup = stack._supervisor()
    assert sup.sock == ROOT / "var" / "supervisor-5999.sock"
    assert sup.log_dir == ROOT / "var" / "log"
