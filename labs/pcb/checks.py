"""What the pcb lab proves: /proc shows the kernel's per-process record, and the kernel counts
who gave the CPU up (voluntary) and who had it taken away (involuntary)."""
from proclab.checks import check, expect

SIGINT_BIT, SIGUSR1_BIT = 1 << (2 - 1), 1 << (10 - 1)
RATIO = 5          # generous: typically 50x and more


def _pcb(lab):
    cp = lab.checkpoint("pcb")
    return cp, cp.data["pcb"]


@check("process management: the PCB holds the subject's state, parent, priority and signal dispositions")
def process_fields(lab):
    cp, b = _pcb(lab)
    st, status, p = b["stat"], b["status"], cp.process(cp.data["subject"])
    ign, cgt = int(status["SigIgn"], 16), int(status["SigCgt"], 16)
    return expect(st["state"] == "S" == p.state and st["ppid"] == cp.data["parent"] == p.ppid
                  and st["nice"] == 5 == p.nice and ign & SIGINT_BIT and cgt & SIGUSR1_BIT,
                  f"stat: state {st['state']} ppid {st['ppid']} nice {st['nice']} priority {st['priority']}; "
                  f"status SigIgn {status['SigIgn']} SigCgt {status['SigCgt']}; ps: {cp.ps_line(p.pid)}")


@check("registers: the saved program counter is in an executable mapping, the stack pointer in [stack]")
def registers(lab):
    cp, b = _pcb(lab)
    reg = b["registers"]
    pc_in, sp_in = reg["pc_in"] or {}, reg["sp_in"] or {}
    return expect(reg["syscall"] == 0 and reg["args"][0] == cp.data["pipe_fd"]
                  and "x" in pc_in.get("perms", "") and sp_in.get("path") == "[stack]",
                  f"/proc/PID/syscall: read({reg['args'][0]}, ...) with pc {reg['pc']:#x} in "
                  f"{pc_in.get('perms')} {pc_in.get('path')!r}, sp {reg['sp']:#x} in {sp_in.get('path')!r}")


@check("memory and files: code in python's text mapping, cwd /tmp/pcb-home, the open file at its fd")
def memory_and_files(lab):
    cp, b = _pcb(lab)
    text, files = b["text_in"] or {}, b["files"]
    fd = str(cp.data["file_fd"])
    return expect("python3" in text.get("path", "") and "x" in text.get("perms", "")
                  and files["cwd"] == "/tmp/pcb-home" and files["fds"].get(fd) == "/lab/pcbread.py",
                  f"startcode in {text.get('perms')} {text.get('path')!r}; cwd {files['cwd']}; "
                  f"fd {fd} -> {files['fds'].get(fd)}; all fds {files['fds']}")


@check("the I/O-bound process gives the CPU up: voluntary switches >= its waits, and 5x its involuntary")
def io_voluntary(lab):
    cp = lab.checkpoint("after")
    d, waits = cp.data["delta"]["io"], cp.data["io_waits"]
    return expect(d["voluntary"] >= waits and d["voluntary"] >= RATIO * (d["involuntary"] + 1),
                  f"io: voluntary +{d['voluntary']}, involuntary +{d['involuntary']} over {waits} waits",
                  voluntary=d["voluntary"], involuntary=d["involuntary"])


@check("the CPU-bound processes have the CPU taken away: involuntary switches, 5x their voluntary")
def cpu_involuntary(lab):
    cp = lab.checkpoint("after")
    d = {n: cp.data["delta"][n] for n in ("cpu-1", "cpu-2")}
    ok = all(x["involuntary"] >= 10 and x["involuntary"] >= RATIO * (x["voluntary"] + 1) for x in d.values())
    return expect(ok, "; ".join(f"{n}: involuntary +{x['involuntary']}, voluntary +{x['voluntary']}"
                                for n, x in d.items()),
                  **{f"{n}_involuntary": x["involuntary"] for n, x in d.items()})


@check("all three shared one CPU: Cpus_allowed_list 0, last ran on CPU 0; the spinners are R")
def one_cpu(lab):
    cp = lab.checkpoint("after")
    allowed = {n: s["Cpus_allowed_list"] for n, s in cp.data["status"].items()}
    states = {n: cp.process(pid).state for n, pid in cp.data["pids"].items()}
    return expect(set(allowed.values()) == {"0"} and set(cp.data["processor"].values()) == {0}
                  and states["cpu-1"] == states["cpu-2"] == "R",
                  f"Cpus_allowed_list {allowed}; last CPU {cp.data['processor']}; states {states}")


@check("status and sched are two views of one record: the same switch counts")
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
            bad.append(f"{n}: status {vol}/{inv} vs sched {svol}/{sinv} (total {sc['nr_switches']})")
        shown.append(f"{n}: status {vol}/{inv}, sched {svol}/{sinv}")
    return expect(not bad, "; ".join(bad or shown))


@check("the parent's PCB keeps its reaped children's CPU time (cutime)")
def children_time(lab):
    cp = lab.checkpoint("reaped")
    total = cp.data["cutime"] + cp.data["cstime"]
    return expect(cp.data["spinner_ticks"] > 0 and total >= cp.data["spinner_ticks"],
                  f"parent cutime+cstime {total} ticks >= spinners' {cp.data['spinner_ticks']} ticks "
                  f"(1 tick = 1/{cp.data['hz']} s)")


@check("the scenario exits 0")
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
