"""``wheelcheck dockerfile``: read a Dockerfile, check what it installs, advise how to build it.

`analyze`/`aanalyze` return a DockerfileReport (findings, the check of the installed
requirements, the index used); `suggest` turns it into a suggested Dockerfile.
"""

from wheelcheck.dockerfile.analyze import DockerfileReport, IndexChoice, aanalyze, analyze
from wheelcheck.dockerfile.fix import same_app, suggest, unified_diff
from wheelcheck.dockerfile.rules import RULES, Finding, Severity

__all__ = [
    "RULES",
    "DockerfileReport",
    "Finding",
    "IndexChoice",
    "Severity",
    "aanalyze",
    "analyze",
    "same_app",
    "suggest",
    "unified_diff",
]
