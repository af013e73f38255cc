"""The container a lab variant runs in: its name and its least-privilege spec."""

from __future__ import annotations

import re
import unicodedata
import uuid

from .. import engine
from ..engine import ContainerSpec
from ..lab.settings import Settings
from ..lab.spec import LabSpec, Variant
from ..snapshot import FIFO_DIR
from .ship import ship


def container_name(lab: str, variant: str) -> str:
    """A name Docker accepts ([a-zA-Z0-9][a-zA-Z0-9_.-]*) for any lab and variant name:
    accents dropped, anything else a dash, and a random tail so runs never collide."""

    def part(text: str) -> str:
        ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-zA-Z0-9_.-]+", "-", ascii_).strip("-.") or "x"

    return f"proclab-{part(lab)[:40]}-{part(variant)[:40]}-{uuid.uuid4().hex[:6]}"


def container_spec(
    spec: LabSpec, variant: Variant, image: str, settings: Settings
) -> ContainerSpec:
    """The lab container: least privilege, with what the lab's settings add back."""
    env = {
        "PROCLAB_HARNESS": "1",
        "PROCLAB_GO": "1",
        "PROCLAB_LAB": ship(spec.path),
        "PROCLAB_VARIANT": variant.name,
        "PYTHONUNBUFFERED": "1",
    }
    return ContainerSpec(
        image=image,
        name=container_name(spec.name, variant.name),
        command=("python3", "-m", "labkit.boot", *variant.args),
        env=env,
        labels={"lab": spec.name},
        user=settings.user,
        init=settings.init,
        pids_limit=settings.pids_limit,
        mem_limit=settings.mem_limit,
        cap_add=settings.cap_add,
        read_only=settings.read_only,
        network="bridge" if settings.network else "none",
        tmpfs={**engine.LAB_TMPFS, FIFO_DIR: "rw,mode=1777,size=1m"},
        cpus=settings.cpus,
        cpuset_cpus=settings.cpuset_cpus,
        cpu_shares=settings.cpu_shares,
    )
