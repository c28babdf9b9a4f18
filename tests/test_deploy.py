"""The production systemd units in deploy/systemd/: valid for systemd (`systemd-analyze
verify`), restarted on failure, hardened, local only, and running the same commands
as `make run` (bot/stack.py), so the two cannot drift apart."""
from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest

from bot.stack import ROOT, Ports, commands

UNITS = {"actions": "aot-actions.service", "rasa": "aot-rasa.service", "web": "aot-web.service"}
UNIT_DIR = ROOT / "deploy" / "systemd"
INSTALL_DIR = "/srv/aot"  # where docs/deploy.md puts the code


def unit(name: str) -> dict[str, dict[str, str]]:
    """section -> key -> value; a key given twice (Environment=) is joined with a space."""
    sections: dict[str, dict[str, str]] = {}
    for line in (UNIT_DIR / UNITS[name]).read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            current[key] = f"{current[key]} {value}" if key in current else value
    return sections


def environment(service) -> dict[str, str]:
    return dict(p.split("=", 1) for p in shlex.split(service.get("Environment", "")))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is missing (Debian package `systemd`; "
                           "`scripts/install.sh test` installs it)")
def test_units_pass_systemd_analyze_verify(tmp_path):
    # verify checks that ExecStart's program exists: point the units at this checkout.
    for name in UNITS.values():
        text = (UNIT_DIR / name).read_text().replace(INSTALL_DIR, str(ROOT))
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *[str(tmp_path / n) for n in UNITS.values()]],
                            capture_output=True, text=True, timeout=120)
    # verify exits 0 even for unknown keys or bad values; it only warns: no warning either.
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


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
