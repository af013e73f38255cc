"""The command line: the click commands (``proclab``, ``explore``, ``sched``) and the
compose supervisor (``composehook``). The only place that prints verdicts and picks exit codes.
"""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
