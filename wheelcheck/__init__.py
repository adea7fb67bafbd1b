"""wheelcheck: what pip would install for each Docker target, from index metadata alone.

The library API::

    import wheelcheck

    report = wheelcheck.check(["requirements.txt"], targets=["python:3.12-alpine"])
    report.recommendation.image          # 'python:3.12-slim'
    report.to_dict()                     # the JSON document the CLI writes

`check` and `acheck` never print and never exit; bad input raises `InputError` (a
`WheelcheckError`), and index failures become `error` results (`report.has_errors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CheckOptions",
    "DistFile",
    "IndexFault",
    "InputError",
    "Origin",
    "PackageResult",
    "Recommendation",
    "Report",
    "Target",
    "TargetResult",
    "Verdict",
    "WheelcheckError",
    "__version__",
    "acheck",
    "check",
]

if TYPE_CHECKING:
    from wheelcheck._check import acheck, check
    from wheelcheck.errors import IndexFault, InputError, WheelcheckError
    from wheelcheck.models import (
        DistFile,
        Origin,
        PackageResult,
        Recommendation,
        Report,
        Target,
        TargetResult,
        Verdict,
    )
    from wheelcheck.options import CheckOptions

# Imported on first use, so `wheelcheck --help` does not pay for httpx and the rest.
_LAZY = {
    "CheckOptions": "wheelcheck.options",
    "acheck": "wheelcheck._check",
    "check": "wheelcheck._check",
    "IndexFault": "wheelcheck.errors",
    "InputError": "wheelcheck.errors",
    "WheelcheckError": "wheelcheck.errors",
    "DistFile": "wheelcheck.models",
    "Origin": "wheelcheck.models",
    "PackageResult": "wheelcheck.models",
    "Recommendation": "wheelcheck.models",
    "Report": "wheelcheck.models",
    "Target": "wheelcheck.models",
    "TargetResult": "wheelcheck.models",
    "Verdict": "wheelcheck.models",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'wheelcheck' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
