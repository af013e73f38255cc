"""Where proclab's own files are: the project root, the built-in labs, the images."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EnvironmentProblem


def project_root() -> Path:
    env = os.environ.get("PROCLAB_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "images" / "lab" / "Dockerfile").is_file():
            return parent
    raise EnvironmentProblem(
        "cannot find proclab's images/ and labs/ folders; install proclab from its checkout "
        "('pip install -e .') or set PROCLAB_HOME to the checkout"
    )


def labs_dir() -> Path:
    return project_root() / "labs"


def images_dir() -> Path:
    return project_root() / "images"


def reports_dir() -> Path:
    return Path(os.environ.get("PROCLAB_REPORTS", Path.cwd() / "reports"))
