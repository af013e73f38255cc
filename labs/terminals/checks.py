"""What the terminals lab proves: sessions, groups and the terminal in the table, and who the
hangup kills."""

from proclab.checks import check, expect

SIGHUP = 1
SESSION_MEMBERS = ("bg", "nohup", "fg", "py-daemon")  # bash's jobs, in bash's session


def _session(lab):
    cp = lab.checkpoint("session")
    return cp, cp.data["table"], cp.data["shell"], cp.data["pids"]


@check(
    "bash leads the session: sid = its pid, ps STAT has 's', the pty is its controlling terminal",
    zh="bash 是会话首进程：sid 等于它的 pid，ps STAT 带 s，伪终端是它的控制终端",
)
def shell_leads(lab):
    cp, table, shell, _ = _session(lab)
    b = table[str(shell)]
    stat = cp.ps_row(shell).stat
    return expect(
        b["sid"] == shell and "s" in stat and b["tty"] == cp.data["tty"].removeprefix("/dev/"),
        f"bash {shell}: sid {b['sid']}, tty {b['tty']}, ps STAT {stat}; ps: {cp.ps_line(shell)}",
    )


@check(
    "bash's jobs share its session and terminal; each job is its own process group",
    zh="bash 的作业与它同一个会话和终端；每个作业是自己的进程组",
)
def jobs_in_session(lab):
    cp, table, shell, pids = _session(lab)
    rows = {r: table[str(pids[r])] for r in SESSION_MEMBERS}
    groups = {r: rows[r]["pgid"] for r in ("bg", "nohup", "fg")}
    ok = (
        all(x["sid"] == shell and x["tty"] == table[str(shell)]["tty"] for x in rows.values())
        and len(set(groups.values())) == 3
        and shell not in groups.values()
    )
    return expect(
        ok,
        "; ".join(
            f"{r} {pids[r]}: pgid {x['pgid']} sid {x['sid']} tty {x['tty']}"
            for r, x in rows.items()
        ),
    )


@check(
    "the foreground job's group is the terminal's foreground group (ps '+'); the background job's is not",
    zh="前台作业的进程组就是终端的前台进程组（ps 的 +）；后台作业不是",
)
def foreground(lab):
    cp, table, _, pids = _session(lab)
    fg, bg = table[str(pids["fg"])], table[str(pids["bg"])]
    fg_stat, bg_stat = cp.ps_row(pids["fg"]).stat, cp.ps_row(pids["bg"]).stat
    return expect(
        fg["pgid"] == fg["tpgid"]
        and "+" in fg_stat
        and bg["pgid"] != bg["tpgid"]
        and "+" not in bg_stat,
        f"terminal's foreground group {fg['tpgid']}; fg pgid {fg['pgid']} STAT {fg_stat}; "
        f"bg pgid {bg['pgid']} STAT {bg_stat}",
    )


@check(
    "setsid and the daemon are in sessions of their own, with no controlling terminal",
    zh="setsid 和守护进程各有自己的会话，没有控制终端",
)
def own_sessions(lab):
    cp, table, shell, pids = _session(lab)
    rows = {r: table[str(pids[r])] for r in ("setsid", "daemon")}
    return expect(
        all(x["sid"] != shell and x["tty"] == "?" for x in rows.values()),
        "; ".join(
            f"{r} {pids[r]}: sid {x['sid']} tty {x['tty']}; ps: {cp.ps_line(pids[r])}"
            for r, x in rows.items()
        ),
    )


@check(
    "the Unix daemon: ppid 1, not a session leader, cwd /, only /dev/null open",
    zh="Unix 守护进程：父进程是 1，不是会话首进程，工作目录 /，只打开了 /dev/null",
)
def unix_daemon(lab):
    cp, table, _, pids = _session(lab)
    d, rep = table[str(pids["daemon"])], cp.data["reports"]["daemon"]
    fds = rep["fds"]
    return expect(
        d["ppid"] == 1
        and d["sid"] != d["pid"]
        and rep["cwd"] == "/"
        and set(fds.values()) == {"/dev/null"}
        and sorted(fds) == ["0", "1", "2"],
        f"daemon {d['pid']}: ppid {d['ppid']}, sid {d['sid']}, cwd {rep['cwd']}, fds {fds}",
    )


@check(
    "Python's daemon=True child is no Unix daemon: fg's group, session and terminal",
    zh="Python 的 daemon=True 子进程不是 Unix 守护进程：和 fg 同一个进程组、会话和终端",
)
def python_daemon_attached(lab):
    cp, table, _, pids = _session(lab)
    c, fg, rep = (
        table[str(pids["py-daemon"])],
        table[str(pids["fg"])],
        cp.data["reports"]["py-daemon"],
    )
    return expect(
        rep["py_daemon"]
        and c["ppid"] == pids["fg"]
        and (c["pgid"], c["sid"], c["tty"]) == (fg["pgid"], fg["sid"], fg["tty"]),
        f"py-daemon {c['pid']}: daemon={rep['py_daemon']}, ppid {c['ppid']}, pgid {c['pgid']}, sid {c['sid']}, "
        f"tty {c['tty']}; fg: pgid {fg['pgid']}, sid {fg['sid']}, tty {fg['tty']}",
    )


@check(
    "closing the terminal: bash, the foreground job, the background job and the daemon=True child die of SIGHUP",
    zh="关掉终端：bash、前台作业、后台作业和 daemon=True 子进程都死于 SIGHUP",
)
def hangup_kills(lab):
    cp = lab.checkpoint("hung-up")
    dead, gone = (
        cp.data["dead"],
        [r for r in ("bg", "fg", "py-daemon") if cp.get(cp.data["pids"][r]) is None],
    )
    sigs = {r: dead.get(r, {}).get("signal") for r in ("bg", "fg", "py-daemon")}
    return expect(
        cp.data["shell_signal"] == SIGHUP
        and set(sigs.values()) == {SIGHUP}
        and len(gone) == 3
        and cp.get(cp.data["shell"]) is None,
        f"bash died of signal {cp.data['shell_signal']}; {sigs}; gone from the table: {gone}",
    )


@check(
    "nohup, setsid and the Unix daemon survive, reparented to pid 1, with no terminal",
    zh="nohup、setsid 和 Unix 守护进程活了下来，被 1 号进程收养，没有终端",
)
def survivors(lab):
    cp = lab.checkpoint("hung-up")
    alive, pids = cp.data["alive"], cp.data["pids"]
    rows = {r: cp.data["table"].get(str(pids[r])) for r in ("nohup", "setsid", "daemon")}
    ok = set(alive) == set(rows) and all(
        x and x["ppid"] == 1 and x["tty"] == "?" and cp.get(pids[r]) for r, x in rows.items()
    )
    return expect(
        ok and alive["nohup"]["sighup_ignored"],
        f"answered the roll call: {sorted(alive)}; "
        + "; ".join(
            f"{r} {pids[r]}: ppid {x['ppid']} tty {x['tty']}" if x else f"{r}: gone"
            for r, x in rows.items()
        )
        + f"; nohup ignores SIGHUP: {alive.get('nohup', {}).get('sighup_ignored')}",
    )


@check(
    "the nohup job stayed in the dead shell's session, but lost its terminal",
    zh="nohup 作业还留在已死的 shell 的会话里，但失去了终端",
)
def nohup_lost_tty(lab):
    before, after = lab.checkpoint("session"), lab.checkpoint("hung-up")
    pid = str(before.data["pids"]["nohup"])
    b, a = before.data["table"][pid], after.data["table"].get(pid, {})
    return expect(
        b["tty"] != "?" and a.get("tty") == "?" and a.get("sid") == before.data["shell"],
        f"nohup {pid}: before tty {b['tty']} sid {b['sid']}; after tty {a.get('tty')} sid {a.get('sid')}",
    )


@check(
    "the scenario (pid 1) reaped everyone and exits 0",
    zh="实验程序（1 号进程）回收了所有进程，并以 0 退出",
)
def exits_cleanly(lab):
    return expect(lab.exit_code == 0, f"container exit code {lab.exit_code}")
