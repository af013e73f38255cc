"""what-is-a-process: a program is a file; a process is that program running, with its own pid
and memory. Three parts, one after the other:

  1. one program run twice: this file is started twice (``scenario.py copy A`` and ``copy B``).
     Each copy maps a page at the same virtual address and writes its name there; main reads
     that address from both through /proc/PID/mem, and each copy's exe, cmdline, environ and
     status (checkpoint ``two-copies``);
  2. a shell's fork + exec: bash runs in a pseudo-terminal (pty) and main types a command into
     it, as a user would. bash forks; its child (``sh``) writes its pid ($$) and execs python3:
     the same pid, another program (checkpoint ``typed-command``);
  3. who started whom: from the typed command up to pid 1, read from the same table.

Moments are made certain with FIFOs and pipes, never with sleeps.
"""

import ctypes
import os
import pty
import subprocess
import sys
import threading

from labkit import checkpoint, say

ADDR = 0x5A0000000000  # one virtual address, mapped in each copy
PAGE = 4096
HERE = os.path.abspath(__file__)
DIR = "/tmp/what-is-a-process"
BEFORE, AFTER, GO = (os.path.join(DIR, n) for n in ("before-exec", "after-exec", "go"))
STATUS_KEYS = ("Name", "State", "Pid", "PPid", "Uid", "VmRSS", "Threads")


def map_fixed(text: str) -> None:
    """Map one private page at ADDR and write ``text`` there (ctypes: Python's mmap takes no address)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    prot, flags = 0x1 | 0x2, 0x02 | 0x20 | 0x100000  # READ|WRITE; PRIVATE|ANONYMOUS|FIXED_NOREPLACE
    got = libc.mmap(ADDR, PAGE, prot, flags, -1, 0)
    if got != ADDR:
        sys.exit(f"mmap at {ADDR:#x} gave {got}: errno {ctypes.get_errno()}")
    data = text.encode() + b"\0"
    ctypes.memmove(ADDR, data, len(data))


def run_copy(name: str) -> None:
    """``scenario.py copy NAME``: the same program, a second process."""
    map_fixed(f"copy {name}")
    print(f"ready {os.getpid()}", flush=True)
    sys.stdin.readline()  # until main says go
    sys.exit(0)


def run_typed() -> None:
    """``scenario.py typed``: what the shell's child became after exec."""
    with open(AFTER, "w") as f:
        f.write(f"{os.getpid()} {os.getppid()}\n")
    with open(GO) as f:  # until main says go
        f.read()


def facts(pid: int) -> dict:
    """What /proc says about a process: its program file, arguments, environment, status, terminal."""
    proc = f"/proc/{pid}"
    with open(f"{proc}/cmdline", "rb") as f:
        cmdline = [a.decode() for a in f.read().split(b"\0")[:-1]]
    with open(f"{proc}/environ", "rb") as f:
        environ = dict(e.decode().partition("=")[::2] for e in f.read().split(b"\0") if b"=" in e)
    status = {}
    with open(f"{proc}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in STATUS_KEYS:
                status[key] = " ".join(value.split())
    return {
        "pid": pid,
        "exe": os.readlink(f"{proc}/exe"),
        "cmdline": cmdline,
        "copy": environ.get("COPY"),
        "environ_count": len(environ),
        "status": status,
        "tty": os.readlink(f"{proc}/fd/0"),
    }


def read_memory(pid: int) -> str | None:
    """What the copy holds at ADDR, or None when the kernel refuses the read: /proc/PID/mem is
    ptrace's access check, which a strict ptrace policy (Yama's ptrace_scope 2 or 3) denies."""
    try:
        with open(f"/proc/{pid}/mem", "rb") as f:
            f.seek(ADDR)
            return f.read(32).split(b"\0")[0].decode()
    except PermissionError:
        return None


def ptrace_scope() -> str:
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            return f.read().strip()
    except OSError:
        return "unknown (no Yama)"


def part_two_copies() -> None:
    main = os.getpid()
    copies = {}
    for name in ("A", "B"):
        p = subprocess.Popen(
            [sys.executable, HERE, "copy", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "COPY": name},
        )
        assert p.stdout.readline().startswith("ready")  # its page is written
        copies[name] = p
    seen = [
        {**facts(p.pid), "name": name, "memory": read_memory(p.pid)} for name, p in copies.items()
    ]
    say(
        f"one program, two processes: pids {[c['pid'] for c in seen]}, both {seen[0]['exe']}; at {ADDR:#x} "
        f"copy A holds {seen[0]['memory']!r}, copy B {seen[1]['memory']!r}"
    )
    checkpoint(
        "two-copies",
        main=main,
        copy_a=seen[0]["pid"],
        copy_b=seen[1]["pid"],
        address=f"{ADDR:#x}",
        copies=seen,
        ptrace_scope=ptrace_scope(),
        main_exe=os.readlink("/proc/self/exe"),
    )
    codes = {}
    for name, p in copies.items():
        p.stdin.write("go\n")
        p.stdin.flush()
        codes[name] = p.wait()
    checkpoint(
        "copies-ended", main=main, copy_a=seen[0]["pid"], copy_b=seen[1]["pid"], exit_codes=codes
    )


def drain(fd: int, out: list) -> None:
    """Read what the terminal shows (bash's prompt and echo), so the pty never fills up."""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's last user is gone
            return
        if not chunk:
            return
        out.append(chunk.decode(errors="replace"))


def part_shell() -> None:
    main = os.getpid()
    os.makedirs(DIR, exist_ok=True)
    for fifo in (BEFORE, AFTER, GO):
        os.mkfifo(fifo)
    bash, fd = pty.fork()  # the child: a new session, the pty its controlling terminal
    if bash == 0:
        os.execvpe(
            "bash",
            ["bash", "--norc", "--noprofile", "-i"],
            {**os.environ, "PS1": "$ ", "TERM": "dumb"},
        )
    screen: list = []
    reader = threading.Thread(target=drain, args=(fd, screen), daemon=True)
    reader.start()
    typed = f"sh -c 'echo $$ > {BEFORE}; exec python3 {HERE} typed'"
    os.write(fd, (typed + "\n").encode())  # typed, as a user types it
    with open(BEFORE) as f:
        before = int(f.read().split()[0])  # sh's pid, before its exec
    with open(AFTER) as f:
        after, parent = (int(x) for x in f.read().split())
    command, shell = facts(after), facts(bash)
    say(
        f"bash {bash} forked {before}; it ran sh, which exec'd python3 and stayed pid {after}; "
        f"parent {parent}; terminal {command['tty']}"
    )
    checkpoint(
        "typed-command",
        main=main,
        bash=bash,
        command_pid=after,
        typed=typed,
        before_exec=before,
        after_exec=after,
        parent_seen=parent,
        command=command,
        shell=shell,
        main_tty=os.readlink("/proc/self/fd/0"),
    )
    with open(GO, "w") as f:
        f.write("go\n")
    os.write(fd, b"exit\n")
    _, status = os.waitpid(bash, 0)
    reader.join(timeout=10)
    checkpoint(
        "shell-ended",
        main=main,
        bash=bash,
        bash_status=os.waitstatus_to_exitcode(status),
        screen="".join(screen)[-500:],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["copy"]:
        run_copy(sys.argv[2])
    elif sys.argv[1:2] == ["typed"]:
        run_typed()
    else:
        say(f"what-is-a-process: main is {os.getpid()}, started by {os.getppid()}")
        part_two_copies()
        part_shell()
