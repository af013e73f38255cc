"""What a command leaves for cli/main.py's error paths, kept in click's context (``ctx.obj``):
main makes it and passes it to click, and every command's context inherits it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click


@dataclass
class CliState:
    # the labs that finished before a Ctrl-C: run sets it, main's --json document lists them
    finished: list[dict[str, Any]] = field(default_factory=list)


def cli_state() -> CliState:
    """This command line's state (a fresh one for a command run without main, as click's own
    test runner does)."""
    return click.get_current_context().ensure_object(CliState)
