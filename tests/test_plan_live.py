"""Each set `wheelcheck plan` returns, verified by uv: opt-in (`pytest --live` on this file).

For the example apps and the real files of tests/data/plan, the plan runs against the live
PyPI for python:3.12-alpine amd64+arm64; then, independently, ``uv pip compile
--only-binary :all: --python-platform {x86_64,aarch64}-unknown-linux-musl --python-version
3.12 -c constraints.txt`` resolves the requirements (edited as the plan says) under the
plan's constraints. A compile-free set must resolve, on both platforms, to exactly the plan's
pins; for a must-build set uv must fail, naming a package the plan says still builds (uv is
never let build anything: that would run the package's own build code). uv comes from
$UV or PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import wheelcheck
from wheelcheck.models import Plan

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(__file__).parent / "data" / "plan" / "requirements"
PYPI = "https://pypi.org/simple"
PLATFORMS = ("x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl")
CASES = {
    # id: (file, choices)
    "django-app": (ROOT / "examples/django-app/requirements.txt", wheelcheck.PlanChoices()),
    "data-science": (ROOT / "examples/data-science/requirements.txt", wheelcheck.PlanChoices()),
    "llm-app": (
        ROOT / "examples/llm-app/requirements.txt",
        wheelcheck.PlanChoices(allow_swaps=True),
    ),
    "flask": (REAL / "cw3a1-flask.txt", wheelcheck.PlanChoices(allow_outside=True)),
    "flask-db": (REAL / "cw3a1-flask-db.txt", wheelcheck.PlanChoices(allow_outside=True)),
    "worker": (REAL / "cw3a1-worker.txt", wheelcheck.PlanChoices(allow_outside=True)),
    "startrek": (REAL / "dc-fastapi-startrek.txt", wheelcheck.PlanChoices(allow_swaps=True)),
    "htmx-todo": (REAL / "fastapi-htmx-todo.txt", wheelcheck.PlanChoices(allow_outside=True)),
}


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        pytest.skip("uv is not installed (set UV to its path or put it on PATH)")
    return found


def edited_requirements(path: Path, found: Plan) -> str:
    """The requirements as the plan says to edit them: a swapped project replaced, and a
    requirement whose change leaves its specifier taken by name (the constraints pin it)."""
    swapped = {c.swapped_from: c.name for c in found.changes if c.swapped_from}
    outside = {c.name for c in found.changes if c.outside_specifier}
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name in swapped:
            lines.append(swapped[name])
        elif name in outside:
            extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            lines.append(f"{requirement.name}{extras}")
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def compiled(folder: Path, platform: str) -> subprocess.CompletedProcess[str]:
    """uv's resolution of the requirements under the plan's constraints, wheels only."""
    command = [
        uv(), "pip", "compile", str(folder / "requirements.txt"),
        "-c", str(folder / "constraints.txt"),
        "--python-platform", platform, "--python-version", "3.12",
        "--index-url", PYPI, "--no-config", "--no-annotate", "--no-header", "--quiet",
        "--only-binary", ":all:",
    ]  # fmt: skip
    environment = {**os.environ, "UV_CACHE_DIR": str(folder / "uv-cache")}
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)


def pins(output: str) -> dict[str, str]:
    found = [Requirement(line) for line in output.splitlines() if "==" in line]
    return {canonicalize_name(p.name): str(p.specifier).removeprefix("==") for p in found}


@pytest.mark.parametrize("case", list(CASES))
def test_uv_resolves_the_returned_set_from_wheels_only(case: str, tmp_path: Path) -> None:
    path, choices = CASES[case]
    uv()  # skips before the plan reads anything when there is no uv
    found = wheelcheck.plan(
        [path],
        targets=["python:3.12-alpine"],
        arches=["amd64", "arm64"],
        index_url=PYPI,
        environ={},
        pip_config_files=[],
        max_connections=8,
        choices=choices,
    )
    assert found.outcome in ("compile-free", "must-build"), found.summary
    (tmp_path / "constraints.txt").write_text("\n".join(found.constraints) + "\n", "utf-8")
    (tmp_path / "requirements.txt").write_text(edited_requirements(path, found), "utf-8")
    planned = dict(line.split("==", 1) for line in found.constraints)
    for platform in PLATFORMS:
        done = compiled(tmp_path, platform)
        if found.outcome == "compile-free":
            assert done.returncode == 0, (platform, done.stderr)
            assert pins(done.stdout) == planned, platform
        else:
            assert done.returncode != 0, (platform, done.stdout)
            named = [b.name for b in found.builds if b.name in done.stderr.lower()]
            assert named, (platform, done.stderr)
