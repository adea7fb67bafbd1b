"""``wheelcheck dockerfile``: read a Dockerfile, check what it installs, advise how to build it.

`analyze`/`aanalyze` return a DockerfileReport (findings, the check of the installed
requirements, the index used); `suggest` turns it into a suggested Dockerfile.

The names are imported on first use (PEP 562): the CLI imports this package's `command`
module for every run, and a ``check`` must not pay for the Dockerfile parser and rules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wheelcheck._dockerfile.analysis import DockerfileReport, aanalyze, analyze
    from wheelcheck._dockerfile.fix import same_app, suggest, unified_diff
    from wheelcheck._dockerfile.index import IndexChoice

__all__ = [
    "DockerfileReport",
    "IndexChoice",
    "aanalyze",
    "analyze",
    "same_app",
    "suggest",
    "unified_diff",
]

# Where each name lives. No module is named like a name it exports: importing submodule
# `analyze` would set the package attribute `analyze` to the module, and __getattr__ is
# asked only for attributes that are missing, so the function would never be found.
_HOMES = {
    "DockerfileReport": "analysis",
    "aanalyze": "analysis",
    "analyze": "analysis",
    "same_app": "fix",
    "suggest": "fix",
    "unified_diff": "fix",
    "IndexChoice": "index",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value
