"""Debian's Chromium for the browser tests, driven by Playwright (no browser download).

The flags keep Chromium from reaching out to the network on its own.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run scripts/install.sh test")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
