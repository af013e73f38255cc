"""The CLI's consoles and its one way to fail: an ``Error:`` line and an exit status."""

from __future__ import annotations

from typing import NoReturn

from rich.console import Console
from rich.text import Text

from ..ui.safe import visible

err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2, hint: str | None = None) -> NoReturn:
    # the message may quote a user's text: never read it as markup
    err_console.print(
        Text.assemble(("Error:", "bold red"), " ", visible(message)),
        highlight=False,
        soft_wrap=True,
    )
    if hint:
        err_console.print(Text(visible(hint, keep_newlines=True)), highlight=False)
    raise SystemExit(code)
