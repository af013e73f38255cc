"""A Compose service as the doctor's options, as Compose would run it (entrypoint, command, init,
stop_signal, stop_grace_period, user, environment, cap_drop, cap_add, read_only, security_opt,
pids_limit, mem_limit), or why it cannot be checked alone. Pure: reads the JSON of
``docker compose config --format json``."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .model import DoctorOptions

DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)")
UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


@dataclass(frozen=True)
class Service:
    name: str
    options: DoctorOptions | None          # None: not checkable alone
    build: dict[str, Any] | None = None    # to build first (no image given)
    why_not: str = ""


def seconds(duration: str | int | float | None) -> int | None:
    """Compose's stop_grace_period ("1m30s", "10s", "500ms") in whole seconds (at least 1)."""
    if duration is None:
        return None
    if isinstance(duration, (int, float)):
        return max(1, round(duration))
    parts = DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"stop_grace_period {duration!r} is not a duration")
    return max(1, round(sum(float(n) * UNIT_S[u] for n, u in parts)))


def needs_others(svc: dict[str, Any]) -> str:
    """Why the service cannot start on its own, or ''."""
    if svc.get("depends_on"):
        return f"it depends on {', '.join(sorted(svc['depends_on']))} (depends_on)"
    nets = [n for n in (svc.get("networks") or {}) if n != "default"]
    if nets:
        return f"it is on the network(s) {', '.join(nets)}, which Compose makes with the project"
    mode = str(svc.get("network_mode") or "")
    if mode.startswith(("service:", "container:")):
        return f"it shares another's network (network_mode: {mode})"
    if svc.get("volumes_from"):
        return "it takes volumes from another (volumes_from)"
    return ""


def service_options(name: str, svc: dict[str, Any], base: DoctorOptions) -> Service:
    """The options to check one service with; the command line's options (base) for what the service leaves unset."""
    why = needs_others(svc)
    if why:
        return Service(name, None, why_not=why)
    if not svc.get("image") and not svc.get("build"):
        return Service(name, None, why_not="it has neither an image nor a build")
    mem = svc.get("mem_limit")
    opts = replace(
        base, image=str(svc.get("image") or ""),
        entrypoint=tuple(svc["entrypoint"]) if svc.get("entrypoint") is not None else base.entrypoint,
        command=tuple(svc["command"]) if svc.get("command") is not None else base.command,
        init=bool(svc.get("init", base.init)), user=str(svc["user"]) if svc.get("user") else base.user,
        env={**base.env, **{k: str(v) if v is not None else "" for k, v in (svc.get("environment") or {}).items()}},
        cap_drop=base.cap_drop + tuple(_cap(c) for c in svc.get("cap_drop") or ()),
        cap_add=base.cap_add + tuple(_cap(c) for c in svc.get("cap_add") or ()),
        security_opt=base.security_opt + tuple(svc.get("security_opt") or ()),
        read_only=bool(svc.get("read_only", base.read_only)),
        stop_signal=svc.get("stop_signal") or base.stop_signal,
        grace_s=seconds(svc.get("stop_grace_period")) or (10 if base.grace_from_default else base.grace_s),
        pids_limit=int(svc["pids_limit"]) if svc.get("pids_limit") else base.pids_limit,
        memory=f"{int(mem)}b" if mem else base.memory)
    return Service(name, opts, build=None if svc.get("image") else svc.get("build"))


def _cap(c: str) -> str:
    c = c.upper().removeprefix("CAP_")
    return c if c == "ALL" else f"CAP_{c}"
