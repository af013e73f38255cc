"""The proclab command line. Only this layer prints and chooses exit codes:
0 every check passed (or was inconclusive, without --strict), 1 a check failed,
2 a usage or environment error.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import ImageBuildError, ProclabError
from . import interrupts, jsonout
from .doctor_cmd import doctor
from .explore_cmd import explore_group
from .fork_cmd import fork
from .images_cmd import clean, images
from .lab_cmds import list_labs, show
from .mutate_cmd import mutate
from .output import err_console, fail
from .procrun_cmd import process_run
from .report_cmd import report
from .run_cmd import run
from .sched_cmd import sched
from .shell_cmd import shell
from .state import CliState


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proclab")
def cli() -> None:
    """proclab: see how Linux processes live and die, in real containers."""


for command in (
    list_labs,
    show,
    run,
    report,
    mutate,
    images,
    clean,
    sched,
    fork,
    process_run,
    explore_group,
    doctor,
    shell,
):
    cli.add_command(command)


# click 8.2+ says "a group without its command" with this error (its message is the help);
# click 8.1 exits with the help instead
HELP_FOR_NO_ARGS: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _one_line(e: click.ClickException) -> str:
    """click's parse error as proclab's own usage errors read: one line, the mistake and where
    the fix is (proclab's commands raise proclab.errors.UsageError, never click's)."""
    message = " ".join(e.format_message().split())
    ctx = e.ctx if isinstance(e, click.UsageError) else None
    return f"{message} (see '{ctx.command_path} -h')" if ctx is not None else message


def main(argv: list[str] | None = None) -> None:
    with interrupts.interruptible():  # Ctrl-C, SIGTERM: KeyboardInterrupt, whatever main waits on
        _main(argv)


def _main(argv: list[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = jsonout.requested(args)
    state = CliState()  # the commands' contexts hold it (ctx.obj); read here once they end
    try:
        cli.main(args=args, prog_name="proclab", standalone_mode=False, obj=state)
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code) from None
    except HELP_FOR_NO_ARGS as e:  # 'proclab images': the group's help, as click shows it
        e.show()
        raise SystemExit(e.exit_code) from None
    except click.ClickException as e:  # click's own: an unknown option, a missing argument
        message = _one_line(e)
        if as_json:
            jsonout.emit_error(message, e.exit_code)
        fail(message, e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        from .. import engine

        try:
            engine.remove_own()  # what an interrupted create made, if anything
        except (
            Exception,
            KeyboardInterrupt,
        ):  # a dead engine, a second Ctrl-C: the next command sweeps
            pass
        if as_json:
            jsonout.emit_interrupted(state.finished)
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
