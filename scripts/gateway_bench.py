"""How much time the web gateway adds to each message, compared with calling Rasa directly.

    python scripts/gateway_bench.py               # against a canned fake Rasa (gateway cost only)
    python scripts/gateway_bench.py --rasa-url http://127.0.0.1:5005 --web-url http://127.0.0.1:8000
                                                 # against the running stack

With no URLs it starts, as separate processes on free 127.0.0.1 ports, a fake
Rasa that answers at once and the real web app (`python -m bot.web`) in front of
it, then sends the same messages both ways, one at a time, and prints the
median and 95th percentile of each and their difference.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = ["Do I get a lawyer?", "What is AOT?", "Does Fresno have AOT?",
             "how long does it last", "Can they force medication?"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fake_rasa_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def webhook(request):
        body = await request.json()
        return JSONResponse([{"recipient_id": body["sender"], "text": "An answer. " * 20},
                             {"recipient_id": body["sender"], "text": "Law/source: a citation.",
                              "buttons": [{"title": "More", "payload": "/more"}]}])

    async def ok(request):
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                             Route("/", ok), Route("/health", ok)])


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def _timed(client: httpx.Client, url: str, body: dict) -> float:
    start = time.perf_counter()
    r = client.post(url, json=body)
    elapsed = time.perf_counter() - start
    r.raise_for_status()
    return elapsed * 1000


def measure(rasa_url: str, web_url: str, n: int) -> dict:
    direct, gateway = [], []
    with httpx.Client(timeout=30) as c:
        for i in range(5):  # warm up both paths
            _timed(c, f"{rasa_url}/webhooks/rest/webhook", {"sender": "bench-d", "message": "hi"})
            _timed(c, f"{web_url}/api/messages", {"sender": "bench-g", "message": "hi"})
        for i in range(n):
            q = QUESTIONS[i % len(QUESTIONS)]
            # alternate, so both paths see the same conditions
            direct.append(_timed(c, f"{rasa_url}/webhooks/rest/webhook",
                                 {"sender": f"bench-direct-{i % 10}", "message": q}))
            gateway.append(_timed(c, f"{web_url}/api/messages",
                                  {"sender": f"bench-gateway-{i % 10}", "message": q}))

    def stats(xs):
        xs = sorted(xs)
        return {"p50": statistics.median(xs), "p95": xs[int(0.95 * (len(xs) - 1))], "mean": statistics.fmean(xs)}

    d, g = stats(direct), stats(gateway)
    return {"n": n, "direct": d, "gateway": g,
            "added_p50_ms": g["p50"] - d["p50"], "added_mean_ms": g["mean"] - d["mean"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rasa-url")
    ap.add_argument("--web-url")
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--serve-fake-rasa", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.serve_fake_rasa:
        import uvicorn

        uvicorn.run(_fake_rasa_app(), host="127.0.0.1", port=args.serve_fake_rasa,
                    log_level="warning", access_log=False)
        return 0

    procs = []
    try:
        rasa_url, web_url = args.rasa_url, args.web_url
        if not rasa_url:
            port = _free_port()
            procs.append(subprocess.Popen([sys.executable, str(Path(__file__).resolve()),
                                           "--serve-fake-rasa", str(port)], cwd=ROOT))
            rasa_url = f"http://127.0.0.1:{port}"
            _wait(rasa_url + "/")
        if not web_url:
            port = _free_port()
            tmp = Path(tempfile.mkdtemp(prefix="aot-bench-"))
            env = {**os.environ, "PYTHONPATH": str(ROOT), "HOST": "127.0.0.1", "PORT": str(port),
                   "RASA_URL": rasa_url, "ACTION_SERVER_URL": rasa_url, "WEB_DB": str(tmp / "web.db"),
                   "RATE_LIMIT": "0", "WEB_LOG_LEVEL": "WARNING"}
            procs.append(subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=ROOT, env=env))
            web_url = f"http://127.0.0.1:{port}"
            _wait(web_url + "/healthz")
        res = measure(rasa_url, web_url, args.n)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    d, g = res["direct"], res["gateway"]
    print(f"messages: {res['n']} each way, one at a time")
    print(f"direct to Rasa : p50 {d['p50']:.2f} ms  p95 {d['p95']:.2f} ms  mean {d['mean']:.2f} ms")
    print(f"through gateway: p50 {g['p50']:.2f} ms  p95 {g['p95']:.2f} ms  mean {g['mean']:.2f} ms")
    print(f"added by the gateway: p50 {res['added_p50_ms']:.2f} ms, mean {res['added_mean_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
