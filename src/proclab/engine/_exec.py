"""A process exec'd in a container with its stdin and stdout attached: lines in, lines out.

docker-py's ``exec_start(socket=True)`` hands over the hijacked connection;
without a tty the engine multiplexes stdout and stderr on it in frames (an
8-byte header: stream, 3 zero bytes, big-endian length). This works over any
transport the engine is reached by (unix socket, TCP/TLS, ssh).
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from ..errors import ContainerError
from ._calls import docker_call

_STDOUT, _STDERR = 1, 2


class AttachedExec:
    """One long-lived exec: ``send`` a line to its stdin, ``read_line`` from its stdout."""

    def __init__(self, api: Any, exec_id: str, sock: Any, container_name: str):
        self._api, self.exec_id, self._sock, self.name = api, exec_id, sock, container_name
        self._raw = getattr(sock, "_sock", sock)  # the socket under docker-py's SocketIO
        self._buf = b""  # undecoded frame bytes
        self._out = b""  # stdout bytes not yet returned as a line
        self.stderr = b""

    @classmethod
    def start(cls, api: Any, container_id: str, name: str, cmd: list[str]) -> AttachedExec:
        with docker_call(f"exec {cmd[0]} (attached) in", name):
            ex = api.exec_create(container_id, cmd, stdin=True, stdout=True, stderr=True)
            sock = api.exec_start(ex["Id"], socket=True)
        return cls(api, ex["Id"], sock, name)

    def _fail(self, why: str) -> ContainerError:
        tail = self.stderr.decode(errors="replace").strip().splitlines()[-2:]
        return ContainerError(
            "talk to the attached exec in",
            self.name,
            why + (f" (its stderr: {' | '.join(tail)})" if tail else ""),
        )

    def send(self, line: str) -> None:
        try:
            self._raw.sendall(line.encode() + b"\n")
        except OSError as err:
            raise self._fail(f"writing to it failed: {err}") from err

    def read_line(self, timeout: float) -> str:
        """The next line the process printed on stdout (stderr is kept in ``stderr``)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._out:
            self._frame(deadline)
        line, _, self._out = self._out.partition(b"\n")
        return line.decode(errors="replace")

    def _frame(self, deadline: float) -> None:
        header = self._take(8, deadline)
        stream, size = struct.unpack(">BxxxL", header)
        data = self._take(size, deadline)
        if stream == _STDERR:
            self.stderr = (self.stderr + data)[-4096:]
        else:
            self._out += data

    def _take(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._fail("it did not answer in time")
            try:
                self._raw.settimeout(left)
                chunk = self._raw.recv(max(65536, n - len(self._buf)))
            except TimeoutError as err:
                raise self._fail("it did not answer in time") from err
            except OSError as err:
                raise self._fail(f"reading from it failed: {err}") from err
            if not chunk:
                raise self._fail("it has ended (the connection closed)")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def host_pid(self) -> int:
        """The exec'd process's pid on the engine's host (0 once the engine forgot it)."""
        try:
            with docker_call("exec inspect in", self.name):
                return int(self._api.exec_inspect(self.exec_id).get("Pid") or 0)
        except ContainerError:
            return 0

    def close(self) -> None:
        """Close its stdin (it then exits, if the container still runs) and the connection."""
        for step in (lambda: self._raw.shutdown(socket.SHUT_WR), self._raw.close, self._sock.close):
            try:
                step()
            except (OSError, AttributeError):
                pass
