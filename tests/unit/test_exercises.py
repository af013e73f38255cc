"""The exercise checkers against real processes on this machine (no Docker): they
fail until the state is there, and say what they saw. HOME is a temp folder, so
the answers and records they read are the test's own."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "answers").mkdir()
    for name in list(sys.modules):
        if name == "checklib" or name.startswith("exercise_"):
            del sys.modules[name]  # checklib reads HOME when imported
    monkeypatch.syspath_prepend(str(EXERCISES))
    return tmp_path


def checker(name: str):
    spec = importlib.util.spec_from_file_location(
        f"exercise_{name.replace('-', '_')}", EXERCISES / name / "check.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.check


def test_every_exercise_has_a_lesson_and_a_checker():
    sys.path.insert(0, str(EXERCISES))
    try:
        from check import ORDER, exercises
    finally:
        sys.path.remove(str(EXERCISES))
    assert exercises() == ORDER
    for name in ORDER:
        text = (EXERCISES / name / "README.md").read_text()
        assert "## Do" in text and "## Check" in text and "## Look for" in text, name


def test_signal_exit_wants_128_plus_the_signal(home):
    check = checker("signal-exit")
    assert not check()["passed"]  # nothing written yet
    (home / "answers" / "signal-exit").write_text("TERM 15\nKILL 137\n")
    res = check()
    assert not res["passed"] and "SIGTERM (15) as 143" in res["saw"]
    (home / "answers" / "signal-exit").write_text("TERM 143\n")
    assert not check()["passed"]  # one signal is not enough
    (home / "answers" / "signal-exit").write_text("SIGTERM 143\nkill 137\n10 138\n")
    res = check()
    assert res["passed"], res
    assert res["figures"]["statuses"] == {"SIGTERM": 143, "SIGKILL": 137, "SIGUSR1": 138}


def test_zombie_needs_a_real_zombie_and_its_pid(home):
    check = checker("zombie")
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # a zombie of this test process
        res = check()
        assert not res["passed"] and "~/answers/zombie is missing" in res["saw"]
        (home / "answers" / "zombie").write_text(f"{os.getpid()}\n")  # a pid, but not the zombie's
        assert not check()["passed"]
        (home / "answers" / "zombie").write_text(f"{pid}\n")
        res = check()
        assert res["passed"], res
        assert res["figures"]["zombie"] == pid and res["figures"]["parent"] == os.getpid()
        assert "<defunct>" in res["saw"]
    finally:
        os.waitpid(pid, 0)
    res = check()
    assert not res["passed"]  # reaped: no zombie any more


def test_orphan_needs_the_adopter_it_really_has(home):
    check = checker("orphan")
    # a child of this test process is no orphan, whatever the answer says
    child = subprocess.Popen(["sleep", "60"])
    try:
        (home / "answers" / "orphan").write_text(f"{child.pid} {os.getpid()}\n")
        res = check()
        assert not res["passed"] and "no orphan" in res["saw"], res
        (home / "answers" / "orphan").write_text(f"{child.pid} 1\n")
        res = check()
        assert not res["passed"] and f"parent is {os.getpid()}" in res["saw"], res
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


def test_kill_parent_follows_pid_and_start_time(home):
    check = checker("kill-parent")
    assert "no record" in check()["saw"]
    helper = subprocess.Popen(
        [sys.executable, str(EXERCISES / "kill-parent" / "zombie_parent.py")],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, HOME=str(home)),
    )
    try:
        line = helper.stdout.readline()  # written after the record
        assert "will never wait" in line
        res = check()
        assert not res["passed"] and "the parent still runs" in res["saw"], res
    finally:
        helper.kill()
        helper.wait()
    # This test process reaped the helper, but the helper's zombie child went to
    # whoever adopts orphans here, which may not reap at once: only the parent is certain.
    assert "the parent still runs" not in check()["saw"]


def test_a_pass_is_remembered_once_shown(home):
    """Once a learner has shown a zombie, reaping it later does not turn the exercise back to
    'not yet'; the result says when it was first seen done."""
    sys.modules.pop("check", None)  # bound to this test's HOME
    sys.path.insert(0, str(EXERCISES))
    try:
        import check as runner
    finally:
        sys.path.remove(str(EXERCISES))
    assert not runner.run_one("zombie")["passed"]
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        (home / "answers" / "zombie").write_text(f"{pid}\n")
        first = runner.run_one("zombie")
        assert first["passed"] and first["done_at"]
    finally:
        os.waitpid(pid, 0)
    assert not checker("zombie")()["passed"]  # the checker alone sees no zombie now
    later = runner.run_one("zombie")
    assert later["passed"] and later["done_at"] == first["done_at"]
    assert later["saw"].startswith(f"done at {first['done_at']}") and "now:" in later["saw"]


def run_script(
    home: Path, script: str, *args: str, lang: str = "C.UTF-8"
) -> subprocess.CompletedProcess:
    """An exercise script as the learner runs it: a fresh python3, HOME and LANG its own."""
    return subprocess.run(
        [sys.executable, str(EXERCISES / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home), "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""},
    )


def heads(text: str) -> int:
    return len(re.findall(r"^## ", text, re.M))


def fence(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def commands(blocks: list[str]) -> list[str]:
    return [ln.split("#")[0].strip() for b in blocks for ln in b.splitlines()]


def test_every_exercise_has_a_chinese_lesson_and_three_hints():
    import tomllib

    for name in sorted(p.parent.name for p in EXERCISES.glob("*/check.py")):
        en, zh = (
            (EXERCISES / name / "README.md").read_text(),
            (EXERCISES / name / "README.zh.md").read_text(),
        )
        assert heads(en) == heads(zh), f"{name}: the Chinese lesson has other sections"
        assert commands(fence(en)) == commands(fence(zh)), (
            f"{name}: the commands differ between the lessons"
        )
        hints = tomllib.loads((EXERCISES / name / "hints.toml").read_text())["hint"]
        assert len(hints) == 3 and all(h["en"] and h["zh"] for h in hints), name
        assert re.search(r"[\u4e00-\u9fff]", "".join(h["zh"] for h in hints)), name


def test_hints_come_in_order_and_are_recorded(home):
    first = run_script(home, "hint.py", "zombie")
    assert first.returncode == 0 and "hint 1 of 3 (a nudge)" in first.stdout, first
    second = run_script(home, "hint.py", "zombie")
    assert "hint 2 of 3 (the command)" in second.stdout and "os.fork()" in second.stdout
    answer = run_script(home, "hint.py", "orphan", "--level", "3", "--json")
    assert json.loads(answer.stdout)["level"] == 3  # not --json: the exercise folder's script
    record = json.loads((home / ".proclab" / "hints.json").read_text())
    assert record["zombie"]["level"] == 2 and [a["level"] for a in record["zombie"]["asked"]] == [
        1,
        2,
    ]
    assert record["orphan"]["level"] == 3
    # the checkers report the highest level asked, and the class report reads it from there
    listed = run_script(home, "check.py", "--json").stdout
    checked = {r["exercise"]: r for r in json.loads(listed)}  # not --json: the folder's checker
    assert (
        checked["zombie"]["hints"] == 2
        and checked["orphan"]["hints"] == 3
        and checked["renice"]["hints"] == 0
    )
    assert not checked["zombie"]["passed"]  # a hint is no pass
    zh = run_script(home, "hint.py", "zombie", "--lang", "zh")
    assert "第 3 个提示" in zh.stdout and "答案" in zh.stdout


def test_hint_mistakes_are_one_error_line(home):
    for args in (("nosuch",), ("zombie", "--level", "4"), ("zombie", "--levle", "2"), ()):
        res = run_script(home, "hint.py", *args)
        assert (
            res.returncode == 2 and res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1
        ), (args, res)
    assert not (home / ".proclab" / "hints.json").exists()


def test_the_checkers_speak_chinese(home):
    res = run_script(home, "check.py", "zombie", "signal-exit", "--lang", "zh")
    assert res.returncode == 1
    # whether this machine's user has zombies or not, the checker says so in Chinese
    assert "zombie: 还没有\n  看到：你的" in res.stdout and "僵尸进程" in res.stdout, res.stdout
    assert "还没有 ~/answers/signal-exit" in res.stdout
    (home / "answers" / "signal-exit").write_text("TERM 143\nKILL 137\n")
    env_zh = run_script(home, "check.py", "signal-exit", lang="zh_CN.UTF-8")
    assert (
        env_zh.returncode == 0
        and "signal-exit: 通过" in env_zh.stdout
        and "状态 143 = 128 + 15" in env_zh.stdout
    )
    en = run_script(home, "check.py", "signal-exit")
    assert "signal-exit: PASS" in en.stdout and "status 143" in en.stdout
    unknown = run_script(home, "check.py", "nosuch", "--lang", "zh")
    assert unknown.returncode == 2 and "没有叫 nosuch 的练习" in unknown.stderr


def test_explore_hint_names_what_is_wrong(tmp_path):
    from tests.support.cli import run_cli

    env = {"PROCLAB_STATE": str(tmp_path)}
    unknown = run_cli("explore", "hint", "nosuch", env=env)
    assert unknown.returncode == 2 and "no exercise named 'nosuch'; there are: " in unknown.stderr
    assert "zombie" in unknown.stderr and "Traceback" not in unknown.output
    level = run_cli("explore", "hint", "zombie", "--level", "4", env=env)
    assert level.returncode == 2 and "--level" in level.stderr
    no_host = run_cli("explore", "hint", "zombie", env=env)
    assert no_host.returncode == 2 and "no exploration host is up" in no_host.stderr
