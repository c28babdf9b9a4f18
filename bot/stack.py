"""Start, check and stop the three processes: action server, Rasa, web app, under
supervisord (bot/supervise.py), which restarts any of them that stops.

Used by `make run` (scripts/serve.py), the end-to-end tests, `make bench` and `make eval`,
so all run the stack the same way. Everything binds to 127.0.0.1: the web app is the only
door meant to face users, and Rasa's HTTP API stays off.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot import paths
from bot.supervise import AlreadyRunning, Supervisor

ROOT = paths.ROOT
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "aot.tar.gz"

# Privacy: no telemetry, quiet TensorFlow. Set for every child process.
BASE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONPATH": str(ROOT),
    "SANIC_HOST": "127.0.0.1",  # rasa_sdk's action server reads its bind address from here
    "LOG_LEVEL": "WARNING",
}


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web}"


def endpoints_file(ports: Ports, tracker_db: Path, workers: int = 1) -> Path:
    """endpoints.yml with this run's action port and tracker database; with several
    Rasa workers, a lock store they share (bot/lock_store.py)."""
    if ports.actions == 5055 and tracker_db == ROOT / "var" / "trackers.db" and workers == 1:
        return ROOT / "endpoints.yml"
    path = tracker_db.parent / f"endpoints-{ports.rasa}.yml"
    text = ("tracker_store:\n  type: bot.tracker_store.ForgetfulSQLTrackerStore\n  dialect: \"sqlite\"\n"
            f"  db: \"{tracker_db}\"\n"
            f"action_endpoint:\n  url: \"{ports.actions_url}/webhook\"\n")
    if workers > 1:
        text += ("lock_store:\n  type: bot.lock_store.SQLiteLockStore\n"
                 f"  db: \"{tracker_db.parent / f'locks-{ports.rasa}.db'}\"\n")
    path.write_text(text)
    return path


def rasa_workers() -> int:
    """RASA_WORKERS (default 1): Rasa worker processes. Each loads the model (more memory)."""
    try:
        return max(1, int(os.environ.get("RASA_WORKERS", "1")))
    except ValueError:
        return 1


def commands(ports: Ports, tracker_db: Path, web: bool = True, workers: int = 1) -> dict[str, list[str]]:
    py = str(VENV_BIN / "python")
    cmds = {
        "actions": [py, "-m", "rasa_sdk", "--actions", "actions", "-p", str(ports.actions),
                    "--quiet"],
        "rasa": [py, "-m", "rasa", "run", "-i", "127.0.0.1", "-p", str(ports.rasa),
                 "--model", str(MODEL), "--endpoints", str(endpoints_file(ports, tracker_db, workers)),
                 "--credentials", str(ROOT / "credentials.yml"), "--quiet"],
    }
    if web:
        cmds["web"] = [py, "-m", "bot.web"]
    return cmds


def wait_for(supervisor: Supervisor, pending: dict[str, str], timeout: float, log_dir: Path,
             start: float) -> float:
    """Poll each program's URL until it answers (any status under 500); fail fast when
    supervisord gives a program up (FATAL). Shared by the embedded and the scaled stack."""
    pending = dict(pending)
    while pending:
        states = supervisor.states()
        for name, url in list(pending.items()):
            if states[name]["statename"] == "FATAL":
                raise RuntimeError(f"{name} could not start; see {log_dir}")
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    del pending[name]
            except httpx.HTTPError:
                pass
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}")
        time.sleep(0.5)
    return time.monotonic() - start


@dataclass
class Stack:
    """The three processes under supervisord (bot/supervise.py): a process that dies is
    restarted while the others keep serving, until stop()."""
    ports: Ports = field(default_factory=Ports)
    tracker_db: Path = ROOT / "var" / "trackers.db"
    web: bool = True
    log_dir: Path = ROOT / "var" / "log"
    extra_env: dict[str, str] = field(default_factory=dict)
    supervisor: Supervisor | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        return {**os.environ, **BASE_ENV, "HOST": "127.0.0.1", "PORT": str(self.ports.web),
                "RASA_URL": self.ports.rasa_url, "ACTION_SERVER_URL": self.ports.actions_url,
                "TRACKER_DB": str(self.tracker_db),
                "WEB_DB": str(self.tracker_db.parent / f"web-{self.ports.web}.db"), **self.extra_env}

    def _supervisor(self) -> Supervisor:
        if self.supervisor is None:
            self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
            workers = int(self.extra_env.get("RASA_WORKERS") or rasa_workers())
            self.supervisor = Supervisor(commands(self.ports, self.tracker_db, self.web, workers),
                                         run_dir=self.tracker_db.parent, log_dir=self.log_dir,
                                         tag=str(self.ports.rasa), cwd=ROOT)
        return self.supervisor

    def supervisor_answers(self) -> bool:
        return self._supervisor().answers()

    @property
    def names(self) -> list[str]:
        return list(self._supervisor().programs)

    def start(self, only: set[str] | None = None) -> "Stack":
        """Start supervisord and every process; if it runs, (re)start just `only`
        (AlreadyRunning without `only`: a second `make run` must not take over the first)."""
        sup = self._supervisor()
        if sup.answers():
            if only is None:
                raise AlreadyRunning(f"already running ({sup.sock}); stop it with `make stop`")
            sup.start_programs(only)
            return self
        env = self.env()
        env["SANIC_WORKERS"] = str(int(self.extra_env.get("RASA_WORKERS") or rasa_workers()))
        sup.start(env)
        return self

    def pids(self) -> dict[str, int]:
        """name -> pid of each running process (0 while it is down)."""
        return {n: info["pid"] for n, info in self._supervisor().states().items()}

    def wait_ready(self, timeout: float = 240, only: set[str] | None = None) -> float:
        """Block until every process (or `only`) answers; returns seconds waited."""
        start = time.monotonic()
        checks = {"actions": f"{self.ports.actions_url}/health", "rasa": f"{self.ports.rasa_url}/"}
        if self.web:
            checks["web"] = f"{self.ports.web_url}/healthz"
        pending = {n: u for n, u in checks.items() if only is None or n in only}
        return wait_for(self._supervisor(), pending, timeout, self.log_dir, start)

    def stop(self, only: set[str] | None = None) -> None:
        """Stop every process and supervisord (or just the processes in `only`)."""
        sup = self._supervisor()
        if only is None:
            sup.shutdown()
        elif sup.answers():
            sup.stop_programs(only)
