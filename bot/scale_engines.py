"""PostgreSQL, Redis and nginx from Debian's packages, run by this project's own scripts.

Each gets a throwaway data directory under var/ (var/scale by default), a non-default
port on 127.0.0.1, and runs as the current user under supervisord (bot/scale.py). Only
PostgreSQL refuses to run as root: then its cluster belongs to Debian's `postgres` user
(made by the package) and the server is started through `setpriv` as that user.

Secrets (the PostgreSQL and Redis passwords) are made once, kept in <dir>/secrets.json
(mode 0600), and passed to the processes by environment, as in production (docs/deploy.md).
"""
from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PG_USER = "aot"
PG_DB = "aot"
PACKAGES = {"postgresql": "PostgreSQL", "redis-server": "Redis", "nginx": "nginx"}


def pg_bin(name: str) -> str | None:
    """A PostgreSQL binary from Debian's versioned directory (newest version first)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return found[-1] if found else None


def _need(binary: str | None) -> str:
    if binary is None:  # missing() names the Debian package to install
        raise FileNotFoundError("PostgreSQL binaries not found: apt-get install postgresql")
    return binary


def missing() -> list[str]:
    """Debian packages this needs that are not installed (empty: all there)."""
    have = {"postgresql": bool(pg_bin("postgres") and pg_bin("initdb")),
            "redis-server": bool(shutil.which("redis-server")),
            "nginx": bool(shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"))}
    return [pkg for pkg, ok in have.items() if not ok]


def nginx_bin() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def as_root() -> bool:
    return os.geteuid() == 0


def _service_user() -> pwd.struct_passwd:
    """Who runs PostgreSQL when we are root: Debian's `postgres` user, else nobody."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is no non-root user to run PostgreSQL")


def drop_root(cmd: list[str]) -> list[str]:
    """`cmd` as the non-root service user when we are root (setpriv execs, no extra process)."""
    if not as_root():
        return cmd
    user = _service_user()
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", *cmd]


@dataclass
class Secrets:
    postgres: str
    redis: str

    @classmethod
    def load(cls, directory: Path) -> "Secrets":
        """The passwords of this data directory, made once (0600)."""
        path = directory / "secrets.json"
        if not path.exists():
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump({"postgres": secrets.token_hex(16), "redis": secrets.token_hex(16)}, fh)
        data = json.loads(path.read_text())
        return cls(data["postgres"], data["redis"])


# ---- PostgreSQL ------------------------------------------------------------------------
def init_postgres(directory: Path, password: str) -> Path:
    """A cluster in <directory>/pg (once): user `aot` with a password, scram on TCP."""
    data = directory / "pg"
    if (data / "PG_VERSION").exists():
        return data
    data.mkdir(parents=True, exist_ok=True)
    pwfile = directory / "pg.pw"
    pwfile.write_text(password + "\n")
    os.chmod(pwfile, 0o600)
    if as_root():  # the cluster belongs to the service user; it must reach the directory
        user = _service_user()
        for path in (data, pwfile):
            os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(directory, 0o755)
    try:
        subprocess.run(drop_root([_need(pg_bin("initdb")), "-D", str(data), "-U", PG_USER, "-E", "UTF8",
                                  "--locale=C.UTF-8", "--auth-host=scram-sha-256",
                                  "--auth-local=scram-sha-256", f"--pwfile={pwfile}",
                                  "--no-instructions"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finally:
        pwfile.unlink(missing_ok=True)
    return data


def postgres_command(directory: Path, port: int) -> list[str]:
    """The server in the foreground, TCP on 127.0.0.1 only (no unix socket)."""
    return drop_root([_need(pg_bin("postgres")), "-D", str(directory / "pg"), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                      "-c", "max_connections=200", "-c", "fsync=on",
                      "-c", "logging_collector=off", "-c", "log_statement=none",
                      # a failed statement is not logged: it would hold a person's words
                      "-c", "log_min_error_statement=panic"])


def create_database(port: int, password: str, timeout: float = 30) -> None:
    """CREATE DATABASE aot once the server answers (Rasa's tracker store makes its tables)."""
    import time

    import psycopg2

    deadline = time.monotonic() + timeout
    while True:
        try:
            con = psycopg2.connect(host="127.0.0.1", port=port, user=PG_USER, password=password,
                                   dbname="postgres", connect_timeout=2)
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,))
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE {PG_DB}")
    con.close()


# ---- Redis --------------------------------------------------------------------------------
def redis_command(directory: Path, port: int, password: str) -> list[str]:
    """redis-server with a config file (0600: it holds the password), no persistence:
    locks, rate limits and ordering tickets are short-lived and rebuilt after a restart."""
    conf = directory / "redis.conf"
    text = (f"port {port}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\n"
            f"dir {directory}\nsave \"\"\nappendonly no\nrequirepass {password}\n"
            "maxmemory 256mb\nmaxmemory-policy volatile-ttl\nloglevel warning\nlogfile \"\"\n")
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return ["redis-server", str(conf)]


# ---- nginx ----------------------------------------------------------------------------------
def _upstream(name: str, ports: list[int]) -> str:
    # max_fails=0: nginx does not mark a replica down; one that refuses (dead, or still
    # loading) costs a refused connect on 127.0.0.1 and nginx goes on to the next one
    # (proxy_next_upstream error). With marking (max_fails=1 fail_timeout=2s), a replica
    # that had failed got one trial request after the 2 s and stayed "down" for every
    # other request until that one was answered: after all replicas had failed once (at
    # start, while Rasa loads), concurrent messages got 502 "no live upstreams" although
    # every replica was up (3 of 18 messages, measured).
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in ports)
    return f"  upstream {name} {{\n{servers}    keepalive 32;\n  }}\n"


def _server(listen: int, upstream: str, retry_posts: bool, read_timeout: int) -> str:
    # Retrying a POST that reached a replica which then died: for Rasa and the action
    # server, losing the person's message is worse than the rare repeat (issue #15).
    # The web app's own POSTs are not retried once sent (they may already be in Rasa).
    retry = "error timeout http_502 http_503" + (" non_idempotent" if retry_posts else "")
    return (f"  server {{\n    listen 127.0.0.1:{listen};\n    location / {{\n"
            f"      proxy_pass http://{upstream};\n      proxy_http_version 1.1;\n"
            "      proxy_set_header Connection \"\";\n      proxy_set_header Host $http_host;\n"
            "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "      proxy_set_header X-Forwarded-Proto $scheme;\n"
            f"      proxy_next_upstream {retry};\n      proxy_next_upstream_tries 4;\n"
            f"      proxy_connect_timeout 2s;\n      proxy_read_timeout {read_timeout}s;\n"
            "      client_max_body_size 256k;\n    }\n  }\n")


def nginx_command(directory: Path, *, web: int, rasa: int, actions: int, web_ports: list[int],
                  rasa_ports: list[int], action_ports: list[int]) -> list[str]:
    """nginx in the foreground: the front door for the web app replicas, and the internal
    balancers for Rasa and the action servers. No access log (it would hold URLs and IPs)."""
    ngx = directory / "nginx"
    tmp = ngx / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    user = ""
    if as_root():  # workers drop to nobody: they must be able to write their temp files
        nobody = pwd.getpwnam("nobody")
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        import grp

        user = f"user {nobody.pw_name} {grp.getgrgid(nobody.pw_gid).gr_name};\n"
    temps = "".join(f"  {k}_temp_path {tmp / k};\n" for k in ("client_body", "proxy", "fastcgi",
                                                               "uwsgi", "scgi"))
    text = (f"{user}daemon off;\nworker_processes 1;\npid {ngx / 'nginx.pid'};\n"
            f"error_log stderr warn;\nevents {{\n  worker_connections 2048;\n}}\n"
            f"http {{\n  access_log off;\n  server_tokens off;\n{temps}"
            + _upstream("web", web_ports) + _upstream("rasa", rasa_ports)
            + _upstream("actions", action_ports)
            + _server(web, "web", False, 60) + _server(rasa, "rasa", True, 60)
            + _server(actions, "actions", True, 60) + "}\n")
    conf = ngx / "nginx.conf"
    conf.write_text(text)
    return [nginx_bin(), "-c", str(conf), "-p", str(ngx), "-e", "stderr"]
