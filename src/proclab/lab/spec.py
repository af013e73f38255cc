"""A lab on disk: its folder, its lab.toml settings and variants, found by name or path.

A lab folder holds ``scenario.py`` (required), and optionally ``lab.toml``,
``checks.py``, ``README.md`` and ``questions.toml``. A folder with only a
scenario.py runs with the default settings and shows its snapshots.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import LabFormatError, LabNotFound
from ..paths import labs_dir
from . import lesson

# Container settings a lab may set, with their types and defaults.
SETTINGS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "init": (bool, False),               # Docker's init (tini) as pid 1
    "cpus": ((int, float), None),        # CFS quota, e.g. 1.0
    "cpuset_cpus": (str, None),          # e.g. "0" or "0-1"
    "pids_limit": (int, 128),
    "mem_limit": (str, "256m"),
    "timeout_s": ((int, float), 30),
    "user": (str, "lab"),                # uid 1000 in the lab image
    "cap_add": (list, []),               # capabilities kept (all others dropped)
    "read_only": (bool, True),           # read-only root file system (tmpfs on /tmp, /lab, /run/proclab)
    "network": (bool, False),            # a loopback-only container unless true
    "top": (bool, False),                # take top at every checkpoint (else where the scenario asks)
    "exclusive": (bool, False),          # measures CPU time: never run beside another lab
    "cpu_shares": (int, None),           # the container's CFS weight against other containers (Docker default 1024)
    "host_pids": (bool, False),          # record host pids at each checkpoint, and which outlive the container
}
ACTIONS = {"stop", "kill", "exec", "release"}
TOP_KEYS = {"title", "title_zh", "summary", "settings", "variant", "exercises", "check_timeout_s"}
VARIANT_KEYS = {"name", "summary", "args", "settings", "actions", "expect_timeout", "expect_exit"}
CHECK_TIMEOUT_S = 10.0               # each check's time limit (top-level check_timeout_s)
ACTION_KEYS = {"at", "do", "grace_s", "signal", "command", "user", "then"}


@dataclass(frozen=True)
class Action:
    at: str                           # checkpoint name
    do: str                           # stop | kill | exec | release
    grace_s: float = 10.0
    signal: str = "SIGKILL"
    command: tuple[str, ...] = ()
    user: str | None = None
    then: str = "release"             # after an exec: release the checkpoint (or "hold")


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str = ""
    args: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    expect_timeout: bool = False      # a hang variant: hitting the timeout is the expected outcome
    expect_exit: int | str | None = None   # the scenario's exit code when not 0: a number, or "signal" (128+N)


@dataclass(frozen=True)
class LabSpec:
    name: str
    path: Path
    title: str
    summary: str
    settings: dict[str, Any]
    variants: tuple[Variant, ...]
    title_zh: str = ""               # the Chinese title (`proclab list --lang zh`)
    check_timeout_s: float = CHECK_TIMEOUT_S

    @property
    def scenario(self) -> Path:
        return self.path / "scenario.py"

    @property
    def checks_file(self) -> Path:
        return self.path / "checks.py"

    @property
    def readme(self) -> Path:
        return self.path / "README.md"

    def settings_for(self, variant: Variant) -> dict[str, Any]:
        return {**self.settings, **variant.settings}

    def title_in(self, lang: str) -> str:
        return self.title_zh if lang == "zh" and self.title_zh else self.title

    def lesson_intro(self, lang: str = "en") -> str:
        """The README's first paragraph after its title (README.zh.md's for Chinese)."""
        return lesson.intro(self.path, lang, self.summary)

    def with_variants(self, names: list[str]) -> "LabSpec":
        chosen = tuple(v for v in self.variants if v.name in names)
        unknown = set(names) - {v.name for v in chosen}
        if unknown:
            raise LabFormatError(f"lab '{self.name}' has no variant {', '.join(sorted(unknown))}; "
                                 f"its variants: {', '.join(v.name for v in self.variants)}")
        return replace(self, variants=chosen)


def _check_settings(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LabFormatError(f"{where}: 'settings' must be a table, e.g. [settings]")
    out = {}
    for key, value in raw.items():
        if key not in SETTINGS:
            close = difflib.get_close_matches(key, SETTINGS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise LabFormatError(f"{where}: unknown setting '{key}'; {hint}known settings: {', '.join(SETTINGS)}")
        typ, _ = SETTINGS[key]
        if isinstance(value, bool) and typ is not bool and bool not in (typ if isinstance(typ, tuple) else (typ,)):
            raise LabFormatError(f"{where}: setting '{key}' must be a {_tname(typ)}, not {value!r}")
        if not isinstance(value, typ):
            raise LabFormatError(f"{where}: setting '{key}' must be a {_tname(typ)}, not {value!r}")
        out[key] = value
    return out


def _near(text: str, err: Exception) -> str:
    """The line a TOML error points at, quoted: it names the key that is wrong."""
    m = re.search(r"line (\d+)", str(err))
    lines = text.splitlines()
    if not m or not 0 < int(m.group(1)) <= len(lines):
        return ""
    return f", in `{lines[int(m.group(1)) - 1].strip()}`"


def _tname(typ: Any) -> str:
    if isinstance(typ, tuple):
        return " or ".join(t.__name__ for t in typ)
    return typ.__name__


def _expect_exit(raw: dict[str, Any], where: str) -> int | str | None:
    value = raw.get("expect_exit")
    if value is None or value == "signal" or (type(value) is int and 0 <= value <= 255):
        return value
    raise LabFormatError(f"{where}: 'expect_exit' must be an exit code 0-255 or \"signal\" "
                         f"(killed by a signal: 128+N), not {value!r}")


def _check_timeout(raw: dict[str, Any], where: Path) -> float:
    value = raw.get("check_timeout_s", CHECK_TIMEOUT_S)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise LabFormatError(f"{where}: 'check_timeout_s' must be a number of seconds above 0 and at most 3600 "
                             f"(each check's time limit), not {value!r}")
    return float(value)


def _action(raw: Any, where: str) -> Action:
    if not isinstance(raw, dict):
        raise LabFormatError(f"{where}: each action must be a table like {{ at = \"ready\", do = \"stop\" }}")
    unknown = set(raw) - ACTION_KEYS
    if unknown:
        raise LabFormatError(f"{where}: unknown action key '{sorted(unknown)[0]}'; known: {', '.join(sorted(ACTION_KEYS))}")
    if "at" not in raw or "do" not in raw:
        raise LabFormatError(f"{where}: an action needs 'at' (a checkpoint name) and 'do' ({', '.join(sorted(ACTIONS))})")
    if raw["do"] not in ACTIONS:
        raise LabFormatError(f"{where}: action 'do = {raw['do']!r}' is not one of {', '.join(sorted(ACTIONS))}")
    kw = dict(raw)
    if "command" in kw:
        kw["command"] = tuple(kw["command"])
    return Action(**kw)


def load(path: Path, name: str | None = None) -> LabSpec:
    path = path.resolve()
    if not (path / "scenario.py").is_file():
        raise LabFormatError(f"{path} has no scenario.py; a lab folder needs one (see README: 'Write your own lab')")
    toml_path = path / "lab.toml"
    raw: dict[str, Any] = {}
    if toml_path.is_file():
        text = toml_path.read_text()
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise LabFormatError(f"{toml_path}: not valid TOML: {err}{_near(text, err)}; fix that line "
                                 "(a key = a value: strings in quotes, lists in [ ])") from err
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise LabFormatError(f"{toml_path}: unknown key '{sorted(unknown)[0]}'; known keys: {', '.join(sorted(TOP_KEYS))}")
    defaults = {k: v for k, (_, v) in SETTINGS.items()}
    settings = {**defaults, **_check_settings(raw.get("settings", {}), str(toml_path))}
    variants = []
    raw_variants = raw.get("variant", [])
    if not isinstance(raw_variants, list):
        raise LabFormatError(f"{toml_path}: variants are written [[variant]] (an array of tables)")
    for i, rv in enumerate(raw_variants):
        where = f"{toml_path}: variant {i + 1}"
        unknown = set(rv) - VARIANT_KEYS
        if unknown:
            raise LabFormatError(f"{where}: unknown key '{sorted(unknown)[0]}'; known: {', '.join(sorted(VARIANT_KEYS))}")
        if "name" not in rv:
            raise LabFormatError(f"{where}: needs a name")
        args = rv.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise LabFormatError(f"{where}: 'args' must be a list of strings")
        variants.append(Variant(
            name=rv["name"], summary=rv.get("summary", ""), args=tuple(args),
            settings=_check_settings(rv.get("settings", {}), where),
            actions=tuple(_action(a, where) for a in rv.get("actions", [])),
            expect_timeout=bool(rv.get("expect_timeout", False)),
            expect_exit=_expect_exit(rv, where),
        ))
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise LabFormatError(f"{toml_path}: two variants share a name")
    if not variants:
        variants = [Variant(name="main")]
    title = raw.get("title") or path.name
    return LabSpec(name=name or path.name, path=path, title=title, summary=raw.get("summary", ""),
                   settings=settings, variants=tuple(variants), title_zh=str(raw.get("title_zh", "")),
                   check_timeout_s=_check_timeout(raw, toml_path))


def builtin_names() -> list[str]:
    root = labs_dir()
    return sorted(d.name for d in root.iterdir() if (d / "scenario.py").is_file()) if root.is_dir() else []


def builtin() -> list[LabSpec]:
    return [load(labs_dir() / n, n) for n in builtin_names()]


def written_as_path(arg: str) -> bool:
    """``./zombies``, ``/x/zombies``, ``labs/zombies``, ``~/zombies``: the user means a folder."""
    return "/" in arg or arg.startswith((".", "~"))


def resolve(name_or_path: str) -> LabSpec:
    """A built-in lab by name, or any folder with a scenario.py by path (a path wins when the
    argument is written as one: ``./zombies`` is the folder, ``zombies`` the built-in lab)."""
    p = Path(name_or_path).expanduser()
    if name_or_path in builtin_names() and not written_as_path(name_or_path):
        return load(labs_dir() / name_or_path, name_or_path)
    if p.is_dir():
        return load(p)
    if p.name == "scenario.py" and p.is_file():
        return load(p.parent)
    if written_as_path(name_or_path) or p.exists():
        raise LabFormatError(f"{name_or_path} is not a lab folder: give a folder that holds a scenario.py")
    raise LabNotFound(name_or_path, builtin_names())


def shadowed_by_folder(name: str) -> Path | None:
    """The folder in the working directory that a bare built-in name does *not* run, if there is one."""
    here = Path(name)
    if name in builtin_names() and not written_as_path(name) and (here / "scenario.py").is_file():
        return here.resolve()
    return None
