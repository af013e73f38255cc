"""Predict-then-reveal without Docker: questions files, the expression subset, answers,
judging, and the CLI's usage errors (which all happen before a lab runs)."""

from __future__ import annotations

import re

import pytest

from proclab.errors import LabFormatError, UsageError
from proclab.lab import spec as labspec
from proclab.lab.answers import ask, from_text, parse_answers
from proclab.lab.questions import Question, check_expression, load_questions, reveal
from proclab.lab.result import CheckResult, LabResult
from proclab.lab.status import Status
from tests.support.cli import run_cli

PREDICT_LABS = ["zombies", "orphans", "reaping", "fork-basics", "scheduling"]


@pytest.mark.parametrize("name", PREDICT_LABS)
def test_the_five_labs_have_questions(name):
    questions = load_questions(labspec.resolve(name))
    assert len(questions) >= 3
    assert all(q.expected is not None and q.explain for q in questions), (
        "every question states the lesson's answer"
    )


def test_every_questions_file_loads():
    for name in labspec.builtin_names():
        spec = labspec.resolve(name)
        if (spec.path / "questions.toml").is_file():
            load_questions(spec)


@pytest.mark.parametrize(
    "expr",
    [
        '__import__("os").system("true")',
        "lab.__class__",
        "lab._private",
        "(lambda: 1)()",
        "(x := 1)",
        "[].__class__.__bases__",
        "lab.runs[0].exit_code if 1 else 2 ;",
        "import os",
        # attribute access reaches internals through str.format's own mini-language: refused by name
        '"{0.__globals__}".format(cp)',
        '"{0.__globals__[os].environ}".format(cp)',
        'str.format("{0.__init__}", lab)',
        '"{x.__class__}".format_map({"x": lab})',
        "lab.report_dir.read_text()",
        "lab.path.upper",
        "str.mro()",
    ],
)
def test_unsafe_expressions_are_refused(expr):
    with pytest.raises(LabFormatError):
        check_expression(expr)


def test_format_cannot_print_the_harness_environment(monkeypatch):
    """The attack of issue 14: a question that prints the harness's environment through str.format."""
    monkeypatch.setenv("PROCLAB_SECRET", "hunter2")
    q = Question("q", "?", "text", '"{0.__init__.__globals__[os].environ}".format(cp)')
    (p,) = reveal([q], {}, LabResult("x", "x", "/x"))
    assert p.observed is None and "hunter2" not in str(p.observed) + p.problem
    assert "may not use the attribute '.format'" in p.problem


def test_every_attribute_the_builtin_questions_use_is_allowed():
    import ast

    from proclab.lab.observed import ATTRIBUTES

    used = set()
    for name in labspec.builtin_names():
        spec = labspec.resolve(name)
        if (spec.path / "questions.toml").is_file():
            for q in load_questions(spec):
                used |= {
                    n.attr
                    for n in ast.walk(ast.parse(q.observed, mode="eval"))
                    if isinstance(n, ast.Attribute)
                }
    assert (
        used
        and used <= ATTRIBUTES
        and "format" not in ATTRIBUTES
        and "format_map" not in ATTRIBUTES
    )


def reveal_one(q, result):
    (p,) = reveal([q], {}, result)
    if p.problem:
        raise RuntimeError(p.problem)
    return p.observed


def test_only_the_listed_builtins_exist():
    q = Question("q", "?", "text", "open('/etc/hostname')")
    p = reveal([q], {}, LabResult("x", "x", "/x"))[0]
    assert p.problem.startswith("NameError") and p.correct is None


def test_figure_and_find_read_check_figures():
    result = LabResult(
        "x",
        "x",
        "/x",
        checks=[
            CheckResult(
                "one", Status.PASSED, "ok", {"rows": [{"job": "A", "t": 1}, {"job": "B", "t": 2}]}
            ),
            CheckResult("two", Status.PASSED, "ok", {"zombies": 1}),
        ],
    )
    assert (
        reveal_one(Question("q", "?", "number", 'find(figure("rows"), job="B")["t"] * 10'), result)
        == 20
    )
    (p,) = reveal([Question("z", "?", "number", 'figure("zombies")')], {"z": 1.0}, result)
    assert p.correct is True and p.observed == 1


QS = [
    Question("n", "how many?", "number", "0", tolerance=0.5),
    Question("c", "which?", "choice", "0", choices=("parent", "child")),
    Question("yn", "is it?", "choice", "0", choices=("yes", "no")),
    Question("t", "say", "text", "0"),
]


def test_answers_by_id_with_comments():
    got = parse_answers("# mine\nn = 3  # a guess\nc: Child\n\nt = hello world\n", QS)
    assert got == {"n": 3.0, "c": "child", "t": "hello world"}


def test_answers_in_order_and_by_number():
    assert parse_answers("2\n1\n2\n", QS) == {"n": 2.0, "c": "parent", "yn": "no"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("n = three", "wants a number"),
        ("c = sibling", "not one of its choices"),
        ("x = 1", "no question 'x'"),
        ("n = 1\n2", "mix of"),
        ("1\n1\n1\n1\n1", "5 answers for 4"),
    ],
)
def test_bad_answers_name_the_problem(text, message):
    with pytest.raises(UsageError, match=message):
        parse_answers(text, QS)


def test_judging():
    n, c, yn, t = QS
    assert n.judge(3.0, 3.4) and not n.judge(3.0, 3.6)
    assert c.judge("child", "Child") and not c.judge("parent", "child")
    assert yn.judge("yes", True) and yn.judge("no", False) and not yn.judge("yes", False)
    assert t.judge("Hello  World", "hello world")


def test_ask_prompts_again_after_a_bad_answer():
    replies = iter(["three", "3", "", "2"])
    complaints = []
    got = ask(QS[:3], lambda q: next(replies), complaints.append)
    assert (
        got == {"n": 3.0, "yn": "no"} and len(complaints) == 1 and "wants a number" in complaints[0]
    )


def test_questions_file_errors(tmp_path):
    (tmp_path / "scenario.py").write_text("print('hi')\n")
    spec = labspec.load(tmp_path)
    with pytest.raises(UsageError, match="no questions"):
        load_questions(spec)
    (tmp_path / "questions.toml").write_text(
        '[[question]]\nid = "a"\nask = "?"\nkind = "choice"\nchoices = ["x"]\nobserved = "1"\n'
    )
    with pytest.raises(LabFormatError, match="two or more"):
        load_questions(spec)
    (tmp_path / "questions.toml").write_text(
        '[[question]]\nid = "a"\nask = "?"\nkind = "number"\nobserved = "lab._x"\n'
    )
    with pytest.raises(LabFormatError, match="starting with '_'"):
        load_questions(spec)


def proclab(*args, stdin=""):
    return run_cli(*args, input=stdin)


def test_a_quiz_file_gives_each_lab_its_answers():
    specs = [labspec.resolve("zombies"), labspec.resolve("orphans")]
    plans = from_text(specs, "# my quiz\n[zombies]\nstate = Z\n\n[orphans]\n1\n", "quiz.txt")
    assert plans["zombies"][1] == {"state": "Z"}
    assert list(plans["orphans"][1].values()) == [1.0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("Z\n1\n", "under a [lab] line"),
        ("[forkbomb]\n1\n", "not a lab of this run"),
        ("[zombies]\nstate = Q\n", "'Q' is not one of its choices"),
    ],
)
def test_a_bad_quiz_file_is_named(text, message):
    specs = [labspec.resolve("zombies"), labspec.resolve("orphans")]
    with pytest.raises(UsageError, match=re.escape(message)):
        from_text(specs, text, "quiz.txt")


def test_cli_quiz_bad_answers_fail_before_any_lab_runs(tmp_path):
    answers = tmp_path / "a.txt"
    answers.write_text("[zombies]\nstate = Q\n")
    p = proclab("run", "--all", "--answers", str(answers))
    assert (
        p.returncode == 2
        and "'Q' is not one of its choices" in p.stderr
        and "Traceback" not in p.stderr
    )


def test_chinese_questions_and_choices():
    spec = labspec.resolve("zombies")
    q = load_questions(spec)[0]
    assert q.ask_zh and q.explain_zh and "僵尸" in q.text("zh") + q.explanation("zh")
    assert q.text("en") == q.ask


def test_cli_bad_answer_fails_before_the_lab_runs(tmp_path):
    answers = tmp_path / "a.txt"
    answers.write_text("state = Q\n")
    p = proclab("run", "zombies", "--answers", str(answers))
    assert (
        p.returncode == 2
        and "'Q' is not one of its choices" in p.stderr
        and "Traceback" not in p.stderr
    )
    p = proclab("run", "zombies", "--answers", str(tmp_path / "missing.txt"))
    assert p.returncode == 2 and "no answers file" in p.stderr


def test_cli_lab_without_questions(tmp_path):
    (tmp_path / "scenario.py").write_text("print('hi')\n")
    p = proclab("run", str(tmp_path), "--predict", stdin="1\n")
    assert p.returncode == 2 and "has no questions" in p.stderr


def test_comprehensions_see_the_names():
    result = LabResult(
        "x",
        "x",
        "/x",
        checks=[CheckResult("one", Status.PASSED, "ok", {"rows": [{"t": 1}, {"t": 3}]})],
    )
    q = Question(
        "q",
        "?",
        "number",
        '[r["t"] for r in figure("rows") if r["t"] == max(k["t"] for k in figure("rows"))][0]',
    )
    assert reveal_one(q, result) == 3
