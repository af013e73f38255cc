"""callbacks: the lesson's answers against the run, and the checks fail on other facts (a page
parsed in a worker, a page fetched by main, a page parsed before its download was released)."""

from __future__ import annotations

import pytest

from tests.support.course import assert_questions_match, verdict_after
from tests.support.verdicts import explain

pytestmark = [pytest.mark.lab, pytest.mark.docker]
LAB = "callbacks"


def test_answers(run_lab_cached):
    result = run_lab_cached(LAB)
    assert result.passed, explain(result)
    assert_questions_match(LAB, result)


def test_the_pids_say_who_did_what(run_lab_cached):
    result = run_lab_cached(LAB)
    d = result.checkpoint("parsed").data
    assert {p["parsed_by"] for p in d["pages"]} == {d["main"]}
    assert {p["fetched_by"] for p in d["pages"]} <= set(d["workers"]) and d["main"] not in d[
        "workers"
    ]
    assert sorted(r["client"][1] for r in d["requests"]) == sorted(
        p["local_port"] for p in d["pages"]
    )


def test_checks_fail_on_other_facts(run_lab_cached):
    result = run_lab_cached(LAB)

    def parsed_in_a_worker(r):
        page = r.checkpoint("parsed").data["pages"][0]
        page["parsed_by"] = page["fetched_by"]

    def fetched_by_main(r):
        page = r.checkpoint("parsed").data["pages"][-1]
        page["fetched_by"] = r.checkpoint("parsed").data["main"]

    def parsed_early(r):
        r.checkpoint("downloading").data["parsed"] = 1

    def another_port(r):
        r.checkpoint("parsed").data["pages"][2]["local_port"] += 1

    assert not verdict_after(LAB, result, "parsed_in_main", parsed_in_a_worker)
    assert not verdict_after(LAB, result, "fetched_by_workers", fetched_by_main)
    assert not verdict_after(LAB, result, "fetched_by_workers", another_port)
    assert not verdict_after(LAB, result, "downloading_sleeps", parsed_early)
    assert verdict_after(LAB, result, "parsed_in_main", lambda r: None)
