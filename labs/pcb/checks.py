"""What the pcb lab proves: /proc shows the kernel's per-process record, and the kernel counts
who gave the CPU up (voluntary) and who had it taken away (involuntary)."""

from proclab.checks import check, expect

SIGINT_BIT, SIGUSR1_BIT = 1 << (2 - 1), 1 << (10 - 1)
RATIO = 5  # generous: typically 50x and more


def _pcb(lab):
    cp = lab.checkpoint("pcb")
    return cp, cp.data["pcb"]


@check(
    "process management: the PCB holds the subject's state, parent, priority and signal dispositions",
    zh="进程管理：PCB 里有被观察进程的状态、父进程、优先级和信号处理方式",
)
def process_fields(lab):
    cp, b = _pcb(lab)
    st, status, p = b["stat"], b["status"], cp.process(cp.data["subject"])
    ign, cgt = int(status["SigIgn"], 16), int(status["SigCgt"], 16)
    return expect(
        st["state"] == "S" == p.state
        and st["ppid"] == cp.data["parent"] == p.ppid
        and st["nice"] == 5 == p.nice
        and ign & SIGINT_BIT
        and cgt & SIGUSR1_BIT,
        f"stat: state {st['state']} ppid {st['ppid']} nice {st['nice']} priority {st['priority']}; "
        f"status SigIgn {status['SigIgn']} SigCgt {status['SigCgt']}; ps: {cp.ps_line(p.pid)}",
    )


@check(
    "registers: the saved program counter is in an executable mapping, the stack pointer in [stack]",
    zh="寄存器：保存的程序计数器在可执行的映射里，栈指针在 [stack] 里",
)
def registers(lab):
    cp, b = _pcb(lab)
    reg = b["registers"]
    pc_in, sp_in = reg["pc_in"] or {}, reg["sp_in"] or {}
    return expect(
        reg["syscall"] == 0
        and reg["args"][0] == cp.data["pipe_fd"]
        and "x" in pc_in.get("perms", "")
        and sp_in.get("path") == "[stack]",
        f"/proc/PID/syscall: read({reg['args'][0]}, ...) with pc {reg['pc']:#x} in "
        f"{pc_in.get('perms')} {pc_in.get('path')!r}, sp {reg['sp']:#x} in {sp_in.get('path')!r}",
    )


@check(
    "memory and files: code in python's text mapping, cwd /tmp/pcb-home, the open file at its fd",
    zh="内存和文件：代码在 python 的代码段里，工作目录 /tmp/pcb-home，打开的文件在它的描述符上",
)
def memory_and_files(lab):
    cp, b = _pcb(lab)
    text, files = b["text_in"] or {}, b["files"]
    fd = str(cp.data["file_fd"])
    return expect(
        "python3" in text.get("path", "")
        and "x" in text.get("perms", "")
        and files["cwd"] == "/tmp/pcb-home"
        and files["fds"].get(fd) == "/lab/pcbread.py",
        f"startcode in {text.get('perms')} {text.get('path')!r}; cwd {files['cwd']}; "
        f"fd {fd} -> {files['fds'].get(fd)}; all fds {files['fds']}",
    )


@check(
    "the I/O-bound process gives the CPU up: voluntary switches >= its waits, and 5x its involuntary",
    zh="I/O 密集型进程自己让出 CPU：自愿切换不少于等待次数，且是非自愿切换的 5 倍以上",
)
def io_voluntary(lab):
    cp = lab.checkpoint("after")
    d, waits = cp.data["delta"]["io"], cp.data["io_waits"]
    return expect(
        d["voluntary"] >= waits and d["voluntary"] >= RATIO * (d["involuntary"] + 1),
        f"io: voluntary +{d['voluntary']}, involuntary +{d['involuntary']} over {waits} waits",
        voluntary=d["voluntary"],
        involuntary=d["involuntary"],
    )


@check(
    "the CPU-bound processes have the CPU taken away: involuntary switches, 5x their voluntary",
    zh="CPU 密集型进程的 CPU 被抢走：非自愿切换，是自愿切换的 5 倍以上",
)
def cpu_involuntary(lab):
    cp = lab.checkpoint("after")
    d = {n: cp.data["delta"][n] for n in ("cpu-1", "cpu-2")}
    ok = all(
        x["involuntary"] >= 10 and x["involuntary"] >= RATIO * (x["voluntary"] + 1)
        for x in d.values()
    )
    return expect(
        ok,
        "; ".join(
            f"{n}: involuntary +{x['involuntary']}, voluntary +{x['voluntary']}"
            for n, x in d.items()
        ),
        **{f"{n}_involuntary": x["involuntary"] for n, x in d.items()},
    )


@check(
    "all three shared one CPU: Cpus_allowed_list 0, last ran on CPU 0; the spinners are R",
    zh="三个进程共用一个 CPU：Cpus_allowed_list 为 0，最后都在 CPU 0 上运行；死循环是 R",
)
def one_cpu(lab):
    cp = lab.checkpoint("after")
    allowed = {n: s["Cpus_allowed_list"] for n, s in cp.data["status"].items()}
    states = {n: cp.process(pid).state for n, pid in cp.data["pids"].items()}
    return expect(
        set(allowed.values()) == {"0"}
        and set(cp.data["processor"].values()) == {0}
        and states["cpu-1"] == states["cpu-2"] == "R",
        f"Cpus_allowed_list {allowed}; last CPU {cp.data['processor']}; states {states}",
    )


@check(
    "status and sched are two views of one record: the same switch counts",
    zh="status 和 sched 是同一份记录的两个视图：切换次数一致",
)
def views_agree(lab):
    # sched was read just before status: equal for the sleeping io process; for a spinner,
    # status (read later) can only be ahead, never behind.
    cp = lab.checkpoint("after")
    bad, shown = [], []
    for n, s in cp.data["status"].items():
        sc = cp.data["sched"][n]
        vol, inv = int(s["voluntary_ctxt_switches"]), int(s["nonvoluntary_ctxt_switches"])
        svol, sinv = sc["nr_voluntary_switches"], sc["nr_involuntary_switches"]
        same = (vol, inv) == (svol, sinv) if n == "io" else (vol >= svol and inv >= sinv)
        if not same or sc["nr_switches"] != svol + sinv:
            bad.append(
                f"{n}: status {vol}/{inv} vs sched {svol}/{sinv} (total {sc['nr_switches']})"
            )
        shown.append(f"{n}: status {vol}/{inv}, sched {svol}/{sinv}")
    return expect(not bad, "; ".join(bad or shown))


@check(
    "the parent's PCB keeps its reaped children's CPU time (cutime)",
    zh="父进程的 PCB 记下了已回收子进程的 CPU 时间（cutime）",
)
def children_time(lab):
    cp = lab.checkpoint("reaped")
    total = cp.data["cutime"] + cp.data["cstime"]
    return expect(
        cp.data["spinner_ticks"] > 0 and total >= cp.data["spinner_ticks"],
        f"parent cutime+cstime {total} ticks >= spinners' {cp.data['spinner_ticks']} ticks "
        f"(1 tick = 1/{cp.data['hz']} s)",
    )


@check("the scenario exits 0", zh="实验程序以 0 退出")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
