"""What the deadlines lab proves, each fact with its evidence."""

from proclab.checks import check, expect


@check(
    "join(timeout) returned after the timeout with the child alive: is_alive() True, exitcode None",
    zh="join(timeout) 在超时后返回，子进程还活着：is_alive() 为 True，exitcode 为 None",
)
def join_returns_alive(lab):
    d = lab.checkpoint("join-timed-out").data
    return expect(
        d["alive"] is True and d["exitcode"] is None and d["waited_s"] >= d["timeout_s"],
        f"join({d['timeout_s']}) returned after {d['waited_s']:.2f} s; is_alive()={d['alive']}, "
        f"exitcode={d['exitcode']}",
        waited_s=round(d["waited_s"], 3),
    )


@check(
    "after join(timeout) returned, the child is still in the table, sleeping (S), a child of the scenario",
    zh="join(timeout) 返回后，子进程仍在进程表里睡眠（S），父进程是实验程序",
)
def child_still_in_table(lab):
    cp = lab.checkpoint("join-timed-out")
    child = cp.get(cp.data["child"])
    return expect(
        child is not None and child.state == "S" and child.ppid == cp.data["parent"],
        f"psutil: {child}; ps: {cp.ps_line(cp.data['child'])}",
    )


@check(
    "the second join() (no timeout) reaped it: exitcode 0, gone from the table",
    zh="第二次 join()（不带超时）回收了它：exitcode 为 0，离开进程表",
)
def join_reaps(lab):
    before = lab.checkpoint("join-timed-out")
    after = lab.checkpoint("joined")
    child = before.process(before.data["child"])
    return expect(
        after.data["exitcode"] == 0 and not after.data["alive"] and not after.has(child.key),
        f"exitcode={after.data['exitcode']}, is_alive()={after.data['alive']}, "
        f"pid {child.pid} in the table: {after.has(child.key)}",
    )


@check(
    "poll(timeout) on an empty pipe returned False, and only after the timeout",
    zh="空管道上的 poll(timeout) 返回 False，而且是在超时之后",
)
def poll_times_out(lab):
    d = lab.checkpoint("polled").data
    return expect(
        d["poll_empty"] is False
        and d["poll_waited_s"] >= d["timeout_s"]
        and d["poll_after_send"] is True,
        f"poll({d['timeout_s']}) -> {d['poll_empty']} after {d['poll_waited_s']:.2f} s; "
        f"after the send: poll -> {d['poll_after_send']}",
    )


@check(
    "recv_bytes() returned the whole 100 000-byte message, byte for byte; a maxlength too small raised OSError",
    zh="recv_bytes() 收到完整的 100 000 字节消息，逐字节相同；maxlength 太小时抛出 OSError",
)
def bytes_whole(lab):
    d = lab.checkpoint("polled").data
    return expect(
        d["received"] == 100_000
        and d["same"]
        and d["too_long"].startswith("OSError")
        and d["closed_after"],
        f"received {d['received']} bytes, sha256 equal: {d['same']}; recv_bytes(maxlength=1000): "
        f"{d['too_long']}; connection closed after: {d['closed_after']}; sender exitcode {d['exitcode']}",
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
