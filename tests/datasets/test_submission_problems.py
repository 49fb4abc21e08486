"""Why a submission is blocked, typed in the domain and as JSON for the APIs (SPEC §3)."""

from __future__ import annotations

import json

import pytest

from datasets.errors import SubmissionBlocked, SubmissionProblem
from datasets.validation_report import ValidationIssue, ValidationReport


@pytest.mark.parametrize(
    ("problem", "data"),
    [
        (SubmissionProblem("no_resources"), {"code": "no_resources"}),
        (SubmissionProblem("failed", "tram.csv"), {"code": "failed", "resource": "tram.csv"}),
        (
            SubmissionProblem("undecided_findings", "ho-dan.csv", "ho_ten, so_dien_thoai"),
            {
                "code": "undecided_findings",
                "resource": "ho-dan.csv",
                "columns": "ho_ten, so_dien_thoai",
            },
        ),
    ],
)
def test_submission_problem_round_trips_through_json(problem, data) -> None:
    assert problem.to_json() == data
    assert SubmissionProblem.from_json(json.loads(json.dumps(problem.to_json()))) == problem


def test_blocked_submission_carries_problems_and_their_json() -> None:
    problems = [SubmissionProblem("no_resources"), SubmissionProblem("processing", "a.csv")]
    blocked = SubmissionBlocked(problems)
    assert blocked.problems == tuple(problems)
    assert blocked.reasons == [
        {"code": "no_resources"},
        {"code": "processing", "resource": "a.csv"},
    ]


def test_validation_report_round_trips_through_json() -> None:
    report = ValidationReport(
        valid=False,
        row_count=12,
        errors=(ValidationIssue("type-error", 4, 2, "so_cho", "bad"),),
        truncated=True,
    )
    stored = json.loads(json.dumps(report.to_json()))
    assert stored["errors"] == [
        {
            "code": "type-error",
            "row": 4,
            "field_number": 2,
            "field_name": "so_cho",
            "message": "bad",
        }
    ]
    assert ValidationReport.from_json(stored) == report
