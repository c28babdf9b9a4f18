"""Run the stack's processes under supervisord (PyPI `supervisor`, pinned in requirements/lock.txt).

Why supervisord: it is pure Python (installed into .venv like everything else, no root),
restarts a crashed process with back-off while the others keep serving, stops whole
process groups (Rasa's Sanic workers too), rotates the logs, and is controlled over a
unix socket that only this user can open. A hand-written loop did none of that well.

The config is written to `<run_dir>/supervisord-<tag>.conf`. It holds commands and paths
only: the environment (Twilio token, hash key...) is inherited from the process that
starts supervisord, so no secret is written to disk.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport

VENV_BIN = Path(sys.executable).parent

# Restart policy. A process that dies within START_SECS of starting counts as a failed
# start: supervisord retries after 1, 2, 3 ... s (back-off) and gives up (FATAL) after
# START_RETRIES, e.g. when its port is taken. A process that dies later (a crash, kill -9)
# is restarted at once. Rasa loads its model for ~20 s, so it needs a longer START_SECS.
START_SECS = {"rasa": 20}
DEFAULT_START_SECS = 5
START_RETRIES = 10
STOP_WAIT_SECS = 20  # SIGTERM, then SIGKILL to the whole process group
LOG_MAX_BYTES = "10MB"
LOG_BACKUPS = 3


def _quote(cmd: list[str]) -> str:
    # supervisord expands %(name)s in values: a literal % must be doubled.
    return shlex.join(cmd).replace("%", "%%")


def config_text(programs: dict[str, list[str]], *, run_dir: Path, log_dir: Path, tag: str,
                cwd: Path, options: dict[str, dict[str, str]] | None = None) -> str:
    """supervisord's config for `programs` (name -> argv), started in this order.
    `options`: name -> extra supervisord settings for that program (e.g. stopsignal)."""
    sock = run_dir / f"supervisor-{tag}.sock"
    lines = [
        "; Written by bot/supervise.py on every start; edits are lost.",
        "[unix_http_server]", f"file={sock}", "chmod=0700",  # control socket: this user only
        "", "[supervisord]", "nodaemon=true", "silent=true", "strip_ansi=true", f"directory={cwd}",
        f"logfile={log_dir / f'supervisord-{tag}.log'}", f"logfile_maxbytes={LOG_MAX_BYTES}",
        f"logfile_backups={LOG_BACKUPS}", "loglevel=info",
        f"pidfile={run_dir / f'supervisord-{tag}.pid'}", f"childlogdir={log_dir}",
        "", "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "", "[supervisorctl]", f"serverurl=unix://{sock}",
    ]
    for priority, (name, cmd) in enumerate(programs.items(), start=1):
        lines += [
            "", f"[program:{name}]", f"command={_quote(cmd)}", f"directory={cwd}",
            f"priority={priority * 10}", "autostart=true", "autorestart=true",
            f"startsecs={START_SECS.get(name, DEFAULT_START_SECS)}", f"startretries={START_RETRIES}",
            f"stopwaitsecs={STOP_WAIT_SECS}", "stopasgroup=true", "killasgroup=true",
            "redirect_stderr=true", f"stdout_logfile={log_dir / f'{name}-{tag}.log'}",
            f"stdout_logfile_maxbytes={LOG_MAX_BYTES}", f"stdout_logfile_backups={LOG_BACKUPS}",
        ]
        lines += [f"{k}={v}" for k, v in ((options or {}).get(name) or {}).items()]
    return "\n".join(lines) + "\n"


class AlreadyRunning(RuntimeError):
    """Another supervisord already answers on this socket (`make stop` stops it)."""


@dataclass
class Supervisor:
    programs: dict[str, list[str]]
    run_dir: Path
    log_dir: Path
    tag: str
    cwd: Path
    options: dict[str, dict[str, str]] = field(default_factory=dict)  # see config_text
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def conf(self) -> Path:
        return self.run_dir / f"supervisord-{self.tag}.conf"

    @property
    def sock(self) -> Path:
        return self.run_dir / f"supervisor-{self.tag}.sock"

    @property
    def rpc(self):
        transport = SupervisorTransport(None, None, f"unix://{self.sock}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def answers(self) -> bool:
        try:
            return self.rpc.getState()["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Error):
            return False

    def start(self, env: dict[str, str], timeout: float = 30) -> None:
        """Start supervisord (in its own session: Ctrl-C reaches us, and we stop it)."""
        if self.answers():
            raise AlreadyRunning(f"already running ({self.sock}); stop it with `make stop`")
        for path in (self.run_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(config_text(self.programs, run_dir=self.run_dir, log_dir=self.log_dir,
                                         tag=self.tag, cwd=self.cwd, options=self.options))
        # Its own log is logfile=; only errors before that opens (a bad config) go here.
        errors = self.log_dir / f"supervisord-{self.tag}.err"
        with open(errors, "wb") as err:
            # `python -m`, not .venv/bin/supervisord: that script's #! line breaks when the
            # .venv is moved or shared between worktrees.
            self.proc = subprocess.Popen([sys.executable, "-m", "supervisor.supervisord", "-c",
                                          str(self.conf)],
                                         cwd=self.cwd, env=env, stdout=err, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"supervisord exited: {errors.read_text(errors='replace')[-500:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("supervisord did not answer on its socket")
            time.sleep(0.1)

    def states(self) -> dict[str, dict]:
        """name -> supervisord's process info (statename, pid, ...)."""
        return {p["name"]: p for p in self.rpc.getAllProcessInfo()}

    def start_programs(self, names) -> None:
        for name in names:
            if self.states()[name]["statename"] not in ("RUNNING", "STARTING"):
                self.rpc.startProcess(name, False)

    def stop_programs(self, names) -> None:
        for name in names:
            if self.states()[name]["statename"] in ("RUNNING", "STARTING", "BACKOFF"):
                self.rpc.stopProcess(name, True)  # waits: SIGTERM, then SIGKILL after STOP_WAIT_SECS

    def shutdown(self, timeout: float = STOP_WAIT_SECS + 15) -> None:
        """Stop every program, then supervisord itself; returns when it has exited."""
        try:
            self.rpc.shutdown()
        except (OSError, xmlrpc.client.Error):
            pass  # not running (or already shutting down)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return
            if self.proc is None and not self.sock.exists() and not _pid_alive(self.pidfile_pid()):
                return
            time.sleep(0.2)
        if self.proc is not None:  # last resort: it did not stop in time
            os.killpg(self.proc.pid, 9)
            self.proc.wait()

    def pidfile_pid(self) -> int | None:
        try:
            return int((self.run_dir / f"supervisord-{self.tag}.pid").read_text().strip())
        except (OSError, ValueError):
            return None


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
