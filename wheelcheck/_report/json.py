"""The JSON report: `Report.to_dict()`, documented in docs/json-schema.md and
wheelcheck/schema/report.schema.json."""

from __future__ import annotations

import json
from typing import TextIO

from wheelcheck.models import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def write_json(report: Report, stream: TextIO) -> None:
    stream.write(render_json(report))
