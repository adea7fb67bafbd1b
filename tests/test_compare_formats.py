"""scripts/compare_formats.py: wheelcheck's package sets are pdm's and pipenv's.

tests/data/lockfiles/installers holds what ``pdm export`` / ``pdm sync --dry-run`` and
``pipenv requirements`` printed for the real pdm.lock and Pipfile.lock files under
tests/data/lockfiles (``scripts/compare_formats.py --record``, pdm 2.29.4 and pipenv
2026.10.3). wheelcheck, reading the same files over the recorded index, must install the
same packages at the same versions on each target the tool's output covers. The Pipfiles
(resolved by ``pipenv lock`` against the live PyPI) are compared by the script only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from indexserver import IndexServer
from script_modules import load_script

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "data" / "lockfiles" / "installers"
INDEX = ROOT / "tests" / "data" / "index-formats"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script("compare_formats")


@pytest.fixture(scope="module")
def format_index() -> Iterator[IndexServer]:
    with IndexServer(INDEX) as server:
        yield server


LOCK_CASES = [
    "pdm/demo/pdm.lock",
    "pdm/anyapi/pdm.lock",
    "pdm/shrugbot/pdm.lock",
    "pipfile_lock/pipenv-examples/Pipfile.lock",
    "pipfile_lock/pipenv-examples/Pipfile.lock --dev",
    "pipfile_lock/libpythonpro21/Pipfile.lock",
    "pipfile_lock/libpythonpro21/Pipfile.lock --dev",
]


def recorded_answer(script: ModuleType, case: object) -> object:
    """The tool's answer as the script reads what it printed."""
    text = (RECORDED / script.record_name(case)).read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    tool = first.removeprefix("# ").split(" of ", 1)[0]
    if tool.startswith("pdm sync --dry-run"):
        return script.Answer(tool, {"x86_64": script.dry_run_pins(body)})
    return script.per_machine(tool, body, script.python_of(case))


@pytest.mark.parametrize("label", LOCK_CASES)
def test_wheelcheck_installs_what_the_writing_tool_installs(
    script: ModuleType, format_index: IndexServer, label: str
) -> None:
    case = next(c for c in script.CASES if c.label == f"tests/data/lockfiles/{label}")
    theirs = recorded_answer(script, case)
    ours = script.wheelcheck_answer(case, index_url=f"{format_index.url}/simple/")
    row = script.compare(theirs, ours)
    assert "error" not in row, row
    for machine, result in row["targets"].items():
        assert result["packages"] > 0
        assert result["differ"] == [], (machine, result["differ"])


def test_every_recorded_output_is_compared(script: ModuleType) -> None:
    named = {script.record_name(c) for c in script.CASES if c.kind != "Pipfile"}
    assert named == {p.name for p in RECORDED.glob("*.txt")} - {
        script.record_name(c) for c in script.CASES if c.kind == "Pipfile"
    }
    assert len(named) == len(LOCK_CASES)


def test_markers_and_python_decide_the_exported_set(script: ModuleType) -> None:
    export = "-i https://pypi.org/simple\nidna==3.7\nuvloop==0.21.0; platform_machine == 'x86_64'\n"
    export += "tomli==2.0.1; python_version < '3.11'\n"
    on_310 = script.exported_pins(export, script.marker_environment("3.10", "aarch64"))
    assert on_310 == {"idna": "3.7", "tomli": "2.0.1"}
    on_312 = script.exported_pins(export, script.marker_environment("3.12", "x86_64"))
    assert on_312 == {"idna": "3.7", "uvloop": "0.21.0"}


def test_the_comparison_sees_a_difference(script: ModuleType) -> None:
    theirs = script.Answer("pipenv requirements", {"x86_64": {"idna": "3.7", "six": "1.16.0"}})
    ours = script.Answer("wheelcheck", {"x86_64": {"idna": "3.8"}})
    row = script.compare(theirs, ours)
    assert row["targets"]["x86_64"]["differ"] == [
        "idna: wheelcheck 3.8, pipenv requirements 3.7",
        "six: wheelcheck None, pipenv requirements 1.16.0",
    ]
