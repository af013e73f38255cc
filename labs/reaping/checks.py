"""What the reaping lab proves."""

from proclab.checks import check, expect


def _gone(before, after, pid):
    key = before.process(pid).key
    return not after.has(key) and after.ps_row(pid) is None


@check("join() reaps: a zombie before, gone after, exitcode 0")
def join_reaps(lab):
    b, a = lab.checkpoint("before-join"), lab.checkpoint("after-join")
    z = b.process(b.data["child"])
    return expect(
        z.state == "Z"
        and _gone(b, a, z.pid)
        and a.data["exitcode"] == 0
        and a.top_tasks.zombie == 0,
        f"before: {z}; after join: present={a.has(z.key)}, exitcode={a.data['exitcode']}, "
        f"top zombies {b.top_tasks.zombie} -> {a.top_tasks.zombie}",
    )


@check("os.waitpid() returns the status: exited with code 7, decoded by WIFEXITED/WEXITSTATUS")
def waitpid_status(lab):
    b, a = lab.checkpoint("before-waitpid"), lab.checkpoint("after-waitpid")
    d = a.data
    return expect(
        b.process(b.data["child"]).state == "Z"
        and d["WIFEXITED"]
        and d["WEXITSTATUS"] == 7
        and not d["WIFSIGNALED"]
        and d["raw"] == 7 << 8
        and _gone(b, a, b.data["child"]),
        f"raw status {d['raw']:#06x}: WIFEXITED={d['WIFEXITED']} WEXITSTATUS={d['WEXITSTATUS']}; "
        f"zombie before: {b.ps_line(b.data['child'])}",
        raw_status=d["raw"],
        exit_status=d["WEXITSTATUS"],
    )


@check("active_children() reaps all three finished children as a side effect")
def active_children_reaps(lab):
    b, a = lab.checkpoint("three-finished"), lab.checkpoint("after-active-children")
    pids = b.data["children"]
    zombies_before = [pid for pid in pids if b.process(pid).state == "Z"]
    left = [pid for pid in pids if not _gone(b, a, pid)]
    return expect(
        len(zombies_before) == 3
        and not left
        and a.top_tasks.zombie == 0
        and a.data["exitcodes"] == [0, 1, 2],
        f"zombies before: {zombies_before} (top: {b.top_tasks.zombie}); left after: {left} "
        f"(top: {a.top_tasks.zombie}); exitcodes {a.data['exitcodes']}",
        zombies_before=b.top_tasks.zombie,
        zombies_after=a.top_tasks.zombie,
    )


@check(
    "with SIGCHLD ignored: once the child has exited it is not a zombie at the next checkpoint (in no view), "
    "and the parent's waitpid() fails with ECHILD, so no exit status reached the parent"
)
def sig_ign_autoreaps(lab):
    b, a = lab.checkpoint("ignored-child-alive"), lab.checkpoint("ignored-child-exited")
    pid = b.data["child"]
    return expect(
        b.get(pid) is not None
        and _gone(b, a, pid)
        and a.top_tasks.zombie == 0
        and a.data["waitpid"] == "ChildProcessError: No child processes"
        and a.ps_row(pid) is None
        and not a.zombies(),
        f"alive before: {b.ps_line(pid)}; after exit: in table={a.get(pid) is not None}, "
        f"top zombies={a.top_tasks.zombie}, waitpid: {a.data['waitpid']}",
    )


@check(
    "the kernel's record: with SIGCHLD ignored, the child's exit is there and no wait4 ever reaped it "
    "(the kernel freed it at once), while join(), waitpid() and active_children() each reaped theirs",
    zh="内核记录：忽略 SIGCHLD 时，子进程的退出在记录里，却没有任何 wait4 回收它（内核立刻释放了它）；"
    "而 join()、waitpid() 和 active_children() 各自回收了它们的子进程",
)
def record_sig_ign_no_reap(lab):
    run = lab.run()
    ign = lab.checkpoint("ignored-child-alive").data["child"]
    parent = lab.checkpoint("ignored-child-alive").announced_by
    waited = [
        lab.checkpoint("before-join").data["child"],
        lab.checkpoint("before-waitpid").data["child"],
        *lab.checkpoint("three-finished").data["children"],
    ]
    end = run.exited(ign)
    reapers = {pid: run.reaped_by(pid) for pid in waited}
    ok = (
        end is not None
        and end.exit_code == 3
        and run.reaped(ign) is None
        and all(r == parent for r in reapers.values())
    )
    return expect(
        ok,
        f"{end.describe() if end else f'no exit of {ign}'}; reaped: {run.reaped(ign) is not None}; "
        f"the others' reapers: {reapers} (the scenario is pid {parent})",
        ignored_child_reaped=run.reaped(ign) is not None,
        reapers=reapers,
    )
