"""Every report format, as a user (or a CI system) reads it.

JSON and SARIF are validated against their schemas (the package's report schema and the
official SARIF 2.1.0 schema in tests/data); Markdown and GitHub workflow commands are compared
with golden files under tests/golden (regenerate with UPDATE_GOLDEN=1). Hostile names and
reasons from an index must not inject links, HTML, table cells or workflow commands.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from wheelcheck._cli import main
from wheelcheck._findings import apply_policy, make_policy
from wheelcheck._report import Format, write_report
from wheelcheck._report.github import escape_data, escape_property, render_github
from wheelcheck._report.markdown import escape, render_markdown
from wheelcheck._report.sarif import build_sarif
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

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden"
SARIF_SCHEMA_PATH = TESTS / "data" / "sarif-schema-2.1.0.json"
SARIF_SCHEMA_SHA256 = "ad389db5a66fad5c131178b0e1f18600ac625616cd5ea20a00ee8ee246dc7069"
REPORT_SCHEMA_PATH = TESTS.parent / "wheelcheck" / "schema" / "report.schema.json"


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def report_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(validator: jsonschema.protocols.Validator, document: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def _target(variant: str, arch: str) -> Target:
    musl = variant == "alpine"
    return Target(
        id=f"python:3.12-{variant}/{arch}",
        python_version=(3, 12),
        python_full_version="3.12.14",
        libc=Libc.MUSL if musl else Libc.GLIBC,
        libc_version=(1, 2) if musl else (2, 41),
        arch={"amd64": "x86_64", "arm64": "aarch64"}[arch],
        image=f"python:3.12-{variant}",
        platform=f"linux/{arch}",
        distro="Alpine 3.24" if musl else "Debian 13 (trixie)",
        variant=variant,
    )


TARGETS = (
    _target("alpine", "amd64"),
    _target("alpine", "arm64"),
    _target("slim", "amd64"),
    _target("slim", "arm64"),
)
HOSTILE = "evil[click](https://x.test)<img src=x>|@team #1\n::error::pwned\x1b[31m"


def _results(default: TargetResult, **by_target: TargetResult) -> dict[str, TargetResult]:
    """One result per target: `default`, or by_target["alpine_arm64"] and the like."""
    return {t.id: by_target.get(f"{t.variant}_{t.id.rsplit('/', 1)[1]}", default) for t in TARGETS}


def sample_report() -> Report:
    """A report with every kind of finding: a source build on one arch, a missing package, an
    unknown project, a dependency (located at its direct requirement), a conflict, and a
    package whose name and reason come from a hostile index."""
    wheel = TargetResult(Verdict.BINARY, "cp312 manylinux_2_17_x86_64 wheel", "3.11.2", "m.whl")
    source = TargetResult(
        Verdict.SOURCE,
        "no wheel for this target; pip builds the sdist",
        "3.11.2",
        "matplotlib-3.11.2.tar.gz",
        other_wheels=True,
    )
    packages = (
        PackageResult(
            "matplotlib",
            "matplotlib==3.11.2",
            Origin("requirements.txt", 2),
            _results(default=wheel, alpine_arm64=source),
        ),
        PackageResult(
            "psycopg",
            "psycopg[c]",
            Origin("requirements.txt", 3),
            _results(default=TargetResult(Verdict.PURE, "py3-none-any wheel", "3.3.9", "p.whl")),
        ),
        PackageResult(
            "pywin32",
            "pywin32",
            Origin("requirements.txt", 4),
            _results(
                default=TargetResult(Verdict.MISSING, "no wheel for this target and no sdist")
            ),
        ),
        PackageResult(
            "no-such-project",
            "no-such-project",
            Origin("requirements.txt", 5),
            _results(default=TargetResult(Verdict.NOT_FOUND, "no such project on the index")),
        ),
        PackageResult(
            HOSTILE,
            "evil",
            Origin("requirements.txt", 6),
            _results(default=TargetResult(Verdict.SOURCE, HOSTILE, "1.0", "evil-1.0.tar.gz")),
        ),
        PackageResult(
            "psycopg-c",
            "psycopg-c",
            None,
            _results(default=TargetResult(Verdict.SOURCE, "no wheel at all", "3.3.9", "c.tar.gz")),
            direct=False,
            via=("psycopg > psycopg-c",),
        ),
    )
    return Report(
        targets=TARGETS,
        packages=packages,
        recommendation=Recommendation(
            "python:3.12-slim",
            ("on python:3.12-alpine (arm64): matplotlib builds from source",),
            {"python:3.12-alpine/arm64": ("matplotlib",)},
        ),
        index_urls=("https://pypi.org/simple/",),
        scope="tree",
        notes=("a note",),
        conflicts={"python:3.12-slim/arm64": "nothing installable matches contourpy>=1.0.1"},
    )


POLICY = make_policy(["source", "alpine=never"], ["pywin32:windows only, never deployed"])


def sample() -> Report:
    return apply_policy(sample_report(), POLICY)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; UPDATE_GOLDEN=1 to accept"


# -- every format, every member ------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_writes_a_report(fmt: Format) -> None:
    stream = io.StringIO()
    write_report(sample(), fmt, stream, color=False, policy=POLICY, environ={})
    text = stream.getvalue()
    assert "matplotlib" in text
    assert "\x1b" not in text  # no escape sequence from the hostile name reaches any format


def test_the_format_enum_is_what_the_cli_offers() -> None:
    outcome = CliRunner().invoke(main, ["check", "--help"])
    offered = re.search(r"--format \[([a-z|]+)\]", outcome.output)
    assert offered is not None
    assert offered.group(1).split("|") == [f.value for f in Format]


# -- JSON ----------------------------------------------------------------------------------


def test_json_of_the_sample_is_valid_and_marks_ignored_packages() -> None:
    document = sample().to_dict()
    assert_valid(report_validator(), document)
    by_name = {p["name"]: p for p in document["packages"]}
    assert by_name["pywin32"]["ignored"] is True
    assert by_name["pywin32"]["ignore_reason"] == "windows only, never deployed"
    assert by_name["matplotlib"]["ignored"] is False


def test_real_json_reports_validate_against_the_shipped_schema(
    index_server: IndexServer, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("six\npsycopg[c]\npywin32\nno-such-project-anywhere\n", encoding="utf-8")
    out = tmp_path / "report.json"
    outcome = CliRunner().invoke(
        main,
        ["check", str(req), "-i", f"{index_server.url}/simple/", "--retries", "1",
         "-f", "json", "-o", str(out), "--ignore", "pywin32:windows only"],
    )  # fmt: skip
    assert outcome.exit_code == 1, outcome.output  # no-such-project fails; pywin32 is ignored
    document = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(report_validator(), document)
    by_name = {p["name"]: p for p in document["packages"]}
    assert by_name["pywin32"]["ignored"] is True
    assert "psycopg-c" in by_name and by_name["psycopg-c"]["direct"] is False


# -- SARIF ---------------------------------------------------------------------------------


def test_the_shipped_sarif_schema_is_the_official_text() -> None:
    digest = hashlib.sha256(SARIF_SCHEMA_PATH.read_bytes()).hexdigest()
    assert digest == SARIF_SCHEMA_SHA256
    validator = sarif_validator()
    assert not validator.is_valid({"version": "2.1.0"})  # runs is required
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {}}]})


def test_sarif_of_the_sample_is_valid_and_located() -> None:
    document = build_sarif(sample(), POLICY)
    assert_valid(sarif_validator(), document)
    run = document["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == ["WC001", "WC002", "WC003", "WC004", "WC005"]
    assert all(r["help"]["text"] for r in run["tool"]["driver"]["rules"])
    results = run["results"]

    def located(result: dict[str, Any]) -> tuple[str, int | None]:
        physical = result["locations"][0]["physicalLocation"]
        region = physical.get("region", {})
        return physical["artifactLocation"]["uri"], region.get("startLine")

    matplotlib = [r for r in results if r["properties"]["package"] == "matplotlib"]
    assert len(matplotlib) == 1
    assert matplotlib[0]["ruleId"] == "WC001"
    assert matplotlib[0]["level"] == "warning"  # alpine=never
    assert located(matplotlib[0]) == ("requirements.txt", 2)
    assert matplotlib[0]["properties"]["targets"] == ["python:3.12-alpine/arm64"]

    dependency = [r for r in results if r["properties"]["package"] == "psycopg-c"]
    # located at the line of psycopg, the direct requirement it came through
    assert {located(r) for r in dependency} == {("requirements.txt", 3)}
    assert {r["level"] for r in dependency} == {"warning", "error"}  # alpine vs slim

    pywin32 = [r for r in results if r["properties"]["package"] == "pywin32"]
    assert {r["level"] for r in pywin32} == {"warning"}
    assert all(
        r["suppressions"] == [{"kind": "external", "status": "accepted",
                               "justification": "windows only, never deployed"}]
        for r in pywin32
    )  # fmt: skip

    conflict = [r for r in results if r["ruleId"] == "WC004"]
    assert len(conflict) == 1 and conflict[0]["level"] == "error"
    assert located(conflict[0]) == ("requirements.txt", 1)

    hostile = [r for r in results if r["properties"]["package"] == HOSTILE]
    text = hostile[0]["message"]["text"]
    assert "[click]" not in text and "\\[click\\]" in text  # no embedded link
    assert "\x1b" not in text and "\n" not in text
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_fingerprints_are_stable_across_versions() -> None:
    report = sample()
    bumped = replace(
        report,
        packages=tuple(
            replace(p, results={t: replace(r, version="9.9") for t, r in p.results.items()})
            for p in report.packages
        ),
    )
    first = build_sarif(report, POLICY)["runs"][0]["results"]
    again = build_sarif(bumped, POLICY)["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["wheelcheck/v1"] for r in first]
    assert fingerprints == [r["partialFingerprints"]["wheelcheck/v1"] for r in again]
    assert len(set(fingerprints)) == len(fingerprints)


def test_real_sarif_report_validates_and_index_errors_are_notifications(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("requirements.txt").write_text("six\npsycopg2==2.9.13\nnumpy==2.3.5\n", encoding="utf-8")
    index_server.fail("six", statuses=(503,), permanent=True)
    try:
        outcome = CliRunner().invoke(
            main,
            ["check", "requirements.txt", "-i", f"{index_server.url}/simple/", "--retries", "0",
             "--no-deps", "-f", "sarif", "--fail-on", "source"],
        )  # fmt: skip
    finally:
        index_server.reset()
    assert outcome.exit_code == 3  # the tool error wins over the policy failure
    document = json.loads(outcome.stdout)
    assert_valid(sarif_validator(), document)
    run = document["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any("six" in n["message"]["text"] for n in invocation["toolExecutionNotifications"])
    assert all(r["properties"]["package"] != "six" for r in run["results"])  # not a finding
    psycopg2 = [r for r in run["results"] if r["properties"]["package"] == "psycopg2"]
    location = psycopg2[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "requirements.txt", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2}
    assert psycopg2[0]["level"] == "error"


# -- Markdown ------------------------------------------------------------------------------


def test_markdown_golden() -> None:
    check_golden("report.md", render_markdown(sample(), POLICY))


def test_markdown_cannot_be_injected_by_names_and_reasons() -> None:
    html = MarkdownIt("commonmark").enable("table").render(render_markdown(sample(), POLICY))
    assert "<a " not in html
    assert "<img" not in html
    assert "src=x" in html  # the text is shown, as text
    # every row of every table keeps its cells: a '|' in a name does not add one
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
        assert widths == {2 + len(TARGETS)}


@pytest.mark.parametrize(
    "text",
    ["[x](https://evil.test)", "<script>x</script>", "a|b", "@org/team", "#123", "**bold**",
     "![i](https://evil.test/i.png)", "www.evil.test", "https://evil.test", "`code`", "$x$"],
)  # fmt: skip
def test_escape_makes_markdown_literal(text: str) -> None:
    escaped = escape(text)
    html = MarkdownIt("commonmark").render(escaped)
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<strong>" not in html and "<code>" not in html
    assert "https://" not in escaped and "www." not in escaped  # no bare-URL autolink
    assert re.search(r"(?<!\\)[@#]", escaped) is None  # no mention, no issue link
    assert "|" not in escaped.replace("\\|", "")


def test_markdown_for_a_clean_report_says_pass() -> None:
    report = Report(
        targets=TARGETS,
        packages=(
            PackageResult(
                "six",
                "six",
                Origin("requirements.txt", 1),
                _results(default=TargetResult(Verdict.PURE, "py2.py3-none-any wheel", "1.17.0")),
            ),
        ),
        recommendation=Recommendation("python:3.12-alpine", ("no package needs a build",)),
        index_urls=(),
    )
    text = render_markdown(report)
    assert text.startswith("### wheelcheck: ✅ pass · use `python:3.12-alpine`")
    assert "Every package installs from a wheel on every target." in text


# -- GitHub workflow commands -------------------------------------------------------------


def test_github_golden() -> None:
    check_golden("report.github.txt", render_github(sample(), POLICY))


def test_github_commands_cannot_be_injected() -> None:
    lines = render_github(sample(), POLICY).splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    hostile = [line for line in lines if "evil" in line]
    assert hostile and all("\x1b" not in line for line in hostile)
    # the hostile name's "::error::" and newline stay inside one command's data
    properties = hostile[0].split("::")[1]
    assert "%0A%3A%3Aerror%3A%3Apwned" in properties
    assert escape_data("100%\r\nx") == "100%25%0D%0Ax"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_locations_and_levels() -> None:
    lines = render_github(sample(), POLICY).splitlines()
    assert (
        "::warning file=requirements.txt,line=2,title=WC001 source-build%3A matplotlib::"
        "matplotlib 3.11.2 builds from source on python:3.12-alpine/arm64: "
        "no wheel for this target; pip builds the sdist"
    ) in lines
    errors = [line for line in lines if line.startswith("::error file=requirements.txt,line=3,")]
    assert errors and "psycopg-c" in errors[0] and "via psycopg > psycopg-c" in errors[0]
    assert not any("pywin32" in line for line in lines)  # ignored: no annotation
    assert lines[-1].startswith("::notice title=wheelcheck recommends python%3A3.12-slim::")


def test_github_format_appends_the_summary_only_inside_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    write_report(sample(), Format.GITHUB, io.StringIO(), policy=POLICY, environ=environ)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### wheelcheck: ❌ fail")
    for outside in ({"GITHUB_STEP_SUMMARY": str(summary)}, {"GITHUB_ACTIONS": "true"}):
        write_report(sample(), Format.GITHUB, io.StringIO(), policy=POLICY, environ=outside)
    assert summary.read_text(encoding="utf-8") == text


# -- colour ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "no_color", "coloured"),
    [
        ([], None, False),  # not a terminal
        (["--color", "always"], None, True),
        (["--color", "always"], "1", True),  # an explicit flag wins over NO_COLOR
        (["--color", "never"], None, False),
        (["--color", "auto"], "1", False),
    ],
)
def test_color_option_and_no_color(
    index_server: IndexServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    no_color: str | None,
    coloured: bool,
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    req = tmp_path / "requirements.txt"
    req.write_text("six\n", encoding="utf-8")
    outcome = CliRunner().invoke(
        main, ["check", str(req), "-i", f"{index_server.url}/simple/", "--no-deps", *args]
    )
    assert outcome.exit_code == 0, outcome.output
    assert ("\x1b[" in outcome.stdout) is coloured
