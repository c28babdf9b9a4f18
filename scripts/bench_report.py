"""reports/bench.md from scripts/bench.py's JSON: tables, ratios to stock Rasa, and plots
(PNG with matplotlib when it is installed, else an SVG written as plain text)."""
from __future__ import annotations

from pathlib import Path

LABELS = {"stock": "stock Rasa 3.6", "embedded": "ours, embedded (SQLite)"}


def label(setting: str) -> str:
    if setting.startswith("scaled-"):
        n = int(setting.split("-")[1])
        return f"ours, {n} replica{'s' if n > 1 else ''} (PostgreSQL, Redis)"
    return LABELS.get(setting, setting)


def top(run: dict, target: str = "rasa") -> dict:
    """The closed-loop level with the most concurrent conversations."""
    rows = run["closed"].get(target) or [{}]
    return rows[-1]


def summary_rows(results: dict) -> list[dict]:
    """One row per setting: the numbers people compare."""
    stock = next((r for r in results["settings"] if r["setting"] == "stock"), None)
    rows = []
    for run in results["settings"]:
        t = top(run)
        rasa_pss = [v for k, v in run.get("peak_pss_mb", {}).items() if k.startswith("rasa")]
        row = {"setting": run["setting"], "ready_s": run.get("ready_s"),
               "throughput": t.get("throughput_msg_s"), "p95": t.get("p95_ms"),
               "concurrency": t.get("concurrency"), "cpu": t.get("cpu_ms_per_msg"),
               "held": run["think"].get("held"), "failed": run["think"].get("first_failed"),
               "rasa_pss": round(sum(rasa_pss) / len(rasa_pss), 1) if rasa_pss else None,
               "total_pss": run.get("peak_pss_total_mb"), "note": run.get("note")}
        if stock and stock is not run:
            s = top(stock)
            row["x_throughput"] = _ratio(row["throughput"], s.get("throughput_msg_s"))
            row["x_held"] = _ratio(row["held"], stock["think"].get("held"))
            if not stock["think"].get("held") and stock["think"].get("first_failed") and row["held"]:
                # stock held fewer than the fewest tried: ours is at least this many times it
                row["x_held"] = f"more than {row['held'] / stock['think']['first_failed']:.2f}x"
            row["x_cpu"] = _ratio(s.get("cpu_ms_per_msg"), row["cpu"])  # >1: ours costs less
        rows.append(row)
    return rows


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def _table(results: dict) -> list[str]:
    lines = ["| setting | ready s | msg/s (closed loop) | p95 ms | CPU ms/msg | held with think time, p95 < 1 s "
             "| Rasa PSS MB per replica | whole stack PSS MB | x stock: msg/s | x stock: held | x stock: CPU |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in summary_rows(results):
        # no failing try: at least this many (the search ran out of tries first)
        held = (f"fewer than {r['failed']}" if not r["held"] and r["failed"]  # even the fewest tried failed
                else f"{r['held']} (not {r['failed']})" if r["failed"] else f"at least {r['held']}")
        lines.append(f"| {label(r['setting'])}{' (see note)' if r.get('note') else ''} | {r['ready_s']} | {r['throughput']} | {r['p95']} | {r['cpu']} "
                     f"| {held} | {r['rasa_pss']} | {r['total_pss']} | {r.get('x_throughput', '1')} "
                     f"| {r.get('x_held', '1')} | {r.get('x_cpu', '1')} |")
    return lines


def _details(results: dict) -> list[str]:
    lines = []
    for run in results["settings"]:
        lines += [f"### {label(run['setting'])}", "",
                  *([f"- **Note**: {run['note']}"] if run.get("note") else []),
                  f"- Think-time tries: {len(run['think']['runs'])} (at most {run.get('think_steps', '?')})."
                  + (f" Machine load (1-minute average) {run['load_before']} before, {run['load_after']} after."
                     if "load_after" in run else ""),
                  "- Peak PSS (MB): " + ", ".join(f"{k} {v}" for k, v in run.get("peak_pss_mb", {}).items()),
                  "", "| load | target | conversations | messages | errors | p50 ms | p95 ms | p99 ms | msg/s | CPU ms/msg |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for target, rows in run["closed"].items():
            lines += [f"| closed loop | {target} | {r['concurrency']} | {r['messages']} | {r['errors']} | {r['p50_ms']} "
                      f"| {r['p95_ms']} | {r['p99_ms']} | {r['throughput_msg_s']} | {r['cpu_ms_per_msg']} |" for r in rows]
        lines += [f"| think time | rasa | {r['people']} | {r['messages']} | {r['errors']} | {r['p50_ms']} "
                  f"| {r['p95_ms']} | {r['p99_ms']} | {r['throughput_msg_s']} | |" for r in run["think"]["runs"]]
        lines.append("")
    return lines


def _load_note(results: dict) -> str:
    """What the machine's load was while the settings ran (other work moves the figures)."""
    loads = [run[k] for run in results.get("settings", []) if isinstance(run, dict)
             for k in ("load_before", "load_after") if isinstance(run.get(k), (int, float))]
    if not loads:
        return "the machine's load was not recorded, so the settings may not be comparable."
    return (f"the machine's 1-minute load average was {min(loads)} to {max(loads)} before and after "
            "them (the stack itself makes about 1 to 3 of it). Throughput, latency and conversations "
            "held move with other work on the machine, more than CPU ms per message does.")


def write_report(results: dict, out: Path, name: str) -> Path:
    plot = plot_png(results, out, name) or plot_svg(results, out, name)
    plan = results.get("plan", {})
    lines = [f"# Load benchmark ({name})", "",
             f"Machine: {results.get('machine', '')}. Everything (servers, PostgreSQL, Redis, nginx and the "
             "load generator) shares these cores, under `nice -n 19`: compare settings within this run, "
             "not with other runs.", "",
             f"Conversations of {results['script_turns']} turns (most call a custom action), to Rasa's REST "
             "channel (through nginx for the replicas), 127.0.0.1 only. Closed loop: the next message as soon "
             f"as the reply comes (levels {plan.get('levels')}). Think time: {plan.get('think_s', (5, 20))[0]}-"
             f"{plan.get('think_s', (5, 20))[1]} s (random) between messages, {plan.get('duration')} s per try "
             f"(the first {plan.get('warmup')} s not counted), at most {plan.get('steps')} tries to find the most "
             "conversations held with p95 under 1 s and no errors. CPU ms per message: every process of the "
             "stack (databases and nginx included), at the largest closed-loop level. Memory: peak PSS "
             "(a shared page split between the processes that share it).", "",
             "## Summary", "",
             "How to read it: the settings run one after the other; " + _load_note(results) + " "
             "CPU ms per message is the steadiest figure (it counts the stack's own CPU time, not waiting). "
             "'x stock' divides by stock Rasa's figure (for CPU: stock's divided by ours, so above 1 means "
             "ours costs less).", ""] + _table(results) + ["", f"![benchmark]({plot.name})", "",
             "## Details", ""] + _details(results)
    path = out / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def plot_png(results: dict, out: Path, name: str) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    rows = summary_rows(results)
    names = [label(r["setting"]).replace(" (", "\n(") for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, key, title in zip(axes, ("throughput", "held", "cpu"),
                              ("msg/s, closed loop", "conversations held\n(think time, p95 < 1 s)",
                               "CPU ms per message")):
        ax.bar(range(len(rows)), [r[key] or 0 for r in rows],
               color=["#999" if r["setting"] == "stock" else "#36c" for r in rows])
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(names, fontsize=6, rotation=30, ha="right")
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_svg(results: dict, out: Path, name: str) -> Path:
    """The conversations-held bars as a plain SVG (no matplotlib)."""
    rows = summary_rows(results)
    peak = max([r["held"] or 0 for r in rows] + [1])
    bars = []
    for i, r in enumerate(rows):
        w = 300 * (r["held"] or 0) / peak
        y = 30 + i * 28
        bars.append(f'<text x="5" y="{y + 14}" font-size="11">{label(r["setting"])}</text>'
                    f'<rect x="260" y="{y}" width="{w:.0f}" height="18" fill="#36c"/>'
                    f'<text x="{265 + w:.0f}" y="{y + 14}" font-size="11">{r["held"]}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{50 + 28 * len(rows)}">'
           '<text x="5" y="16" font-size="12">Conversations held with think time at p95 &lt; 1 s</text>'
           + "".join(bars) + "</svg>\n")
    path = out / f"{name}.svg"
    path.write_text(svg)
    return path
