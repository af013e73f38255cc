"""Predict-then-reveal on real runs: every question of the five labs observes a value,
and the lesson's expected answer agrees with what the lab observed; the CLI end to end."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from proclab.lab import spec as labspec
from proclab.lab.questions import load_questions, reveal
from tests.conftest import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]

PREDICT_LABS = ["zombies", "orphans", "reaping", "fork-basics", "scheduling"]


@pytest.mark.parametrize("name", PREDICT_LABS)
def test_expected_answers_match_what_the_lab_observed(name, run_lab_cached):
    result = run_lab_cached(name)
    assert result.passed, explain(result)
    questions = load_questions(labspec.resolve(name))
    predictions = reveal(questions, {q.id: q.expected for q in questions}, result)
    for p in predictions:
        assert not p.problem, f"{name}/{p.question.id}: nothing observed: {p.problem}"
        assert p.correct, f"{name}/{p.question.id}: the lesson says {p.answer!r}, the lab observed {p.observed!r}"


def proclab(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "proclab.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=240)


def test_cli_predict_from_stdin_json(lab_image):
    p = proclab("run", "zombies", "--predict", "--json", stdin="Z\n1\n1\n")   # the third is wrong; the fourth unanswered
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    doc = json.loads(p.stdout)
    got = {x["id"]: (x["answer"], x["observed"], x["correct"]) for x in doc["predictions"]}
    assert got == {"state": ("Z", "Z", True), "top-zombies": (1.0, 1, True), "after-waitpid": (1.0, 0, False),
                   "unjoined-process": (None, True, None)}


def test_cli_answers_file_narrated(lab_image, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("orphan-ppid = 1\nold-parent = yes\nsubreaper = 2\n")
    p = proclab("run", "orphans", "--answers", str(answers))
    assert p.returncode == 0, (p.stderr[-1500:], p.stdout[-3000:])
    assert "your predictions, and what happened" in p.stdout
    assert "2 of 3 predictions right" in p.stdout
