"""The CLI in-process through click's CliRunner: stdin, environment and the two output streams
isolated per call, the exit code as ``proclab`` (``proclab.cli.main``, which turns errors into
exit codes and ``Error:`` lines) would give it. A test that is *about* the process (signals, a
pty, a fresh interpreter's environment) uses tests/support/harness.py instead."""

from __future__ import annotations

import signal
import sys
from typing import NamedTuple

from click.testing import CliRunner

from proclab.cli import main


class CliRun(NamedTuple):
    """Named like subprocess.CompletedProcess's fields, and unpacks as (code, out, err)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first (for a test that reads what the user saw, wherever it went)."""
        return self.stdout + self.stderr


def run_cli(
    *argv: str, input: str | None = None, env: dict[str, str | None] | None = None
) -> CliRun:
    """``proclab ARGV`` in this process; ``env`` overrides os.environ for the call only (None unsets a variable)."""
    sigterm = signal.getsignal(
        signal.SIGTERM
    )  # main() installs its own handler: give pytest's back
    runner = CliRunner()
    code = 0
    try:
        with runner.isolation(input=input, env={"COLUMNS": "200", **(env or {})}) as (out, err, _):
            try:
                main(list(argv))
            except SystemExit as exit_:
                code = (
                    exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                )
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            stdout, stderr = (
                out.getvalue().decode(),
                err.getvalue().decode("utf-8", "backslashreplace"),
            )
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    return CliRun(code, stdout, stderr)


def one_line_error(res) -> str:
    """The single 'Error: ...' line, after asserting exit 2 and no traceback."""
    everything = res.stdout + res.stderr
    assert res.returncode == 2, everything
    assert "Traceback" not in everything, everything
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    return lines[0]
