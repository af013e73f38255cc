"""Predict-then-reveal on real runs: every question of every lab observes a value, and the
lesson's expected answer agrees with what the lab observed; the CLI end to end, one lab and a
quiz over several, in English and in Chinese."""

from __future__ import annotations

import os
import sys

import pytest

from proclab.lab import spec as labspec
from proclab.lab.questions import load_questions, reveal
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.verdicts import assert_passed

pytestmark = [pytest.mark.lab, pytest.mark.docker]

PREDICT_LABS = labspec.builtin_names()


@pytest.mark.parametrize("name", PREDICT_LABS)
def test_expected_answers_match_what_the_lab_observed(name, run_lab_cached):
    result = run_lab_cached(name)
    assert_passed(result)  # an inconclusive CPU-timing lab (a busy host) skips: nothing to compare
    questions = load_questions(labspec.resolve(name))
    predictions = reveal(questions, {q.id: q.expected for q in questions}, result)
    for p in predictions:
        assert not p.problem, f"{name}/{p.question.id}: nothing observed: {p.problem}"
        assert p.correct, (
            f"{name}/{p.question.id}: the lesson says {p.answer!r}, the lab observed {p.observed!r}"
        )


def proclab(*args, stdin="", lang="C.UTF-8"):
    return run_cli(
        *args,
        input=stdin,
        env={"LANG": lang, "LC_ALL": None, "LC_MESSAGES": None, "COLUMNS": "100"},
    )


def test_cli_predict_from_stdin_json(lab_image):
    p = proclab(
        "run", "zombies", "--predict", "--json", stdin="Z\n1\n1\n"
    )  # the third is wrong; the fourth unanswered
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    doc = printed(p.stdout)
    got = {x["id"]: (x["answer"], x["observed"], x["correct"]) for x in doc["predictions"]}
    assert got == {
        "state": ("Z", "Z", True),
        "top-zombies": (1.0, 1, True),
        "after-waitpid": (1.0, 0, False),
        "unjoined-process": (None, True, None),
    }


def test_cli_answers_file_narrated(lab_image, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("orphan-ppid = 1\norphan-runs-on = 1\nsubreaper = 2\n")
    p = proclab("run", "orphans", "--answers", str(answers))
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    assert "your predictions, and what happened" in p.stdout
    assert "2 of 3 predictions right" in p.stdout


def test_cli_quiz_over_two_labs_scores_the_whole_quiz(lab_image, tmp_path):
    answers = tmp_path / "quiz.txt"
    answers.write_text(
        "[zombies]\nstate = Z\ntop-zombies = 1\n\n[orphans]\norphan-ppid = 1\nsubreaper = pid 1\n"
    )
    p = proclab("run", "zombies", "orphans", "--answers", str(answers))
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    assert "2 of 2 predictions right" in p.stdout and "1 of 2 predictions right" in p.stdout
    assert "3 of 4 predictions right" in p.stdout.split("quiz score")[-1] and "2 labs" in p.stdout


def test_cli_quiz_json_has_each_labs_predictions_and_the_score(lab_image, tmp_path):
    answers = tmp_path / "quiz.txt"
    answers.write_text("[zombies]\nZ\n[orphans]\n2\n")
    p = proclab("run", "zombies", "orphans", "--answers", str(answers), "--json")
    assert p.returncode == 0, p.stderr[-1500:]
    doc = printed(p.stdout)
    by_lab = {d["lab"]: d["predictions"] for d in doc["labs"]}
    assert by_lab["zombies"][0]["correct"] is True and by_lab["orphans"][0]["correct"] is False
    assert doc["score"] == {"right": 1, "judged": 2, "questions": 7}


def test_cli_run_in_chinese_from_the_environment(lab_image):
    p = proclab("run", "zombies", "--predict", stdin="Z\n", lang="zh_CN.UTF-8")
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    out = p.stdout
    assert "僵尸进程：已经退出" in out and "课程" in out and "检查点 zombie-created" in out
    assert (
        "✔ ps 显示僵尸进程为 Z，带 <defunct>" in out and "<defunct>" in out
    )  # the title in Chinese, evidence as measured
    assert "你的预测，和实际发生的" in out and "1 题中答对 1 题" in out and "通过  zombies" in out


def test_a_first_run_of_zombies_fits_in_about_two_screens(lab_image):
    p = proclab("run", "zombies")
    assert p.returncode == 0, p.stderr[-1500:]
    lines = p.stdout.splitlines()
    # 100 lines before the kernel's record; its events between checkpoints (13 in zombies: each
    # fork, exit, SIGCHLD and reap, at most 8 between two checkpoints by default), its check and
    # its column in the timeline come on top: --events none gives the old length back.
    assert len(lines) <= 130, f"{len(lines)} lines at 100 columns"
    quiet = proclab("run", "zombies", "--events", "none")
    assert len(quiet.stdout.splitlines()) <= 115, (
        f"{len(quiet.stdout.splitlines())} lines with --events none"
    )
    assert "more processes not shown" not in p.stdout or "--verbose" in p.stdout


def test_interactive_quiz_asks_each_lab_just_before_it_runs(lab_image):
    """A real pty (pexpect: the quiz is interactive only on a terminal): the quiz asks zombies' questions, runs zombies, then asks orphans' (in Chinese)."""
    import pexpect

    env = {
        **{k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")},
        "LANG": "zh_CN.UTF-8",
        "COLUMNS": "100",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "proclab.cli", "run", "zombies", "orphans", "--predict"],
        env=env,
        encoding="utf-8",
        timeout=300,
    )
    try:
        child.expect("先预测: zombies")
        child.expect("ps 给它显示什么状态字母")
        child.sendline("3")  # Z, by its number
        for _ in range(3):
            child.expect("> ")
            child.sendline("")  # skipped
        child.expect("1 题中答对 1 题")  # zombies ran and was scored before orphans is asked
        child.expect("先预测: orphans")
        child.sendline("1")
        for _ in range(2):
            child.expect("> ")
            child.sendline("")
        child.expect("测验得分")
        child.expect("2 题中答对 2 题")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
