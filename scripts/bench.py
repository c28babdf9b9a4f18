"""Load benchmark: start the real stack on 127.0.0.1 and hold conversations.

Measures, for Rasa's REST channel directly and (when it runs) through the web
app's /api/messages: p50/p95/p99 latency, throughput and errors at several
numbers of concurrent conversations; time from start until every process
answers; time to the first answer; peak memory of each process.

Usage: python scripts/bench.py [--quick] [--levels 1,10,50] [--out reports]
Traffic goes only to 127.0.0.1; every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.stack import Ports, Stack  # noqa: E402

# One conversation: several turns, with a custom action on most of them.
SCRIPT = ["hi", "do i get a lawyer", "california", "and how long does it last",
          "does fresno county have AOT", "what happens if i miss appointments", "thanks"]
PORTS = Ports(rasa=25005, actions=25055, web=28000)
TIME_LIMIT_S = 120  # per level and target


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def conversation(client: httpx.AsyncClient, url: str, latencies: list[float],
                       errors: list[str]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for text in SCRIPT:
        start = time.perf_counter()
        try:
            response = await client.post(url, json={"sender": sender, "message": text})
            body = response.json() if response.status_code == 200 else None
            if not body:
                errors.append(f"status {response.status_code} or empty reply")
        except (httpx.HTTPError, ValueError) as exc:
            errors.append(type(exc).__name__)
        latencies.append(time.perf_counter() - start)


async def run_level(url: str, concurrency: int, conversations: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        queue = list(range(conversations))
        deadline = time.monotonic() + TIME_LIMIT_S

        async def worker() -> None:
            while queue and time.monotonic() < deadline:
                queue.pop()
                await conversation(client, url, latencies, errors)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {
        "concurrency": concurrency, "messages": len(latencies), "errors": len(errors),
        "wall_s": round(wall, 2), "throughput_msg_s": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


def peak_memory_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process and its children, from /proc."""
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return round(total, 1)


TARGETS = {"p95_ms_at_50": 1000, "throughput_x_single_action_process": 3 * 11, "total_memory_mb": 1600}


def write_report(results: dict, out: Path, name: str) -> Path:
    """Markdown with a latency plot, from the JSON results; says which targets are met."""
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    for target, rows in results["levels"].items():
        ax.plot([r["concurrency"] for r in rows], [r["p95_ms"] for r in rows], marker="o", label=f"{target} p95")
        ax.plot([r["concurrency"] for r in rows], [r["p50_ms"] for r in rows], marker=".", ls="--",
                label=f"{target} p50")
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("ms per message")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / f"{name}.png", dpi=120)
    plt.close(fig)
    lines = [f"# Load benchmark ({name})", "",
             f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}. Conversations of "
             f"{results['script_turns']} turns (most call a custom action), to 127.0.0.1 only.", "",
             f"- Time from start until every process answers: {results['ready_s']} s; first answer "
             f"{results['first_answer_s']} s after start.",
             f"- Peak memory (MB): " + ", ".join(f"{k} {v}" for k, v in results["peak_memory_mb"].items()), "",
             "| target | concurrent | messages | errors | p50 ms | p95 ms | p99 ms | msg/s |",
             "|---|---|---|---|---|---|---|---|"]
    for target, rows in results["levels"].items():
        lines += [f"| {target} | {r['concurrency']} | {r['messages']} | {r['errors']} | {r['p50_ms']} | "
                  f"{r['p95_ms']} | {r['p99_ms']} | {r['throughput_msg_s']} |" for r in rows]
    lines += ["", f"![latency]({name}.png)", "", "## Targets (issue #5)", ""]
    at50 = [r for rows in results["levels"].values() for r in rows if r["concurrency"] == 50]
    if at50:
        worst = max(r["p95_ms"] for r in at50)
        best_tp = max(r["throughput_msg_s"] for r in at50)
        lines += [f"- p95 under 1 s at 50 conversations: {'met' if worst < TARGETS['p95_ms_at_50'] else 'NOT met'} ({worst} ms).",
                  f"- Throughput at least 3x a single default Rasa process with a custom action (~11 msg/s): "
                  f"{'met' if best_tp >= TARGETS['throughput_x_single_action_process'] else 'NOT met'} ({best_tp} msg/s).",
                  f"- No errors: {'met' if all(r['errors'] == 0 for r in at50) else 'NOT met'}."]
    total = results["peak_memory_mb"]["total"]
    lines.append(f"- Whole stack under 1.6 GB: {'met' if total < TARGETS['total_memory_mb'] else 'NOT met'} ({total} MB).")
    path = out / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run, for CI")
    parser.add_argument("--levels", default=None, help="concurrency levels, e.g. 1,10,50")
    parser.add_argument("--out", default=str(ROOT / "reports"))
    parser.add_argument("--report-only", action="store_true", help="re-render the Markdown from the JSON")
    args = parser.parse_args()
    name = "bench-quick" if args.quick else "bench"
    if args.report_only:
        print(write_report(json.loads((Path(args.out) / f"{name}.json").read_text()), Path(args.out), name))
        return
    levels = [int(x) for x in (args.levels or ("1,5" if args.quick else "1,10,50")).split(",")]
    per_level = (lambda c: max(4, c)) if args.quick else (lambda c: max(20, c * 3))

    web = (ROOT / "bot" / "web" / "__main__.py").exists()
    db = Path(tempfile.mkdtemp(prefix="bench-")) / "trackers.db"
    started = time.monotonic()
    # RATE_LIMIT=0: the per-sender limit (20/min) would otherwise turn the load into 429s.
    stack = Stack(ports=PORTS, tracker_db=db, web=web, log_dir=db.parent,
                  extra_env={"RATE_LIMIT": "0"}).start()
    results: dict = {"script_turns": len(SCRIPT), "levels": {}}
    try:
        results["ready_s"] = round(stack.wait_ready(timeout=300), 1)
        first = time.perf_counter()
        httpx.post(f"{PORTS.rasa_url}/webhooks/rest/webhook",
                   json={"sender": "bench-first", "message": "hi"}, timeout=60)
        results["first_answer_s"] = round(time.monotonic() - started, 1)
        results["first_message_ms"] = round((time.perf_counter() - first) * 1000, 1)
        targets = {"rasa": f"{PORTS.rasa_url}/webhooks/rest/webhook"}
        if web:
            targets["web"] = f"{PORTS.web_url}/api/messages"
        for name, url in targets.items():
            results["levels"][name] = [asyncio.run(run_level(url, c, per_level(c))) for c in levels]
        results["peak_memory_mb"] = {n: peak_memory_mb(p.pid) for n, p in stack.procs.items()}
        results["peak_memory_mb"]["total"] = round(sum(results["peak_memory_mb"].values()), 1)
    finally:
        stack.stop()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(write_report(results, out, name))


if __name__ == "__main__":
    main()
