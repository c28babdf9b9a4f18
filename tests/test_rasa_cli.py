"""Rasa's own checks: the training data is consistent, and whole conversations
are predicted step by step with the trained model."""
from __future__ import annotations

from pathlib import Path

import os
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
       "TF_CPP_MIN_LOG_LEVEL": "3"}


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def test_rasa_data_validate_is_clean():
    from scripts import build_rasa

    build_rasa.build()
    result = rasa("data", "validate", "--fail-on-warnings", *build_rasa.rasa_args())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversations_are_predicted_without_errors(trained_model, tmp_path):
    result = rasa("test", "core", "--model", str(trained_model), "--stories",
                  "tests/test_stories.yml", "--fail-on-prediction-errors", "--out", str(tmp_path))
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, detail[-4000:] + result.stderr[-2000:]
