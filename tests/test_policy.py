"""--fail-on (globally and per target) and --ignore: what fails the run, what a user sees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from wheelcheck._cli import main
from wheelcheck._findings import (
    FailOn,
    Ignore,
    Severity,
    apply_policy,
    check_selectors,
    findings,
    make_policy,
    parse_fail_on,
    parse_ignore,
    policy_failed,
)
from wheelcheck.errors import InputError
from wheelcheck.models import (
    Libc,
    Origin,
    PackageResult,
    Recommendation,
    Report,
    Target,
    TargetResult,
    Verdict,
)

if TYPE_CHECKING:
    from indexserver import IndexServer


def target(variant: str, arch: str) -> Target:
    musl = variant == "alpine"
    return Target(
        id=f"python:3.12-{variant}/{arch}",
        python_version=(3, 12),
        python_full_version="3.12.14",
        libc=Libc.MUSL if musl else Libc.GLIBC,
        libc_version=(1, 2) if musl else (2, 41),
        arch=arch,
        image=f"python:3.12-{variant}",
        variant=variant,
    )


ALPINE_AMD64 = target("alpine", "amd64")
ALPINE_ARM64 = target("alpine", "arm64")
SLIM_AMD64 = target("slim", "amd64")
TARGETS = (ALPINE_AMD64, ALPINE_ARM64, SLIM_AMD64)


def report_with(*packages: PackageResult, conflicts: dict[str, str] | None = None) -> Report:
    return Report(
        targets=TARGETS,
        packages=packages,
        recommendation=Recommendation(None, ()),
        index_urls=(),
        conflicts=conflicts or {},
    )


def package(
    name: str, line: int | None, verdicts: dict[Target, Verdict], **kw: Any
) -> PackageResult:
    results = {
        t.id: TargetResult(verdicts.get(t, Verdict.BINARY), f"{name} reason", "1.0")
        for t in TARGETS
    }
    origin = Origin("requirements.txt", line) if line is not None else None
    return PackageResult(name, name, origin, results, **kw)


# -- parsing -------------------------------------------------------------------------------


def test_fail_on_levels_and_per_target_overrides() -> None:
    policy = parse_fail_on(["source", "alpine=never", "python:3.12-alpine/arm64=missing"])
    assert policy.fail_on is FailOn.SOURCE
    assert policy.level_for(SLIM_AMD64) is FailOn.SOURCE
    assert policy.level_for(ALPINE_AMD64) is FailOn.NEVER  # by variant
    assert policy.level_for(ALPINE_ARM64) is FailOn.MISSING  # the id is more specific
    by_image = parse_fail_on(["python:3.12-alpine=source", "alpine=never"])
    assert by_image.level_for(ALPINE_AMD64) is FailOn.SOURCE  # image beats variant
    assert parse_fail_on([]).fail_on is FailOn.MISSING


@pytest.mark.parametrize("value", ["sometimes", "alpine=often", "=never"])
def test_bad_fail_on_is_an_input_error_naming_the_value(value: str) -> None:
    with pytest.raises(InputError, match="--fail-on") as caught:
        parse_fail_on([value])
    assert repr(value) in str(caught.value)


def test_ignore_name_and_reason() -> None:
    assert parse_ignore("PsycoPG2") == Ignore("psycopg2", None)
    assert parse_ignore("psycopg2: built in the builder stage: with libpq") == Ignore(
        "psycopg2", "built in the builder stage: with libpq"
    )
    assert parse_ignore("six:") == Ignore("six", None)
    with pytest.raises(InputError, match="not a valid project name"):
        parse_ignore("no such/name")


def test_a_per_target_level_must_name_a_target_of_the_run() -> None:
    check_selectors(parse_fail_on(["alpine=never", "python:3.12-slim/amd64=source"]), TARGETS)
    with pytest.raises(InputError, match="alpnie") as caught:
        check_selectors(parse_fail_on(["alpnie=never"]), TARGETS)
    assert "python:3.12-alpine" in str(caught.value)  # the choices are listed


# -- findings and pass/fail ----------------------------------------------------------------


def test_source_builds_fail_only_at_or_above_the_level_of_their_target() -> None:
    report = report_with(package("psycopg2", 1, {ALPINE_AMD64: Verdict.SOURCE}))
    assert not policy_failed(report, make_policy(["missing"]))
    assert policy_failed(report, make_policy(["source"]))
    assert not policy_failed(report, make_policy(["source", "alpine=never"]))
    assert policy_failed(report, make_policy(["never", "python:3.12-alpine/amd64=source"]))


def test_missing_not_found_and_conflicts_fail_under_missing_but_not_never() -> None:
    for verdict in (Verdict.MISSING, Verdict.NOT_FOUND):
        report = report_with(package("x", 1, {SLIM_AMD64: verdict}))
        assert policy_failed(report, make_policy(["missing"]))
        assert not policy_failed(report, make_policy(["never"]))
    conflicted = report_with(package("a", 1, {}), conflicts={SLIM_AMD64.id: "a clashes"})
    assert policy_failed(conflicted, make_policy([]))
    assert not policy_failed(conflicted, make_policy(["slim=never"]))


def test_errors_are_never_findings() -> None:
    report = report_with(package("six", 1, {t: Verdict.ERROR for t in TARGETS}))
    assert findings(report, make_policy(["source"])) == []
    assert not policy_failed(report, make_policy(["source"]))


def test_ignored_packages_stay_marked_and_never_fail() -> None:
    policy = make_policy(["source"], ["pywin32:windows only", "not-in-the-report"])
    report = apply_policy(
        report_with(package("pywin32", 4, {t: Verdict.MISSING for t in TARGETS})), policy
    )
    assert [(p.name, p.ignored, p.ignore_reason) for p in report.packages] == [
        ("pywin32", True, "windows only")
    ]
    found = findings(report, policy)
    assert found and all(f.ignored and f.severity is Severity.WARNING for f in found)
    assert not policy_failed(report, policy)
    assert "ignored pywin32: windows only (never fails the run)" in report.notes
    assert "--ignore not-in-the-report: no such package in this report" in report.notes


def test_findings_are_grouped_by_outcome_and_located() -> None:
    dependency = package(
        "psycopg-c", None, {t: Verdict.SOURCE for t in TARGETS}, direct=False,
        via=("psycopg > psycopg-c",),
    )  # fmt: skip
    report = report_with(
        package("psycopg", 3, {}),
        dependency,
        conflicts={ALPINE_AMD64.id: "x", ALPINE_ARM64.id: "x"},
    )
    found = findings(report, make_policy(["source", "alpine=never"]))
    dep = [f for f in found if f.subject is not None and f.subject.package == "psycopg-c"]
    assert [([t.id for t in f.subject.targets], f.severity) for f in dep if f.subject] == [
        ([ALPINE_AMD64.id, ALPINE_ARM64.id], Severity.WARNING),
        ([SLIM_AMD64.id], Severity.ERROR),
    ]
    assert {f.location for f in dep} == {Origin("requirements.txt", 3)}  # psycopg's line
    assert "dependency via psycopg > psycopg-c" in dep[0].message
    conflict = [f for f in found if f.rule.id == "WC004"]
    assert len(conflict) == 1 and conflict[0].subject is not None
    assert len(conflict[0].subject.targets) == 2
    assert conflict[0].location == Origin("requirements.txt", 1)  # the file's start


def test_requirements_from_stdin_have_no_location() -> None:
    stdin = PackageResult(
        "pywin32",
        "pywin32",
        Origin("-", 1),
        {t.id: TargetResult(Verdict.MISSING, "none") for t in TARGETS},
    )
    assert {f.location for f in findings(report_with(stdin), make_policy([]))} == {None}


# -- through the command line --------------------------------------------------------------


@pytest.fixture
def run(index_server: IndexServer, tmp_path: Path) -> Any:
    def invoke(text: str, *args: str) -> Result:
        req = tmp_path / "requirements.txt"
        req.write_text(text, encoding="utf-8")
        argv = ["check", str(req), "-i", f"{index_server.url}/simple/", "--retries", "1"]
        return CliRunner().invoke(main, [*argv, "--no-deps", *args])

    return invoke


def test_cli_ignore_turns_a_failure_into_a_pass_and_shows_the_reason(run: Any) -> None:
    assert run("pywin32\n").exit_code == 1
    outcome = run("pywin32\n", "--ignore", "pywin32:windows only")
    assert outcome.exit_code == 0, outcome.output
    assert "ignored pywin32: windows only (never fails the run)" in outcome.stdout
    document = json.loads(run("pywin32\n", "--ignore", "pywin32:why", "-f", "json").stdout)
    assert document["packages"][0]["ignored"] is True
    assert document["packages"][0]["ignore_reason"] == "why"


def test_cli_per_target_fail_on(run: Any) -> None:
    # matplotlib 3.11.2 builds from source only on alpine arm64
    assert run("matplotlib==3.11.2\n", "--fail-on", "source").exit_code == 1
    assert (
        run("matplotlib==3.11.2\n", "--fail-on", "source", "--fail-on", "alpine=never").exit_code
        == 0
    )
    outcome = run(
        "matplotlib==3.11.2\n", "--fail-on", "source", "--fail-on", "python:3.12-alpine/arm64=never"
    )
    assert outcome.exit_code == 0, outcome.output


def test_cli_unknown_per_target_selector_is_exit_2_before_any_request(
    run: Any, index_server: IndexServer
) -> None:
    index_server.clear_requests()
    outcome = run("six\n", "--fail-on", "alpnie=never")
    assert outcome.exit_code == 2
    assert "alpnie" in outcome.stderr and outcome.stdout == ""
    assert index_server.requests == []


def test_cli_bad_level_and_bad_ignore_are_exit_2(run: Any) -> None:
    outcome = run("six\n", "--fail-on", "always")
    assert outcome.exit_code == 2 and "unknown level" in outcome.stderr
    outcome = run("six\n", "--ignore", "not a/name")
    assert outcome.exit_code == 2 and "not a valid project name" in outcome.stderr
