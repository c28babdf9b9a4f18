"""Load benchmark: stock Rasa 3.6 against this assistant, in the same run.

Settings, each started fresh on 127.0.0.1 with the same model (models/aot.tar.gz):
- stock:     Rasa 3.6 as people use it: Rasa's plain SQL tracker store (SQLite), no
             bot/rasa_speedups.py, one Rasa process and the action server;
- embedded:  ours, the zero-setup default (`make run`: SQLite, one process per role);
- scaled-N:  ours on PostgreSQL and Redis (`make run-scaled`) with N Rasa replicas behind
             nginx (N = 1, 2, 4).
For each: time to ready; closed-loop latency and throughput (the next message as soon as
the reply comes); with think time (5-20 s between messages, as people type), how many
conversations are held with p95 under 1 s; CPU ms per message (every process of the
stack, databases and nginx included); peak PSS memory per process. The load goes to
Rasa's REST channel (through nginx for scaled-N), so every setting is measured the same
way; the web app's front door is measured too where there is one.

Usage: python scripts/bench.py [--quick] [--settings stock,embedded,scaled-1,...] [--out reports]
       python scripts/bench.py --report-only     (re-render reports/bench.md from bench.json)
Run it with `nice -n 19` (make bench does) on a shared machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from bench_load import SCRIPT, PssSampler, capacity, closed_loop, cpu_seconds  # noqa: E402
from bench_report import write_report  # noqa: E402
from bot import scale_engines  # noqa: E402
from bot.scale import ScalePorts, ScaledStack  # noqa: E402
from bot.stack import Ports, Stack  # noqa: E402

PORTS = Ports(rasa=25005, actions=25055, web=28000)
SCALE_PORTS = ScalePorts(web=28100, rasa=25105, actions=25155, postgres=25532, redis=26479,
                         base=29000)
STOCK_ENDPOINTS = ("# Stock Rasa 3.6: its own SQL tracker store, nothing of this project's.\n"
                   "tracker_store:\n  type: SQL\n  dialect: \"sqlite\"\n  db: \"{db}\"\n"
                   "action_endpoint:\n  url: \"{actions}/webhook\"\n")
BENCH_ENV = {"RATE_LIMIT": "0"}  # the per-sender limit would turn the load into refusals


def start(setting: str, tmp: Path):
    """A started stack for this setting, with rasa_url / web_url (None: no web app)."""
    if setting.startswith("scaled-"):
        n = int(setting.split("-")[1])
        directory = ROOT / "var" / "scale-bench"
        shutil.rmtree(directory, ignore_errors=True)
        stack = ScaledStack(ports=SCALE_PORTS, rasa=n, actions=min(n, 2), web=min(n, 2),
                            directory=directory, extra_env=BENCH_ENV).start()
        return stack, SCALE_PORTS.rasa_url, SCALE_PORTS.web_url
    db = tmp / setting / "trackers.db"
    stack = Stack(ports=PORTS, tracker_db=db, web=setting != "stock", log_dir=db.parent,
                  extra_env={**BENCH_ENV, "RASA_WORKERS": "1"})
    if setting == "stock":
        db.parent.mkdir(parents=True, exist_ok=True)
        endpoints = db.parent / "endpoints-stock.yml"
        endpoints.write_text(STOCK_ENDPOINTS.format(db=db, actions=PORTS.actions_url))
        argv = stack._supervisor().programs["rasa"]
        argv[argv.index("--endpoints") + 1] = str(endpoints)
    stack.start()
    return stack, PORTS.rasa_url, (PORTS.web_url if stack.web else None)


def measured(stack, url: str, run) -> dict:
    """Run one load; add the stack's CPU ms per message during it."""
    before = cpu_seconds(stack.pids())
    result = asyncio.run(run(url))
    spent = cpu_seconds(stack.pids()) - before
    result["cpu_ms_per_msg"] = round(spent * 1000 / max(1, result["messages"]), 1)
    return result


def bench_setting(setting: str, plan: dict, tmp: Path) -> dict:
    started = time.monotonic()
    stack, rasa_url, web_url = start(setting, tmp)
    out: dict = {"setting": setting, "closed": {}, "think": {}, "think_steps": plan["steps"],
                 "load_before": round(os.getloadavg()[0], 1)}  # other work on the machine
    sampler = PssSampler(stack.pids)
    try:
        stack.wait_ready(timeout=420)
        out["ready_s"] = round(time.monotonic() - started, 1)
        sampler.start()
        rest = f"{rasa_url}/webhooks/rest/webhook"
        httpx.post(rest, json={"sender": "bench-first", "message": "hi"}, timeout=60)
        out["closed"]["rasa"] = [measured(stack, rest, lambda u, c=c: closed_loop(
            u, c, plan["conversations"](c))) for c in plan["levels"]]
        if web_url:
            top = plan["levels"][-1]
            out["closed"]["web"] = [measured(stack, f"{web_url}/api/messages", lambda u: closed_loop(
                u, top, plan["conversations"](top)))]
        best = max(r["throughput_msg_s"] for r in out["closed"]["rasa"])
        # a first guess: conversations that send one message per ~13 s, at half the throughput
        estimate = int(best * (sum(plan["think_s"]) / 2 + 0.5) * plan["guess"])
        out["think"] = capacity(rest, estimate, plan["steps"], plan["duration"], plan["warmup"])
        time.sleep(1.5)
        out["peak_pss_mb"] = {n: round(v, 1) for n, v in sampler.peak.items()}
        out["peak_pss_total_mb"] = round(sampler.peak_total, 1)
        out["load_after"] = round(os.getloadavg()[0], 1)
    finally:
        sampler.stopped.set()
        stack.stop()
    return out


PLANS = {
    "full": {"levels": [1, 10, 50], "conversations": lambda c: max(10, c * 3), "steps": 3,
             "duration": 60, "warmup": 15, "guess": 0.5, "think_s": (5, 20)},
    "quick": {"levels": [1, 5], "conversations": lambda c: max(4, c), "steps": 1,
              "duration": 20, "warmup": 5, "guess": 0.4, "think_s": (5, 20)},
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run, for CI")
    parser.add_argument("--settings", default=None, help="e.g. stock,embedded,scaled-1,scaled-2,scaled-4")
    parser.add_argument("--out", default=str(ROOT / "reports"))
    parser.add_argument("--report-only", action="store_true", help="re-render the Markdown from the JSON")
    parser.add_argument("--append", action="store_true",
                        help="add these settings to the JSON already there (replacing a same-named one)")
    parser.add_argument("--steps", type=int, default=None, help="think-time tries per setting")
    args = parser.parse_args()
    name = "bench-quick" if args.quick else "bench"
    out = Path(args.out)
    if args.report_only:
        print(write_report(json.loads((out / f"{name}.json").read_text()), out, name))
        return
    default = "stock,scaled-1" if args.quick else "stock,embedded,scaled-1,scaled-2,scaled-4"
    settings = (args.settings or default).split(",")
    if scale_engines.missing():
        print("Skipping scaled-N: needs Debian's " + ", ".join(scale_engines.missing()))
        settings = [s for s in settings if not s.startswith("scaled-")]
    plan = dict(PLANS["quick" if args.quick else "full"])
    if args.steps:
        plan["steps"] = args.steps
    results = {"machine": machine(), "script_turns": len(SCRIPT), "quick": args.quick,
               "plan": {k: v for k, v in plan.items() if k != "conversations"}, "settings": []}
    out.mkdir(parents=True, exist_ok=True)
    if args.append and (out / f"{name}.json").exists():
        results = json.loads((out / f"{name}.json").read_text())
        results["settings"] = [r for r in results["settings"] if r["setting"] not in settings]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for setting in settings:
            print(f"== {setting}", flush=True)
            results["settings"].append(bench_setting(setting, plan, Path(tmp)))
            (out / f"{name}.json").write_text(json.dumps(results, indent=2))  # after each
    print(write_report(results, out, name))


if __name__ == "__main__":
    main()
