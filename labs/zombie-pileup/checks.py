"""What the zombie-pileup lab proves, each fact with its evidence."""

from proclab.checks import check, expect


def _pile(lab):
    cp = lab.checkpoint("piled-up")
    return cp, [cp.get(pid) for pid in cp.data["zombies"]]


@check(
    "the parent's fork() failed with EAGAIN once the container held pids.max tasks",
    zh="容器里的任务数达到 pids.max 时，父进程的 fork() 以 EAGAIN 失败",
)
def fork_fails_eagain(lab):
    d = lab.checkpoint("piled-up").data
    return expect(
        d.get("fork_error") == "BlockingIOError"
        and d.get("errno") == "EAGAIN"
        and d.get("full_pids_current") == d["pids_max"],
        f"fork() -> {d.get('fork_error')} {d.get('errno')} ({d.get('strerror')}) at "
        f"pids.current={d.get('full_pids_current')} of pids.max={d['pids_max']}",
    )


@check(
    "every child the parent forked is a zombie (Z) whose parent is still the neglectful parent",
    zh="父进程 fork 出的每个子进程都是僵尸进程（Z），父进程仍是那个不 wait 的父进程",
)
def all_zombies(lab):
    cp, procs = _pile(lab)
    bad = [
        pid
        for pid, p in zip(cp.data["zombies"], procs, strict=False)
        if p is None or p.state != "Z" or p.ppid != cp.data["parent"]
    ]
    return expect(
        len(procs) > 0 and not bad,
        f"{len(procs)} children of {cp.data['parent']}; not a zombie of it: {bad or 'none'}; "
        f"e.g. {procs[0] if procs else 'none'}",
        zombies=len(procs),
    )


@check(
    "the zombies alone filled the limit: zombies + parent + placeholders + tini + scenario (+ resident probe) = pids.max",
    zh="是僵尸进程占满了上限：僵尸 + 父进程 + 占位进程 + tini + 实验程序（+ 常驻的观察进程）= pids.max",
)
def zombies_fill_the_limit(lab):
    cp = lab.checkpoint("piled-up")
    d = cp.data
    # The harness's resident probe (its fast snapshot path) holds one task from the first
    # checkpoint on; the exec path's probe has exited by then. Count it, don't hide it.
    resident = len(cp.resident_pids)
    total = len(d["zombies"]) + 1 + d["room"] + 2 + resident
    probe = f" + {resident} resident probe" if resident else ""
    return expect(
        total == d["pids_max"] == d.get("full_pids_current"),
        f"{len(d['zombies'])} zombies + 1 parent + {d['room']} placeholders + tini + scenario{probe} = {total}; "
        f"pids.max={d['pids_max']}, pids.current at the failed fork={d.get('full_pids_current')}",
        zombies=len(d["zombies"]),
        resident_probe=resident,
    )


@check(
    "top's Tasks line counts exactly those zombies", zh="top 的 Tasks 行数出的僵尸进程正好是这些"
)
def top_counts_them(lab):
    cp, procs = _pile(lab)
    tasks = cp.top_tasks
    return expect(
        tasks is not None and tasks.zombie == len(procs) == len(cp.zombies()),
        f"top: {cp.top_header()[1] if cp.top else 'not taken'}; the parent's children: {len(procs)}; "
        f"Z in the table: {len(cp.zombies())}",
    )


@check(
    "when the parent dies, pid 1 reaps every zombie: none left, pids.current back down",
    zh="父进程死后，1 号进程回收了所有僵尸进程：一个不剩，pids.current 降了回来",
)
def init_reaps_them(lab):
    before, procs = _pile(lab)
    after = lab.checkpoint("reaped-by-init")
    still = [p.pid for p in procs if p is not None and after.has(p.key)]
    zombies = after.top_tasks.zombie if after.top_tasks else None
    return expect(
        not still
        and zombies == 0
        and not after.zombies()
        and after.data["parent_status"] == 0
        and after.data["pids_current"] <= before.data["pids_current"] - len(procs),
        f"after the parent exited (status {after.data['parent_status']}): zombies still there: {still or 'none'}; "
        f"top zombies={zombies}; pids.current {before.data['pids_current']} -> {after.data['pids_current']}",
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")


@check(
    "the kernel's record: no zombie was reaped by its parent; each was reaped by pid 1's wait4 (tini), "
    "after the parent exited",
    zh="内核记录：没有一个僵尸进程被它的父进程回收；每一个都是在父进程退出之后由 1 号进程（tini）的 wait4 回收的",
)
def record_reaped_by_init(lab):
    run, cp = lab.run(), lab.checkpoint("piled-up")
    zombies, parent = cp.data["zombies"], cp.data["parent"]
    parent_end = run.exited(parent)
    reaps = {pid: run.reaped(pid) for pid in zombies}
    wrong = [
        pid
        for pid, e in reaps.items()
        if e is None or e.reaper != 1 or parent_end is None or e.t < parent_end.t
    ]
    first = min((e.t for e in reaps.values() if e), default=None)
    return expect(
        zombies and parent_end is not None and not wrong,
        f"{parent_end.describe() if parent_end else f'no exit of the parent {parent}'}; "
        f"{len(zombies) - len(wrong)} of {len(zombies)} zombies reaped by pid 1 after it"
        + (f", from {first:.3f}s" if first is not None else "")
        + f"; not so: {wrong or 'none'}",
        reaped_by_init=len(zombies) - len(wrong),
        zombies=len(zombies),
    )
