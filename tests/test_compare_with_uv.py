"""scripts/compare_with_uv.py against the recorded index: the LLM app's tree is uv's.

examples/llm-app/requirements.lock.txt is ``uv pip compile`` of the app for CPython 3.12 on
x86_64-manylinux_2_36 (tests/data/index/README.md, tree g); wheelcheck's tree for
python:3.12-slim-bookworm amd64 over the recorded pages must hold the same packages at the
same versions, but for numpy, which the recorded index keeps at 2.3.5. The live comparison
of all three examples is in tests/test_live.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from script_modules import load_script

if TYPE_CHECKING:
    from indexserver import IndexServer

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "examples" / "llm-app"


def test_the_llm_app_tree_is_uvs_package_for_package(index_server: IndexServer) -> None:
    script = load_script("compare_with_uv")
    uv_versions, _ = script._parse_uv((APP / "requirements.lock.txt").read_text(encoding="utf-8"))
    uv = script.Side(seconds=0.0, versions=uv_versions)
    wheelcheck = script.run_wheelcheck(APP / "requirements.txt", f"{index_server.url}/simple/")
    comparison = script.compare(APP / "requirements.txt", uv, wheelcheck)
    assert len(uv.versions) == len(wheelcheck.versions) == 154
    assert comparison.only_uv == {} and comparison.only_wheelcheck == {}
    assert comparison.differing == {"numpy": ("2.5.5", "2.3.5")}  # the recorded index's numpy
    assert comparison.unknown_deps == {}
    assert comparison.declared_deps == {n: "egg-info" for n in ("cuid", "literalai", "syncer")}

    lines: list[str] = []
    script.print_comparison(comparison, lines.append)
    rows = {line.split()[1]: line.split() for line in lines if line.startswith("   =")}
    assert rows["literalai"] == ["=", "literalai", "0.1.201", "0.1.201", "egg-info"]
    assert rows["traceloop-sdk"][2:] == ["0.62.4", "0.62.4", "metadata"]
    assert "   ~ numpy" in "\n".join(lines)
    assert "wheelcheck read the dependencies of literalai from egg-info (declared)" in "\n".join(
        lines
    )


@pytest.mark.live
@pytest.mark.parametrize("app", ["llm-app", "django-app", "data-science"])
def test_each_example_tree_is_uvs_on_live_pypi(app: str) -> None:
    """uv (``UV`` or on PATH) against wheelcheck on pypi.org, slim amd64, package for package."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("needs uv: set UV=/path/to/uv or put it on PATH")
    script = load_script("compare_with_uv")
    file = ROOT / "examples" / app / "requirements.txt"
    wheelcheck = script.run_wheelcheck(file, script.INDEX)
    with tempfile.TemporaryDirectory(prefix="compare-uv-") as cache:
        uv_side = script.run_uv(Path(uv), file, script.INDEX, Path(cache))
    comparison = script.compare(file, uv_side, wheelcheck)
    lines: list[str] = []
    script.print_comparison(comparison, lines.append, every_package=False)
    assert uv_side.ok and wheelcheck.ok, "\n".join(lines)
    assert comparison.identical, "\n".join(lines)
    assert comparison.unknown_deps == {}
