"""proclab: a containerized Linux process-lifecycle lab.

>>> import proclab
>>> result = proclab.run_lab("zombies")
>>> result.passed, [c.name for c in result.checks if not c.passed]
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ProclabError
from .lab.result import LabResult


def run_lab(name_or_path, **kwargs) -> LabResult:
    """Run a lab by name or path in real containers and return its checked result."""
    from .run.runner import run_lab as _run

    return _run(name_or_path, **kwargs)


__all__ = ["run_lab", "LabResult", "ProclabError", "__version__"]
