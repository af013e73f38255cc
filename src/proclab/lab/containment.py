"""Containment by default, privilege by consent.

A lab container starts with least privilege (every capability dropped,
no-new-privileges, uid 1000, no network, read-only root, pids and memory
limits). A built-in lab may weaken that where its lesson needs it; a lab from
anywhere else only when the user names each weakening setting with
``proclab run --allow SETTING[,...]`` (or ``--allow-all-settings``).
Capabilities that open a way out of a container are refused for every lab.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import UsageError
from ..jsonform import JsonForm, JsonRecord
from .settings import ESCAPE_CAPS, Settings, mem_bytes
from .spec import LabSpec, Variant

__all__ = [
    "ESCAPE_CAPS",
    "ConsentRequired",
    "Containment",
    "Weakening",
    "parse_allow",
    "require_consent",
    "weakenings",
]

# Above these a lab from elsewhere needs consent (the hard ceilings are in settings.py).
PIDS_CONSENT = 512
MEM_CONSENT = "1g"
ALLOWABLE = ("user", "cap_add", "network", "read_only", "pids_limit", "mem_limit")


class ConsentRequired(UsageError):
    """A lab from elsewhere asks for settings that weaken containment, and the user did not allow them."""


@dataclass(frozen=True)
class Weakening:
    setting: str  # the name --allow takes
    value: Any  # as lab.toml says it
    what: str  # what it gives away


def weakenings(s: Settings) -> list[Weakening]:
    """Every setting of ``s`` that gives the container more than least privilege."""
    found = []
    if s.as_root:
        found.append(Weakening("user", s.user, "runs as root in the container"))
    if s.cap_add:
        found.append(Weakening("cap_add", list(s.cap_add), "keeps capabilities"))
    if s.network:
        found.append(Weakening("network", True, "has a network beyond loopback"))
    if not s.read_only:
        found.append(Weakening("read_only", False, "may write its root file system"))
    if s.pids_limit > PIDS_CONSENT:
        found.append(Weakening("pids_limit", s.pids_limit, f"more than {PIDS_CONSENT} tasks"))
    if s.mem_bytes > mem_bytes(MEM_CONSENT):
        found.append(Weakening("mem_limit", s.mem_limit, f"more than {MEM_CONSENT} of memory"))
    return found


def _exec_as_root(v: Variant) -> list[Weakening]:
    return [
        Weakening("user", a.user, f"runs its exec at '{a.at}' as root")
        for a in v.actions
        if a.do == "exec" and a.user and Settings(user=a.user).as_root
    ]


def parse_allow(values: Iterable[str], allow_all: bool) -> frozenset[str]:
    """``--allow user,network --allow cap_add`` as a set; UsageError names an unknown setting."""
    if allow_all:
        return frozenset(ALLOWABLE)
    names = {n.strip() for v in values for n in v.split(",") if n.strip()}
    unknown = sorted(names - set(ALLOWABLE))
    if unknown:
        raise UsageError(
            f"--allow {unknown[0]}: not a setting that weakens containment; "
            f"the ones --allow takes: {', '.join(ALLOWABLE)}"
        )
    return frozenset(names)


def require_consent(spec: LabSpec, allowed: frozenset[str]) -> None:
    """Refuse, naming each setting, a lab from elsewhere that weakens containment without consent."""
    if spec.builtin:
        return
    missing: dict[str, tuple[Weakening, list[str]]] = {}
    for v in spec.variants:
        for w in weakenings(spec.settings_for(v)) + _exec_as_root(v):
            if w.setting not in allowed:
                missing.setdefault(f"{w.setting} = {w.value!r}", (w, []))[1].append(v.name)
    if not missing:
        return
    named = "; ".join(f"{k} ({w.what}; variant {', '.join(vs)})" for k, (w, vs) in missing.items())
    settings = ",".join(dict.fromkeys(w.setting for w, _ in missing.values()))
    raise ConsentRequired(
        f"lab '{spec.name}' is not a built-in lab and asks for settings that weaken its container: "
        f"{named}. Read its folder first (it is code); if you trust it, run it with "
        f"--allow {settings} (or --allow-all-settings), or remove them from its lab.toml"
    )


@dataclass(frozen=True)
class Containment(JsonRecord):
    """The container a run gets, in proclab's terms: shown in the narration and in ``--json``."""

    json_form = JsonForm(
        keys=(
            "user",
            "root",
            "cap_drop",
            "cap_add",
            "no_new_privileges",
            "network",
            "read_only_root",
            "pids_limit",
            "mem_limit",
            "weakened",
            "granted_by",
        )
    )
    cap_drop: ClassVar[tuple[str, ...]] = ("ALL",)  # every run drops them all, then adds cap_add
    no_new_privileges: ClassVar[bool] = True  # every run: setuid cannot gain privileges

    user: str
    root: bool
    cap_add: tuple[str, ...]
    network: str  # "none" (loopback only) or "bridge"
    read_only_root: bool
    pids_limit: int
    mem_limit: str
    weakened: tuple[str, ...]  # settings beyond least privilege
    granted_by: str | None  # "built-in lab" or "--allow" when something is weakened

    @classmethod
    def of(cls, s: Settings, builtin: bool) -> Containment:
        weak = tuple(w.setting for w in weakenings(s))
        return cls(
            user=s.user,
            root=s.as_root,
            cap_add=s.cap_add,
            network="bridge" if s.network else "none",
            read_only_root=s.read_only,
            pids_limit=s.pids_limit,
            mem_limit=s.mem_limit,
            weakened=weak,
            granted_by=("built-in lab" if builtin else "--allow") if weak else None,
        )

    def describe(self) -> str:
        caps = "+".join(self.cap_add) if self.cap_add else "none"
        line = (
            f"user {self.user}{' (root)' if self.root else ''}, capabilities {caps} (all others dropped), "
            f"no-new-privileges, network {self.network}, root fs {'read-only' if self.read_only_root else 'WRITABLE'}, "
            f"pids ≤{self.pids_limit}, memory ≤{self.mem_limit}"
        )
        if self.weakened:
            line += f"; beyond least privilege: {', '.join(self.weakened)} (granted by {self.granted_by})"
        return line
