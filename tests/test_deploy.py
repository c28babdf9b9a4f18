"""The production systemd units in deploy/systemd/: valid for systemd (`systemd-analyze
verify`, which must catch a misspelt directive), restarted on failure, hardened, local
only, and running the same commands and settings as `make run` (bot/stack.py: the
embedded units) and `make run-scaled` (bot/scale.py: the replica templates and the
engines), so they cannot drift apart."""
from __future__ import annotations

import shlex
import shutil
import stat
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bot import scale_engines as engines
from bot.scale import ScalePorts, ScaledStack
from bot.stack import ROOT, Ports, commands

UNITS = {"actions": "aot-actions.service", "rasa": "aot-rasa.service", "web": "aot-web.service"}
REPLICAS = {"actions": "aot-actions@.service", "rasa": "aot-rasa@.service", "web": "aot-web@.service"}
ENGINES = {"postgres": "aot-postgres.service", "redis": "aot-redis.service", "nginx": "aot-nginx.service"}
UNIT_DIR = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/srv/aot"  # where docs/deploy.md puts the code
SCALE_DIR = f"{INSTALL_DIR}/var/scale"
# Programs from Debian's packages, as the units name them (Debian 12).
DEBIAN_BINARIES = ("/usr/lib/postgresql/15/bin/postgres", "/usr/bin/redis-server", "/usr/sbin/nginx")
HAS_VERIFY = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze is missing (Debian package `systemd`; "
                                       "`scripts/install.sh test` installs it)")


def unit(name: str) -> dict[str, dict[str, str]]:
    """section -> key -> value; a key given twice (Environment=) is joined with a space.
    `name`: a role of UNITS, or a file name in deploy/systemd/."""
    sections: dict[str, dict[str, str]] = {}
    for line in (UNIT_DIR / UNITS.get(name, name)).read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            current[key] = f"{current[key]} {value}" if key in current else value
    return sections


def environment(service) -> dict[str, str]:
    return dict(p.split("=", 1) for p in shlex.split(service.get("Environment", "")))


def verify(tmp_path: Path, edit=None) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` on every unit (each template as one instance), from a copy
    in which /srv/aot is this checkout: verify checks that each ExecStart program exists.
    A Debian program this machine lacks (e.g. another PostgreSQL version) is replaced by
    /bin/true, so the directives are still checked. `edit(name, text)` may change a unit."""
    names = []
    for path in sorted(UNIT_DIR.iterdir()):
        text = path.read_text().replace(INSTALL_DIR, str(ROOT))
        for binary in DEBIAN_BINARIES:
            if not Path(binary).exists():
                text = text.replace(binary, "/bin/true")
        (tmp_path / path.name).write_text(edit(path.name, text) if edit else text)
        role = path.name.removeprefix("aot-").removesuffix("@.service")
        names.append(path.name.replace("@.", f"@{ScalePorts().replicas(role, 1)[0]}.")
                     if "@." in path.name else path.name)
    return subprocess.run(["systemd-analyze", "verify", "--man=no", *[str(tmp_path / n) for n in names]],
                          capture_output=True, text=True, timeout=120)


@HAS_VERIFY
def test_units_pass_systemd_analyze_verify(tmp_path):
    assert len(list(UNIT_DIR.iterdir())) == 10  # 3 embedded, 3 replica templates, 3 engines, target
    result = verify(tmp_path)
    # verify exits 0 even for unknown keys or bad values; it only warns: no warning either.
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@HAS_VERIFY
def test_verify_catches_a_misspelt_directive_and_a_wrong_program(tmp_path):
    """The check above can fail: a typo in a key, a bad value, a program that is not there."""
    def typo(name, text):
        if name == "aot-rasa@.service":
            return text.replace("Restart=on-failure", "Restrat=on-failure")
        if name == "aot-postgres.service":
            return text.replace("KillSignal=SIGINT", "KillSignal=SIGINTT")
        if name == "aot-web.service":
            return text.replace("/.venv/bin/python", "/.venv/bin/pyhton")
        return text

    result = verify(tmp_path, typo)
    assert "Unknown key 'Restrat'" in result.stderr
    assert "SIGINTT" in result.stderr
    assert "pyhton is not executable" in result.stderr and result.returncode != 0


@pytest.mark.parametrize("name", UNITS)
def test_unit_restarts_on_failure_and_is_hardened(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "on-failure" and float(service["RestartSec"]) > 0
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "IPAddressDeny": "any", "User": "aot"}.items():
        assert service[key] == value, key
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert service["EnvironmentFile"].startswith("/etc/aot/")
    env = environment(service)
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["LOG_LEVEL"] == "WARNING"


@pytest.mark.parametrize("name", UNITS)
def test_unit_runs_what_make_run_runs(name):
    """Same program and arguments as bot/stack.py's default stack (paths moved to /srv/aot)."""
    service = unit(name)["Service"]
    expected = commands(Ports(), ROOT / "var" / "trackers.db")[name]
    expected = [a.replace(str(ROOT), INSTALL_DIR) for a in expected]
    expected[0] = f"{INSTALL_DIR}/.venv/bin/python"
    assert shlex.split(service["ExecStart"]) == expected


def test_every_process_binds_localhost():
    assert environment(unit("actions")["Service"])["SANIC_HOST"] == "127.0.0.1"
    assert environment(unit("web")["Service"])["HOST"] == "127.0.0.1"
    assert "-i 127.0.0.1" in unit("rasa")["Service"]["ExecStart"]


# ---- the scaled stack's units (make run-scaled in production) -----------------------------
def _installed(args: list[str], directory: Path | None = None) -> list[str]:
    """argv as it runs from /srv/aot (and the scaled data in /srv/aot/var/scale)."""
    out = [a.replace(str(directory), SCALE_DIR) if directory else a for a in args]
    return [a.replace(str(ROOT), INSTALL_DIR) for a in out]


@pytest.mark.parametrize("name", [*REPLICAS.values(), *ENGINES.values()])
def test_scaled_units_restart_on_failure_and_are_hardened(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "on-failure" and float(service["RestartSec"]) > 0
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "ProtectHome": "yes", "IPAddressDeny": "any", "User": "aot",
                       "ReadWritePaths": f"{INSTALL_DIR}/var"}.items():
        assert service[key] == value, key
    assert unit(name)["Unit"]["PartOf"] == "aot-scaled.target"
    assert unit(name)["Install"]["WantedBy"] == "aot-scaled.target"


@pytest.mark.parametrize("role", REPLICAS)
def test_replica_units_run_what_make_run_scaled_runs(role):
    """Same argv as bot/scale.py's replicas, %i being the replica's port."""
    port = ScalePorts().replicas(role, 1)[0]
    service = unit(REPLICAS[role])["Service"]
    expected = _installed(ScaledStack.replica_command(role, port))
    argv = shlex.split(service["ExecStart"].replace("%i", str(port)))
    if role == "web":  # the port comes from the environment: PORT=%i
        argv = ["/usr/bin/env", "PORT=" + environment(service)["PORT"].replace("%i", str(port)), *argv]
        expected[2] = f"{INSTALL_DIR}/.venv/bin/python"
    else:
        expected[0] = f"{INSTALL_DIR}/.venv/bin/python"
    assert argv == expected


@pytest.mark.parametrize("role", REPLICAS)
def test_replica_units_have_the_scaled_stacks_settings(role):
    """Every setting bot/scale.py gives its processes, none other (but HOME, and PORT for
    the web app); the secrets come from the environment files, not the unit."""
    service = unit(REPLICAS[role])["Service"]
    stack = ScaledStack(directory=ROOT / "var" / "scale")
    expected = {k: v.replace(str(ROOT), INSTALL_DIR) for k, v in stack.settings().items()}
    env = environment(service)
    assert env.pop("HOME") == f"{INSTALL_DIR}/var"
    if role == "web":
        assert env.pop("PORT") == "%i"
    assert env == expected
    assert service["EnvironmentFile"].split() == ["/etc/aot/aot.env", f"{SCALE_DIR}/secrets.env"]
    assert not set(env) & set(stack.secret_settings())


@pytest.mark.skipif(bool(engines.missing()), reason="needs Debian's postgresql, redis-server, nginx")
def test_engine_units_run_what_make_run_scaled_runs(tmp_path):
    """PostgreSQL, Redis and nginx: bot/scale_engines.py's argv, data in /srv/aot/var/scale;
    the units run them as `aot` (no setpriv) and from Debian's paths."""
    p = ScalePorts()
    postgres = engines.postgres_command(tmp_path, p.postgres)
    postgres = postgres[postgres.index(engines.pg_bin("postgres")):]  # as root: after setpriv
    expected = {
        "postgres": postgres,
        "redis": engines.redis_command(tmp_path, p.redis, "pw"),
        "nginx": engines.nginx_command(tmp_path, web=p.web, rasa=p.rasa, actions=p.actions,
                                       web_ports=[], rasa_ports=[], action_ports=[])}
    for name, argv in expected.items():
        got = shlex.split(unit(ENGINES[name])["Service"]["ExecStart"])
        assert got[1:] == _installed(argv, tmp_path)[1:], name
        assert Path(got[0]).name == Path(argv[0]).name and got[0] in DEBIAN_BINARIES, name
    assert fnmatch(postgres[0], "/usr/lib/postgresql/*/bin/postgres")
    assert unit(ENGINES["postgres"])["Service"]["KillSignal"] == "SIGINT"  # as supervisord's stopsignal


@pytest.mark.skipif(bool(engines.missing()), reason="needs Debian's postgresql, redis-server, nginx")
def test_configure_writes_what_the_units_read(tmp_path, monkeypatch):
    """`scripts/run_scaled.py --configure`: redis.conf, nginx.conf (with the replicas'
    ports, the templates' instances) and secrets.env (0600) with every secret setting."""
    monkeypatch.setattr(engines, "init_postgres", lambda *a: None)  # initdb: tests/scale
    stack = ScaledStack(directory=tmp_path, rasa=2, actions=2, web=2)
    env_file = stack.configure()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    lines = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert lines == stack.secret_settings()
    assert (tmp_path / "redis.conf").exists()
    nginx = (tmp_path / "nginx" / "nginx.conf").read_text()
    for role in REPLICAS:
        for port in ScalePorts().replicas(role, 2):
            assert f"server 127.0.0.1:{port} " in nginx
