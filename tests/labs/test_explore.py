"""Exploration hosts end to end: two real containers with sshd, provisioned and
checked with Ansible (ansible-runner) over ssh, exercises done over ssh with paramiko.

The hosts are started with the real CLI ('proclab explore up A B') and removed
with it ('proclab explore down A B'); nothing is left behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import paramiko
import pytest

from tests.support.cli import run_cli
from tests.support.documents import printed

pytestmark = [pytest.mark.docker, pytest.mark.ansible, pytest.mark.slow]

PROCLAB = [sys.executable, "-m", "proclab.cli"]
RUN = uuid.uuid4().hex[:6]
A, B = f"t{RUN}-a", f"t{RUN}-b"

# Make a zombie the way the exercise asks, but with certainty instead of a sleep:
# a detached parent forks a child that exits, waits for that exit without reaping
# it (WNOWAIT), then reports both pids through a pipe and stays alive.
MAKE_ZOMBIE = r"""
import os, signal
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    os.close(r)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitid(os.P_PID, child, os.WEXITED | os.WNOWAIT)
    os.write(w, b"%d %d\n" % (os.getpid(), child))
    os.close(w)
    while True:
        signal.pause()
os.close(w)
print(os.read(r, 100).decode().strip())
"""

# Wait (bounded) until a process has used some CPU time: there is no event for that.
WAIT_CPU = (
    "import psutil, sys, time; p = psutil.Process({pid}); end = time.monotonic() + 30\n"
    "while sum(p.cpu_times()[:2]) < {cpu} and time.monotonic() < end: time.sleep(0.05)\n"
    "print(sum(p.cpu_times()[:2]))"
)
# Wait (bounded) until a pid has left the table (pid 1 reaps it asynchronously).
WAIT_GONE = (
    "import psutil\ntry:\n    psutil.wait_procs([psutil.Process({pid})], timeout=10)\n"
    "except psutil.NoSuchProcess:\n    pass\nprint(psutil.pid_exists({pid}))"
)


def cli(*args: str, env: dict[str, str]):
    """``proclab ARGS`` in-process, with ``env`` as the whole environment the command reads."""
    return run_cli(*args, env={**{k: None for k in os.environ if k not in env}, **env})


def ssh_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # a subprocess: 'proclab explore ssh' execs ssh, replacing the process it runs in
    return subprocess.run(
        [*PROCLAB, "explore", "ssh", *args], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, docker_engine):
    """Two exploration hosts, started and provisioned by 'proclab explore up'."""
    from proclab.engine import images
    from proclab.explore import hosts as explore

    images.ensure("explore")
    state = tmp_path_factory.mktemp("explore-state")
    old = os.environ.get("PROCLAB_STATE")
    os.environ["PROCLAB_STATE"] = str(state)
    env = dict(os.environ)
    try:
        up = cli("explore", "up", A, B, env=env)
        assert up.returncode == 0, f"explore up failed:\n{up.stdout}\n{up.stderr[-4000:]}"
        yield {h.name: h for h in (explore.load(A), explore.load(B))}, env
    finally:
        for name in (A, B):
            try:
                explore.stop(name)
            except Exception:
                pass
        if old is None:
            os.environ.pop("PROCLAB_STATE", None)
        else:
            os.environ["PROCLAB_STATE"] = old


def connect(host, user: str = "student", **kw) -> paramiko.SSHClient:
    """An ssh session that trusts only the host key in the generated known_hosts."""
    c = paramiko.SSHClient()
    c.load_host_keys(str(host.known_hosts))
    c.set_missing_host_key_policy(paramiko.RejectPolicy())
    args = {
        "key_filename": str(host.key_file),
        "look_for_keys": False,
        "allow_agent": False,
        "timeout": 20,
    }
    args.update(kw)
    c.connect("127.0.0.1", port=host.port, username=user, **args)
    return c


def sh(client: paramiko.SSHClient, command: str, stdin: str | None = None) -> str:
    i, o, e = client.exec_command(command, timeout=60)
    if stdin is not None:
        i.write(stdin)
        i.channel.shutdown_write()
    out, err = o.read().decode(), e.read().decode()
    code = o.channel.recv_exit_status()
    assert code == 0, f"{command!r} exited {code}: {out} {err}"
    return out.strip()


def results(check_rows, name: str) -> dict[str, dict]:
    row = next(r for r in check_rows if r.host == name)
    assert row.problem is None, f"{name}: {row.problem}"
    return {r["exercise"]: r for r in row.results}


def test_hosts_are_locked_down(hosts):
    """Key-only login as student; no root, no password; ssh published on 127.0.0.1 only."""
    from proclab import engine

    hs, env = hosts
    out = ssh_cli(A, "id", "-un", env=env)  # the CLI's ssh, with its known_hosts
    assert (out.returncode, out.stdout.strip()) == (0, "student"), out.stderr
    for h in hs.values():
        with connect(h) as c:
            assert sh(c, "id -un") == "student"
            assert sh(c, "cat ~/.ssh/authorized_keys") == h.public_key
            assert "zombie" in sh(c, "ls ~/exercises")
        with pytest.raises(paramiko.AuthenticationException):
            connect(h, user="root")
        with pytest.raises(paramiko.AuthenticationException):
            connect(h, key_filename=None, password="student")
        attrs = engine.find_container(h.container).inspect()
        bindings = attrs["NetworkSettings"]["Ports"]["22/tcp"]
        assert bindings and all(b["HostIp"] == "127.0.0.1" for b in bindings), bindings
        assert attrs["HostConfig"]["CapDrop"] == ["ALL"]
        assert "no-new-privileges" in attrs["HostConfig"]["SecurityOpt"]
        assert attrs["Config"]["Labels"].get("proclab.keep") == "1"


def test_zombie_check_goes_from_fail_to_pass_on_one_host_only(hosts, tmp_path):
    from proclab.explore import playbooks

    hs, env = hosts
    before, run = playbooks.check(list(hs.values()))
    assert not results(before, A)["zombie"]["passed"], run.output
    assert not results(before, B)["zombie"]["passed"], run.output

    with connect(hs[A]) as c:  # the exercise, done by hand over ssh
        parent, zombie = (int(x) for x in sh(c, "python3 -", stdin=MAKE_ZOMBIE).split())
        found = sh(c, "ps -eo pid=,stat=,user= | awk '$2 ~ /^Z/ && $3 == \"student\" {print $1}'")
        assert found.split() == [str(zombie)], found
        sh(c, f"echo {found} > ~/answers/zombie")

    after, run = playbooks.check(list(hs.values()))
    a, b = results(after, A), results(after, B)
    assert a["zombie"]["passed"], a["zombie"]
    assert a["zombie"]["figures"] == {"zombie": zombie, "parent": parent, "zombies": 1}
    assert re.search(rf"\b{zombie}\b.*Z.*<defunct>", a["zombie"]["saw"]), a["zombie"]["saw"]
    assert "1 zombie" in a["zombie"]["saw"]  # top's Tasks line
    assert not b["zombie"]["passed"], b["zombie"]  # the other host: still not
    assert not any(r["passed"] for n, r in a.items() if n != "zombie")
    assert "ok: [" in run.output and A in run.output  # ansible's own report

    # The same through the CLI (in Chinese too), and the class report through classroom.yml, with
    # the hints A's learner asked for: two on the host itself, one from the controller.
    out = cli("explore", "check", A, "--json", env=env)
    assert out.returncode == 1, out.stderr  # not every exercise passed
    zh = cli("explore", "check", A, "--json", "--lang", "zh", env=env)
    hosts = printed(zh.stdout, "explore_check")["hosts"]
    assert [h["host"] for h in hosts] == [A] and hosts[0]["problem"] is None, hosts
    zh_rows = {r["exercise"]: r for r in hosts[0]["results"]}
    assert (
        "僵尸进程" in zh_rows["zombie"]["saw"]
        and "还没有 ~/answers/orphan" in zh_rows["orphan"]["saw"]
    ), zh_rows
    with connect(hs[A]) as c:
        assert "hint 1 of 3" in sh(c, "python3 ~/exercises/hint.py orphan")
        assert "hint 2 of 3" in sh(c, "python3 ~/exercises/hint.py orphan")
    asked = cli("explore", "hint", "signal-exit", "--level", "3", "--host", A, env=env)
    assert asked.returncode == 0 and "hint 3 of 3 (the answer)" in asked.stdout, asked.stderr
    bad = cli("explore", "hint", "nosuch", "--host", A, env=env)
    assert bad.returncode == 2 and "no exercise named 'nosuch'" in bad.stderr
    report = tmp_path / "class.json"
    out = cli("explore", "class", "--report", str(report), env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "orphan (2)" in out.stdout and "signal-exit (3)" in out.stdout

    doc = json.loads(report.read_text())
    assert doc[A]["finished"] == ["zombie"] and doc[A]["reachable"] and doc[A]["done_at"]["zombie"]
    assert doc[A]["hints"] == {"orphan": 2, "signal-exit": 3}
    assert doc[B]["finished"] == [] and len(doc[B]["not_yet"]) == 6 and doc[B]["done_at"] == {}
    assert doc[B]["hints"] == {}


def test_a_wrong_host_key_is_refused(hosts, tmp_path):
    """Host keys are checked: A's port with B's host key in known_hosts is unreachable, not trusted."""
    from proclab.explore import playbooks

    hs, _ = hosts
    a, b = hs[A], hs[B]
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[127.0.0.1]:{a.port} {b.host_key}\n")

    class Impostor:
        name = A

        def inventory_vars(self):
            v = a.inventory_vars()
            v["ansible_ssh_common_args"] = v["ansible_ssh_common_args"].replace(
                str(a.known_hosts), str(wrong)
            )
            return v

    rows, run = playbooks.check([Impostor()])
    assert rows[0].results == [] and rows[0].problem.startswith("unreachable"), rows
    assert "Host key verification failed" in rows[0].problem, rows[0].problem


def test_every_exercise_by_hand(hosts):
    """All six exercises on host B over ssh; each checker then passes with its evidence."""
    from proclab.explore import playbooks

    hs, _ = hosts
    h = hs[B]
    with connect(h) as c:
        # orphan: the shell that started it is gone; who is its parent now?
        orphan = sh(c, "sh -c 'sleep 3600 >/dev/null 2>&1 </dev/null & echo $!'")
        adopter = sh(c, f"ps -o ppid= -p {orphan}")
        sh(c, f"echo {orphan} {adopter} > ~/answers/orphan")

        # renice: a CPU hog at nice 10
        hog = sh(
            c,
            "sh -c 'taskset -c 0 python3 -c \"while True: pass\" >/dev/null 2>&1 </dev/null & echo $!'",
        )
        sh(c, f"renice -n 10 -p {hog}")
        sh(c, "python3 -", stdin=WAIT_CPU.format(pid=hog, cpu=0.6))

        # stop and continue the ticker's worker, following what its watcher reports
        _, out, _ = c.exec_command("python3 ~/exercises/stop-continue/ticker.py")
        worker = int(re.search(r"worker (\d+) is waiting", out.readline()).group(1))
        sh(c, f"kill -STOP {worker}")
        assert "stopped by SIGSTOP" in out.readline()
        assert "stopped (T) now" in sh(c, "python3 ~/exercises/check.py stop-continue --json")
        sh(c, f"kill -CONT {worker}")
        assert "continued by SIGCONT" in out.readline()

        # kill a zombie's parent: the zombie goes too
        _, zout, _ = c.exec_command("python3 ~/exercises/kill-parent/zombie_parent.py")
        m = re.search(r"I am (\d+); my child (\d+)", zout.readline())
        zparent, zombie = int(m.group(1)), int(m.group(2))
        assert sh(c, f"ps -o stat= -p {zombie}").startswith("Z")
        sh(c, f"kill {zparent}")
        assert sh(c, "python3 -", stdin=WAIT_GONE.format(pid=zombie)) == "False"

        # the exit status of processes killed by signals, as the shell reports it
        term = sh(c, "bash -c 'sleep 1000 & kill -TERM $!; wait $!; echo $?'")
        kill = sh(c, "bash -c 'sleep 1000 & kill -KILL $!; wait $!; echo $?'")
        assert (term, kill) == ("143", "137")
        sh(c, f"printf 'TERM {term}\\nKILL {kill}\\n' > ~/answers/signal-exit")

        # the zombie exercise too
        sh(c, "python3 -", stdin=MAKE_ZOMBIE)
        sh(
            c,
            "ps -eo pid=,stat=,user= | awk '$2 ~ /^Z/ && $3 == \"student\" {print $1}' > ~/answers/zombie",
        )

        rows, run = playbooks.check([h])
        got = results(rows, B)
        failed = {n: r["saw"] for n, r in got.items() if not r["passed"]}
        assert not failed, f"{failed}\n{run.output[-3000:]}"
        assert got["orphan"]["figures"]["adopter_name"] == "docker-init"
        assert got["renice"]["figures"]["nice"] == 10 and got["renice"]["figures"]["pid"] == int(
            hog
        )
        assert got["stop-continue"]["figures"] == {"worker": worker, "stops": 1, "continues": 1}
        assert got["kill-parent"]["figures"]["zombie"] == zombie
        assert got["signal-exit"]["figures"]["statuses"] == {"SIGTERM": 143, "SIGKILL": 137}


def test_down_removes_everything(hosts):
    from proclab import engine
    from proclab.explore import hosts as explore

    hs, env = hosts
    out = cli("explore", "down", A, B, env=env)
    assert out.returncode == 0, out.stderr
    for h in hs.values():
        assert engine.find_container(h.container) is None
        assert not engine.client().networks.list(names=[h.network])
        assert not h.dir.exists()
    assert explore.saved() == []
    out = cli("explore", "check", A, env=env)
    assert out.returncode == 2 and f"no exploration host named '{A}'" in out.stderr


def test_down_without_names_removes_only_yours_and_all_removes_everyones(tmp_path, docker_engine):
    from proclab import engine
    from proclab.engine import images

    images.ensure("explore")
    theirs = {**os.environ, "PROCLAB_STATE": str(tmp_path / "theirs")}
    mine = {**os.environ, "PROCLAB_STATE": str(tmp_path / "mine")}
    name = f"other-{uuid.uuid4().hex[:6]}"
    up = cli("explore", "up", name, env=theirs)
    assert up.returncode == 0, up.stderr[-3000:]
    try:
        out = cli("explore", "down", env=mine)
        assert out.returncode == 0 and "the exploration hosts you started" in out.stdout, out.stdout
        assert "nothing to remove" in out.stdout
        assert engine.find_container(f"proclab-explore-{name}") is not None  # another user's: kept
        assert cli("explore", "down", name, "--all", env=mine).returncode == 2
        out = cli("explore", "down", "--all", env=mine)
        assert out.returncode == 0 and f"removed container proclab-explore-{name}" in out.stdout, (
            out.stdout
        )
        assert engine.find_container(f"proclab-explore-{name}") is None
        assert not engine.client().networks.list(names=[f"proclab-explore-{name}"])
    finally:
        cli("explore", "down", name, env=theirs)
