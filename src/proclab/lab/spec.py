"""A lab on disk: its folder, its lab.toml settings and variants, found by name or path.

A lab folder holds ``scenario.py`` (required), and optionally ``lab.toml``,
``checks.py``, ``README.md`` and ``questions.toml``. A folder with only a
scenario.py runs with the default settings and shows its snapshots.
"""
from __future__ import annotations

import re
import signal
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import LabFormatError, LabNotFound
from ..paths import labs_dir
from . import lesson, pythons
from .pythons import PythonNeeds
from .settings import USER_RE, USER_WANT, Settings, check_settings
from .values import Bad, ValueCheck, boolean, checked, matching, number, one_of, strings, text

ACTIONS = {"stop", "kill", "exec", "release"}
TOP_KEYS = {"title", "title_zh", "summary", "settings", "variant", "check_timeout_s",
            "python", "pythons", "pythons_why"}
CHECK_TIMEOUT_S = 10.0               # each check's time limit (top-level check_timeout_s)
# Which action keys each action takes (besides at, do and then).
ACTION_KEYS = {"stop": {"grace_s"}, "kill": {"signal", "grace_s"}, "exec": {"command", "user"}, "release": set()}
GRACE_CEILING_S = 600.0
NAME_RE = re.compile(r"^[^\x00-\x1f\x7f/]{1,64}$")    # printable, no slash: it names a run and a container
SIGNALS = {s.name for s in signal.Signals if not s.name.startswith(("SIG_", "SIGRTM"))} | {"SIGRTMIN", "SIGRTMAX"}


@dataclass(frozen=True)
class Action:
    at: str                           # checkpoint name
    do: str                           # stop | kill | exec | release
    grace_s: float = 10.0
    signal: str = "SIGKILL"
    command: tuple[str, ...] = ()
    user: str | None = None
    then: str = "release"             # after the actions: release the checkpoint (or "hold")


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str = ""
    args: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)    # checked overrides of the lab's settings
    actions: tuple[Action, ...] = ()
    expect_timeout: bool = False      # a hang variant: hitting the timeout is the expected outcome
    expect_exit: int | str | None = None   # the scenario's exit code when not 0: a number, or "signal" (128+N)


@dataclass(frozen=True)
class LabSpec:
    name: str
    path: Path
    title: str
    summary: str
    settings: Settings
    variants: tuple[Variant, ...]
    title_zh: str = ""               # the Chinese title (`proclab list --lang zh`)
    check_timeout_s: float = CHECK_TIMEOUT_S
    builtin: bool = False             # one of proclab's own labs: its settings are what its lesson needs
    needs: PythonNeeds = PythonNeeds()  # lab.toml python / pythons / pythons_why

    @property
    def scenario(self) -> Path:
        return self.path / "scenario.py"

    @property
    def checks_file(self) -> Path:
        return self.path / "checks.py"

    @property
    def readme(self) -> Path:
        return self.path / "README.md"

    def settings_for(self, variant: Variant) -> Settings:
        return self.settings.merged(variant.settings)

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


def read_text(path: Path) -> str:
    """A lab folder's text file; not UTF-8 is the lab's mistake, said in one line."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise LabFormatError(f"{path}: not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start}); "
                             "save it as UTF-8") from None
    except OSError as err:
        raise LabFormatError(f"{path}: cannot be read: {err.strerror}") from None


def _near(text: str, err: Exception) -> str:
    """The line a TOML error points at, quoted: it names the key that is wrong."""
    m = re.search(r"line (\d+)", str(err))
    lines = text.splitlines()
    if not m or not 0 < int(m.group(1)) <= len(lines):
        return ""
    return f", in `{lines[int(m.group(1)) - 1].strip()}`"


# -- the checks of each value (lab.values has the common ones) --

def _name(v: Any) -> str:
    if not isinstance(v, str) or not NAME_RE.match(v) or not v.strip():
        raise Bad("a name of 1 to 64 printable characters, without '/'")
    return v


def _command(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(a, str) and a for a in v):
        raise Bad('a non-empty list of strings, e.g. command = ["ps", "-ef"]')
    return tuple(v)


def _signal(v: Any) -> str:
    name = v.upper() if isinstance(v, str) else ""
    name = name if name.startswith("SIG") else f"SIG{name}"
    if name not in SIGNALS:
        raise Bad('a signal name like "SIGTERM" or "SIGINT"')
    return name


ACTION_CHECKS: dict[str, ValueCheck] = {
    "at": _name, "do": one_of(ACTIONS), "grace_s": number(0, GRACE_CEILING_S), "signal": _signal,
    "command": _command, "user": matching(USER_RE, USER_WANT), "then": one_of({"release", "hold"})}


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
    if "at" not in raw or "do" not in raw:
        raise LabFormatError(f"{where}: an action needs 'at' (a checkpoint name) and 'do' ({', '.join(sorted(ACTIONS))})")
    do = checked({"do": raw["do"]}, ACTION_CHECKS, where)["do"]
    known = {"at", "do", "then"} | ACTION_KEYS[do]
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LabFormatError(f"{where}: action '{do}' takes no '{unknown[0]}'; it takes: {', '.join(sorted(known))}")
    if do == "exec" and "command" not in raw:
        raise LabFormatError(f'{where}: an exec action needs a command, e.g. command = ["ps", "-ef"]')
    return Action(**checked(raw, ACTION_CHECKS, where))


def _actions(v: Any, where: str) -> tuple[Action, ...]:
    if not isinstance(v, list):
        raise LabFormatError(f"{where}: 'actions' must be a list of tables, e.g. actions = [ {{ at = \"ready\", do = \"stop\" }} ]")
    return tuple(_action(a, f"{where}, action {i + 1}") for i, a in enumerate(v))


# A variant's keys: those checked value by value, then the two that are tables of their own.
VARIANT_CHECKS: dict[str, ValueCheck] = {
    "name": _name, "summary": text, "args": strings, "expect_timeout": boolean}
VARIANT_TABLES: dict[str, Callable[[Any, str], Any]] = {
    "settings": check_settings, "actions": _actions,
    "expect_exit": lambda v, where: _expect_exit({"expect_exit": v}, where)}


def _variant(rv: Any, where: str) -> Variant:
    if not isinstance(rv, dict):
        raise LabFormatError(f"{where}: a variant is a table: write [[variant]] and name = \"...\" under it")
    known = set(VARIANT_CHECKS) | set(VARIANT_TABLES)
    unknown = set(rv) - known
    if unknown:
        raise LabFormatError(f"{where}: unknown key '{sorted(unknown)[0]}'; known: {', '.join(sorted(known))}")
    if "name" not in rv:
        raise LabFormatError(f"{where}: needs a name")
    kw = checked({k: v for k, v in rv.items() if k in VARIANT_CHECKS}, VARIANT_CHECKS, where)
    kw.update({k: VARIANT_TABLES[k](v, where) for k, v in rv.items() if k in VARIANT_TABLES})
    return Variant(**kw)


def parse_toml(path: Path) -> dict[str, Any]:
    """A lab folder's TOML file ({} if it is missing); any way it is broken is one LabFormatError line."""
    if not path.is_file():
        return {}
    content = read_text(path)
    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError as err:
        raise LabFormatError(f"{path}: not valid TOML: {err}{_near(content, err)}; fix that line "
                             "(a key = a value: strings in quotes, lists in [ ])") from err
    except (ValueError, RecursionError) as err:    # tomllib lets these through: 5000-digit ints, deep nesting
        why = "nested too deeply" if isinstance(err, RecursionError) else str(err).split(";")[0]
        raise LabFormatError(f"{path}: not valid TOML: {why}") from None


def load(path: Path, name: str | None = None) -> LabSpec:
    path = path.resolve()
    if not (path / "scenario.py").is_file():
        raise LabFormatError(f"{path} has no scenario.py; a lab folder needs one (see README: 'Write your own lab')")
    toml_path = path / "lab.toml"
    raw = parse_toml(toml_path)
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise LabFormatError(f"{toml_path}: unknown key '{sorted(unknown)[0]}'; known keys: {', '.join(sorted(TOP_KEYS))}")
    top = checked({k: raw[k] for k in ("title", "title_zh", "summary") if k in raw},
                  {"title": text, "title_zh": text, "summary": text},
                   str(toml_path))
    settings = Settings(**check_settings(raw.get("settings", {}), str(toml_path)))
    raw_variants = raw.get("variant", [])
    if not isinstance(raw_variants, list):
        raise LabFormatError(f"{toml_path}: variants are written [[variant]] (an array of tables)")
    variants = [_variant(rv, f"{toml_path}: variant {i + 1}") for i, rv in enumerate(raw_variants)]
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise LabFormatError(f"{toml_path}: two variants share a name")
    for readme in ("README.md", "README.zh.md"):
        if path.joinpath(readme).is_file():
            read_text(path / readme)      # not UTF-8 is said now, not mid-run
    root = labs_dir().resolve()
    return LabSpec(name=name or path.name, path=path, title=top.get("title") or path.name,
                   summary=top.get("summary", ""), settings=settings,
                   variants=tuple(variants) or (Variant(name="main"),),
                   builtin=path.parent == root and (name or path.name) == path.name, title_zh=top.get("title_zh", ""),
                   check_timeout_s=_check_timeout(raw, toml_path), needs=pythons.parse(raw, str(toml_path)))


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
