"""The code stays easy to read: short functions, each simple, in wheelcheck/.

Issue 14's limits, measured from the source as it is: no function (or method) over 60 lines,
docstring included; cyclomatic complexity at most 15 is ruff's C901 (pyproject.toml, run in
.ci/run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wheelcheck"
MAX_LINES = 60


def test_no_function_is_over_60_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}")
    assert long == []


def test_the_architecture_page_names_only_what_exists() -> None:
    """docs/architecture.md: every module and folder it names is in wheelcheck/, and every
    folder of wheelcheck/ is on it."""
    import re

    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:_?[a-z_]+/)?_?[a-z_]+(?:\.py|/))`", page))
    named = {n.removeprefix("wheelcheck/") for n in named if not n.startswith("tests/")}
    named.discard("")
    missing = [
        n
        for n in named
        if not (PACKAGE / n).exists()
        and not any((folder / n).exists() for folder in PACKAGE.iterdir() if folder.is_dir())
    ]
    assert missing == []
    folders = {p.name + "/" for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"schema/"} <= named
