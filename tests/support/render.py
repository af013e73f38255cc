"""Narration tests' helpers: a fixture snapshot with a zombie, and a rich object as plain text."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from proclab.snapshot.table import Snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "unit" / "fixtures"


def snap() -> Snapshot:
    return Snapshot.from_dict(json.loads((FIXTURES / "snapshot_zombie.json").read_text()))


def render(obj) -> str:
    c = Console(record=True, width=120, color_system=None)
    c.print(obj)
    return c.export_text()
