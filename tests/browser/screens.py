"""Screen sizes and where screenshots go (a module of its own: ``conftest`` is ambiguous)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("PAPERSCOPE_SCREENSHOTS", REPO / "docs" / "screenshots"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
