"""End to end through the library API, against the recorded index on 127.0.0.1.

Each test asserts what a user reads in the report: the verdict, the version and the file pip
would install, per target. The facts come from the recorded pages (tests/data/index/README.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import wheelcheck
from wheelcheck.models import Report, TargetResult, Verdict

if TYPE_CHECKING:
    from indexserver import IndexServer

ALPINE_AMD64 = "python:3.12-alpine/amd64"
ALPINE_ARM64 = "python:3.12-alpine/arm64"
SLIM_AMD64 = "python:3.12-slim/amd64"
SLIM_ARM64 = "python:3.12-slim/arm64"


@pytest.fixture
def run(index_server: IndexServer) -> Any:
    def run(*requirements: str, flavour: str = "", **options: Any) -> Report:
        prefix = f"/{flavour}" if flavour else ""
        options.setdefault("index_url", f"{index_server.url}{prefix}/simple/")
        options.setdefault("environ", {})
        options.setdefault("pip_config_files", [])
        options.setdefault("retries", 1)
        options.setdefault("no_deps", True)  # these tests judge what the files name
        return wheelcheck.check(requirements=list(requirements), **options)

    return run


def result(report: Report, name: str, target_id: str) -> TargetResult:
    package = next(p for p in report.packages if p.name == name)
    return package.results[target_id]


def test_binary_wheels_are_chosen_by_the_targets_libc(run: Any) -> None:
    report = run("numpy==2.3.5")
    alpine = result(report, "numpy", ALPINE_AMD64)
    slim = result(report, "numpy", SLIM_ARM64)
    assert alpine.verdict is Verdict.BINARY
    assert alpine.file == "numpy-2.3.5-cp312-cp312-musllinux_1_2_x86_64.whl"
    assert slim.verdict is Verdict.BINARY
    assert slim.file == "numpy-2.3.5-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl"


def test_musllinux_1_1_wheel_is_accepted_on_alpine_and_arm64_without_one_builds(run: Any) -> None:
    report = run("numpy==1.26.1")
    amd64 = result(report, "numpy", ALPINE_AMD64)
    arm64 = result(report, "numpy", ALPINE_ARM64)
    assert amd64.verdict is Verdict.BINARY
    assert amd64.file == "numpy-1.26.1-cp312-cp312-musllinux_1_1_x86_64.whl"
    assert arm64.verdict is Verdict.SOURCE
    assert arm64.file == "numpy-1.26.1.tar.gz"
    assert arm64.other_wheels


def test_pure_python_wheel(run: Any) -> None:
    report = run("six")
    for target_id in (ALPINE_AMD64, SLIM_ARM64):
        six = result(report, "six", target_id)
        assert six.verdict is Verdict.PURE
        assert six.file == "six-1.17.0-py2.py3-none-any.whl"


def test_source_build_says_other_wheels_exist(run: Any) -> None:
    report = run("psycopg2==2.9.13")
    psycopg2 = result(report, "psycopg2", ALPINE_AMD64)
    assert psycopg2.verdict is Verdict.SOURCE
    assert psycopg2.file == "psycopg2-2.9.13.tar.gz"
    assert psycopg2.other_wheels
    assert "win_amd64" in psycopg2.reason


def test_missing_when_no_wheel_and_no_sdist(run: Any) -> None:
    report = run("pywin32")
    pywin32 = result(report, "pywin32", SLIM_AMD64)
    assert pywin32.verdict is Verdict.MISSING
    assert pywin32.file is None
    assert "no sdist" in pywin32.reason


def test_marker_false_for_the_target_is_skipped(run: Any) -> None:
    report = run(
        'pywin32 ; sys_platform == "win32"', 'numpy==2.3.5 ; platform_machine == "aarch64"'
    )
    assert result(report, "pywin32", SLIM_AMD64).verdict is Verdict.SKIPPED
    assert result(report, "numpy", ALPINE_AMD64).verdict is Verdict.SKIPPED
    assert result(report, "numpy", ALPINE_ARM64).verdict is Verdict.BINARY


def test_unknown_project_is_not_found_not_a_crash(run: Any) -> None:
    report = run("no-such-project-anywhere")
    assert result(report, "no-such-project-anywhere", SLIM_AMD64).verdict is Verdict.NOT_FOUND
    assert not report.has_errors


def test_direct_references_are_listed_unchecked(run: Any, index_server: IndexServer) -> None:
    index_server.clear_requests()
    report = run("click @ git+https://github.com/pallets/click.git@8.1.7", "./local/pkg")
    verdicts = {p.name: p.results[SLIM_AMD64].verdict for p in report.packages}
    assert verdicts == {"click": Verdict.UNCHECKED, "./local/pkg": Verdict.UNCHECKED}
    assert index_server.requests == []


def test_abi3_wheel_is_chosen_over_the_sdist(run: Any) -> None:
    report = run(
        "cryptography==50.0.2", targets=["python:3.12-slim-bookworm", "python:3.12-alpine"]
    )
    bookworm = result(report, "cryptography", "python:3.12-slim-bookworm/amd64")
    alpine = result(report, "cryptography", ALPINE_ARM64)
    assert bookworm.file == "cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl"
    assert alpine.file == "cryptography-50.0.2-cp311-abi3-musllinux_1_2_aarch64.whl"
    assert bookworm.verdict is alpine.verdict is Verdict.BINARY


def test_glibc_version_decides_manylinux_2_28_and_2_39(run: Any) -> None:
    report = run(
        "torch==2.15.0",
        "openshell==0.0.99",
        targets=["python:3.12-slim-bookworm", "python:3.12-slim-trixie"],
        arches=["amd64"],
    )
    bookworm, trixie = "python:3.12-slim-bookworm/amd64", "python:3.12-slim-trixie/amd64"
    assert result(report, "torch", bookworm).verdict is Verdict.BINARY
    assert "manylinux_2_28_x86_64" in (result(report, "torch", bookworm).file or "")
    assert result(report, "openshell", bookworm).verdict is Verdict.MISSING
    assert result(report, "openshell", trixie).verdict is Verdict.BINARY
    assert result(report, "openshell", trixie).file == (
        "openshell-0.0.99-py3-none-manylinux_2_39_x86_64.whl"
    )


def test_requires_python_excluding_the_newest_picks_an_older_version(run: Any) -> None:
    report = run("numpy", targets=["python:3.10-slim", "python:3.12-slim"], arches=["amd64"])
    assert result(report, "numpy", "python:3.10-slim/amd64").version == "2.2.6"
    assert result(report, "numpy", "python:3.12-slim/amd64").version == "2.3.5"


def test_requires_python_excluding_every_version_is_missing(run: Any) -> None:
    report = run("torch==2.15.0", targets=["python:3.10-slim"], arches=["amd64"])
    torch = result(report, "torch", "python:3.10-slim/amd64")
    assert torch.verdict is Verdict.MISSING
    assert "requires-python" in torch.reason


def test_yanked_release_only_when_pinned(run: Any) -> None:
    pinned = result(run("requests==2.32.0"), "requests", SLIM_AMD64)
    assert pinned.version == "2.32.0"
    assert "yanked" in pinned.reason
    assert "CVE-2024-35195" in pinned.reason
    ranged = result(run("requests>=2.31,<2.32.3"), "requests", SLIM_AMD64)
    assert ranged.version == "2.31.0"


def test_pre_releases_only_when_asked(run: Any) -> None:
    assert result(run("notebook"), "notebook", SLIM_AMD64).version == "7.6.5"
    assert result(run("notebook", pre=True), "notebook", SLIM_AMD64).version == "7.7.0a2"
    assert result(run("notebook>=7.7.0a1"), "notebook", SLIM_AMD64).version == "7.7.0a2"


def test_musllinux_on_x86_64_only_blocks_alpine_arm64(run: Any) -> None:
    report = run("matplotlib==3.11.2")
    assert result(report, "matplotlib", ALPINE_AMD64).verdict is Verdict.BINARY
    assert result(report, "matplotlib", ALPINE_ARM64).verdict is Verdict.SOURCE
    assert report.recommendation.image == "python:3.12-slim"
    assert report.recommendation.blockers == {ALPINE_ARM64: ("matplotlib",)}


def test_all_wheels_everywhere_recommends_alpine(run: Any) -> None:
    report = run("numpy==2.3.5", "six", "psycopg2-binary==2.9.13")
    assert report.recommendation.image == "python:3.12-alpine"


def test_source_build_on_alpine_recommends_slim_naming_the_package(run: Any) -> None:
    report = run("numpy==2.3.5", "psycopg2==2.9.13")
    assert report.recommendation.image == "python:3.12-slim"
    assert any("psycopg2" in reason for reason in report.recommendation.reasons)


@pytest.mark.parametrize("flavour", ["html-only", "relative"])
def test_html_only_index_gives_the_same_verdicts(run: Any, flavour: str) -> None:
    names = ["numpy==1.26.1", "psycopg2==2.9.13", "pywin32", "requests==2.32.0", "six"]
    json_report = run(*names)
    html_report = run(*names, flavour=flavour)

    def verdicts(report: Report) -> list[tuple[str, str, str | None, str | None, str]]:
        return [
            (p.name, tid, r.version, r.file, r.verdict.value)
            for p in report.packages
            for tid, r in p.results.items()
        ]

    assert verdicts(html_report) == verdicts(json_report)


def test_constraint_file_pins_the_version(index_server: IndexServer, tmp_path: Any) -> None:
    (tmp_path / "constraints.txt").write_text("numpy==2.2.6\n")
    (tmp_path / "requirements.txt").write_text("-c constraints.txt\nnumpy\n")
    report = wheelcheck.check(
        [tmp_path / "requirements.txt"],
        no_deps=True,
        index_url=f"{index_server.url}/simple/",
        environ={},
        pip_config_files=[],
        targets=["python:3.12-slim"],
        arches=["amd64"],
    )
    numpy = report.packages[0]
    assert numpy.origin is not None and numpy.origin.line == 2
    assert numpy.results["python:3.12-slim/amd64"].version == "2.2.6"


def test_failed_lookup_is_an_error_and_other_results_are_kept(
    run: Any, index_server: IndexServer
) -> None:
    index_server.fail("six", statuses=(500,), permanent=True)
    try:
        report = run("six", "numpy==2.3.5")
    finally:
        index_server.reset()
    assert report.has_errors
    assert result(report, "six", SLIM_AMD64).verdict is Verdict.ERROR
    assert result(report, "numpy", SLIM_AMD64).verdict is Verdict.BINARY


def test_json_document_matches_the_shipped_schema(run: Any) -> None:
    import json
    from importlib.resources import files

    import jsonschema

    schema = json.loads((files("wheelcheck") / "schema" / "report.schema.json").read_text())
    report = run("numpy==1.26.1", "psycopg2==2.9.13", "pywin32", "no-such-project-anywhere")
    document = json.loads(json.dumps(report.to_dict()))
    jsonschema.validate(document, schema)
    assert document["targets"][0] == {
        "id": ALPINE_AMD64,
        "image": "python:3.12-alpine",
        "python": "3.12",
        "python_full_version": "3.12.14",
        "libc": "musl",
        "libc_version": "1.2",
        "arch": "x86_64",
        "platform": "linux/amd64",
        "distro": "Alpine 3.24",
        "variant": "alpine",
    }


def test_the_library_function_is_not_shadowed_by_a_module() -> None:
    import wheelcheck._check  # importing the implementation must not replace the function

    assert callable(wheelcheck.check)
    assert wheelcheck.check is wheelcheck._check.check
