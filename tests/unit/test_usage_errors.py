"""Bad input, Docker-free: each mistake gets one line naming the problem and the fix,
exit status 2, no traceback. Each case drives the CLI in-process (CliRunner)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.cli import one_line_error, run_cli
from tests.support.harness import run_proclab


def lab(tmp_path: Path, toml: str | None, scenario: bool = True) -> Path:
    d = tmp_path / "mylab"
    d.mkdir()
    if scenario:
        (d / "scenario.py").write_text("print('hello')\n")
    if toml is not None:
        (d / "lab.toml").write_text(textwrap.dedent(toml))
    return d


def test_unknown_lab_name_suggests_the_close_one():
    line = one_line_error(run_cli("run", "zombiez"))
    assert "no lab named 'zombiez'; did you mean 'zombies'" in line  # (or 'zombie-pileup')
    assert "orphans" not in line
    assert "path of a folder that holds a scenario.py" in line


def test_folder_without_scenario(tmp_path):
    d = lab(tmp_path, None, scenario=False)
    line = one_line_error(run_cli("run", str(d)))
    assert f"{d} has no scenario.py" in line


def test_malformed_toml_names_file_line_and_key(tmp_path):
    d = lab(
        tmp_path,
        """
        title = "mine"
        [settings]
        pids_limit =
    """,
    )
    line = one_line_error(run_cli("run", str(d)))
    assert f"{d / 'lab.toml'}: not valid TOML" in line
    assert "line 4" in line and "`pids_limit =`" in line and "fix that line" in line


def test_wrong_type_names_the_key_and_what_is_wrong(tmp_path):
    d = lab(
        tmp_path,
        """
        [settings]
        pids_limit = "lots"
    """,
    )
    line = one_line_error(run_cli("run", str(d)))
    assert (
        f"{d / 'lab.toml'}" in line
        and "setting 'pids_limit' must be an integer from 1 to 4096" in line
        and "'lots'" in line
    )


def test_unknown_setting_suggests_the_close_one(tmp_path):
    d = lab(
        tmp_path,
        """
        [settings]
        pid_limit = 64
    """,
    )
    line = one_line_error(run_cli("run", str(d)))
    assert "unknown setting 'pid_limit'" in line and "did you mean 'pids_limit'?" in line


def test_unknown_top_level_key(tmp_path):
    d = lab(tmp_path, 'titel = "typo"\n')
    line = one_line_error(run_cli("run", str(d)))
    assert "unknown key 'titel'" in line


def test_unknown_variant(tmp_path):
    line = one_line_error(run_cli("run", "zombies", "--variant", "nope"))
    assert "has no variant nope" in line


@pytest.mark.parametrize(
    "args",
    [("run", "zombies"), ("clean",), ("images", "build")],
    ids=["run", "clean", "images-build"],
)
def test_docker_engine_unreachable(args):
    # a subprocess: the engine client is made once per process, so DOCKER_HOST is read at start-up
    line = one_line_error(run_proclab(*args, env={"DOCKER_HOST": "unix:///nonexistent.sock"}))
    assert "the Docker engine at unix:///nonexistent.sock does not answer" in line
    assert "start one with" in line


# -- how a scenario's run ended: a non-zero exit is the lab's failure, with its cause, unless declared --


def _run(exit_code, stderr_lines, checkpoints=0, timed_out=False, **kw):
    from proclab.lab.result import OutputLine, RunRecord
    from proclab.lab.settings import Settings
    from proclab.snapshot.table import Snapshot

    rec = RunRecord(
        variant="main",
        settings=Settings(mem_limit="64m"),
        exit_code=exit_code,
        timed_out=timed_out,
        **kw,
    )
    rec.output = [OutputLine("stderr", ln, 0.1) for ln in stderr_lines]
    rec.checkpoints = [Snapshot(f"cp{i}", {}, 0.0, 1, [], "", None) for i in range(checkpoints)]
    return rec


TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/lab/scenario.py", line 3, in <module>',
    "    x = 1 / 0",
    "ZeroDivisionError: division by zero",
]
SYNTAX = [
    '  File "/lab/scenario.py", line 2',
    "    def f(:",
    "          ^",
    "SyntaxError: invalid syntax",
]


@pytest.mark.parametrize(
    "lines, last",
    [(TRACEBACK, "ZeroDivisionError: division by zero"), (SYNTAX, "SyntaxError: invalid syntax")],
    ids=["traceback", "syntax"],
)
def test_crash_before_the_first_checkpoint_is_named(lines, last):
    from proclab.lab.exits import problem

    why = problem(_run(1, lines))
    assert why.startswith(f"the scenario crashed before its first checkpoint (exit 1): {last}\n")
    assert 'File "/lab/scenario.py"' in why  # the traceback itself


def test_crash_after_the_last_checkpoint_is_named_with_its_traceback():
    from proclab.lab.exits import problem

    why = problem(_run(1, ["fine so far", *TRACEBACK], checkpoints=2))
    assert why.startswith("the scenario crashed after checkpoint 'cp1' (exit 1): ZeroDivisionError")
    assert "x = 1 / 0" in why


@pytest.mark.parametrize(
    "rec, words",
    [
        (
            _run(137, [], checkpoints=1, oom_killed=True),
            ["OOM killer", "mem_limit = '64m'", "exit 137"],
        ),
        (_run(137, [], checkpoints=1), ["killed by SIGKILL", "128+9", 'expect_exit = "signal"']),
        (_run(130, []), ["killed by SIGINT", "before its first checkpoint"]),
        (_run(3, ["bye"], checkpoints=1), ["exited 3 after checkpoint 'cp0'", "expect_exit = 3"]),
        (_run(0, [], expect_exit=2), ["exited 0", "expect_exit = 2"]),
        (_run(1, [], expect_exit=2), ["exited 1", "declares expect_exit = 2"]),
    ],
    ids=["oom", "sigkill", "sigint", "exit-3", "0-but-2-declared", "1-but-2-declared"],
)
def test_an_unexpected_exit_fails_naming_its_cause(rec, words):
    from proclab.lab.exits import problem

    why = problem(rec)
    assert why and all(w in why for w in words), why


@pytest.mark.parametrize(
    "rec",
    [
        _run(0, TRACEBACK),  # a child's traceback, the scenario itself exited 0
        _run(None, TRACEBACK, timed_out=True),  # timed out (expected or not: the timeout says so)
        _run(3, [], expect_exit=3),  # declared
        _run(143, [], expect_exit="signal"),  # declared: killed by a signal
    ],
    ids=["exit-0", "timed-out", "declared-3", "declared-signal"],
)
def test_an_expected_end_is_no_problem(rec):
    from proclab.lab.exits import problem

    assert problem(rec) is None


def test_an_exit_the_harness_caused_is_no_problem():
    from proclab.lab.exits import problem
    from proclab.lab.result import StopRecord

    stopped = _run(137, [], checkpoints=1)
    stopped.actions = [StopRecord("cp0", grace_s=2, exit_code=137)]
    assert problem(stopped) is None
    failed = _run(137, [], checkpoints=1)  # the stop itself failed: it did not cause the exit
    failed.actions = [StopRecord("cp0", grace_s=2, error="409")]
    assert "SIGKILL" in problem(failed)
