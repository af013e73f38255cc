"""What the zombies lab proves, each fact with its evidence."""
from proclab.checks import check, expect


def _zombie_at(lab, name):
    cp = lab.checkpoint(name)
    return cp, cp.process(cp.data["child"])


@check("an exited, unwaited child is a zombie: psutil says Z, its parent is the scenario")
def psutil_sees_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    return expect(z.state == "Z" and z.ppid == cp.data["parent"],
                  f"psutil at zombie-created: {z}")


@check("ps shows the zombie as Z with <defunct>")
def ps_sees_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    row = cp.ps_row(z.pid)
    return expect(row is not None and row.stat.startswith("Z") and row.defunct,
                  f"ps: {cp.ps_line(z.pid)}")


@check("top's Tasks line counts exactly 1 zombie, and top lists it as Z")
def top_counts_zombie(lab):
    cp, z = _zombie_at(lab, "zombie-created")
    tasks, row = cp.top_tasks, cp.top_row(z.pid)
    return expect(tasks is not None and tasks.zombie == 1 and row is not None and row.state == "Z",
                  f"top: {cp.top_header()[1] if cp.top else 'not taken'}; row: {row.line.strip() if row else 'none'}",
                  top_zombies=tasks.zombie if tasks else None)


@check("psutil, ps and top agree about every scenario process at zombie-created")
def views_agree(lab):
    cp = lab.checkpoint("zombie-created")
    problems = cp.disagreements()
    return expect(not problems, "; ".join(problems) or f"pids {cp.pids()} agree in all three views")


@check("after waitpid() the zombie is gone from psutil, ps and top")
def reaped_everywhere(lab):
    before, z = _zombie_at(lab, "zombie-created")
    after = lab.checkpoint("reaped")
    gone_psutil = not after.has(z.key)
    gone_ps = after.ps_row(z.pid) is None
    zombies_top = after.top_tasks.zombie if after.top_tasks else None
    return expect(gone_psutil and gone_ps and zombies_top == 0,
                  f"pid {z.pid}: in psutil={not gone_psutil}, in ps={not gone_ps}; top zombies={zombies_top}; "
                  f"waitpid status={after.data.get('status')}")


@check("a multiprocessing.Process that finished but was not joined is a zombie")
def mp_zombie(lab):
    cp, z = _zombie_at(lab, "mp-zombie")
    return expect(z.state == "Z" and z.ppid == cp.data["parent"] and cp.top_tasks.zombie == 1,
                  f"psutil: {z}; ps: {cp.ps_line(z.pid)}; top: {cp.top_header()[1]}")


@check("join() reaps it: gone from the table, exitcode 0")
def mp_joined(lab):
    _, z = _zombie_at(lab, "mp-zombie")
    after = lab.checkpoint("mp-joined")
    return expect(not after.has(z.key) and after.data["exitcode"] == 0 and after.top_tasks.zombie == 0,
                  f"after join: pid {z.pid} present={after.has(z.key)}, exitcode={after.data['exitcode']}, "
                  f"top zombies={after.top_tasks.zombie}")


@check("the scenario exits 0")
def exits_cleanly(lab):
    code = lab.exit_code
    return expect(code == 0, f"container exit code {code}")
