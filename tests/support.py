"""Helpers every test may import: the shared data folder and the real command runner.

(Import these from ``support``, not from ``conftest``: several folders have a
conftest.py and the name is ambiguous across a whole run.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Debian's chromium, never a browser downloaded by Playwright; flags keep it off the network.
CHROMIUM = Path(os.environ.get("PAPERSCOPE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SHARED_DATA = Path(
    os.environ.get(
        "PAPERSCOPE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def run_cli(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m paperscope ARGS`` as a user would, and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "paperscope", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"paperscope {' '.join(args)} failed:\n{done.stderr}")
    return done
