"""Start the assistant: action server, Rasa and the web app, until Ctrl-C.

Usage: python scripts/serve.py [--no-web]
"""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.stack import Stack  # noqa: E402


def main() -> None:
    stack = Stack(web="--no-web" not in sys.argv).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting (Rasa takes about a minute to load)...", flush=True)
        waited = stack.wait_ready()
        print(f"Ready after {waited:.0f} s.")
        if stack.web:
            print(f"  Web chat:       {stack.ports.web_url}/")
            print(f"  Advocates:      {stack.ports.web_url}/topics")
        print(f"  Rasa REST:      {stack.ports.rasa_url}/webhooks/rest/webhook")
        print("Press Ctrl-C to stop. Logs: var/log/", flush=True)
        while all(p.poll() is None for p in stack.procs.values()):
            time.sleep(1)
        print("A process stopped; shutting down. See var/log/.")
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
