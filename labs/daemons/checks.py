"""What the daemons lab proves, each fact with its evidence."""

from proclab.checks import check, expect

MESSAGE = "daemonic processes are not allowed to have children"


@check(
    "a daemonic process that starts a child gets AssertionError: 'daemonic processes are not allowed "
    "to have children', has no child, and ends with exitcode 1"
)
def daemon_may_not_have_children(lab):
    cp, after = lab.checkpoint("daemon-refused"), lab.checkpoint("daemon-refused-exit")
    daemon = cp.process(cp.data["daemon"])
    err_lines = [ln for ln in lab.run().lines_with(MESSAGE) if ln.startswith("AssertionError")]
    kids = cp.children(daemon.pid)
    ok = cp.data["error"] == MESSAGE and err_lines and not kids and after.data["exitcode"] == 1
    return expect(
        ok,
        f"stderr: {err_lines[:1]}; the daemon at that moment: {cp.ps_line(daemon.pid)}, "
        f"children {[p.pid for p in kids]}; exitcode {after.data['exitcode']}",
        exitcode=after.data["exitcode"],
        children=len(kids),
    )


@check(
    "daemon=True is kept by the parent's Python at exit: a parent killed by SIGKILL leaves its daemon "
    "running, adopted by pid 1"
)
def killed_parent_leaves_daemon(lab):
    before, after = lab.checkpoint("launcher-running"), lab.checkpoint("launcher-killed")
    d0 = before.process(before.data["daemon"])
    d1 = after.find(d0.key)
    launcher_gone = not after.has(before.process(before.data["launcher"]).key)
    ok = (
        d0.ppid == before.data["launcher"]
        and d1 is not None
        and d1.ppid == 1
        and d1.state != "Z"
        and launcher_gone
        and after.data["exitcode"] == -9
    )
    return expect(
        ok,
        f"before: {before.ps_line(d0.pid)}; after the launcher's SIGKILL (exitcode "
        f"{after.data['exitcode']}, gone={launcher_gone}): {after.ps_line(d0.pid)}",
        daemon_ppid_before=d0.ppid,
        daemon_ppid_after=d1.ppid if d1 else None,
    )


@check("while main's code runs, main, its daemon and its worker are all in the table")
def all_three_running(lab):
    cp = lab.checkpoint("started")
    main, d, w = (cp.process(cp.data[k]) for k in ("main", "daemon", "worker"))
    ok = d.ppid == main.pid and w.ppid == main.pid and d.state != "Z" and w.state != "Z"
    return expect(
        ok,
        " | ".join(cp.ps_line(p.pid) for p in (main, d, w)),
        main=main.pid,
        daemon_ppid=d.ppid,
        worker_ppid=w.ppid,
    )


@check(
    "when main's code ends, the daemon is terminated at once (dead at the next checkpoint), by "
    "multiprocessing's exit handler"
)
def daemon_ends_with_main(lab):
    started, cp = lab.checkpoint("started"), lab.checkpoint("main-finished")
    d = started.process(started.data["daemon"])
    now = cp.find(d.key)
    dead = now is None or now.state == "Z"
    said = lab.run().lines_with("calling terminate() for daemon daemon")
    ok = cp.data["daemon_exited"] and dead and said
    where = (
        "gone from the table (already joined)"
        if now is None
        else f"a zombie, not yet joined: {cp.ps_line(d.pid)}"
    )
    return expect(
        ok,
        f"daemon {d.pid}: {where}; multiprocessing said {said[:1]}",
        daemon_in_table=now is not None,
        daemon_state=now.state if now else None,
    )


@check(
    "the non-daemonic worker keeps the program alive: after main's last line, main is still in the table, "
    "asleep (S), and multiprocessing's exit handler is joining the worker; the program exits 0 after it"
)
def worker_keeps_program_alive(lab):
    # main-finished comes after main's last line by construction: the worker waits on a pipe main
    # writes to only after that line. What is measured is main's state then and who it waits for.
    run, started, cp = lab.run(), lab.checkpoint("started"), lab.checkpoint("main-finished")
    main = cp.find(started.process(started.data["main"]).key)
    worker = cp.find(started.process(started.data["worker"]).key)
    joining = run.lines_with("calling join() for process worker")
    worker_end = run.lines_with("I end now")
    ok = (
        main is not None
        and main.state == "S"
        and worker is not None
        and worker.ppid == main.pid
        and bool(joining)
        and bool(worker_end)
        and run.exit_code == 0
    )
    return expect(
        ok,
        f"at main-finished: {cp.ps_line(started.data['main'])} | {cp.ps_line(started.data['worker'])}; "
        f"multiprocessing said {joining[:1]}; the worker said {worker_end[:1]}; "
        f"exit code {run.exit_code}",
        main_state=main.state if main else None,
        exit_code=run.exit_code,
    )


@check(
    "the kernel's record: the daemon's SIGTERM came from main itself (multiprocessing's exit handler calls "
    "terminate()) after main's code ended, and the daemon died of it",
    zh="内核记录：守护进程收到的 SIGTERM 来自 main 自己（multiprocessing 的退出处理函数调用 terminate()），"
    "发生在 main 的代码结束之后，守护进程死于它",
)
def record_daemon_terminated_by_main(lab):
    run, started = lab.run(), lab.checkpoint("started")
    main, daemon = started.data["main"], started.data["daemon"]
    term = run.events("signal", target=daemon, signal="SIGTERM")
    end = run.exited(daemon)
    ok = (
        len(term) == 1
        and term[0].sender == main
        and term[0].result == "delivered"
        and term[0].t >= started.at_s
        and end is not None
        and end.exit_signal == "SIGTERM"
        and run.exited(main) is not None
        and run.exited(main).t > end.t
    )
    return expect(
        ok,
        "; ".join(e.describe() for e in [*term, *([end] if end else [])])
        + f"; main (pid {main}) itself exited later: {run.exited(main).describe() if run.exited(main) else 'not recorded'}",
        sender=term[0].sender if term else None,
    )
