"""A lab's container settings: one frozen record, each value type- and range-checked
once, when ``lab.toml`` is loaded. Everything later reads attributes, never keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import LabFormatError
from ..jsonform import JsonRecord
from .values import Bad, ValueCheck, boolean, checked, integer, matching, number

# Hard ceilings: no lab, built-in or consented, gets more.
PIDS_CEILING = 4096
MEM_CEILING = 4 * 2**30
MEM_FLOOR = 6 * 2**20  # Docker refuses less
TIMEOUT_CEILING_S = 3600.0
CPUS_CEILING = 64.0
CPU_SHARES_RANGE = (2, 262144)  # what the kernel's cpu.shares accepts

# Capabilities that give a way out of the container (or into the host's kernel): never granted.
ESCAPE_CAPS = {
    "SYS_ADMIN": "mounts, cgroup release_agent: a known path to root on the host",
    "SYS_MODULE": "loads kernel modules",
    "SYS_PTRACE": "traces and injects into processes",
    "SYS_RAWIO": "raw I/O ports and devices",
    "DAC_READ_SEARCH": "open_by_handle_at reads host files",
    "NET_ADMIN": "reconfigures networking",
    "BPF": "loads BPF programs into the kernel",
    "PERFMON": "reads kernel performance data",
    "SYS_BOOT": "reboots the host",
    "SYS_TIME": "sets the host's clock",
    "MAC_ADMIN": "changes the security policy",
    "MAC_OVERRIDE": "overrides the security policy",
    "SYSLOG": "reads kernel addresses",
    "CHECKPOINT_RESTORE": "restores processes with chosen pids",
    "LINUX_IMMUTABLE": "changes immutable files",
    "AUDIT_CONTROL": "changes the host's audit rules",
}
# Every capability Linux names; ESCAPE_CAPS are refused outright, the rest need a
# built-in lab's lesson or the user's consent.
KNOWN_CAPS = frozenset(
    """
    AUDIT_CONTROL AUDIT_READ AUDIT_WRITE BLOCK_SUSPEND BPF CHECKPOINT_RESTORE CHOWN DAC_OVERRIDE
    DAC_READ_SEARCH FOWNER FSETID IPC_LOCK IPC_OWNER KILL LEASE LINUX_IMMUTABLE MAC_ADMIN
    MAC_OVERRIDE MKNOD NET_ADMIN NET_BIND_SERVICE NET_BROADCAST NET_RAW PERFMON SETFCAP SETGID
    SETPCAP SETUID SYSLOG SYS_ADMIN SYS_BOOT SYS_CHROOT SYS_MODULE SYS_NICE SYS_PACCT SYS_PTRACE
    SYS_RAWIO SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG WAKE_ALARM""".split()
)

USER_RE = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10})(?::(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10}))?$"
)
CPUSET_RE = re.compile(r"^\d{1,4}(?:-\d{1,4})?(?:,\d{1,4}(?:-\d{1,4})?)*$")
MEM_RE = re.compile(r"^(\d{1,13})([bkmg]?)$", re.IGNORECASE)
MEM_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30}


@dataclass(frozen=True)
class Settings(JsonRecord):  # --json: the same keys and values lab.toml uses
    init: bool = False  # Docker's init (tini) as pid 1
    cpus: float | None = None  # CFS quota, e.g. 1.0
    cpuset_cpus: str | None = None  # e.g. "0" or "0-1"
    pids_limit: int = 128
    mem_limit: str = "256m"
    timeout_s: float = 30
    user: str = "lab"  # uid 1000 in the lab image
    cap_add: tuple[str, ...] = ()  # capabilities kept (all others dropped)
    read_only: bool = True  # read-only root file system (tmpfs on /tmp, /lab, /run/proclab)
    network: bool = False  # a loopback-only container unless true
    top: bool = False  # take top at every checkpoint (else where the scenario asks)
    exclusive: bool = False  # measures CPU time: never run beside another lab
    cpu_shares: int | None = (
        None  # the container's CFS weight against other containers (Docker: 1024)
    )
    host_pids: bool = False  # record host pids at each checkpoint, and which outlive the container
    host_view: bool = False  # count the host's processes at each checkpoint (snap.host), while held

    def merged(self, overrides: Mapping[str, Any]) -> Settings:
        """These settings with a variant's (already checked) overrides."""
        return replace(self, **overrides)

    def get(self, key: str, default: Any = None) -> Any:
        """As a dict's get: for a lab's checks written when the settings were a dict (the
        doctor's ImageSettings answers the same way)."""
        return getattr(self, key, default) if key in NAMES else default

    def __getitem__(self, key: str) -> Any:
        if key not in NAMES:
            raise KeyError(key)
        return getattr(self, key)

    @property
    def mem_bytes(self) -> int:
        return mem_bytes(self.mem_limit)

    @property
    def as_root(self) -> bool:
        """uid 0 in the container: user root, 0, or a 0 uid with a group."""
        return self.user.split(":", 1)[0] in ("root", "0")


NAMES = tuple(f.name for f in fields(Settings))


def mem_bytes(text: str) -> int:
    m = MEM_RE.match(text)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * MEM_UNITS[m.group(2).lower()]


# -- checking what lab.toml says ------------------------------------------------


def _mem(v: Any) -> str:
    want = f'a size like "256m" (b, k, m or g) from 6m to {MEM_CEILING // 2**30}g'
    if (
        not isinstance(v, str)
        or not MEM_RE.match(v)
        or not MEM_FLOOR <= mem_bytes(v) <= MEM_CEILING
    ):
        raise Bad(want)
    return v


def _caps(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
        raise Bad('a list of capability names, e.g. ["SYS_NICE"]')
    caps = tuple(c.upper().removeprefix("CAP_") for c in v)
    for c in caps:
        if c in ESCAPE_CAPS:
            raise Bad(
                f"capabilities that cannot open a way out of the container; {c} is refused "
                f"for every lab ({ESCAPE_CAPS[c]})"
            )
        if c not in KNOWN_CAPS:
            raise Bad(f"Linux capability names (e.g. SYS_NICE); '{c}' is none")
    return tuple(dict.fromkeys(caps))


USER_WANT = 'a user name or uid in the image, e.g. "lab" (uid 1000) or "1000:1000"'
CHECKS: dict[str, ValueCheck] = {
    "init": boolean,
    "read_only": boolean,
    "network": boolean,
    "top": boolean,
    "exclusive": boolean,
    "host_pids": boolean,
    "host_view": boolean,
    "cpus": number(0.01, CPUS_CEILING),
    "cpuset_cpus": matching(CPUSET_RE, 'CPU numbers like "0", "0-1" or "0,2"'),
    "pids_limit": integer(1, PIDS_CEILING),
    "mem_limit": _mem,
    "timeout_s": number(0, TIMEOUT_CEILING_S, above=True),
    "user": matching(USER_RE, USER_WANT),
    "cap_add": _caps,
    "cpu_shares": integer(*CPU_SHARES_RANGE),
}
assert set(CHECKS) == set(NAMES)


def check_settings(raw: Any, where: str) -> dict[str, Any]:
    """The settings a ``[settings]`` table (or a variant's) sets, each checked; LabFormatError names the fix."""
    if not isinstance(raw, dict):
        raise LabFormatError(
            f"{where}: 'settings' must be a table, e.g. [settings] or settings = {{ init = true }}"
        )
    for key in raw:
        if key not in CHECKS:
            close = difflib.get_close_matches(key, NAMES, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise LabFormatError(
                f"{where}: unknown setting '{key}'; {hint}known settings: {', '.join(NAMES)}"
            )
    return checked(raw, CHECKS, where, kind="setting ")
