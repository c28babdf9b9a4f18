"""Start, check and stop the three processes: action server, Rasa, web app.

Used by `make run` (scripts/serve.py) and by the end-to-end tests, so both run
the stack the same way. Everything binds to 127.0.0.1: the web app is the only
door meant to face users, and Rasa's HTTP API stays off.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
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


@dataclass
class Stack:
    ports: Ports = field(default_factory=Ports)
    tracker_db: Path = ROOT / "var" / "trackers.db"
    web: bool = True
    log_dir: Path = ROOT / "var" / "log"
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, only: set[str] | None = None) -> "Stack":
        """Start every process (or just `only`, e.g. {"actions"} after a fault test)."""
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **BASE_ENV, "HOST": "127.0.0.1", "PORT": str(self.ports.web),
               "RASA_URL": self.ports.rasa_url, "ACTION_SERVER_URL": self.ports.actions_url,
               "TRACKER_DB": str(self.tracker_db),
               "WEB_DB": str(self.tracker_db.parent / f"web-{self.ports.web}.db"), **self.extra_env}
        workers = int(self.extra_env.get("RASA_WORKERS") or rasa_workers())
        env["SANIC_WORKERS"] = str(workers)
        for name, cmd in commands(self.ports, self.tracker_db, self.web, workers).items():
            if only is not None and name not in only:
                continue
            log = open(self.log_dir / f"{name}-{self.ports.rasa}.log", "ab")
            self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 240) -> float:
        """Block until every process answers; returns seconds waited."""
        start = time.monotonic()
        checks = {"actions": f"{self.ports.actions_url}/health", "rasa": f"{self.ports.rasa_url}/"}
        if self.web:
            checks["web"] = f"{self.ports.web_url}/healthz"
        pending = {n: u for n, u in checks.items() if n in self.procs}
        while pending:
            for name, url in list(pending.items()):
                proc = self.procs[name]
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir}")
                try:
                    if httpx.get(url, timeout=2).status_code < 500:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}")
            time.sleep(0.5)
        return time.monotonic() - start

    def stop(self, only: set[str] | None = None) -> None:
        """Stop every process (or just `only`)."""
        procs = {n: p for n, p in self.procs.items() if only is None or n in only}
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in procs.items():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            del self.procs[name]
