"""Start the scaled stack (bot/scale.py) under supervisord, until Ctrl-C or `make stop-scaled`.

Usage: python scripts/run_scaled.py [--rasa N] [--actions N] [--web N]
       python scripts/run_scaled.py --stop      (what `make stop-scaled` runs)
       python scripts/run_scaled.py --purge     (retention purge on PostgreSQL; cron-safe)
       python scripts/run_scaled.py --configure [--rasa N ...]   (for systemd: configs, no start)
       python scripts/run_scaled.py --create-database            (aot-postgres.service runs it)
Needs Debian's postgresql, redis-server and nginx packages (scripts/install.sh scaled).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.scale import ScaledStack  # noqa: E402
from bot.supervise import AlreadyRunning  # noqa: E402


def purge(stack: ScaledStack) -> int:
    """`python -m bot.web.store purge` with the scaled stack's databases (PostgreSQL running)."""
    env = {k: v for k, v in stack.env().items() if k in ("TRACKER_URL", "WEB_DB", "PYTHONPATH",
                                                          "RETENTION_DAYS", "PATH", "HOME")}
    return subprocess.run([sys.executable, "-m", "bot.web.store", "purge"], env=env).returncode


def serve(stack: ScaledStack) -> None:
    try:
        stack.start()
    except AlreadyRunning as exc:
        sys.exit(f"The scaled stack is {exc}")
    except RuntimeError as exc:
        stack.stop()
        sys.exit(f"Not started: {exc}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"Starting {stack.rasa} Rasa, {stack.actions} action server and {stack.web} web app "
              "processes (Rasa takes about a minute to load)...", flush=True)
        try:
            waited = stack.wait_ready()
        except (RuntimeError, TimeoutError, OSError, xmlrpc.client.Error) as exc:
            sys.exit(f"Not started ({exc}). See {stack.log_dir}/.")
        print(f"Ready after {waited:.0f} s.")
        print(f"  Web chat (nginx):  {stack.ports.web_url}/")
        print(f"  Rasa REST (nginx): {stack.ports.rasa_url}/webhooks/rest/webhook")
        print(f"  PostgreSQL 127.0.0.1:{stack.ports.postgres}, Redis 127.0.0.1:{stack.ports.redis} "
              f"(data and logs: {stack.directory}/)")
        print("Press Ctrl-C (or run `make stop-scaled`) to stop.", flush=True)
        assert stack.supervisor is not None and stack.supervisor.proc is not None  # started above
        stack.supervisor.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for role, default in (("rasa", 2), ("actions", 2), ("web", 2)):
        parser.add_argument(f"--{role}", type=int, default=int(os.environ.get(
            f"SCALE_{role.upper()}", default)), help=f"{role} processes (default {default})")
    parser.add_argument("--stop", action="store_true")
    parser.add_argument("--purge", action="store_true")
    parser.add_argument("--configure", action="store_true",
                        help="write the configs and secrets.env the systemd units use (deploy/systemd/)")
    parser.add_argument("--create-database", action="store_true")
    args = parser.parse_args()
    stack = ScaledStack(rasa=args.rasa, actions=args.actions, web=args.web)
    if args.stop:
        print("Stopping..." if stack._supervisor().answers() else "Not running.", flush=True)
        stack.stop()
    elif args.purge:
        sys.exit(purge(stack))
    elif args.configure:
        if os.geteuid() == 0:  # the units run as `aot`: it must own the cluster and configs
            sys.exit("Run it as the service user: runuser -u aot -- .venv/bin/python "
                     "scripts/run_scaled.py --configure")
        print(f"Wrote {stack.configure()} and the configs in {stack.directory}/. Replica ports: "
              + ", ".join(f"{role} {' '.join(map(str, stack.ports.replicas(role, n)))}"
                          for role, n in (("rasa", stack.rasa), ("actions", stack.actions),
                                          ("web", stack.web))))
    elif args.create_database:
        stack.create_database()
    else:
        serve(stack)


if __name__ == "__main__":
    main()
