"""The one result model and its published schema, without Docker: documents of the release
before ``schema_version`` still load (and write back the same), ``proclab report`` names a
document's first violation in one Error: line, the published schema is the one shipped, and
no test reads a ``--json`` document except through tests/support/documents.py."""

from __future__ import annotations

import io
import json
import tokenize
from pathlib import Path

import pytest

from proclab.lab.document import SCHEMA_FILE, encode
from proclab.lab.document_read import read
from proclab.lab.image_settings import Added, ImageSettings, ReadyNote
from proclab.lab.schema import kind_of, schema, violation
from proclab.lab.status import DoctorVerdict, Status
from tests.support.cli import run_cli
from tests.support.documents import printed

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
FIXTURES = Path(__file__).parent / "fixtures"
# written by `proclab run zombies --json` with the release before schema_version
RELEASE_0 = FIXTURES / "result_zombies_release0.json"


def old_doc() -> dict:
    return json.loads(RELEASE_0.read_text())


def test_a_document_of_the_release_before_the_schema_loads_and_writes_back_the_same():
    doc = old_doc()
    assert "schema_version" not in doc and violation(doc) is None
    result = read(doc)
    assert result.verdict is Status.PASSED and all(c.status is Status.PASSED for c in result.checks)
    assert result.runs[0].checkpoints and result.runs[0].kernel.recorded
    assert encode(result) == doc
    assert result.to_dict() == {"schema_version": 1, **doc}  # the Python API's --json document


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("result_*.json")))
def test_every_saved_result_follows_the_schema(name):
    assert violation(json.loads((FIXTURES / name).read_text())) is None


def test_report_draws_the_page_of_a_document_without_schema_version(tmp_path):
    code, _, err = run_cli("report", str(RELEASE_0), "--html", str(tmp_path / "z.html"))
    assert code == 0, err
    assert "zombie" in (tmp_path / "z.html").read_text()


@pytest.mark.parametrize(
    "change, says",
    [
        (
            lambda d: d["runs"][0].update(exit_code="zero"),
            "runs[0].exit_code: 'zero' is not of type",
        ),
        (lambda d: d["checks"][2].pop("name"), "checks[2]: 'name' is a required property"),
        (
            lambda d: d["checks"][0].update(status="maybe"),
            "checks[0].status: 'maybe' is not one of",
        ),
        (
            lambda d: d.update(schema_version=2),
            "schema version 2, and this proclab reads version 1",
        ),
    ],
)
def test_report_names_the_first_violation_in_one_error_line(tmp_path, change, says):
    doc = old_doc()
    change(doc)
    src = tmp_path / "r.json"
    src.write_text(json.dumps(doc))
    code, out, err = run_cli("report", str(src), "--html", str(tmp_path / "r.html"))
    assert code == 2 and err.startswith("Error:") and says in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_the_published_schema_is_the_one_proclab_ships():
    published = json.loads((ROOT / "docs" / "schema" / SCHEMA_FILE).read_text())
    assert published == schema()
    kinds = {ref["$ref"].rsplit("/", 1)[1] for ref in published["anyOf"]}
    assert kinds == set(published["$defs"]) - {
        "status",
        "schema_version",
        "process",
        "checkpoint",
        "check",
        "action",
        "output_line",
        "event",
        "kernel_record",
        "run",
        "chart",
    }


def _unlisted(value, definition: dict, defs: dict, where: str) -> list[str]:
    """The keys of ``value`` its schema definition does not list, down the records it names."""
    if "$ref" in definition:
        definition = defs[definition["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, list) and "items" in definition:
        return [u for v in value for u in _unlisted(v, definition["items"], defs, f"{where}[]")]
    if not isinstance(value, dict) or "properties" not in definition:
        return []
    listed = definition["properties"]
    out = [f"{where}.{k}" for k in value if k not in listed]
    return out + [
        u
        for k, v in value.items()
        if k in listed
        for u in _unlisted(v, listed[k], defs, f"{where}.{k}")
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("result_*.json")))
def test_the_schema_lists_every_key_the_serializer_writes(name):
    """Tested against the model: a key added to lab.document must be added to the schema."""
    doc = read(json.loads((FIXTURES / name).read_text())).to_dict()
    defs = schema()["$defs"]
    assert sorted(set(_unlisted(doc, defs["lab"], defs, "$"))) == []


def test_an_error_document_is_stamped_and_valid():
    res = run_cli("run", "no-such-lab-anywhere", "--json")
    doc = printed(res.stdout)
    assert res.returncode == 2 and kind_of(doc) == "error"
    assert "no-such-lab-anywhere" in doc["error"]


def test_the_doctors_settings_are_a_record_that_writes_back_the_same():
    s = ImageSettings(
        "redis:7",
        ("redis-server",),
        env=("A",),
        grace_s=5,
        argv=("redis-server",),
        added=(Added("pids limit", "256", "--pids-limit", True),),
        ready=ReadyNote("log", 0.4213, "'Ready to accept'"),
    )
    d = s.to_dict()
    assert d["ready"]["after_s"] == 0.421 and d["added"][0]["safety_net"] is True
    assert ImageSettings.from_dict(d).to_dict() == d and s.get("image") == "redis:7"


def test_a_doctor_verdict_has_one_status():
    assert [v.status for v in DoctorVerdict] == [
        Status.PASSED,
        Status.PASSED,
        Status.FAILED,
        Status.INCONCLUSIVE,
    ]


# Lines that parse JSON which is not a --json document say so: '# not --json' (or come from a file).
ALLOWED = ("# not --json", "# not proclab's", "read_text(", "FIXTURES")


def _json_loads_lines(path: Path) -> list[tuple[int, str]]:
    """The lines that call json.loads (in code, not inside a string)."""
    found, tokens = [], list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
    for a, dot, b in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (a.string, dot.string, b.string) == ("json", ".", "loads"):
            found.append((a.start[0], a.line))
    return found


def test_tests_read_json_output_only_through_the_validating_helper():
    helper = TESTS / "support" / "documents.py"
    bypass = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in sorted(TESTS.rglob("*.py"))
        if p != helper
        for n, line in _json_loads_lines(p)
        if not any(a in line for a in ALLOWED)
    ]
    assert not bypass, (
        "read --json output with tests.support.documents.printed (or as_printed), "
        "which validates it against docs/schema/; else mark the line "
        "'# not --json: what it is':\n" + "\n".join(bypass)
    )
