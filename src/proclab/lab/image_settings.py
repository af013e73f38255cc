"""What the doctor ran: an image and the options it was given (``proclab doctor``), the
settings of a doctor's run as a lab run has its ``Settings``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jsonform import JsonForm, JsonRecord


@dataclass(frozen=True)
class Added:
    """An option the doctor added to the image's own (a safety net, or what the user asked)."""

    what: str
    value: Any
    option: str
    safety_net: bool = False


@dataclass(frozen=True)
class ReadyNote:
    """How the doctor knew the container was up, and when."""

    json_form = JsonForm(digits={"after_s": 3})

    how: str
    after_s: float
    detail: str = ""


@dataclass(frozen=True)
class StepTime:
    """One step of the doctor's examination, in one container: where the time went."""

    json_form = JsonForm(digits={"start_s": 3, "took_s": 3})

    container: str  # "stop", "sigint", or "" for a step of the whole examination
    step: str
    start_s: float  # since the examination began
    took_s: float


@dataclass(frozen=True)
class ImageSettings(JsonRecord):
    json_form = JsonForm(merged="extra")  # keys a later doctor added: written back as read

    image: str
    command: tuple[str, ...] = ()
    init: bool = False
    user: str | None = None
    env: tuple[str, ...] = ()
    grace_s: float = 10.0
    ready_log: str | None = None
    cap_drop: tuple[str, ...] = ()
    cap_add: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    read_only: bool = False
    k8s: bool = False
    argv: tuple[str, ...] = ()  # what the engine started (inspect Path + Args)
    stop_signal: str = "SIGTERM"
    healthcheck: bool = False
    added: tuple[Added, ...] = ()
    ready: ReadyNote | None = None
    timings: tuple[StepTime, ...] = ()  # in the order the steps began
    extra: dict[str, Any] = field(default_factory=dict)  # keys a later doctor adds: kept as read

    def get(self, key: str, default: Any = None) -> Any:
        """As a dict's get, like ``Settings.get``: for code that reads either kind of settings."""
        return getattr(self, key, default) if key in _NAMES else self.extra.get(key, default)

    def __getitem__(self, key: str) -> Any:
        if key not in _NAMES:
            raise KeyError(key)
        return getattr(self, key)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ImageSettings:
        known = {
            k: v for k, v in d.items() if k in _NAMES and k not in ("added", "ready", "timings")
        }
        for key in ("command", "env", "cap_drop", "cap_add", "security_opt", "argv"):
            if key in known:
                known[key] = tuple(known[key])
        ready = d.get("ready")
        return cls(
            **known,
            added=tuple(Added(**a) for a in d.get("added", [])),
            ready=ReadyNote(**ready) if isinstance(ready, dict) else None,
            timings=tuple(StepTime(**s) for s in d.get("timings", [])),
            extra={k: v for k, v in d.items() if k not in _NAMES},
        )


_NAMES = frozenset(ImageSettings.__dataclass_fields__) - {"extra"}
