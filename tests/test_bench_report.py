"""reports/bench.md's summary (scripts/bench_report.py): what a reader compares.
Fake results, no servers: the benchmark itself runs with `make bench`."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from bench_report import _load_note, _table  # noqa: E402


def run(setting: str, held: int, failed: int | None, cpu: float, load=(0.5, 2.0)) -> dict:
    closed = {"rasa": [{"concurrency": 50, "throughput_msg_s": 10.0, "p95_ms": 900.0, "cpu_ms_per_msg": cpu}]}
    return {"setting": setting, "closed": closed, "think": {"held": held, "first_failed": failed, "runs": []},
            "peak_pss_mb": {"rasa": 800.0}, "peak_pss_total_mb": 900.0, "ready_s": 20.0,
            "load_before": load[0], "load_after": load[1]}


def test_stock_holding_fewer_than_the_fewest_tried_is_said_so_and_the_ratio_is_a_floor():
    results = {"settings": [run("stock", 0, 12, 150.0), run("embedded", 24, 32, 100.0, load=(3.1, 1.0))]}
    table = "\n".join(_table(results))
    assert "fewer than 12" in table and "| 0 (not 12)" not in table
    assert "more than 2.00x" in table  # 24 held against fewer than 12
    assert "1.50x" in table  # CPU: stock's 150 ms over our 100 ms


def test_the_load_note_reports_the_measured_range():
    note = _load_note({"settings": [run("stock", 5, None, 1.0, load=(0.6, 2.9)),
                                    run("embedded", 5, None, 1.0, load=(3.1, 1.9))]})
    assert "0.6 to 3.1" in note
