"""Train the Rasa model if it is missing or stale.

Stale means any training input changed since the last training: config,
domain, NLU data, rules, stories, the topic registry (content/topics.yml), the
question bank's entry ids and questions (content/bank/*.yml), the spaCy build
script or the custom NLU components. The Rasa files derived from the registry and
the bank are written first (scripts/build_rasa.py -> build/rasa/) and trained on with
  rasa train --domain build/rasa/domain.yml --data data build/rasa/data
Read at run time, so NOT inputs (edit, then restart; no retraining):
answer wording (content/answers/), crisis patterns, and the entity rules made
from counties and the glossary (SpacyNLP loads build/spacy/aot_rules from disk
when the model loads, and the intent classifier does not use entities).

Usage: python scripts/train.py [--force]
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.paths import ROOT  # noqa: E402
from bot.stack import BASE_ENV, MODEL  # noqa: E402
from bot.rules import bank_entries  # noqa: E402
from scripts import build_rasa  # noqa: E402

FINGERPRINT = MODEL.with_suffix("").with_suffix(".fingerprint")
INPUTS = ["config.yml", "domain.yml", "data/**/*.yml", "content/topics.yml", "bot/rasa_entities.py",
          "bot/rasa_components.py", "bot/rasa_lexical.py", "bot/states.py",
          "scripts/build_spacy.py", "scripts/build_rasa.py",
          "requirements/lock.txt"]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    # The bank's ids and questions are trained on (faq/<id>, utter_faq/<id>); its answers are not.
    for entry in bank_entries():
        digest.update(f"bank:{entry['id']}:{entry.get('question', '')}".encode())
    return digest.hexdigest()


def is_stale() -> bool:
    return not MODEL.exists() or not FINGERPRINT.exists() or FINGERPRINT.read_text() != fingerprint()


def train(force: bool = False) -> bool:
    """Returns True when it trained."""
    # No Rasa training cache: our fingerprint decides when to train (and trains with --force),
    # and with the bank a component's output can outgrow the cache's 1,000 MB, where Rasa
    # purges its cache folder mid-run and fails ("No such file or directory ... .rasa/cache").
    env = {**os.environ, **BASE_ENV, "RASA_MAX_CACHE_SIZE": "0"}
    py = sys.executable
    subprocess.run([py, "scripts/build_spacy.py"], cwd=ROOT, env=env, check=True)
    build_rasa.build()  # build/rasa/: the derived domain and rules
    if not force and not is_stale():
        print("Model is up to date:", MODEL.relative_to(ROOT))
        return False
    print("Training the model (about 15 minutes on 2 cores)...", flush=True)
    start = time.monotonic()
    # --force: Rasa's cache keys SpacyNLP on its path, so changed rules under the same path
    # would be missed; our own fingerprint decides when to train, so train everything.
    # Written beside the model, then renamed into place: a process that loads the model
    # meanwhile (a restarted replica) never reads a half-written file.
    fresh = MODEL.parent / "training"
    subprocess.run([py, "-m", "rasa", "train", *build_rasa.rasa_args(), "--fixed-model-name", "aot",
                    "--out", str(fresh.relative_to(ROOT)), "--force", "--quiet"], cwd=ROOT, env=env,
                   check=True)
    os.replace(fresh / MODEL.name, MODEL)
    shutil.rmtree(fresh, ignore_errors=True)
    FINGERPRINT.write_text(fingerprint())
    seconds = time.monotonic() - start
    record_training(seconds)
    print(f"Trained in {seconds:.0f} s: {MODEL.relative_to(ROOT)}")
    return True


# The last training's wall time and epochs, read by scripts/evaluate_real.py (issue #12:
# training time in the evaluation; `make run` must stay affordable on 2 cores).
RECORD = MODEL.with_suffix("").with_suffix(".train.json")


def config_epochs() -> dict[str, int]:
    """Epochs of each trained component in config.yml (DIET, TED, ResponseSelector...)."""
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    parts = (config.get("pipeline") or []) + (config.get("policies") or [])
    return {p["name"]: p["epochs"] for p in parts if isinstance(p, dict) and "epochs" in p}


def record_training(seconds: float) -> None:
    import datetime
    import json
    import platform

    RECORD.write_text(json.dumps({
        "seconds": round(seconds, 1), "epochs": config_epochs(),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
    }, indent=2) + "\n")


if __name__ == "__main__":
    train(force="--force" in sys.argv)
