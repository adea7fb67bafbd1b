"""Against the live PyPI: opt-in, run with ``python -m pytest --live tests/test_live.py``.

What a user of the example app would see today, and that wheelcheck agrees with pip's own
finder on a few pins (scripts/compare_with_pip.py does the same for a whole lock file).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from script_modules import load_script

import wheelcheck
from wheelcheck.models import Report, Verdict

if TYPE_CHECKING:
    from types import ModuleType

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "llm-app" / "requirements.txt"
PYPI = "https://pypi.org/simple"
IMAGES = ["python:3.12-alpine", "python:3.12-slim-bookworm"]
ALPINE = ["python:3.12-alpine/amd64", "python:3.12-alpine/arm64"]
SLIM = ["python:3.12-slim-bookworm/amd64", "python:3.12-slim-bookworm/arm64"]
MACHINE = {"amd64": "x86_64", "arm64": "aarch64"}


def live_check(files: list[Path] | None = None, requirements: list[str] | None = None) -> Report:
    return wheelcheck.check(
        files or [],
        requirements or [],
        targets=IMAGES,
        index_url=PYPI,
        environ={},
        pip_config_files=[],
        no_deps=True,
    )


@pytest.fixture(scope="module")
def example_report() -> Report:
    return live_check([EXAMPLE])


def results(report: Report, name: str) -> dict[str, Any]:
    package = next(p for p in report.packages if p.name == name)
    return dict(package.results)


def test_psycopg2_builds_from_source_on_alpine(example_report: Report) -> None:
    psycopg2 = results(example_report, "psycopg2")
    for target_id in ALPINE:
        assert psycopg2[target_id].verdict is Verdict.SOURCE
        assert psycopg2[target_id].file.startswith("psycopg2-")
        assert psycopg2[target_id].file.endswith(".tar.gz")
    assert not example_report.has_errors


def test_pandas_is_a_platform_wheel_on_every_target(example_report: Report) -> None:
    pandas = results(example_report, "pandas")
    for target_id in ALPINE + SLIM:
        result = pandas[target_id]
        family = "musllinux" if "alpine" in target_id else "manylinux"
        machine = MACHINE[target_id.rsplit("/", 1)[1]]
        assert result.verdict is Verdict.BINARY, (target_id, result)
        assert family in result.file and machine in result.file, (target_id, result.file)


def test_psycopg2_keeps_the_example_off_alpine(example_report: Report) -> None:
    recommendation = example_report.recommendation
    assert recommendation.image is not None and "slim" in recommendation.image
    assert any("psycopg2" in reason for reason in recommendation.reasons)
    for target_id in ALPINE:
        assert "psycopg2" in recommendation.blockers[target_id]


def test_an_unknown_project_is_not_found_and_not_an_error() -> None:
    report = live_check(requirements=["wheelcheck-no-such-project-4c1f9e==1.0"])
    (package,) = report.packages
    assert {r.verdict for r in package.results.values()} == {Verdict.NOT_FOUND}
    assert not report.has_errors


def _compare_script() -> ModuleType:
    return load_script("compare_with_pip")


def test_pip_finder_agrees_on_a_few_pins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # psycopg2: source everywhere; pandas: binary; protobuf: abi3 manylinux on slim but the
    # pure wheel on alpine; requests 2.32.0: a yanked pin pip still installs.
    pins = tmp_path / "pins.txt"
    pins.write_text("psycopg2==2.9.10\npandas==2.2.3\nprotobuf==5.29.3\nrequests==2.32.0\n")
    code = _compare_script().main([str(pins), "--threads", "4"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "16 agree, 0 disagree" in out
