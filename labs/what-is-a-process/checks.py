"""What the what-is-a-process lab proves, each fact with its evidence: the harness's process
table (pids, parents, command lines) beside what the scenario read from /proc."""

from proclab.checks import check, expect, inconclusive


def _copies(lab):
    cp = lab.checkpoint("two-copies")
    return cp, {c["name"]: c for c in cp.data["copies"]}


@check(
    "one program run twice is two processes: two pids, one program file, the same script, other arguments"
)
def one_program_two_processes(lab):
    cp, c = _copies(lab)
    a, b = c["A"], c["B"]
    rows = {n: cp.process(c[n]["pid"]) for n in "AB"}
    ok = (
        a["pid"] != b["pid"]
        and a["exe"] == b["exe"]
        and a["exe"] == cp.data["main_exe"]
        and a["cmdline"][:-1] == b["cmdline"][:-1]
        and a["cmdline"][-1] != b["cmdline"][-1]
        and all(tuple(c[n]["cmdline"]) == rows[n].cmdline for n in "AB")
    )
    return expect(
        ok,
        f"pids {a['pid']} and {b['pid']}; exe {a['exe']} and {b['exe']} (main's: {cp.data['main_exe']}); "
        f"ps: {cp.ps_line(a['pid'])}; {cp.ps_line(b['pid'])}",
        pids=[a["pid"], b["pid"]],
        exe=a["exe"],
    )


@check(
    "each has its own memory: the same virtual address holds 'copy A' in one process and 'copy B' in the other"
)
def own_memory(lab):
    cp, c = _copies(lab)
    if c["A"]["memory"] is None or c["B"]["memory"] is None:
        inconclusive(
            "the kernel refused to read /proc/PID/mem (a ptrace access check; "
            f"kernel.yama.ptrace_scope is {cp.data.get('ptrace_scope')}): nothing was measured",
            ptrace_scope=cp.data.get("ptrace_scope"),
        )
    ok = c["A"]["memory"] == "copy A" and c["B"]["memory"] == "copy B"
    return expect(
        ok,
        f"/proc/{c['A']['pid']}/mem at {cp.data['address']}: {c['A']['memory']!r}; "
        f"/proc/{c['B']['pid']}/mem at {cp.data['address']}: {c['B']['memory']!r}",
        address=cp.data["address"],
        a=c["A"]["memory"],
        b=c["B"]["memory"],
    )


@check(
    "each has its own environment, and /proc/PID/status names it with the pid and parent the table shows"
)
def own_environment_and_status(lab):
    cp, c = _copies(lab)
    main = cp.data["main"]
    rows = {n: cp.process(c[n]["pid"]) for n in "AB"}
    ok = (
        c["A"]["copy"] == "A"
        and c["B"]["copy"] == "B"
        and all(c[n]["status"]["Pid"] == str(c[n]["pid"]) == str(rows[n].pid) for n in "AB")
        and all(c[n]["status"]["PPid"] == str(main) == str(rows[n].ppid) for n in "AB")
    )
    st = "; ".join(
        f"{n}: COPY={c[n]['copy']}, status Pid {c[n]['status']['Pid']} PPid {c[n]['status']['PPid']} "
        f"State {c[n]['status']['State']}"
        for n in "AB"
    )
    return expect(
        ok,
        f"{st}; the table: "
        + "; ".join(f"{rows[n].pid} ppid {rows[n].ppid}" for n in "AB")
        + f"; main is {main}",
        main=main,
    )


@check("both copies ended with exit code 0 and left the table")
def copies_end(lab):
    cp = lab.checkpoint("copies-ended")
    gone = [cp.get(cp.data[k]) is None for k in ("copy_a", "copy_b")]
    ok = cp.data["exit_codes"] == {"A": 0, "B": 0} and all(gone)
    return expect(ok, f"exit codes {cp.data['exit_codes']}; gone from the table: {gone}")


@check(
    "the shell forks and its child execs: the command's parent is bash, its pid before exec (sh's $$) "
    "is its pid after, and the program is another"
)
def fork_then_exec(lab):
    cp = lab.checkpoint("typed-command")
    d = cp.data
    row = cp.process(d["after_exec"])
    ok = (
        row.ppid == d["bash"] == d["parent_seen"]
        and d["before_exec"] == d["after_exec"]
        and d["shell"]["exe"].endswith("/bash")
        and "python3" in d["command"]["exe"]
        and row.cmdline[-1:] == ("typed",)
        and d["shell"]["status"]["PPid"] == str(d["main"])
    )
    return expect(
        ok,
        f"typed: {d['typed']}; sh's $$ {d['before_exec']}, python3's pid {d['after_exec']}; its parent "
        f"in the table {row.ppid} (bash is {d['bash']}, exe {d['shell']['exe']}); the command's exe "
        f"{d['command']['exe']}; ps: {cp.ps_line(row.pid)}",
        before=d["before_exec"],
        after=d["after_exec"],
        bash=d["bash"],
    )


@check(
    "the typed command runs on the shell's terminal, a pty (/dev/pts/N), which the lab's main process has not"
)
def on_the_terminal(lab):
    d = lab.checkpoint("typed-command").data
    ok = (
        d["command"]["tty"] == d["shell"]["tty"]
        and d["shell"]["tty"].startswith("/dev/pts/")
        and d["main_tty"] != d["shell"]["tty"]
    )
    return expect(
        ok,
        f"the command's stdin {d['command']['tty']}, bash's {d['shell']['tty']}, main's {d['main_tty']}",
    )


@check(
    "who started whom: the typed command, bash, the lab's main process, then pid 1 (Docker's init)"
)
def who_started_whom(lab):
    cp = lab.checkpoint("typed-command")
    d = cp.data
    chain, pid = [], d["after_exec"]
    while pid and len(chain) < 10:
        row = cp.process(pid)
        chain.append(row)
        pid = row.ppid
    names = [r.name for r in chain]
    ok = (
        [r.pid for r in chain[:3]] == [d["after_exec"], d["bash"], d["main"]]
        and len(chain) == 4
        and chain[-1].pid == 1
        and chain[-1].name == "docker-init"
    )
    return expect(
        ok,
        " → ".join(f"{r.pid} {r.name}" for r in chain) + " (each one's parent is the next)",
        chain=names,
    )


@check("bash ends with exit code 0 when typed 'exit', and the scenario exits 0")
def ends_cleanly(lab):
    cp = lab.checkpoint("shell-ended")
    ok = cp.data["bash_status"] == 0 and cp.get(cp.data["bash"]) is None and lab.exit_code == 0
    return expect(
        ok, f"bash's status {cp.data['bash_status']}; container exit code {lab.exit_code}"
    )
