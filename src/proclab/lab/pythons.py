"""Which Python a lab runs on: the lab image of each interpreter, and a lab's own say.

``proclab run LAB --python 3.14`` picks the image built on Debian forky; a lab.toml may
name the Python it needs (``python = "3.14"``) or the ones it supports, with a reason
(``pythons = ["3.11"]``, ``pythons_why = "..."``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import LabFormatError

DEFAULT = "3.11"
IMAGES = {"3.11": "lab", "3.14": "lab-py314"}  # python -> engine image name (proclab/<name>:<tag>)


@dataclass(frozen=True)
class PythonNeeds:
    python: str | None = None  # the one it needs (lab.toml `python`)
    pythons: tuple[str, ...] = tuple(IMAGES)  # the ones it passes on
    why: str = ""  # why not every one (lab.toml `pythons_why`)


def parse(raw: dict[str, Any], where: str) -> PythonNeeds:
    python = raw.get("python")
    pythons = tuple(str(p) for p in raw.get("pythons", IMAGES))
    for p in (python, *pythons):
        if p is not None and str(p) not in IMAGES:
            raise LabFormatError(f"{where}: unknown python '{p}'; known: {', '.join(IMAGES)}")
    if len(pythons) < len(IMAGES) and not raw.get("pythons_why"):
        raise LabFormatError(f"{where}: 'pythons' leaves some out; say why in 'pythons_why'")
    return PythonNeeds(str(python) if python else None, pythons, str(raw.get("pythons_why", "")))


def choose(asked: str | None, needs: PythonNeeds) -> str:
    """The Python to run on: the user's choice, else the lab's, else the default."""
    return asked or needs.python or DEFAULT
