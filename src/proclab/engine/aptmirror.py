"""Find the Debian mirror and release the host's apt is configured with.

proclab creates its base image with debootstrap when no registry can be
reached; it takes the mirror from the host's own apt configuration so that
nothing about a particular network is written into the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import EnvironmentProblem


@dataclass(frozen=True)
class AptSource:
    uri: str
    suite: str
    components: tuple[str, ...]


def parse_deb822(text: str) -> list[AptSource]:
    """Parse a deb822 ``.sources`` file into its binary (``Types: deb``) sources."""
    sources: list[AptSource] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line[0].isspace() and key:
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        comps = tuple(fields.get("components", "main").split())
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                sources.append(AptSource(uri.rstrip("/"), suite, comps))
    return sources


def parse_one_line(text: str) -> list[AptSource]:
    """Parse classic one-line ``sources.list`` entries (``deb [opts] URI suite comp...``)."""
    sources: list[AptSource] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        line = re.sub(r"\[[^\]]*\]", "", line)
        parts = line.split()
        if len(parts) >= 3:
            sources.append(AptSource(parts[1].rstrip("/"), parts[2], tuple(parts[3:]) or ("main",)))
    return sources


def host_sources(root: Path = Path("/")) -> list[AptSource]:
    found: list[AptSource] = []
    main_list = root / "etc/apt/sources.list"
    if main_list.is_file():
        found += parse_one_line(main_list.read_text(errors="replace"))
    src_dir = root / "etc/apt/sources.list.d"
    if src_dir.is_dir():
        for f in sorted(src_dir.iterdir()):
            if f.suffix == ".sources":
                found += parse_deb822(f.read_text(errors="replace"))
            elif f.suffix == ".list":
                found += parse_one_line(f.read_text(errors="replace"))
    return found


def host_codename(root: Path = Path("/")) -> str | None:
    os_release = root / "etc/os-release"
    if not os_release.is_file():
        return None
    for line in os_release.read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"') or None
    return None


def debian_mirror(
    suite: str = "bookworm", root: Path = Path("/"), also: tuple[str, ...] = ()
) -> str:
    """The URI of the host's apt source that serves ``suite`` (not -security/-updates).

    ``also``: other suites whose source will do. A Debian mirror serves every suite, so a
    host that lists only bookworm can still debootstrap forky from the same URI."""
    sources = host_sources(root)
    for want in (suite, *also):
        for src in sources:
            if src.suite == want and "main" in src.components:
                return src.uri
    raise EnvironmentProblem(
        f"no apt source for Debian '{suite}' found in {root / 'etc/apt'}; "
        "set PROCLAB_DEBIAN_MIRROR to a Debian mirror URL, or set BASE_IMAGE to an image you have"
    )
