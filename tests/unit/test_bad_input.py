"""Bad input, Docker-free: each mistake gets one line naming the problem and the fix,
exit status 2, no traceback. Each case drives the real CLI in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest



def proclab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proclab.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80", **(env or {})}, timeout=60)


def one_line_error(res: subprocess.CompletedProcess) -> str:
    """The single 'Error: ...' line, after asserting exit 2 and no traceback."""
    everything = res.stdout + res.stderr
    assert res.returncode == 2, everything
    assert "Traceback" not in everything, everything
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    return lines[0]


def lab(tmp_path: Path, toml: str | None, scenario: bool = True) -> Path:
    d = tmp_path / "mylab"
    d.mkdir()
    if scenario:
        (d / "scenario.py").write_text("print('hello')\n")
    if toml is not None:
        (d / "lab.toml").write_text(textwrap.dedent(toml))
    return d


def test_unknown_lab_name_suggests_the_close_one():
    line = one_line_error(proclab("run", "zombiez"))
    assert "no lab named 'zombiez'; did you mean 'zombies'?" in line
    assert "orphans" not in line
    assert "path of a folder that holds a scenario.py" in line


def test_folder_without_scenario(tmp_path):
    d = lab(tmp_path, None, scenario=False)
    line = one_line_error(proclab("run", str(d)))
    assert f"{d} has no scenario.py" in line


def test_malformed_toml_names_file_line_and_key(tmp_path):
    d = lab(tmp_path, """
        title = "mine"
        [settings]
        pids_limit =
    """)
    line = one_line_error(proclab("run", str(d)))
    assert f"{d / 'lab.toml'}: not valid TOML" in line
    assert "line 4" in line and "`pids_limit =`" in line and "fix that line" in line


def test_wrong_type_names_the_key_and_what_is_wrong(tmp_path):
    d = lab(tmp_path, """
        [settings]
        pids_limit = "lots"
    """)
    line = one_line_error(proclab("run", str(d)))
    assert f"{d / 'lab.toml'}" in line and "setting 'pids_limit' must be a int" in line and "'lots'" in line


def test_unknown_setting_suggests_the_close_one(tmp_path):
    d = lab(tmp_path, """
        [settings]
        pid_limit = 64
    """)
    line = one_line_error(proclab("run", str(d)))
    assert "unknown setting 'pid_limit'" in line and "did you mean 'pids_limit'?" in line


def test_unknown_top_level_key(tmp_path):
    d = lab(tmp_path, 'titel = "typo"\n')
    line = one_line_error(proclab("run", str(d)))
    assert "unknown key 'titel'" in line


def test_unknown_variant(tmp_path):
    line = one_line_error(proclab("run", "zombies", "--variant", "nope"))
    assert "has no variant nope" in line


@pytest.mark.parametrize("args", [("run", "zombies"), ("clean",), ("images", "build")],
                         ids=["run", "clean", "images-build"])
def test_docker_engine_unreachable(args):
    line = one_line_error(proclab(*args, env={"DOCKER_HOST": "unix:///nonexistent.sock"}))
    assert "the Docker engine at unix:///nonexistent.sock does not answer" in line
    assert "start one with" in line


# -- a scenario that crashes at start: the lab's failure, told apart from a lab that exits 1 on purpose --

def _run(exit_code, stderr_lines, checkpoints=0, timed_out=False):
    from proclab.snapshot.table import Snapshot
    from proclab.lab.result import OutputLine, RunRecord

    rec = RunRecord(variant="main", settings={}, exit_code=exit_code, timed_out=timed_out)
    rec.output = [OutputLine("stderr", ln, 0.1) for ln in stderr_lines]
    rec.checkpoints = [Snapshot(f"cp{i}", {}, 0.0, 1, [], "", None) for i in range(checkpoints)]
    return rec


TRACEBACK = ["Traceback (most recent call last):", '  File "/lab/scenario.py", line 3, in <module>',
             "    x = 1 / 0", "ZeroDivisionError: division by zero"]
SYNTAX = ['  File "/lab/scenario.py", line 2', "    def f(:", "          ^", "SyntaxError: invalid syntax"]


@pytest.mark.parametrize("lines, last", [(TRACEBACK, "ZeroDivisionError: division by zero"),
                                         (SYNTAX, "SyntaxError: invalid syntax")], ids=["traceback", "syntax"])
def test_crash_before_the_first_checkpoint_is_named(lines, last):
    from proclab.run.variant import crashed_at_start

    why = crashed_at_start(_run(1, lines))
    assert why == f"the scenario crashed before its first checkpoint (exit 1): {last}"


@pytest.mark.parametrize("rec", [
    _run(1, TRACEBACK, checkpoints=1),      # crashed later: its checks say what is missing
    _run(1, ["bye"]),                        # sys.exit(1) on purpose, no traceback
    _run(0, TRACEBACK),                      # a child's traceback, the scenario itself exited 0
    _run(137, TRACEBACK),                    # killed
    _run(None, TRACEBACK, timed_out=True),   # timed out
], ids=["after-a-checkpoint", "exit-1-no-traceback", "exit-0", "killed", "timed-out"])
def test_not_a_crash_at_start(rec):
    from proclab.run.variant import crashed_at_start

    assert crashed_at_start(rec) is None
