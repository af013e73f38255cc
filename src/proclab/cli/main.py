"""The proclab command line. Only this layer prints and chooses exit codes:
0 every check passed (or was inconclusive, without --strict), 1 a check failed,
2 a usage or environment error.
"""
from __future__ import annotations

import signal
import sys
from typing import Any

import click

from .. import __version__
from ..errors import ImageBuildError, ProclabError
from . import jsonout
from .doctor_cmd import doctor
from .explore import explore_group
from .fork_cmd import fork
from .images_cmd import clean, images
from .lab_cmds import list_labs, show
from .mutate_cmd import mutate
from .output import err_console, fail
from .procrun_cmd import process_run
from .report_cmd import report
from .run_cmd import run
from .sched import sched
from .step import shell


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proclab")
def cli() -> None:
    """proclab: see how Linux processes live and die, in real containers."""


for command in (list_labs, show, run, report, mutate, images, clean, sched, fork, process_run, explore_group, doctor, shell):
    cli.add_command(command)


def _on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = jsonout.requested(args)
    try:
        cli.main(args=args, prog_name="proclab", standalone_mode=False)
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code) from None
    except click.ClickException as e:
        if as_json:
            jsonout.emit_error(e.format_message(), e.exit_code)
        e.show()
        raise SystemExit(e.exit_code) from None
    except (click.exceptions.Abort, KeyboardInterrupt):   # click turns Ctrl-C into Abort
        from .. import engine

        try:
            engine.remove_own()     # what an interrupted create made, if anything
        except (Exception, KeyboardInterrupt):   # a dead engine, a second Ctrl-C: the next command sweeps
            pass
        if as_json:
            jsonout.emit_interrupted()
        err_console.print("Interrupted: the lab's containers were removed.")
        raise SystemExit(130) from None
    except ImageBuildError as e:
        tail = "\n".join("  " + ln for ln in e.log_tail[-8:])
        if as_json:
            jsonout.emit_error(str(e), 2)
        fail(str(e), 2, f"last lines of the build:\n{tail}" if tail else None)
    except ProclabError as e:
        if as_json:
            jsonout.emit_error(str(e), e.exit_code)
        fail(str(e), e.exit_code)
