"""What the pipe-readers lab proves, each fact with its evidence."""

from proclab.checks import check, expect


def _blocked(lab, name, want):
    cp = lab.checkpoint(f"{name}-blocked")
    procs = [cp.get(pid) for pid in cp.data["readers"]]
    ok = all(
        p is not None and p.state == "S" and p.ppid == cp.data["parent"] for p in procs
    ) and sorted(cp.data["blocked"].values()) == sorted(want)
    return ok, f"readers {[str(p) for p in procs]}; /proc/PID/syscall: {cp.data['blocked']}"


def _done(lab, name):
    d = lab.checkpoint(f"{name}-done").data
    total = sum(r["bytes"] for r in d["results"])
    per = [(r["whole"], r["torn"]) for r in d["results"]]
    return d, total, per


@check(
    "before the writer wrote, both readers were blocked in read() on the pipe (S, children of the scenario)",
    zh="写者写之前，两个读者都阻塞在管道的 read() 里（S，实验程序的子进程）",
)
def both_in_read(lab):
    ok, evidence = _blocked(lab, "race", ["read", "read"])
    return expect(ok, evidence)


@check(
    "without a lock, 128 KiB messages were torn between the readers (likely, not certain: the scheduler decides; "
    "counted), and no byte was lost",
    zh="不加锁时，128 KiB 的消息在两个读者之间被撕碎（很可能而非必然：由调度器决定；已计数），且没有丢失字节",
)
def torn_without_lock(lab):
    d, total, per = _done(lab, "race")
    return expect(
        d["torn"] >= 1 and total == d["sent"] * d["msg_bytes"],
        f"{d['sent']} messages of {d['msg_bytes']} bytes; (whole, torn) per reader: {per}; "
        f"{d['torn']} torn; bytes read in all: {total} of {d['sent'] * d['msg_bytes']}",
        torn=d["torn"],
    )


@check(
    "with the lock, one reader was blocked in read() and the other in the lock (futex)",
    zh="加锁后，一个读者阻塞在 read() 里，另一个阻塞在锁上（futex）",
)
def one_in_lock(lab):
    ok, evidence = _blocked(lab, "locked", ["read", "futex"])
    return expect(ok, evidence)


@check(
    "with the lock, every message arrived whole: 0 torn, all 200 whole, every byte read",
    zh="加锁后，每条消息都完整到达：0 条被撕碎，200 条全部完整，所有字节都读到了",
)
def whole_with_lock(lab):
    d, total, per = _done(lab, "locked")
    whole = sum(w for w, _ in per)
    return expect(
        d["torn"] == 0
        and whole == d["sent"]
        and total == d["sent"] * d["msg_bytes"]
        and d["exitcodes"] == [0, 0],
        f"(whole, torn) per reader: {per}; {whole} whole of {d['sent']}; bytes {total}; "
        f"reader exit codes {d['exitcodes']}",
        torn=d["torn"],
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
