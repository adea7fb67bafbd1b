"""The JSON reports of the example apps, byte for byte, against the recorded index.

A safety net for refactoring: for each example the real CLI runs with its default options
(advice and sizes on, the default targets; for the Dockerfile, its own base images) against
the local index over tests/data/index, whose trees g to j (its README.md) hold every release
these checks read, and its JSON report is compared byte for byte with
tests/golden/examples/<name>.json:

- ``wheelcheck check examples/{llm-app,django-app,data-science}/requirements.txt --format json``
- ``wheelcheck dockerfile examples/llm-app/Dockerfile --format json``, its
  ``-i https://pypi.tuna.tsinghua.edu.cn/simple`` overridden with ``--index-url``.

Only what differs from run to run is normalised: the local server's URL (a random port)
becomes ``http://INDEX``. No temporary path reaches these reports (they run from the
repository root with relative paths; the per-test cache directory is never reported).

The reports differ from a run against pypi.org in what the recorded data fixes: installed
sizes are those of the index's synthetic wheels, sdists of releases that also have wheels are
not served (their build needs read "could not be inspected"), trimmed pages give none of the
index's notes about odd file names, and numpy stays at 2.3.5 (README.md).

The table report (what a person reads on a terminal) is pinned the same way, beside them:
tests/golden/examples/<name>.txt for the default report of each example and <name>.all.txt
for ``--all`` of the llm-app example and its Dockerfile.

A changed report is a regression or a deliberate change of behaviour. For the latter,
regenerate the goldens and review their diff with the change:

    UPDATE_GOLDEN=1 python -m pytest tests/test_example_goldens.py
    git diff tests/golden/examples/
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from wheelcheck._cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

    from indexserver import IndexServer

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "examples"
PLACEHOLDER = "http://INDEX"

# golden name: (command line before --index-url, exit code)
EXAMPLES = {
    "llm-app": (["check", "examples/llm-app/requirements.txt"], 0),
    "django-app": (["check", "examples/django-app/requirements.txt"], 0),
    "data-science": (["check", "examples/data-science/requirements.txt"], 0),
    "llm-app-dockerfile": (["dockerfile", "examples/llm-app/Dockerfile"], 0),
}


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    index_server.reset()
    monkeypatch.chdir(ROOT)  # the reports name the files as given: relative to the root
    yield
    index_server.reset()


# golden file name: (example, the options after its command line)
TABLES = {
    "llm-app.txt": ("llm-app", []),
    "llm-app.all.txt": ("llm-app", ["--all"]),
    "llm-app-dockerfile.txt": ("llm-app-dockerfile", []),
    "llm-app-dockerfile.all.txt": ("llm-app-dockerfile", ["--all"]),
    "django-app.txt": ("django-app", []),
    "data-science.txt": ("data-science", []),
}


def report(index_server: IndexServer, args: list[str], exit_code: int, fmt: str = "json") -> str:
    """The report of `wheelcheck ARGS` in `fmt`, the local index's URL made a placeholder."""
    url = f"{index_server.url}/simple/"
    result = CliRunner().invoke(main, [*args, "--index-url", url, "--format", fmt])
    assert result.exit_code == exit_code, result.stderr + repr(result.exception)
    return result.stdout.replace(index_server.url, PLACEHOLDER)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_report_matches_its_golden(index_server: IndexServer, name: str) -> None:
    args, exit_code = EXAMPLES[name]
    text = report(index_server, args, exit_code)
    assert index_server.url.split("//")[1] not in text  # no other spelling of the URL escaped
    matches_golden(text, GOLDEN / f"{name}.json", name)


@pytest.mark.parametrize("name", list(TABLES))
def test_example_table_matches_its_golden(index_server: IndexServer, name: str) -> None:
    example, options = TABLES[name]
    args, exit_code = EXAMPLES[example]
    text = report(index_server, [*args, *options], exit_code, fmt="table")
    assert index_server.url.split("//")[1] not in text
    matches_golden(text, GOLDEN / name, name)


def matches_golden(text: str, path: Path, name: str) -> None:
    """Fail, with the start of the diff, unless `text` is the golden file `path` (written
    first with UPDATE_GOLDEN=1)."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), text.splitlines(), str(path), "this run", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"{name}: the report changed; UPDATE_GOLDEN=1 to accept\n{shown}")
