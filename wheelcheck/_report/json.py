"""The JSON report: `Report.to_dict()`, documented in docs/json.md and
wheelcheck/schema/report.schema.json; for Dockerfiles, `DockerfileReport.to_dict()`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from wheelcheck._report.interface import ReportFormat
from wheelcheck.models import Plan, Report

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._findings import Policy


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_dockerfiles_json(results: Sequence[DockerfileReport]) -> str:
    """One Dockerfile's report as an object; several as an array of them, in order.

    ASCII-only, unlike the check's: the Dockerfile report has always been written so."""
    documents = [result.to_dict() for result in results]
    return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2) + "\n"


class JsonFormat(ReportFormat):
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        stream.write(render_json(report))  # the policy is in it: ignored packages are marked

    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        stream.write(render_dockerfiles_json(results))

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        stream.write(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n")
