"""The interface of a report format: one implementation per format, one module each.

Each format writes what `check` found (its report, under a policy) and what `dockerfile`
found (one report per Dockerfile) alike: the findings of both are wheelcheck._findings'
one model, so a format says once how it shows a finding. A format that renders what `plan`
found sets `renders_plans` and writes it in `write_plan`; the others refuse plans.
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

    renders_plans = False  # the formats that implement write_plan say so

    @abstractmethod
    def write_check(self, report: Report, policy: Policy, stream: TextIO) -> None:
        """Write the report of one check to `stream`; `policy` says which findings fail."""

    @abstractmethod
    def write_dockerfiles(self, results: Sequence[DockerfileReport], stream: TextIO) -> None:
        """Write the reports of one or more Dockerfiles to `stream`, in their order."""

    def write_plan(self, plan: Plan, stream: TextIO) -> None:
        """Write one plan to `stream`. Only called when `renders_plans` is true: the CLI
        refuses the other formats (exit 2) before it plans anything."""
        raise NotImplementedError(f"{type(self).__name__} does not render plans")
