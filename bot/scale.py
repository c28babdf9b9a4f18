"""The scaled stack (`make run-scaled`): several Rasa replicas, action servers and web app
processes behind nginx, sharing PostgreSQL (conversations) and Redis (Rasa's conversation
locks; the web app's rate limits, per-sender ordering and Twilio retries).

    nginx :8000  -> web-1..n    (bot.web; REDIS_URL: shared limits and ordering)
    nginx :5005  -> rasa-1..n   (deploy/scaled/endpoints.yml: PostgreSQL + RedisLockStore)
    nginx :5055  -> actions-1..n
    postgres :5433, redis :6380 (bot/scale_engines.py; data in var/scale/)

Everything runs under one supervisord (bot/supervise.py), as `make run` does: a process
that dies is restarted while the others keep serving; nginx sends its requests elsewhere
meanwhile. The embedded default (bot/stack.py: SQLite, one process per role) is unchanged.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


from bot import scale_engines as engines
from bot.stack import BASE_ENV, MODEL, ROOT, wait_for
from bot.supervise import AlreadyRunning, Supervisor

VENV_BIN = Path(sys.executable).parent
ENDPOINTS = ROOT / "deploy" / "scaled" / "endpoints.yml"
# A dead replica's conversation lock is given up after this many seconds (Rasa's default
# is 60): a message retried on another replica waits at most this long for it.
LOCK_LIFETIME_S = 5


@dataclass
class ScalePorts:
    web: int = 8000          # nginx: the front door (web app replicas)
    rasa: int = 5005         # nginx: Rasa replicas (local only)
    actions: int = 5055      # nginx: action servers (local only)
    postgres: int = 5433
    redis: int = 6380
    base: int = 15000        # replica i listens on base+100+i (Rasa), +200+i (actions), +300+i (web)

    def replicas(self, role: str, n: int) -> list[int]:
        offset = {"rasa": 100, "actions": 200, "web": 300}[role]
        return [self.base + offset + i for i in range(1, n + 1)]

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions}"


@dataclass
class ScaledStack:
    ports: ScalePorts = field(default_factory=ScalePorts)
    rasa: int = 2
    actions: int = 2
    web: int = 2
    directory: Path = ROOT / "var" / "scale"
    extra_env: dict[str, str] = field(default_factory=dict)
    supervisor: Supervisor | None = field(default=None, repr=False)

    @property
    def log_dir(self) -> Path:
        return self.directory / "log"

    @property
    def secrets(self) -> engines.Secrets:
        return engines.Secrets.load(self.directory)

    @property
    def tracker_url(self) -> str:
        s = self.secrets
        return (f"postgresql://{engines.PG_USER}:{s.postgres}@127.0.0.1:{self.ports.postgres}"
                f"/{engines.PG_DB}")

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.secrets.redis}@127.0.0.1:{self.ports.redis}/2"

    def settings(self) -> dict[str, str]:
        """Every process's settings that are not secret (deploy/systemd/ has the same)."""
        p = self.ports
        return {**BASE_ENV,
                "AOT_PG_HOST": "127.0.0.1", "AOT_PG_PORT": str(p.postgres), "AOT_PG_DB": engines.PG_DB,
                "AOT_PG_USER": engines.PG_USER,
                "AOT_REDIS_HOST": "127.0.0.1", "AOT_REDIS_PORT": str(p.redis),
                "AOT_ACTIONS_URL": p.actions_url,
                "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S), "SANIC_WORKERS": "1",
                "HOST": "127.0.0.1", "RASA_URL": p.rasa_url, "ACTION_SERVER_URL": p.actions_url,
                "WEB_DB": str(self.directory / "web.db"), "RASA_TIMEOUT": "20"}

    def secret_settings(self) -> dict[str, str]:
        """The settings that hold a password (production: an environment file, 0600)."""
        s = self.secrets
        return {"AOT_PG_PASSWORD": s.postgres, "AOT_REDIS_PASSWORD": s.redis,
                "REDIS_URL": self.redis_url, "TRACKER_URL": self.tracker_url}

    def env(self) -> dict[str, str]:
        """Every process's environment (secrets by environment only, never in a file
        that supervisord or nginx reads)."""
        return {**os.environ, **self.settings(), **self.secret_settings(), **self.extra_env}

    @staticmethod
    def replica_command(role: str, port: int) -> list[str]:
        """One replica's argv (deploy/systemd/aot-ROLE@.service runs the same)."""
        py = str(VENV_BIN / "python")
        if role == "actions":
            return [py, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port), "--quiet"]
        if role == "rasa":
            return [py, "-m", "rasa", "run", "-i", "127.0.0.1", "-p", str(port), "--model", str(MODEL),
                    "--endpoints", str(ENDPOINTS), "--credentials", str(ROOT / "credentials.yml"),
                    "--quiet"]
        return ["/usr/bin/env", f"PORT={port}", py, "-m", "bot.web"]

    def programs(self) -> dict[str, list[str]]:
        """name -> argv, in start order: the engines first, nginx last."""
        p, d = self.ports, self.directory
        progs = {"postgres": engines.postgres_command(d, p.postgres),
                 "redis": engines.redis_command(d, p.redis, self.secrets.redis)}
        for role, count in (("actions", self.actions), ("rasa", self.rasa), ("web", self.web)):
            for i, port in enumerate(p.replicas(role, count), 1):
                progs[f"{role}-{i}"] = self.replica_command(role, port)
        progs["nginx"] = engines.nginx_command(
            d, web=p.web, rasa=p.rasa, actions=p.actions, web_ports=p.replicas("web", self.web),
            rasa_ports=p.replicas("rasa", self.rasa), action_ports=p.replicas("actions", self.actions))
        return progs

    def _supervisor(self) -> Supervisor:
        if self.supervisor is None:
            # PostgreSQL: SIGINT is its fast shutdown (SIGTERM waits for every client to leave).
            self.supervisor = Supervisor(self.programs(), run_dir=self.directory, log_dir=self.log_dir,
                                         tag=f"scaled-{self.ports.web}", cwd=ROOT,
                                         options={"postgres": {"stopsignal": "INT"}})
        return self.supervisor

    def configure(self) -> Path:
        """What the systemd units (deploy/systemd/) need, without starting anything: the
        data directory, the PostgreSQL cluster, redis.conf and nginx.conf (with this
        stack's replica ports), and <dir>/secrets.env (0600) for their EnvironmentFile=."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        engines.init_postgres(self.directory, self.secrets.postgres)
        self.programs()  # writes redis.conf and nginx/nginx.conf
        path = self.directory / "secrets.env"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.writelines(f"{k}={v}\n" for k, v in self.secret_settings().items())
        return path

    def create_database(self) -> None:
        """CREATE DATABASE aot once PostgreSQL answers (aot-postgres.service's ExecStartPost)."""
        engines.create_database(self.ports.postgres, self.secrets.postgres)

    def start(self) -> "ScaledStack":
        lacking = engines.missing()
        if lacking:
            raise RuntimeError("needs Debian's packages: apt-get install -y " + " ".join(lacking))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        engines.init_postgres(self.directory, self.secrets.postgres)
        sup = self._supervisor()
        if sup.answers():
            raise AlreadyRunning(f"already running ({sup.sock}); stop it with `make stop-scaled`")
        sup.start(self.env())
        self.create_database()
        return self

    def urls(self) -> dict[str, str]:
        """name -> the URL that answers when that process is ready."""
        p, out = self.ports, {}
        for i, port in enumerate(p.replicas("actions", self.actions), 1):
            out[f"actions-{i}"] = f"http://127.0.0.1:{port}/health"
        for i, port in enumerate(p.replicas("rasa", self.rasa), 1):
            out[f"rasa-{i}"] = f"http://127.0.0.1:{port}/"
        for i, port in enumerate(p.replicas("web", self.web), 1):
            out[f"web-{i}"] = f"http://127.0.0.1:{port}/healthz"
        out["nginx"] = f"{p.web_url}/healthz"
        return out

    def wait_ready(self, timeout: float = 300, only: set[str] | None = None) -> float:
        """Block until every replica (or `only`) answers; returns seconds waited."""
        start = time.monotonic()
        pending = {n: u for n, u in self.urls().items() if only is None or n in only}
        return wait_for(self._supervisor(), pending, timeout, self.log_dir, start)

    def pids(self) -> dict[str, int]:
        return {n: info["pid"] for n, info in self._supervisor().states().items()}

    def restart(self, names: set[str]) -> None:
        sup = self._supervisor()
        sup.stop_programs(names)
        sup.start_programs(names)

    def stop(self, only: set[str] | None = None) -> None:
        sup = self._supervisor()
        if only is None:
            sup.shutdown()
        elif sup.answers():
            sup.stop_programs(only)

    def start_programs(self, names: set[str]) -> None:
        self._supervisor().start_programs(names)
