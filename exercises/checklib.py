"""What the exercise checkers share: your processes, ps and top lines, your answers.

Each exercise's check.py defines ``check()`` returning ``result(...)``: passed or
not, and what the checker saw (raw ps/top lines, pids, numbers) so you can see why.
Runs inside the exploration host, as you: python3 + psutil + procps only.
Messages are in English or Chinese (``--lang zh``, or LANG=zh_CN.UTF-8); the evidence inside
them (ps and top lines, pids) is never translated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil

HOME = os.path.expanduser("~")
ANSWERS = os.path.join(HOME, "answers")  # what you write down
RECORDS = os.path.join(HOME, ".proclab")  # what the exercise helpers write down
ME = os.getuid()
PS_FIELDS = "pid,ppid,user:10,stat,ni,pcpu,args"
LANGS = ("en", "zh")


def language(argv: list[str] | None = None, environ: dict | None = None) -> str:
    """``--lang en|zh`` when given, else LC_ALL / LC_MESSAGES / LANG (the first one set), else en."""
    argv = sys.argv if argv is None else argv
    if "--lang" in argv[:-1]:
        value = argv[argv.index("--lang") + 1].lower().split("_")[0].split("-")[0]
        return value if value in LANGS else "en"
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var):
            return "zh" if env[var].lower().startswith("zh") else "en"
    return "en"


LANG = language()


def t(en: str, zh: str) -> str:
    """The message in the checker's language."""
    return zh if LANG == "zh" else en


def result(exercise: str, passed: bool, saw: str, **figures: object) -> dict:
    return {"exercise": exercise, "passed": bool(passed), "saw": saw, "figures": figures}


def mine() -> list[psutil.Process]:
    """Your processes (real uid is yours), this checker excluded."""
    out = []
    for p in psutil.process_iter():
        try:
            if p.uids().real == ME and p.pid != os.getpid():
                out.append(p)
        except psutil.Error:
            continue
    return out


def is_mine(pid: int) -> bool:
    try:
        return psutil.Process(pid).uids().real == ME
    except psutil.Error:
        return False


def alive(ident: dict | None) -> psutil.Process | None:
    """The process with this pid *and* create time (pids are reused), or None."""
    if not ident:
        return None
    try:
        p = psutil.Process(int(ident["pid"]))
        if abs(p.create_time() - float(ident["create_time"])) < 0.01:
            return p
    except (psutil.Error, KeyError, ValueError):
        pass
    return None


def ident(pid: int) -> dict:
    return {"pid": pid, "create_time": psutil.Process(pid).create_time()}


def state(p: psutil.Process) -> str:
    try:
        return p.status()
    except psutil.Error:
        return "gone"


def ps_line(pid: int) -> str:
    """ps's own line for pid, or '(pid N: not in the table)'."""
    out = subprocess.run(
        ["ps", "-o", PS_FIELDS, "-p", str(pid)],
        capture_output=True,
        text=True,
        env=dict(os.environ, LC_ALL="C", COLUMNS="200"),
    ).stdout.splitlines()
    return " ".join(out[1].split()) if len(out) > 1 else f"(pid {pid}: not in the table)"


def top_tasks() -> str:
    """top's 'Tasks:' line (total, running, sleeping, stopped, zombie)."""
    out = subprocess.run(
        ["top", "-b", "-n", "1"], capture_output=True, text=True, env=dict(os.environ, LC_ALL="C")
    ).stdout
    return next(
        (" ".join(ln.split()) for ln in out.splitlines() if ln.startswith("Tasks:")),
        "(no Tasks line)",
    )


def answer(name: str) -> str | None:
    """The text of ~/answers/NAME, stripped, or None when you have not written it."""
    try:
        with open(os.path.join(ANSWERS, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def record(name: str) -> dict | None:
    """What a helper script wrote to ~/.proclab/NAME.json, or None."""
    try:
        with open(os.path.join(RECORDS, f"{name}.json")) as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_record(name: str, doc: dict) -> None:
    os.makedirs(RECORDS, exist_ok=True)
    tmp = os.path.join(RECORDS, f".{name}.json.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, os.path.join(RECORDS, f"{name}.json"))


DONE = "done"  # the record of the exercises shown done, and when first
HINTS = "hints"  # the record of the hints asked for: {exercise: {level, asked: [{level, at}]}}


def hints_asked() -> dict:
    return record(HINTS) or {}


def with_hints(res: dict) -> dict:
    """The result with the highest hint level asked for its exercise (0: none)."""
    return {**res, "hints": hints_asked().get(res["exercise"], {}).get("level", 0)}


def record_hint(name: str, level: int, at: str) -> None:
    asked = hints_asked()
    entry = asked.setdefault(name, {"level": 0, "asked": []})
    entry["level"] = max(entry["level"], level)  # the most it took: a hint once seen stays seen
    entry["asked"].append({"level": level, "at": at})
    write_record(HINTS, asked)


def remember(res: dict) -> dict:
    """Once an exercise has been shown done it stays done: killing the zombie afterwards does not
    turn it back to 'not yet'. The result says when it was first seen done (``done_at``)."""
    import time

    done = record(DONE) or {}
    name = res["exercise"]
    res = with_hints(res)
    if res["passed"] and name not in done:
        done[name] = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "saw": res["saw"]}
        write_record(DONE, done)
    if name not in done:
        return res
    first = done[name]
    if res["passed"]:
        return {**res, "done_at": first["at"]}
    return {
        **res,
        "passed": True,
        "done_at": first["at"],
        "saw": t(
            f"done at {first['at']} (then: {first['saw']}); now: {res['saw']}",
            f"已于 {first['at']} 完成（当时：{first['saw']}）；现在：{res['saw']}",
        ),
    }


def report(res: dict) -> int:
    """Print one result for a person; exit status 0 when it passed."""
    first = f" ({t('first done', '首次完成于')} {res['done_at']})" if res.get("done_at") else ""
    mark = t("PASS", "通过") + first if res["passed"] else t("not yet", "还没有")
    print(f"{res['exercise']}: {mark}\n  {t('saw: ', '看到：')}{res['saw']}")
    return 0 if res["passed"] else 1


def run_standalone(check) -> None:
    res = remember(check())
    if "--json" in sys.argv:
        print(json.dumps(res))
        sys.exit(0)
    sys.exit(report(res))
