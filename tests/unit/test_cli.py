"""The CLI's ordinary paths, without Docker: list, show, help, usage errors."""

import os
import signal

import pytest

from tests.support.cli import run_cli as run


def test_list_names_every_lab():
    from proclab.lab import spec as labspec

    code, out, _ = run("list")
    assert code == 0
    for name in labspec.builtin_names():
        assert name in out


def test_show_prints_the_lesson():
    code, out, _ = run("show", "zombies")
    assert (
        code == 0
        and "Predict." in out
        and "variant main" in out
        and "proclab show zombies --full" in out
    )


def test_run_without_a_lab_is_a_usage_error():
    code, _, err = run("run")
    assert code == 2 and "name a lab" in err


def test_unknown_lab_is_one_line_and_lists_labs():
    code, _, err = run("show", "zombiez")
    assert code == 2
    assert err.strip().startswith("Error: no lab named 'zombiez'") and "zombies" in err
    assert "Traceback" not in err


def test_help():
    code, out, _ = run("--help")
    assert code == 0 and "run" in out and "images" in out and "clean" in out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_while_the_cli_runs_in_process_stops_pytest(monkeypatch, sig):
    """main() turns Ctrl-C into exit 130; in a test run the user's Ctrl-C (or CI's SIGTERM) must
    stop pytest instead of failing one test and going on to the next (seen in full runs)."""
    from proclab.lab import course

    def interrupted(specs):
        os.kill(os.getpid(), sig)  # delivered to this, the main thread, before kill returns
        raise AssertionError("the signal's handler did not run")

    monkeypatch.setattr(course, "in_course_order", interrupted)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt, match=f"signal {int(sig)}"):
        run("list")
    assert signal.getsignal(signal.SIGTERM) is before  # pytest's own handler, given back
    monkeypatch.undo()
    assert run("list").returncode == 0  # and the next call runs as ever
