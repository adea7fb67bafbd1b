"""The interface of a report format: one implementation per format, one module each.

Each format writes what `check` found (its report, under a policy), what `dockerfile` found
(one report per Dockerfile) and what `plan` found: the findings of all three are
wheelcheck._findings' one model, so a format says once how it shows a finding.
`wheelcheck._report.report_format` picks the implementation for a `Format`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport
    from wheelcheck._findings import Policy
    from wheelcheck.models import Plan, Report


class ReportFormat(ABC):
    """One report format (table, json, markdown, sarif, github, html)."""

    @abstractmethod
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        """Write the report of one check to `stream`; `policy` says which findings fail."""

    @abstractmethod
    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        """Write the reports of one or more Dockerfiles to `stream`, in their order."""

    @abstractmethod
    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        """Write one plan to `stream`."""
