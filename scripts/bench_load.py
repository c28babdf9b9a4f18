"""The load side of scripts/bench.py: conversations against a running stack, and what the
stack's processes cost (CPU time, PSS memory), read from /proc.

Two kinds of load, to 127.0.0.1 only, every loop bounded in count and time:
- closed loop: each conversation sends its next message as soon as the reply comes;
- think time: each conversation waits 5-20 s (random) between messages, as a person
  does; the question is how many such conversations are held with p95 under 1 s.
"""
from __future__ import annotations

import asyncio
import os
import random
import statistics
import threading
import time
import uuid
from pathlib import Path

import httpx

# One conversation: several turns, with a custom action on most of them.
SCRIPT = ["hi", "do i get a lawyer", "california", "and how long does it last",
          "does fresno county have AOT", "what happens if i miss appointments", "thanks"]
CLOSED_LIMIT_S = 60       # per closed-loop level (the rest of its conversations are dropped)
THINK_S = (5.0, 20.0)     # a person's pause between messages
P95_GOAL_MS = 1000


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def _send(client: httpx.AsyncClient, url: str, sender: str, text: str,
                errors: list[str]) -> float:
    start = time.perf_counter()
    try:
        response = await client.post(url, json={"sender": sender, "message": text})
        if response.status_code != 200 or not response.json():
            errors.append(f"status {response.status_code} or empty reply")
    except (httpx.HTTPError, ValueError) as exc:
        errors.append(type(exc).__name__)
    return time.perf_counter() - start


def _summary(latencies: list[float], errors: list[str], wall: float, **extra) -> dict:
    return {**extra, "messages": len(latencies), "errors": len(errors), "wall_s": round(wall, 2),
            "throughput_msg_s": round(len(latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None}


async def closed_loop(url: str, concurrency: int, conversations: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        queue = list(range(conversations))
        deadline = time.monotonic() + CLOSED_LIMIT_S

        async def worker() -> None:
            while queue and time.monotonic() < deadline:
                queue.pop()
                sender = f"bench-{uuid.uuid4().hex[:12]}"
                for text in SCRIPT:
                    latencies.append(await _send(client, url, sender, text, errors))

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return _summary(latencies, errors, wall, concurrency=concurrency)


async def think_time(url: str, people: int, duration: float, warmup: float, seed: int = 1) -> dict:
    """`people` conversations with 5-20 s pauses for `duration` s; latencies after `warmup`."""
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=people, max_keepalive_connections=min(people, 200))
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        start = time.monotonic()

        async def person(i: int) -> None:
            rnd = random.Random(seed * 100003 + i)
            await asyncio.sleep(rnd.uniform(0, THINK_S[1]))  # people do not all start at once
            while time.monotonic() - start < duration:
                sender = f"think-{uuid.uuid4().hex[:12]}"
                for text in SCRIPT:
                    if time.monotonic() - start >= duration:
                        return
                    sent = time.monotonic() - start
                    took = await _send(client, url, sender, text, errors)
                    if sent >= warmup:
                        latencies.append(took)
                    await asyncio.sleep(rnd.uniform(*THINK_S))

        await asyncio.gather(*(person(i) for i in range(people)))
        wall = time.monotonic() - start - warmup
    return _summary(latencies, errors, wall, people=people)


def capacity(url: str, estimate: int, steps: int, duration: float, warmup: float) -> dict:
    """The most conversations with think time held at p95 < 1 s and no errors, by a short
    search from `estimate` (bounded: `steps` runs)."""
    runs, held, failed, n = [], 0, None, max(5, estimate)
    for _ in range(steps):
        run = asyncio.run(think_time(url, n, duration, warmup))
        runs.append(run)
        ok = run["p95_ms"] < P95_GOAL_MS and run["errors"] == 0 and run["messages"] > 0
        if ok:
            held = max(held, n)
        else:
            failed = n if failed is None else min(failed, n)
        if failed is not None and failed - held <= max(5, held // 10):
            break
        n = (held + failed) // 2 if failed is not None and held else (
            int(n * 1.6) if ok else max(5, n // 2))
    return {"held": held, "first_failed": failed, "runs": runs}


# ---- what the processes cost --------------------------------------------------------------
def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    out = [pid]
    try:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            out += tree(int(child))
    except OSError:
        pass
    return out


def cpu_seconds(pids: dict[str, int]) -> float:
    """User + system CPU time of these processes and their descendants."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids.values():
        for p in tree(pid) if pid else []:
            try:
                fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
    return total / tick


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PssSampler(threading.Thread):
    """PSS of every process of the stack, once a second; keeps the peaks. PSS splits each
    shared page between the processes that share it: the memory really taken."""

    def __init__(self, pids) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak, self.peak_total = pids, {n: 0.0 for n in pids()}, 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            now = {n: sum(_pss_kb(p) for p in tree(pid)) / 1024 for n, pid in self.pids().items()
                   if pid}
            self.peak = {n: max(self.peak.get(n, 0.0), v) for n, v in now.items()}
            self.peak_total = max(self.peak_total, sum(now.values()))
