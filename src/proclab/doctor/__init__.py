"""proclab doctor: check any image's pid 1 — does it reap, does it hear docker stop, does it
pass signals on. ``examine`` runs the image (engine calls only); ``verdicts`` judges what it
saw (pure); ``report`` makes the lab-run-shaped document of it."""

from __future__ import annotations

from .examine import examine, image_config
from .model import DoctorOptions, Findings
from .report import to_result

__all__ = ["DoctorOptions", "Findings", "examine", "image_config", "to_result"]
