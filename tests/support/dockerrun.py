"""`docker run OPTIONS IMAGE CMD...` as a lesson writes it, run through proclab.engine (so the
container carries proclab's labels and is removed): the options a lesson may use, mapped onto
the engine's ContainerSpec."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from proclab import engine

IGNORED = {"--rm", "-it", "-ti", "-i", "-t"}  # the engine always removes; no terminal in a test
WITH_VALUE = {"--name"}  # a name of its own: the test names the container


def container_spec(options: list[str], image: str, command: list[str]) -> engine.ContainerSpec:
    """What `docker run OPTIONS IMAGE CMD...` asks for, as the engine's ContainerSpec."""
    kw: dict = {"pids_limit": None, "mem_limit": None}  # docker run sets no limits unless asked
    opts = list(options)
    while opts:
        o = opts.pop(0)
        if o in IGNORED:
            continue
        if o in WITH_VALUE:
            opts.pop(0)
        elif o == "--init":
            kw["init"] = True
        elif o == "--pids-limit":
            kw["pids_limit"] = int(opts.pop(0))
        elif o == "--cpuset-cpus":
            kw["cpuset_cpus"] = opts.pop(0)
        elif o == "--user":
            kw["user"] = opts.pop(0)
        elif o == "--cap-add":
            kw["cap_add"] = (*kw.get("cap_add", ()), opts.pop(0))
        else:
            raise AssertionError(
                f"the test knows {sorted(IGNORED | WITH_VALUE)}, --init, --pids-limit, "
                f"--cpuset-cpus, --user and --cap-add; the lesson uses {o}"
            )
    return engine.ContainerSpec(
        image=image,
        name=f"proclab-byhand-{uuid.uuid4().hex[:10]}",
        command=tuple(command),
        labels={"lab": "by-hand"},
        **kw,
    )


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    both: str  # stdout and stderr as they arrived, as a terminal shows them


class DidNotEnd(AssertionError):
    """A lesson's command still ran at its time limit (it was killed then)."""


def run_docker(options: list[str], image: str, command: list[str], timeout: float = 60) -> Ran:
    """`docker run [options] IMAGE CMD...` through the engine, to its end; DidNotEnd (with what it
    printed) if it still runs after timeout seconds: a lesson's command that hangs must not hang the test."""
    spec = container_spec(options, image, command)
    c = engine.create(spec)
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        c.kill("SIGKILL")

    limit = threading.Timer(timeout, kill)
    try:
        stream = c.stream()
        c.start()
        limit.start()
        out, err, both = [], [], []
        for o, e in stream:
            out.append(o or b"")
            err.append(e or b"")
            both.append((o or b"") + (e or b""))
        code = c.wait(timeout=timeout)
    finally:
        limit.cancel()
        c.remove()
    text = [b"".join(x).decode(errors="replace") for x in (out, err, both)]
    if killed.is_set():
        raise DidNotEnd(
            f"`{' '.join(command)[:80]}` still ran after {timeout:g} s; it printed:\n{text[2][-2000:]}"
        )
    return Ran(code, *text)


def run_as_docker_would(
    options: list[str], image: str, command: list[str], timeout: float = 60
) -> tuple[int, str, str]:
    """`docker run [options] IMAGE CMD...` through the engine: exit code, stdout, stderr."""
    ran = run_docker(options, image, command, timeout)
    return ran.code, ran.stdout, ran.stderr


class DockerSession:
    """A host block's docker commands, in order: `docker run [-d] ...`, `docker exec NAME CMD...`
    and `docker rm -f NAME`, through the engine (labelled containers, all removed by close())."""

    def __init__(self, image: str):
        self.image = image  # this session's build of proclab/lab
        self.named: dict[str, engine.LabContainer] = {}

    def run(self, words: list[str], timeout: float = 60) -> Ran:
        verb = words[1] if words[:1] == ["docker"] and len(words) > 1 else None
        if verb == "run":
            return self._run(words[2:], timeout)
        if verb == "exec":
            name, cmd = words[2], words[3:]
            assert name in self.named, (
                f"docker exec {name}: no container of that name was started in the block"
            )
            res = self.named[name].exec(cmd, timeout=timeout)
            out, err = res.stdout.decode(errors="replace"), res.stderr.decode(errors="replace")
            return Ran(res.exit_code, out, err, out + err)
        if verb == "rm" and words[2:3] == ["-f"]:
            for name in words[3:]:
                self.named.pop(name).remove()
            return Ran(0, "", "", "")
        raise AssertionError(
            f"the test runs `docker run`, `docker exec NAME` and `docker rm -f NAME`; "
            f"the lesson uses `{' '.join(words[:3])}`"
        )

    def _run(self, args: list[str], timeout: float) -> Ran:
        i = next((i for i, w in enumerate(args) if w.startswith("proclab/")), None)
        assert i is not None, f"the command names no proclab image: docker run {' '.join(args)}"
        options, named, command = args[:i], args[i], args[i + 1 :]
        assert named == "proclab/lab", f"the lesson should run proclab/lab, not {named}"
        if "-d" not in options:
            return run_docker(options, self.image, command, timeout)
        options = [o for o in options if o != "-d"]
        name = options[options.index("--name") + 1] if "--name" in options else None
        c = engine.create(container_spec(options, self.image, command))
        self.named[name or c.name] = c
        c.start()
        return Ran(0, c.id + "\n", "", c.id + "\n")

    def close(self) -> None:
        for c in self.named.values():
            c.remove()
        self.named.clear()
