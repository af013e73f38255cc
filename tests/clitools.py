"""The CLI in-process, for tests that need no subprocess: exit code, stdout, stderr."""
from __future__ import annotations

from proclab.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err
