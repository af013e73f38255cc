"""The hand-over between the harness and the labs service's post_start hook,
on a real FIFO in a temp dir (no Docker: the hook side runs in a thread)."""
from __future__ import annotations

import threading
import time

from proclab import composehook


def hook_in_thread(fifo):
    got: dict[str, int] = {}
    t = threading.Thread(target=lambda: got.setdefault("status", composehook.wait_for_verdict(fifo)), daemon=True)
    t.start()
    return t, got


def test_a_waiting_hook_gets_the_status(tmp_path):
    fifo = tmp_path / "verdict" / "fifo"
    t, got = hook_in_thread(fifo)
    assert composehook.hand_over(1, fifo, started=time.monotonic(), grace_s=10)
    t.join(10)
    assert got == {"status": 1}


def test_a_hook_that_comes_late_within_the_grace_period_still_gets_it(tmp_path):
    fifo = tmp_path / "fifo"
    box: dict[str, bool] = {}
    harness = threading.Thread(target=lambda: box.setdefault(
        "handed", composehook.hand_over(0, fifo, started=time.monotonic(), grace_s=30)), daemon=True)
    harness.start()                           # the harness finished first: no FIFO yet
    t, got = hook_in_thread(fifo)
    harness.join(30)
    t.join(10)
    assert box == {"handed": True} and got == {"status": 0}


def test_no_hook_no_wait(tmp_path):
    fifo = tmp_path / "fifo"
    assert composehook.hand_over(0, fifo, started=time.monotonic(), grace_s=0) is False
    assert not fifo.exists()


def test_a_fifo_nobody_reads_is_not_waited_on_past_the_grace_period(tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)                           # made, but no reader in open()
    assert composehook.hand_over(0, fifo, started=time.monotonic() - 5, grace_s=1) is False


def test_garbage_on_the_fifo_is_a_failure_not_a_pass(tmp_path, capsys):
    fifo = tmp_path / "fifo"
    t, got = hook_in_thread(fifo)
    while not fifo.exists():
        time.sleep(0.01)
    with open(fifo, "w") as f:
        f.write("ok\n")
    t.join(10)
    assert got == {"status": 2}
    assert "not an exit status" in capsys.readouterr().err


def test_usage(capsys, monkeypatch):
    monkeypatch.delenv(composehook.FIFO_ENV, raising=False)
    assert composehook.main(["nonsense"]) == 2
    assert composehook.main(["wait"]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and composehook.FIFO_ENV in err
