"""Every lesson a beginner can follow: a short part first (counted), the deep part after,
a Chinese lesson, Chinese titles, 3-6 questions in both languages, a glossary; and the
`show`/`list` commands in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from proclab.lab import lesson
from proclab.lab import spec as labspec
from proclab.lab.questions import load_questions
from tests.support.cli import run_cli
from tests.support.lessons import ByHand, by_hand

LABS = labspec.builtin_names()
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_labs_are_all_there():
    """The 21 original labs are still there (new ones are checked by every test below)."""
    original = {
        "daemons",
        "fork-basics",
        "forkbomb",
        "locks",
        "manager",
        "orphans",
        "parallelism",
        "pid1",
        "pipes",
        "pools",
        "priority",
        "process-api",
        "queues",
        "reaping",
        "scheduling",
        "semaphores-events",
        "signals",
        "socket-server",
        "start-methods",
        "states",
        "zombies",
    }
    assert original <= set(LABS)


@pytest.mark.parametrize("lab", LABS)
def test_the_short_part_comes_first_and_is_short(lab):
    les = lesson.load(labspec.resolve(lab).path, "en")
    assert les is not None and les.deep, (
        f"{lab}: README.md needs a '## Going deeper' heading after its short part"
    )
    n = lesson.words(les.short)
    assert n <= lesson.SHORT_WORDS, (
        f"{lab}: the short part has {n} words (at most {lesson.SHORT_WORDS})"
    )
    assert "proclab run" in les.short or "docker run" in les.short, (
        f"{lab}: the short part shows no command"
    )
    assert HAN.search(les.short), (
        f"{lab}: the English lesson names no Chinese term, e.g. 'zombie (僵尸进程)'"
    )


@pytest.mark.parametrize("lab", LABS)
def test_the_chinese_lesson_exists(lab):
    spec = labspec.resolve(lab)
    les = lesson.load(spec.path, "zh")
    assert les is not None and les.path.name == "README.zh.md", f"{lab}: no README.zh.md"
    assert les.deep, f"{lab}: README.zh.md needs a '## 深入' heading after its short part"
    assert len(HAN.findall(les.short)) >= 80, f"{lab}: README.zh.md's short part is hardly Chinese"
    assert spec.title_zh and HAN.search(spec.title_zh), f"{lab}: lab.toml has no title_zh"


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_questions_in_both_languages(lab):
    questions = load_questions(labspec.resolve(lab))
    assert 3 <= len(questions) <= 6, f"{lab}: {len(questions)} questions (3-6)"
    for q in questions:
        assert q.explain and q.expected is not None, f"{lab}/{q.id}: needs explain and expected"
        assert HAN.search(q.ask_zh) and HAN.search(q.explain_zh), (
            f"{lab}/{q.id}: needs ask_zh and explain_zh"
        )
        names = {
            n.id for n in ast.walk(ast.parse(q.observed, mode="eval")) if isinstance(n, ast.Name)
        }
        assert names & {"lab", "cp", "proc", "figure"}, (
            f"{lab}/{q.id}: observed must read the run, not state the answer"
        )


def test_the_glossary_names_a_lab_for_every_term():
    text = (
        Path(labspec.resolve("zombies").path).parent.parent / "docs" / "glossary.md"
    ).read_text()
    rows = [r for r in text.splitlines() if r.startswith("| ") and HAN.search(r.split("|")[1])]
    assert len(rows) >= 30
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), (
            f"glossary row needs term | English | lab | command: {r}"
        )
        for lab in re.findall(r"`([a-z0-9-]+)`", cells[2]):
            assert lab in LABS, f"glossary names a lab that does not exist: {lab}"
    for term in (
        "进程",
        "僵尸进程",
        "孤儿进程",
        "守护进程",
        "并发",
        "并行",
        "同步",
        "异步",
        "阻塞",
        "锁",
        "队列",
        "管道",
        "信号量",
        "进程池",
        "回调函数",
    ):
        assert any(r.split("|")[1].strip().startswith(term) for r in rows), (
            f"the glossary lacks {term}"
        )


def test_the_by_hand_matcher_can_fail():
    step = ByHand(
        "x", "docker run --rm proclab/lab true", ("  PID STAT", "  7 Z  [python3] <defunct>")
    )
    assert step.missing("   PID STAT\n   12 Z    [python3] <defunct>\n") == []
    assert step.missing("   PID STAT\n   12 S    [python3] <defunct>\n") == [
        "  7 Z  [python3] <defunct>"
    ]
    assert step.missing("   12 Z    [python3] <defunct>\n   PID STAT\n") == [
        "  7 Z  [python3] <defunct>"
    ]


@pytest.mark.parametrize("lab", ["zombies", "orphans", "signals", "pid1"])
def test_the_by_hand_steps_are_there(lab):
    options, image, command = by_hand(lab).docker_run()
    assert (
        image == "proclab/lab"
        and command
        and "proclab images build" in lesson.load(labspec.resolve(lab).path).short
    )


def test_language_from_the_option_or_the_environment():
    assert lesson.language(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert lesson.language(None, {"LANG": "en_US.UTF-8"}) == "en"
    assert lesson.language(None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"
    assert lesson.language("zh", {"LANG": "C"}) == "zh" and lesson.language("zh_CN") == "zh"


def proclab(*args, env_lang=None):
    return run_cli(*args, env={"LANG": env_lang or "C.UTF-8", "LC_ALL": None, "COLUMNS": "100"})


def test_show_prints_the_short_part_and_says_how_to_see_the_rest():
    p = proclab("show", "zombies")
    assert (
        p.returncode == 0
        and "What the checks prove" not in p.stdout
        and "<defunct>" not in p.stdout
    )
    assert "proclab show zombies --full" in p.stdout  # the answers are a command away
    full = proclab("show", "zombies", "--full")
    assert "What the checks prove" in full.stdout and "<defunct>" in full.stdout


def test_show_and_list_in_chinese():
    p = proclab("show", "zombies", "--lang", "zh")
    assert p.returncode == 0 and "僵尸进程" in p.stdout and "--full" in p.stdout
    assert "僵尸进程" in proclab("show", "zombies", env_lang="zh_CN.UTF-8").stdout
    listed = proclab("list", "--lang", "zh").stdout
    assert all(
        labspec.resolve(lab).title_zh.split("：")[0][:4] in listed for lab in ("zombies", "orphans")
    )


def test_a_bad_language_is_one_clear_error():
    p = proclab("show", "zombies", "--lang", "fr")
    assert p.returncode == 2 and p.stderr.startswith("Error:") and "--lang zh" in p.stderr


def test_each_stream_keeps_its_own_order_but_not_the_others():
    """Lines on stdout and stderr may arrive in either order without a terminal; within one
    stream the order still holds, and a line on neither stream is missing."""
    step = ByHand("x", "", ("main: last line", "[INFO] shutting down", "[INFO] terminate"))
    out, err = "main: last line\n", "[INFO] shutting down\n[INFO] terminate\n"
    assert step.missing_from_streams(out, err) == []
    assert step.missing(err + out) != []  # read as one stream, it is out of order
    assert step.missing_from_streams(out, "[INFO] terminate\n[INFO] shutting down\n") == [
        "[INFO] terminate"
    ]
    assert step.missing_from_streams("", err) == ["main: last line"]
