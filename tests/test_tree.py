"""The dependency tree per target (issue 3), against real dependency shapes recorded from PyPI.

The scenarios and their facts are listed in tests/data/index/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

import wheelcheck
from wheelcheck._cli import main
from wheelcheck.models import PackageResult, Provenance, Report, Verdict

if TYPE_CHECKING:
    from indexserver import IndexServer

SLIM_AMD64 = "python:3.12-slim/amd64"
SLIM_ARM64 = "python:3.12-slim/arm64"
ALPINE_AMD64 = "python:3.12-alpine/amd64"
LOCKFILES = Path(__file__).parent / "data" / "lockfiles"


@pytest.fixture
def tree(index_server: IndexServer) -> Any:
    def run(*requirements: str, flavour: str = "", **options: Any) -> Report:
        prefix = f"/{flavour}" if flavour else ""
        options.setdefault("index_url", f"{index_server.url}{prefix}/simple/")
        options.setdefault("environ", {})
        options.setdefault("pip_config_files", [])
        options.setdefault("retries", 1)
        return wheelcheck.check(requirements=list(requirements), **options)

    return run


def package(report: Report, name: str) -> PackageResult:
    return next(p for p in report.packages if p.name.lower() == name)


def versions(report: Report, target_id: str) -> dict[str, str]:
    """name -> version installed on the target (skipped ones left out)."""
    return {
        p.name.lower(): r.version
        for p in report.packages
        if (r := p.results.get(target_id)) is not None and r.version is not None
    }


def test_diamond_shares_one_release_and_marks_transitive_packages(tree: Any) -> None:
    report = tree("requests", "responses")
    assert report.scope == "tree"
    installed = versions(report, SLIM_AMD64)
    assert installed["urllib3"] == "2.8.0"
    assert installed["requests"] == "2.34.2"
    assert len(installed) == 7
    urllib3 = package(report, "urllib3")
    assert not urllib3.direct
    assert urllib3.origin is None
    assert set(urllib3.via) == {"requests > urllib3", "responses > urllib3"}
    assert [p.direct for p in report.packages][:2] == [True, True]


def test_conflict_is_explained_per_target_and_fails(tree: Any) -> None:
    report = tree("requests==2.29.0", "types-requests>=2.32")
    assert set(report.conflicts) == {t.id for t in report.targets}
    text = report.conflicts[SLIM_AMD64]
    assert "urllib3<1.27,>=1.21.1 (from requests 2.29.0)" in text
    assert "conflicts with urllib3>=2 (from types-requests" in text


def test_conflict_exits_1_and_is_printed(index_server: IndexServer, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.29.0\ntypes-requests>=2.32\n")
    outcome = CliRunner().invoke(
        main,
        [
            "check",
            str(req),
            "--index-url",
            f"{index_server.url}/simple/",
            "-t",
            "python:3.12-slim",
            "-a",
            "amd64",
        ],
    )
    assert outcome.exit_code == 1, outcome.output
    assert "conflict" in outcome.stdout
    assert "urllib3" in outcome.stdout


def test_backtracking_finds_the_older_compatible_release(tree: Any) -> None:
    report = tree("requests==2.29.0", "types-requests", targets=["python:3.12-slim"])
    installed = versions(report, SLIM_AMD64)
    assert not report.conflicts
    assert installed["types-requests"] == "2.31.0.6"
    assert installed["urllib3"] == "1.26.20"


def test_cycle_through_an_extra_resolves(tree: Any) -> None:
    report = tree("dask[distributed]", targets=["python:3.12-slim"], arches=["amd64"])
    installed = versions(report, "python:3.12-slim/amd64")
    assert not report.conflicts
    assert installed["dask"] == "2026.8.0"
    assert installed["distributed"].startswith("2026.8.")
    assert len(installed) == 18


def test_platform_machine_marker_adds_a_dependency_on_one_arch_only(tree: Any) -> None:
    report = tree("cuda-toolkit[cudla,opencl]==13.2.2", targets=["python:3.12-slim"])
    cudla = package(report, "nvidia-cudla")
    opencl = package(report, "nvidia-cuda-opencl")
    assert cudla.results[SLIM_ARM64].version == "13.2.86"
    assert cudla.results[SLIM_AMD64].verdict is Verdict.SKIPPED
    assert opencl.results[SLIM_AMD64].version == "13.2.86"
    assert opencl.results[SLIM_ARM64].verdict is Verdict.SKIPPED


def test_extras_pull_native_packages(tree: Any) -> None:
    report = tree("uvicorn[standard]", "psycopg[binary,c]")
    for name in ("httptools", "uvloop", "watchfiles"):
        result = package(report, name).results[ALPINE_AMD64]
        assert result.verdict is Verdict.BINARY, (name, result)
        assert "musllinux" in (result.file or "")
    psycopg_c = package(report, "psycopg-c").results[SLIM_AMD64]
    assert psycopg_c.verdict is Verdict.SOURCE
    assert "unknown" not in psycopg_c.reason  # PKG-INFO 2.4: known to have no dependencies


def test_sdist_only_static_metadata_is_followed_and_dynamic_is_declared(tree: Any) -> None:
    report = tree("openai-whisper", "flash-attn", targets=["python:3.12-slim"], arches=["amd64"])
    target = "python:3.12-slim/amd64"
    whisper = package(report, "openai-whisper").results[target]
    assert whisper.verdict is Verdict.SOURCE
    assert whisper.dependencies_from is Provenance.METADATA  # PEP 643 PKG-INFO
    installed = versions(report, target)
    for dependency in ("more-itertools", "numba", "tiktoken", "torch", "tqdm", "einops"):
        assert dependency in installed
    assert len(installed) == 44  # as uv finds, building flash-attn
    # PKG-INFO 2.4 marks Requires-Dist dynamic; the egg-info setuptools wrote declares them.
    flash = package(report, "flash-attn").results[target]
    assert flash.dependencies_known and flash.dependencies_from is Provenance.EGG_INFO
    assert flash.reason.endswith(
        "; dependencies declared in flash_attn.egg-info/requires.txt, not guaranteed"
    )
    assert report.recommendation.image == "python:3.12-slim"
    assert any("flash-attn are declared" in r for r in report.recommendation.reasons)


@pytest.mark.parametrize("flavour", ["no-metadata", "no-range"])
def test_metadata_without_pep658_gives_the_same_tree(
    tree: Any, index_server: IndexServer, flavour: str
) -> None:
    names = ("requests", "responses")
    expected = versions(tree(*names), SLIM_AMD64)
    index_server.clear_requests()
    got = versions(tree(*names, flavour=flavour), SLIM_AMD64)
    assert got == expected
    if flavour == "no-metadata":
        # METADATA came out of the wheels by range requests: no wheel was read in full.
        assert index_server.count("metadata") == 0
        assert index_server.count("wheel", full=True) == 0
        assert index_server.count("wheel") > 0


def test_the_example_app_resolves_offline_with_psycopg2_blocking_alpine(tree: Any) -> None:
    report = tree("chainlit", "langchain", "openai", "pandas", "psycopg2")
    assert not report.conflicts and not report.has_errors
    # All 154 projects uv finds: literalai's egg-info declares traceloop-sdk and the rest.
    assert len(report.packages) == 154
    literalai = package(report, "literalai").results[SLIM_AMD64]
    assert literalai.verdict is Verdict.SOURCE
    assert literalai.dependencies_from is Provenance.EGG_INFO
    assert "dependencies declared in literalai.egg-info/requires.txt" in literalai.reason
    assert any("literalai > traceloop-sdk" in c for c in package(report, "traceloop-sdk").via)
    # A declared answer does not withhold the recommendation; it adds the caveat.
    assert report.recommendation.image == "python:3.12-slim"
    assert report.recommendation.withheld is None
    uvicorn = package(report, "uvicorn")
    assert any(chain.startswith("chainlit > ") for chain in uvicorn.via)


def test_an_old_flit_sdist_is_followed_through_its_flit_table(
    index_server: IndexServer, tmp_path: Path
) -> None:
    # requests-download 0.1.2 (only its sdist kept): PKG-INFO 1.1 without Requires-Dist;
    # its pyproject.toml [tool.flit.metadata] requires = ["requests"], so requests' tree is
    # checked too, with the caveat, and nothing blocks (exit 0)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("requests-download==0.1.2\n", encoding="utf-8")
    base = ["check", "--index-url", f"{index_server.url}/simple/", "--retries", "1"]
    result = CliRunner().invoke(main, [*base, "-f", "json", str(requirements)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    rows = {p["name"]: p for p in document["packages"]}
    row = rows["requests-download"]["results"][SLIM_AMD64]
    assert (row["verdict"], row["dependencies_from"]) == ("source", "flit")
    assert (
        "dependencies declared in pyproject.toml [tool.flit.metadata], not guaranteed"
        in (row["reason"])
    )
    assert rows["requests"]["via"] == ["requests-download > requests"]
    assert {"certifi", "charset-normalizer", "idna", "urllib3"} <= set(rows)
    table = CliRunner().invoke(main, [*base, str(requirements)])
    assert table.exit_code == 0
    assert table.stdout.splitlines()[1] == (
        "Not guaranteed: what requests-download needs (declared by files a build would"
    )


def test_no_deps_judges_only_the_named_requirements(tree: Any) -> None:
    report = tree("requests", "responses", no_deps=True)
    assert report.scope == "direct"
    assert [p.name for p in report.packages] == ["requests", "responses"]


@pytest.mark.parametrize(
    "lockfile", ["uv/uv.lock", "uv/pylock.toml", "poetry2/poetry.lock", "poetry1/poetry.lock"]
)
def test_lockfiles_are_judged_as_pinned_per_target(
    index_server: IndexServer, lockfile: str
) -> None:
    report = wheelcheck.check(
        [LOCKFILES / lockfile],
        index_url=f"{index_server.url}/simple/",
        environ={},
        pip_config_files=[],
    )
    assert report.scope == "locked"
    msgpack = package(report, "msgpack")
    # the lock installs msgpack only on x86_64 (a platform_machine marker)
    assert msgpack.results[SLIM_AMD64].version == "1.2.4"
    assert msgpack.results[SLIM_AMD64].verdict is Verdict.BINARY
    assert msgpack.results[SLIM_ARM64].verdict is Verdict.SKIPPED
    assert msgpack.origin is not None and msgpack.origin.line is not None


def test_many_targets_with_a_hostname_index_do_not_deadlock(index_server: IndexServer) -> None:
    # Each resolution thread waits on the event loop; DNS lookups need the loop's default
    # executor, so resolutions must not occupy it. A 2-thread default pool and 6 targets
    # reproduced the hang before the fix.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def run() -> Report:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(2))
        return await wheelcheck.acheck(
            requirements=["requests"],
            targets=["python:3.12-slim", "python:3.12-alpine", "python:3.11-slim"],
            index_url=index_server.url.replace("127.0.0.1", "localhost") + "/simple/",
            environ={},
            pip_config_files=[],
        )

    report = asyncio.run(asyncio.wait_for(run(), timeout=60))
    assert len(report.targets) == 6
    assert not report.conflicts and not report.has_errors


def test_constraints_apply_to_transitive_packages(tree: Any, tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("urllib3<2\n")
    (tmp_path / "r.txt").write_text("-c c.txt\nrequests\n")
    report = tree(files=[tmp_path / "r.txt"], targets=["python:3.12-slim"], arches=["amd64"])
    assert versions(report, "python:3.12-slim/amd64")["urllib3"] == "1.26.20"


def test_a_direct_requirement_nothing_satisfies_stays_missing(tree: Any) -> None:
    report = tree("urllib3>=99", "requests", targets=["python:3.12-slim"], arches=["amd64"])
    urllib3 = package(report, "urllib3").results["python:3.12-slim/amd64"]
    assert urllib3.verdict is Verdict.MISSING


def test_a_direct_reference_is_not_replaced_by_an_index_release(
    tree: Any, index_server: IndexServer
) -> None:
    index_server.clear_requests()
    report = tree(
        "requests @ https://example.invalid/requests-2.34.2-py3-none-any.whl",
        "responses",
        targets=["python:3.12-slim"],
        arches=["amd64"],
    )
    requests_row = package(report, "requests").results["python:3.12-slim/amd64"]
    assert requests_row.verdict is Verdict.UNCHECKED
    assert not any("/simple/requests/" in path for path, _ in index_server.requests)
    assert versions(report, "python:3.12-slim/amd64")["urllib3"] == "2.8.0"


def test_an_unresolvable_alpine_tree_is_not_recommended(tree: Any) -> None:
    report = tree("cuda-toolkit[cudla,opencl]==13.2.2")
    assert "python:3.12-alpine/amd64" in report.conflicts
    assert report.recommendation.image == "python:3.12-slim"
    assert any("cannot install the tree" in r for r in report.recommendation.reasons)


def test_a_dependency_missing_from_the_index_is_named_as_such(tree: Any) -> None:
    report = tree("requests[socks]", targets=["python:3.12-slim"], arches=["amd64"])
    text = report.conflicts["python:3.12-slim/amd64"]
    assert "pysocks is not on the index (needed by requests" in text
