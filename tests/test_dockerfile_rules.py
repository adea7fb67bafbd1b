"""`wheelcheck dockerfile` rules on real-world Dockerfile shapes (tests/data/dockerfiles).

Each shape asserts the exact set of findings (rule id, line) the rules give without asking an
index; the shapes that need verdicts run against the recorded index on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from wheelcheck._dockerfile.analysis import DockerfileReport, analyze

if TYPE_CHECKING:
    from indexserver import IndexServer

DATA = Path(__file__).parent / "data" / "dockerfiles"
EXAMPLE = Path(__file__).parent.parent / "examples" / "llm-app" / "Dockerfile"


def found(report: DockerfileReport) -> set[tuple[str, int]]:
    return {(f.rule.id, f.line) for f in report.findings}


def rules_only(name: str) -> DockerfileReport:
    return analyze(DATA / name / "Dockerfile", run_check=False)


def checked(path: Path, index_server: IndexServer, **kwargs: object) -> DockerfileReport:
    from wheelcheck.options import CheckOptions

    kwargs.setdefault("index_url", f"{index_server.url}/simple/")
    return analyze(path, options=CheckOptions(no_deps=True, retries=1, advice=True), **kwargs)  # type: ignore[arg-type]


SHAPES: dict[str, set[tuple[str, int]]] = {
    # build stage keeps its cache and compilers; the image stage is clean
    "multi-stage": set(),
    "arg-base": set(),
    # compilers added in their own RUN, never removed; pip cache kept
    "alpine-apk": {("WCD007", 3), ("WCD003", 5)},
    # apk add --virtual .build-deps ... && apk del .build-deps in one RUN
    "alpine-virtual": set(),
    "uv": {("WCD003", 5)},
    "uv-cache-mount": set(),
    # pip upgrade and install in one heredoc RUN: one layer, but the cache is kept
    "heredoc": {("WCD003", 5)},
    "cache-mount": set(),
    "pip3-inline": {("WCD003", 3)},
    # the upgrade step is its own layer; a COPY between the two RUNs keeps them apart
    "python-m-pip": {("WCD003", 4), ("WCD005", 4)},
    "env-no-cache": set(),
    "copy-all-first": {("WCD006", 5)},
    "debian-distro": {("WCD013", 6)},
    "ubuntu-venv": set(),
    "alpine-distro": set(),
    "unknown-base": {("WCD012", 1)},
    "platform-env-index": {("WCD011", 5)},
    "build-tools-kept": {("WCD007", 2)},
    "json-form-untraced": {("WCD010", 3)},
}


def test_at_least_fifteen_shapes_are_covered() -> None:
    assert len(SHAPES) >= 15
    assert {p.name for p in DATA.iterdir() if p.is_dir()} == set(SHAPES)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_findings(name: str) -> None:
    assert found(rules_only(name)) == SHAPES[name]


def test_issue_dockerfile_rules_without_the_index() -> None:
    report = analyze(EXAMPLE, run_check=False)
    assert found(report) == {
        ("WCD001", 1),
        ("WCD003", 4),
        ("WCD005", 4),
        ("WCD011", 4),
        ("WCD003", 5),
        ("WCD004", 5),
    }
    split = next(f for f in report.findings if f.rule.id == "WCD004")
    assert split.rule.hadolint == "DL3059"
    assert split.data["lines"] == [4, 5]
    cache = next(f for f in report.findings if f.rule.id == "WCD003")
    assert cache.rule.hadolint == "DL3042"


def test_issue_dockerfile_with_its_requirements(index_server: IndexServer) -> None:
    report = checked(EXAMPLE, index_server)
    slim = next(f for f in report.findings if f.rule.id == "WCD001")
    assert slim.line == 1
    assert slim.fix == "FROM python:3.10.13-slim"
    # the size figure from the data table: python:3.10 bookworm full vs slim, amd64
    assert slim.data["full_mb"] == 376.1 and slim.data["slim_mb"] == 47.2
    assert "329 MB less to pull" in slim.message
    # the evidence from the requirements: psycopg2 has no wheel, so slim needs build deps
    assert slim.data["source_on_slim"] == ["psycopg2"]
    assert {("WCD003", 4), ("WCD003", 5), ("WCD004", 5), ("WCD005", 4)} <= found(report)
    mirror = next(f for f in report.findings if f.rule.id == "WCD011")
    assert "https://pypi.tuna.tsinghua.edu.cn/simple" in mirror.message
    assert report.index is not None
    assert report.index.dockerfile_url == "https://pypi.tuna.tsinghua.edu.cn/simple"
    assert report.index.source == "--index-url on the command line"
    assert report.report is not None
    ids = {t.id for t in report.report.targets}
    assert {
        "python:3.10.13/amd64",
        "python:3.10.13-slim/arm64",
        "python:3.10.13-alpine/amd64",
    } <= ids


def test_without_index_url_the_dockerfiles_index_is_used(
    index_server: IndexServer, tmp_path: Path
) -> None:
    url = f"{index_server.url}/simple/"
    (tmp_path / "requirements.txt").write_text("requests\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        f"RUN pip install --no-cache-dir -i {url} -r requirements.txt\n"
    )
    report = checked(tmp_path / "Dockerfile", index_server, index_url=None)
    assert report.index is not None
    assert report.index.url == url
    assert report.index.source == "Dockerfile line 4: pip install -i"
    assert report.report is not None and report.report.index_urls == (url,)
    assert ("WCD011", 4) in found(report)


def test_env_pip_index_url_is_used_and_the_hosts_config_is_not(
    index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/host-only/simple/")
    url = f"{index_server.url}/html-only/simple/"
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "Dockerfile").write_text(
        f"FROM python:3.12-slim\nENV PIP_INDEX_URL={url}\nCOPY requirements.txt /r.txt\n"
        "RUN pip install --no-cache-dir -r /r.txt\n"
    )
    report = checked(tmp_path / "Dockerfile", index_server, index_url=None)
    assert report.index is not None and report.index.url == url
    assert report.index.source == "Dockerfile line 2: ENV PIP_INDEX_URL"
    assert report.report is not None and not report.report.has_errors


def test_alpine_with_source_builds_lists_them(index_server: IndexServer) -> None:
    report = checked(DATA / "alpine-apk" / "Dockerfile", index_server)
    alpine = next(f for f in report.findings if f.rule.id == "WCD002")
    assert alpine.line == 1
    assert alpine.data["source"] == ["psycopg2"]
    assert "psycopg2 builds from source" in alpine.message
    assert alpine.fix.startswith("FROM python:3.12-slim")


def test_slim_without_build_deps_for_a_source_build(
    index_server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("psycopg2\nrequests\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    report = checked(tmp_path / "Dockerfile", index_server)
    missing = next(f for f in report.findings if f.rule.id == "WCD009")
    assert missing.line == 3
    assert missing.data["packages"] == ["psycopg2"]
    assert "build-essential" in missing.fix
    assert ("WCD008", 3) in found(report)


def test_alpine_with_wheels_everywhere_has_no_alpine_finding(
    index_server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-alpine\nRUN pip install --no-cache-dir requests six\n"
    )
    report = checked(tmp_path / "Dockerfile", index_server)
    assert found(report) == set()
    assert report.requirement_lines == ("requests", "six")


def test_unknown_base_is_checked_for_the_given_target(index_server: IndexServer) -> None:
    report = checked(
        DATA / "unknown-base" / "Dockerfile", index_server, targets=["python:3.10-slim"]
    )
    assert report.report is not None
    assert {t.id for t in report.report.targets} == {
        "python:3.10-slim/amd64",
        "python:3.10-slim/arm64",
    }
    assert [p.name for p in report.report.packages] == ["torch"]
