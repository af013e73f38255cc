"""The CLI in-process through click's CliRunner: stdin, environment and the two output streams
isolated per call, the exit code as ``proclab`` (``proclab.cli.main``, which turns errors into
exit codes and ``Error:`` lines) would give it. A test that is *about* the process (signals, a
pty, a fresh interpreter's environment) uses tests/support/harness.py instead.

A Ctrl-C (or SIGTERM) that reaches the test run while the CLI runs in-process is the user's, to
stop pytest: main() would turn it into exit 130 and the run would go on to the next test (seen
in full runs: pytest ignored both), so it is raised again as KeyboardInterrupt."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NamedTuple

from click.testing import CliRunner

from proclab.cli import interrupts, main


class CliRun(NamedTuple):
    """Named like subprocess.CompletedProcess's fields, and unpacks as (code, out, err)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, stdout first (for a test that reads what the user saw, wherever it went)."""
        return self.stdout + self.stderr


@contextmanager
def signals_reach_pytest() -> Iterator[None]:
    """Around an in-process main() (which puts pytest's handlers back itself): a SIGINT or
    SIGTERM that came meanwhile raised again as KeyboardInterrupt, once main() has ended."""
    came: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        came.append(signum)
        raise KeyboardInterrupt

    on_signal = interrupts._on_signal
    interrupts._on_signal = note  # what main() installs for SIGINT and SIGTERM
    try:
        yield
    finally:
        interrupts._on_signal = on_signal
        if came:  # over whatever the call ended with: exit 130, a failed assertion
            raise KeyboardInterrupt(f"signal {came[0]} while proclab ran in-process")


def run_cli(
    *argv: str, input: str | None = None, env: dict[str, str | None] | None = None
) -> CliRun:
    """``proclab ARGV`` in this process; ``env`` overrides os.environ for the call only (None unsets a variable)."""
    runner = CliRunner()
    code = 0
    with signals_reach_pytest():
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
    return CliRun(code, stdout, stderr)


def one_line_error(res) -> str:
    """The single 'Error: ...' line, after asserting exit 2 and no traceback."""
    everything = res.stdout + res.stderr
    assert res.returncode == 2, everything
    assert "Traceback" not in everything, everything
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    return lines[0]
