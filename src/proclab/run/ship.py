"""Pack a lab folder for the container: labkit.boot unpacks it into /lab."""

from __future__ import annotations

import base64
import io
import tarfile
from pathlib import Path

from ..errors import LabFormatError

MAX_LAB_BYTES = 96 * 1024
# Read on the host only: the lesson, the checks, the questions and the settings stay out.
SHIP_SKIP = {"README.md", "checks.py", "questions.toml", "lab.toml"}


def ship(path: Path) -> str:
    """The lab folder as a base64 gzip tar for labkit.boot (no checks, lesson or settings)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for f in sorted(path.rglob("*")):
            rel = f.relative_to(path)
            if f.is_file() and rel.name not in SHIP_SKIP and "__pycache__" not in rel.parts:
                tar.add(f, arcname=str(rel))
    blob = base64.b64encode(buf.getvalue()).decode()
    if len(blob) > MAX_LAB_BYTES:
        raise LabFormatError(
            f"{path} packs to {len(blob) // 1024} KiB; a lab folder must pack under "
            f"{MAX_LAB_BYTES // 1024} KiB: move data out of it"
        )
    return blob
