"""The doctor's results as JUnit XML for CI: one testsuite per image (or Compose service), one
testcase per check, the evidence as the failure message. Pure: the standard library's XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..lab.result import LabResult


def junit_xml(results: list[tuple[str, LabResult]], skipped: dict[str, str] | None = None) -> str:
    """results: (suite name, result); skipped: Compose services not checked (not checkable alone), with why."""
    root = ET.Element("testsuites", name="proclab doctor")
    for name, why in (skipped or {}).items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"service {name}",
            tests="1",
            failures="0",
            errors="0",
            skipped="1",
            time="0",
        )
        case = ET.SubElement(
            suite, "testcase", classname=f"doctor.{name}", name="not checkable alone"
        )
        ET.SubElement(case, "skipped", message=why).text = why
    for title, r in results:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=title,
            tests=str(len(r.checks)),
            failures=str(sum(c.failed for c in r.checks)),
            errors="0",
            skipped=str(sum(c.inconclusive for c in r.checks)),
            time=f"{r.duration_s:.3f}",
        )
        for c in r.checks:
            case = ET.SubElement(suite, "testcase", classname=f"doctor.{r.path}", name=c.name)
            verdict = str(c.figures.get("verdict", c.status))
            if c.failed:
                ET.SubElement(case, "failure", message=c.detail, type=verdict).text = c.detail
            elif c.inconclusive:
                ET.SubElement(case, "skipped", message=c.detail).text = c.detail
            else:
                ET.SubElement(case, "system-out").text = f"{verdict}: {c.detail}"
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_junit(
    path: str, results: list[tuple[str, LabResult]], skipped: dict[str, str] | None = None
) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(junit_xml(results, skipped))
