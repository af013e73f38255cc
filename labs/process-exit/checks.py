"""What the process-exit lab proves: each way of ending leaves its own exit status."""

from proclab.checks import check, expect

# case -> (returncode as subprocess/multiprocessing report it, raw wait status, sh's $?)
EXPECTED = {
    "normal": (0, 0x0000, 0),
    "missing-file": (2, 0x0200, 2),
    "exception": (1, 0x0100, None),
    "zero-division": (1, 0x0100, 1),
    "segfault": (-11, 0x000B, 139),
    "killed": (-9, 0x0009, 137),
}


def _code(lab, case):
    return lab.checkpoint("reaped").data["codes"][case]


def _one(lab, case):
    c = _code(lab, case)
    want_rc, want_status, _ = EXPECTED[case]
    err = lab.checkpoint("reaped").data["stderr"][case]
    return c, want_rc, want_status, err


@check("a normal exit is 0: the program ran to its end", zh="正常退出是 0：程序运行到了结尾")
def normal_exit(lab):
    c, rc, st, _ = _one(lab, "normal")
    return expect(
        c["returncode"] == rc and c["status"] == st and not c["signaled"],
        f"normal: returncode {c['returncode']}, raw status {c['status']:#06x}",
    )


@check(
    "an error exit: python3 missing.py exits 2, an uncaught exception exits 1",
    zh="出错退出：python3 missing.py 以 2 退出，未捕获的异常以 1 退出",
)
def error_exit(lab):
    m, e = _code(lab, "missing-file"), _code(lab, "exception")
    err = lab.checkpoint("reaped").data["stderr"]
    return expect(
        m["returncode"] == 2
        and "can't open file" in err["missing-file"]
        and e["returncode"] == 1
        and "ValueError" in err["exception"]
        and not m["signaled"]
        and not e["signaled"],
        f"missing.py: {m['returncode']} ({err['missing-file']!r}); exception: {e['returncode']} "
        f"({err['exception']!r})",
    )


@check(
    "1/0 is only an exception: exit 1 with a ZeroDivisionError, no signal",
    zh="1/0 只是一个异常：以 1 退出，带 ZeroDivisionError，没有信号",
)
def zero_division_is_exception(lab):
    c, _, _, err = _one(lab, "zero-division")
    return expect(
        c["returncode"] == 1 and not c["signaled"] and "ZeroDivisionError" in err,
        f"1/0: returncode {c['returncode']}, signaled={c['signaled']}, stderr {err!r}",
    )


@check(
    "a real invalid memory access is a fatal error: killed by SIGSEGV, -11, no traceback",
    zh="真正的非法内存访问是严重错误：被 SIGSEGV 杀死，-11，没有 traceback",
)
def segfault(lab):
    c, _, _, err = _one(lab, "segfault")
    return expect(
        c["returncode"] == -11 and c["signaled"] and c["status"] == 0x0B and "Traceback" not in err,
        f"segfault: returncode {c['returncode']}, raw status {c['status']:#06x}, stderr {err!r}",
    )


@check("killed by another process: kill -9 gives -9", zh="被其他进程杀死：kill -9 得到 -9")
def killed(lab):
    c, _, _, _ = _one(lab, "killed")
    return expect(
        c["returncode"] == -9 and c["signaled"] and c["status"] == 9,
        f"kill -9: returncode {c['returncode']}, raw status {c['status']:#06x}",
    )


@check(
    "before reaping, all six are zombies whose /proc stat holds the same wait status",
    zh="回收之前六个都是僵尸进程，/proc 的 stat 里保存着同样的等待状态",
)
def zombies_hold_status(lab):
    cp, codes = lab.checkpoint("all-ended"), lab.checkpoint("reaped").data["codes"]
    pids, held = cp.data["pids"], cp.data["stat_exit"]
    bad = [
        f"{n}: {cp.get(pid)} stat {held[n]:#06x} vs wait {codes[n]['status']:#06x}"
        for n, pid in pids.items()
        if cp.get(pid) is None or cp.get(pid).state != "Z" or held[n] != codes[n]["status"]
    ]
    return expect(
        not bad and cp.top_tasks is not None and cp.top_tasks.zombie == len(pids),
        "; ".join(bad)
        or f"{len(pids)} zombies, top counts {cp.top_tasks.zombie}; "
        + ", ".join(f"{n} {held[n]:#06x}" for n in pids),
        zombies=len(pids),
    )


@check(
    "the shell reports a death by signal N as 128+N: 139 for SIGSEGV, 137 for SIGKILL",
    zh="shell 把被 N 号信号杀死报告为 128+N：SIGSEGV 是 139，SIGKILL 是 137",
)
def shell_codes(lab):
    shell = lab.checkpoint("shell").data["shell"]
    want = {n: e[2] for n, e in EXPECTED.items() if e[2] is not None}
    return expect(shell == want, f"sh $?: {shell}; expected {want}")


@check(
    "a multiprocessing.Process that segfaults has exitcode -11",
    zh="段错误的 multiprocessing.Process 的 exitcode 是 -11",
)
def mp_segfault(lab):
    mp = lab.checkpoint("shell").data["mp"]
    return expect(mp["exitcode"] == -11, f"Process.exitcode {mp['exitcode']}")


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")


@check(
    "the kernel's record: the code each child chose in exit_group (normal 0, missing-file 2, exception 1, "
    "zero-division 1); the segfault and the killed one chose none: SIGSEGV and SIGKILL ended them",
    zh="内核记录：每个子进程在 exit_group 里选的退出码（normal 0、missing-file 2、exception 1、zero-division 1）；"
    "段错误和被杀死的那个没有选：SIGSEGV 和 SIGKILL 结束了它们",
)
def record_exit_group_codes(lab):
    run, pids = lab.run(), lab.checkpoint("all-ended").data["pids"]
    want = {
        "normal": (0, None),
        "missing-file": (2, None),
        "exception": (1, None),
        "zero-division": (1, None),
        "segfault": (None, "SIGSEGV"),
        "killed": (None, "SIGKILL"),
    }
    got = {}
    for case, pid in pids.items():
        e = run.exited(pid)
        got[case] = (e.exit_code, e.exit_signal) if e else "no exit"
    return expect(
        got == want,
        "; ".join(
            f"{case} (pid {pids[case]}): "
            + (
                got[case]
                if isinstance(got[case], str)
                else f"exit code {got[case][0]}"
                if got[case][1] is None
                else f"killed by {got[case][1]}"
            )
            for case in pids
        ),
        **{case: list(v) if isinstance(v, tuple) else v for case, v in got.items()},
    )
