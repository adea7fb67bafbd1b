"""wheelcheck: what pip would install for each Docker target, from index metadata alone.

The library API::

    import wheelcheck

    report = wheelcheck.check(["requirements.txt"], targets=["python:3.12-alpine"])
    report.recommendation.image          # 'python:3.12-slim'
    report.to_dict()                     # the JSON document the CLI writes

    plan = wheelcheck.plan(["requirements.txt"], targets=["python:3.12-alpine"])
    plan.summary                         # 'python:3.12-alpine amd64+arm64: compile-free ...'
    plan.constraints                     # the lines of a file for pip install -c

`check` and `acheck` (and `plan` and `aplan`) never print and never exit; bad input raises
`InputError` (a `WheelcheckError`), and index failures become `error` results
(`report.has_errors`; a plan's outcome is then "unknown", `plan.has_errors`).

The public names are exactly those of `__all__`: the two functions and their options
(`CheckOptions`), the `Report` they return and every class its fields hold (`Target`,
`Libc`, `PackageResult`, `Origin`, `TargetResult`, `Verdict`, `Provenance`, `BuildNeeds`,
`Remedy`, `Recommendation`, `BaseEstimate`, `TargetSize`), `plan` and `aplan` with their
`PlanChoices` and the `Plan` they return (`PlanChange`, `PlanBuild`, `PlanPackage`), and the
errors they raise. The rest of the package is private and may change in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "BaseEstimate",
    "BuildNeeds",
    "CheckOptions",
    "IndexFault",
    "InputError",
    "Libc",
    "Origin",
    "PackageResult",
    "Plan",
    "PlanBuild",
    "PlanChange",
    "PlanChoices",
    "PlanPackage",
    "Provenance",
    "Recommendation",
    "Remedy",
    "Report",
    "Target",
    "TargetResult",
    "TargetSize",
    "Verdict",
    "WheelcheckError",
    "__version__",
    "acheck",
    "aplan",
    "check",
    "plan",
]

if TYPE_CHECKING:
    from wheelcheck._check import acheck, check
    from wheelcheck._plan.run import PlanChoices, aplan, plan
    from wheelcheck.errors import IndexFault, InputError, WheelcheckError
    from wheelcheck.models import (
        BaseEstimate,
        BuildNeeds,
        Libc,
        Origin,
        PackageResult,
        Plan,
        PlanBuild,
        PlanChange,
        PlanPackage,
        Provenance,
        Recommendation,
        Remedy,
        Report,
        Target,
        TargetResult,
        TargetSize,
        Verdict,
    )
    from wheelcheck.options import CheckOptions

# Imported on first use, so `wheelcheck --help` does not pay for httpx and the rest.
_LAZY = {
    "CheckOptions": "wheelcheck.options",
    "acheck": "wheelcheck._check",
    "check": "wheelcheck._check",
    "aplan": "wheelcheck._plan.run",
    "plan": "wheelcheck._plan.run",
    "PlanChoices": "wheelcheck._plan.run",
    "IndexFault": "wheelcheck.errors",
    "InputError": "wheelcheck.errors",
    "WheelcheckError": "wheelcheck.errors",
    "BaseEstimate": "wheelcheck.models",
    "BuildNeeds": "wheelcheck.models",
    "Libc": "wheelcheck.models",
    "Origin": "wheelcheck.models",
    "PackageResult": "wheelcheck.models",
    "Plan": "wheelcheck.models",
    "PlanBuild": "wheelcheck.models",
    "PlanChange": "wheelcheck.models",
    "PlanPackage": "wheelcheck.models",
    "Provenance": "wheelcheck.models",
    "Recommendation": "wheelcheck.models",
    "Remedy": "wheelcheck.models",
    "Report": "wheelcheck.models",
    "Target": "wheelcheck.models",
    "TargetResult": "wheelcheck.models",
    "TargetSize": "wheelcheck.models",
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


def __dir__() -> list[str]:
    # The public names, imported yet or not, and the module's own dunders; not the helpers
    # this file imports for itself (TYPE_CHECKING, Any, annotations).
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
