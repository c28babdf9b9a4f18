"""Start the assistant under supervisord: action server, Rasa and the web app, until
Ctrl-C or `make stop`. A process that stops is restarted; the others keep serving.

Usage: python scripts/serve.py [--no-web]
       python scripts/serve.py --stop     (what `make stop` runs)
"""
from __future__ import annotations

import signal
import sys
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.stack import Stack  # noqa: E402
from bot.supervise import AlreadyRunning  # noqa: E402


def main() -> None:
    stack = Stack(web="--no-web" not in sys.argv)
    if "--stop" in sys.argv:
        print("Stopping..." if stack.supervisor_answers() else "Not running.", flush=True)
        stack.stop()
        return
    try:
        stack.start()
    except AlreadyRunning as exc:
        sys.exit(f"The assistant is {exc}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting (Rasa takes about a minute to load)...", flush=True)
        try:
            waited = stack.wait_ready()
        except (RuntimeError, TimeoutError, OSError, xmlrpc.client.Error) as exc:  # e.g. `make stop`
            sys.exit(f"Not started ({exc}). See var/log/.")
        print(f"Ready after {waited:.0f} s.")
        if stack.web:
            print(f"  Web chat:       {stack.ports.web_url}/")
            print(f"  Advocates:      {stack.ports.web_url}/topics")
        print(f"  Rasa REST:      {stack.ports.rasa_url}/webhooks/rest/webhook")
        print("A process that stops is restarted (supervisord). Logs: var/log/")
        print("Press Ctrl-C (or run `make stop`) to stop.", flush=True)
        stack.supervisor.proc.wait()  # type: ignore[union-attr]  # until `make stop` shuts supervisord down
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
