#!/usr/bin/env bash
# Create .venv and install the pinned environment. Idempotent: a stamp file
# records which lock files were installed, so a second run costs a second.
#   scripts/install.sh          runtime (Rasa, action server, web app)
#   scripts/install.sh test     runtime + what the tests need (+ Chromium; as root, also
#                               PostgreSQL, Redis and nginx for tests/scale)
#   scripts/install.sh scaled   runtime + Debian's PostgreSQL, Redis and nginx (make run-scaled)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
want=${1:-runtime}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
pip_install() { "$VENV/bin/python" -m pip install --disable-pip-version-check -q "$@"; }

stamp="$VENV/.installed-runtime"
sum=$(cat requirements/lock.txt | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "Installing the runtime environment (about 5 minutes the first time)..."
  pip_install --no-deps -r requirements/lock.txt
  # rasa and rasa-sdk declare Python <3.11 but run on 3.11: only they skip that check.
  pip_install --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
  echo "$sum" > "$stamp"
fi
# The language detector bundles trained models: its own file, every wheel pinned by hash.
lstamp="$VENV/.installed-lang"
lsum=$(cat requirements/lang.txt | sha256sum | cut -c1-16)
if [ "$(cat "$lstamp" 2>/dev/null)" != "$lsum" ]; then
  pip_install --no-deps --require-hashes -r requirements/lang.txt
  echo "$lsum" > "$lstamp"
fi

# Debian's PostgreSQL, Redis and nginx for the scaled stack (bot/scale.py starts them as
# this user, with data under var/; the packages' own services are not used).
scaled_packages() {
  missing=""
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
  command -v redis-server >/dev/null || missing="$missing redis-server"
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif [ "$1" = "ask" ]; then SUDO="sudo"; else
    echo "tests/scale will be skipped: run as root, or: sudo apt-get install -y$missing"; return 0
  fi
  echo "Installing Debian's$missing for the scaled stack..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
}

if [ "$want" = "scaled" ]; then
  scaled_packages ask
fi

if [ "$want" = "test" ]; then
  scaled_packages
  tstamp="$VENV/.installed-test"
  tsum=$(cat requirements/lock-test.txt | sha256sum | cut -c1-16)
  if [ "$(cat "$tstamp" 2>/dev/null)" != "$tsum" ]; then
    echo "Installing test tools..."
    pip_install --no-deps -r requirements/lock-test.txt
    echo "$tsum" > "$tstamp"
  fi
  if [ ! -x /usr/bin/chromium ]; then
    echo "Installing Debian's Chromium for the browser tests..."
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  # systemd-analyze, for tests/test_deploy.py's check of deploy/systemd/ (only the tool:
  # nothing is started). Debian ships it in the `systemd` package.
  if ! command -v systemd-analyze >/dev/null; then
    echo "Installing Debian's systemd package for systemd-analyze verify..."
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq systemd >/dev/null
  fi
  # axe-core (npm registry), injected into pages by tests/web/test_browser.py.
  if [ ! -f build/node/node_modules/axe-core/axe.min.js ]; then
    echo "Installing axe-core for the accessibility scan..."
    npm install --prefix build/node --no-audit --no-fund --loglevel=error axe-core@4.14.1 >/dev/null
  fi
fi

# Telemetry off in Rasa's own config file too, not only by environment variable.
mkdir -p "$HOME/.config/rasa"
"$VENV/bin/python" - <<'PY'
import json, pathlib
p = pathlib.Path.home() / ".config" / "rasa" / "global.yml"
text = p.read_text() if p.exists() else ""
if "enabled: false" not in text:
    p.write_text("metrics:\n  enabled: false\n")
PY
