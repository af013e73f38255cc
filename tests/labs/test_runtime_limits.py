"""One deadline that always holds, and bounded output, on real containers (issue 14, items 1, 2, 5, 7).

A scenario that floods its output, an exec action that outlasts the timeout, a probe the
scenario SIGSTOPs, a container that exits during the timeout's snapshot: each run ends at
its ``timeout_s`` (plus the few seconds the final look and the removal take), holds a
bounded amount of output, and --json prints one strict document. Every bound here is many
times what the run needs and many times less than what the unbounded harness took.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import time

import pytest

from proclab import run_lab
from proclab.lab.events import Observer
from proclab.lab.outputstore import OutputLimits
from tests.support.cli import run_cli
from tests.support.documents import printed
from tests.support.harness import proclab_cmd, run_proclab
from tests.support.tinylab import HANG, HANG_TOML, containers_of, wait_hanging, write_lab

pytestmark = [pytest.mark.lab, pytest.mark.docker]

GRACE_S = 8  # past timeout_s: the final snapshot (at most 5 s), the removal, a busy host
# The whole command, start-up included (imports, the engine, the image check: 10 s on a busy
# host): what it must stay under is the minutes the unbounded harness took, or forever.
COMMAND_S = 90


def strict_json(text: str):
    return printed(text)  # strict: a NaN or Infinity fails it


def run_json(lab, timeout: float = 90) -> tuple[subprocess.CompletedProcess, dict, float]:
    # a subprocess with a deadline it is killed at: these tests are about the harness ending on time
    # (and, for the flood, about its own peak memory, read as RUSAGE_CHILDREN)
    t = time.monotonic()
    res = run_proclab("run", str(lab), "--json", timeout=timeout)
    took = time.monotonic() - t
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return res, strict_json(res.stdout), took


FLOOD = """
    import sys
    from labkit import checkpoint
    checkpoint("flooding")
    i = 0
    while True:
        print("progress", i)
        i += 1
"""


def test_an_endless_flood_times_out_on_time_with_bounded_memory_and_report(tmp_path, lab_image):
    lab = write_lab(tmp_path, "flood", FLOOD, "[settings]\ntimeout_s = 4\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    res, doc, took = run_json(lab, timeout=COMMAND_S)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    run = doc["runs"][0]
    assert run["timed_out"] and res.returncode == 1, run
    assert took < COMMAND_S, f"the command took {took:.1f} s with timeout_s = 4"
    assert run["duration_s"] < 4 + GRACE_S, run["duration_s"]
    limits = OutputLimits()
    assert len(run["output"]) <= limits.head_lines + limits.tail_lines
    gap = run["output_not_kept"]
    assert gap and gap["lines"] > 10_000 and gap["after_line"] == limits.head_lines, gap
    last = run["output"][-1]["text"]  # the run is ended mid-flood: its last line may be cut short
    assert run["output"][0]["text"] == "progress 0" and (
        last.startswith("progress") or "progress".startswith(last)
    ), last
    assert len(res.stdout) < 3 * limits.max_chars, f"the report is {len(res.stdout):,} bytes"
    assert "output" not in doc, "the output is stored once, per run"
    if peak_mb > before / 1024:  # this child was the largest so far: its peak is measured
        assert peak_mb < 400, f"the harness peaked at {peak_mb:.0f} MB"
    assert containers_of(lab.name) == []


def test_the_narrated_run_shows_a_flood_as_lines_not_shown_and_ends_on_time(tmp_path, lab_image):
    lab = write_lab(tmp_path, "flood", FLOOD, "[settings]\ntimeout_s = 4\n")
    # a subprocess with a deadline: the test is about the harness ending on time
    res = run_proclab("run", str(lab), timeout=COMMAND_S)
    assert res.returncode == 1, res.stdout[-2000:]
    assert "lines not shown" in res.stdout and "hit its timeout" in res.stdout, res.stdout[-2000:]
    [ended] = re.findall(r"■ main: exit code \S+, ([0-9.]+)s \(timed out\)", res.stdout)
    assert float(ended) < 4 + GRACE_S, ended
    assert res.stdout.count("│ progress") <= 2 * OutputLimits().head_lines + 10


BURST = """
    import os
    block = (b"x" * 99 + b"\\n") * 10_000          # 1 MB
    for _ in range(200):                            # 200 MB in all
        os.write(1, block)
    os.read(os.pipe()[0], 1)                        # then hang: the timeout ends it
"""


def test_a_200_mb_burst_with_timeout_5_ends_on_time(tmp_path, lab_image):
    lab = write_lab(tmp_path, "burst", BURST, "[settings]\ntimeout_s = 5\n")
    observed: list[int] = []

    class Count(Observer):
        def output_dropped(self, run, lines, chars):
            observed.append(lines)

    result = run_lab(lab, observer=Count())
    run = result.runs[0]
    assert run.timed_out and run.duration_s < 5 + GRACE_S, (run.timed_out, run.duration_s)
    assert observed == [run.output_dropped_lines] and run.output_dropped_lines > 0
    assert sum(len(o.text) for o in run.output) <= OutputLimits().max_chars


ONE_LINE = """
    import os
    from labkit import checkpoint
    os.write(1, b"y" * 50_000_000 + b"\\n")
    checkpoint("after-the-line")
"""


def test_a_50_mb_single_line_is_cut_and_the_run_goes_on(tmp_path, lab_image):
    lab = write_lab(tmp_path, "oneline", ONE_LINE, "[settings]\ntimeout_s = 30\n")
    result = run_lab(lab)
    run = result.runs[0]
    assert not run.timed_out and run.has("after-the-line"), (run.timed_out, run.error)
    assert (
        "more bytes of this line not kept" in run.output[0].text
        and len(run.output[0].text) < 300_000
    )


NESTED = """
    import os
    from labkit import checkpoint, CHECKPOINT_MARK
    deep = "[" * 200_000 + "]" * 200_000
    os.write(1, (CHECKPOINT_MARK + '{"name": "x", "pid": 1, "fifo": "/f", "data": {"d": ' + deep + '}}\\n').encode())
    print("AFTER-THE-DEEP-LINE", flush=True)
    checkpoint("done")
"""


def test_json_nested_200000_deep_in_a_checkpoint_line_does_not_kill_the_reader(tmp_path, lab_image):
    lab = write_lab(tmp_path, "nested", NESTED, "[settings]\ntimeout_s = 30\n")
    result = run_lab(lab)
    run = result.runs[0]
    assert not run.timed_out and run.has("done") and run.lines_with("AFTER-THE-DEEP-LINE"), (
        run.timed_out,
        run.error,
        [o.text[:80] for o in run.output],
    )


EXEC_SLEEP = """
    from labkit import checkpoint
    checkpoint("hold")
"""
# timeout_s = 5, not 3: on a busy host the scenario may take 2 s to reach its checkpoint
EXEC_TOML = """
    [settings]
    timeout_s = 5
    [[variant]]
    name = "main"
    actions = [ { at = "hold", do = "exec", command = ["sleep", "60"] } ]
"""


def test_an_exec_action_of_sleep_60_with_timeout_5_ends_at_about_5_s(tmp_path, lab_image):
    lab = write_lab(tmp_path, "execsleep", EXEC_SLEEP, EXEC_TOML)
    result = run_lab(lab)
    run = result.runs[0]
    assert run.timed_out and run.duration_s < 5 + GRACE_S, run.duration_s
    [action] = run.actions
    assert "timeout (5 s) came first" in action.data["error"], action.data


STOP_THE_PROBE = """
    import os, signal, threading, psutil
    from labkit import checkpoint

    def stop_every_probe():
        stopped = set()
        while True:      # the scenario's own watch: SIGSTOP each probe the harness starts
            for p in psutil.process_iter(["pid", "cmdline"]):
                line = " ".join(p.info["cmdline"] or [])
                if p.info["pid"] not in stopped and ("labkit.probe" in line or "labkit.resident" in line):
                    os.kill(p.info["pid"], signal.SIGSTOP)
                    stopped.add(p.info["pid"])
                    print("STOPPED-PROBE", p.info["pid"], flush=True)

    threading.Thread(target=stop_every_probe, daemon=True).start()
    checkpoint("look")
"""


def test_a_probe_the_scenario_sigstops_does_not_hang_the_harness(tmp_path, lab_image):
    lab = write_lab(tmp_path, "stopprobe", STOP_THE_PROBE, "[settings]\ntimeout_s = 4\n")
    res, doc, took = run_json(lab, timeout=COMMAND_S)
    run = doc["runs"][0]
    assert run["timed_out"] and run["duration_s"] < 4 + GRACE_S, run
    assert took < COMMAND_S
    assert any("STOPPED-PROBE" in o["text"] for o in run["output"]), run["output"]
    assert containers_of(lab.name) == []


EXIT_AT_THE_LOOK = """
    import os, threading, psutil

    def exit_when_looked_at():
        while True:      # the only look at this scenario is the timeout's (with top): exit in its middle
            for p in psutil.process_iter(["cmdline"]):
                line = " ".join(p.info["cmdline"] or [])
                # the resident probe is there from the go on; the exec probe, or top, is the look itself
                if "labkit.probe" in line or line.startswith("top "):
                    os._exit(3)

    threading.Thread(target=exit_when_looked_at, daemon=True).start()
    os.read(os.pipe()[0], 1)
"""


def test_a_container_that_exits_during_the_timeout_snapshot_is_no_traceback(tmp_path, lab_image):
    lab = write_lab(tmp_path, "exitlook", EXIT_AT_THE_LOOK, "[settings]\ntimeout_s = 2\n")
    res, doc, took = run_json(lab, timeout=COMMAND_S)
    run = doc["runs"][0]
    assert res.returncode == 1 and run["timed_out"], (res.returncode, run)
    assert took < COMMAND_S and run["duration_s"] < 2 + GRACE_S


def test_the_engine_log_of_a_lab_container_is_size_limited(tmp_path, lab_image):
    # 20 MB of output, then a checkpoint: the engine's own log of the container, read
    # while it is held there, is at most its 4 MB max-size (one file)
    lab = write_lab(
        tmp_path,
        "biglog",
        """
        import os
        from labkit import checkpoint
        for _ in range(20):
            os.write(1, (b"z" * 1023 + b"\\n") * 1024)
        checkpoint("written")
    """,
        "[settings]\ntimeout_s = 60\n",
    )
    seen: dict[str, object] = {}

    class LookAtTheLog(Observer):
        def checkpoint(self, run, snap):
            from proclab import engine

            cont = engine.client().containers.get(run.container)
            seen["config"] = cont.attrs["HostConfig"]["LogConfig"]
            seen["logged"] = len(cont.logs(stdout=True, stderr=True))

    result = run_lab(lab, observer=LookAtTheLog())
    assert result.runs[0].has("written"), result.runs[0].error
    assert seen["config"] == {"Type": "json-file", "Config": {"max-file": "1", "max-size": "4m"}}
    assert 0 < seen["logged"] <= 4 * 1024 * 1024, seen


HOSTILE = """
    from labkit import checkpoint
    print("\\x1b[2J\\x1b]0;pwned\\x07\\x1b[1A\\x1b[2K✔ PASSED [/x] [bold]not markup[/bold]", flush=True)
    checkpoint("\\x1b[31mred-name", note="\\x1b]8;;http://evil\\x1b\\\\link\\x1b]8;;\\x1b\\\\", lone="\\ud800")
"""
HOSTILE_TOML = """
    title = "r-[/x] \\u001b[5mblink"
    [settings]
    timeout_s = 30
"""


def test_control_characters_and_markup_from_a_lab_are_shown_never_obeyed(tmp_path, lab_image):
    lab = write_lab(tmp_path, "hostile", HOSTILE, HOSTILE_TOML)
    (lab / "README.md").write_text(
        "# hostile\n\nThe lesson \x1b[2J with [/x] in it.\n\n## more\n\ndeep\n"
    )
    res = run_cli("run", str(lab))
    assert res.returncode == 0 and "Traceback" not in res.stderr, (
        res.stdout[-2000:] + res.stderr[-2000:]
    )
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout, (
        "a raw control character reached the terminal"
    )
    assert "^[[2J^[]0;pwned^G^[[1A^[[2K✔ PASSED [/x] [bold]not markup[/bold]" in res.stdout
    assert "^[[31mred-name" in res.stdout and "^[]8;;http://evil" in res.stdout
    assert "r-[/x] ^[[5mblink" in res.stdout and "The lesson ^[[2J with [/x] in it." in res.stdout


ODD_DATA = """
    from labkit import checkpoint
    checkpoint("odd", ratio=float("nan"), big=float("inf"), text="\\ud800 lone")
"""
ODD_CHECKS = """
    from proclab.checks import check, expect

    @check("a figure JSON cannot hold, and a NaN")
    def odd_figures(lab):
        cp = lab.checkpoint("odd")
        return expect(cp.data["text"] == "\\ufffd lone", f"data: {cp.data}", pids={1, 2}, ratio=cp.data["ratio"])
"""


def test_json_is_strict_with_nan_infinity_a_lone_surrogate_and_an_odd_figure(tmp_path, lab_image):
    lab = write_lab(tmp_path, "odd", ODD_DATA, "[settings]\ntimeout_s = 30\n", ODD_CHECKS)
    res, doc, _ = run_json(lab)
    assert res.returncode == 0, (doc.get("checks"), doc.get("runs", [{}])[0].get("error"))
    [cp] = doc["checkpoints"]
    assert cp["data"]["ratio"] is None and cp["data"]["big"] is None
    notes = " ".join(doc["json_notes"])
    assert "ratio was nan" in notes and "big was inf" in notes and "is a set" in notes


def test_json_for_an_error_is_one_document_with_exit_code_2(tmp_path):
    res = run_cli("run", str(tmp_path / "no-such-lab"), "--json")
    assert res.returncode == 2
    doc = strict_json(res.stdout)
    assert doc["exit_code"] == 2 and "no-such-lab" in doc["error"]


def test_json_after_ctrl_c_says_interrupted_with_exit_130(tmp_path, lab_image):
    lab = write_lab(
        tmp_path,
        "hangjson",
        """
        import os
        from labkit import checkpoint
        checkpoint("hanging")
        os.read(os.pipe()[0], 1)
    """,
        "[settings]\ntimeout_s = 120\n",
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # a subprocess: the test signals the harness process itself (Ctrl-C)
    err = tmp_path / "stderr.txt"
    proc = subprocess.Popen(
        proclab_cmd("run", str(lab), "--json"),
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(
            c.status == "running" for c in containers_of(lab.name)
        ):  # wait on the engine's state: the Ctrl-C comes early, while the run sets up
            assert time.monotonic() < deadline and proc.poll() is None, (
                "the lab's container never ran"
            )
        os.kill(proc.pid, signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # CI saw it once: a Ctrl-C another thread took
            raise AssertionError(
                f"no exit 60 s after Ctrl-C; stderr: {err.read_text()[-2000:]}"
            ) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()  # a zombie harness would look alive to the next sweep
    assert proc.returncode == 130, err.read_text()[-2000:]
    doc = strict_json(out)
    assert doc["interrupted"] is True and doc["exit_code"] == 130
    assert containers_of(lab.name) == []


def test_only_the_harnesss_main_thread_may_take_a_ctrl_c(tmp_path, lab_image):
    """While a lab runs, every thread of the harness but its main one blocks SIGINT and SIGTERM
    (the kernel's SigBlk): a Ctrl-C another thread took was ignored until the lab's timeout."""
    lab = write_lab(tmp_path, "threadmask", HANG, HANG_TOML.format(timeout=120))
    proc = subprocess.Popen(
        proclab_cmd("run", str(lab), "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    try:
        wait_hanging([lab.name], still_running=lambda: proc.poll() is None)
        masks = {}
        for tid in os.listdir(f"/proc/{proc.pid}/task"):
            status = open(f"/proc/{proc.pid}/task/{tid}/status").read()
            name = re.search(r"^Name:\s*(.*)$", status, re.M).group(1)
            masks[(int(tid), name)] = int(re.search(r"^SigBlk:\s*(\w+)", status, re.M).group(1), 16)
        both = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
        assert len(masks) >= 3, masks  # the output reader and the kernel record's, at least
        for (tid, name), mask in masks.items():
            if tid == proc.pid:
                assert mask & both == 0, f"the main thread blocks {mask:#x}"
            else:
                assert mask & both == both, f"thread {tid} ({name}) may take a Ctrl-C: {mask:#x}"
        os.kill(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert containers_of(lab.name) == []


def test_json_after_ctrl_c_lists_the_labs_that_had_finished(tmp_path, lab_image):
    """The labs done before the Ctrl-C reach main's document through click's context (cli/state.py)."""
    done = write_lab(
        tmp_path,
        "donefirst",
        """
        from labkit import checkpoint
        checkpoint("ran")
    """,
    )
    hang = write_lab(
        tmp_path,
        "hangsecond",
        """
        import os
        from labkit import checkpoint
        checkpoint("hanging")
        os.read(os.pipe()[0], 1)
    """,
        "[settings]\ntimeout_s = 120\n",
    )
    proc = subprocess.Popen(
        proclab_cmd("run", str(done), str(hang), "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 90
        while not any(
            c.status == "running" for c in containers_of(hang.name)
        ):  # the first has ended
            assert time.monotonic() < deadline and proc.poll() is None, "the second lab never ran"
        os.kill(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    doc = strict_json(out)
    assert doc["interrupted"] is True and [lab["lab"] for lab in doc["labs"]] == [done.name]
    assert containers_of(hang.name) == []


def test_the_timeout_counts_from_the_containers_start(tmp_path, lab_image):
    # the harness's clock starts once the engine has started the container (its StartedAt),
    # not before the start call: start-up does not eat a short timeout_s
    lab = write_lab(
        tmp_path,
        "clock",
        """
        from labkit import checkpoint
        checkpoint("running")
    """,
        "[settings]\ntimeout_s = 60\n",
    )
    started: list[float] = []

    class EngineClock(Observer):
        def checkpoint(self, run, snap):
            if snap.name == "running":
                from datetime import datetime

                from proclab import engine

                stamp = engine.client().containers.get(run.container).attrs["State"]["StartedAt"]
                started.append(
                    datetime.fromisoformat(stamp[:26].rstrip("Z") + "+00:00").timestamp()
                )

    run = run_lab(lab, observer=EngineClock()).runs[0]
    assert started, (run.timed_out, run.error)
    assert run.started_at >= started[0] - 0.01, (run.started_at, started[0])
    assert run.started_at - started[0] < 5, "the clock started long after the container did"
