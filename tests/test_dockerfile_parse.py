"""Reading Dockerfiles: stages, ARG-driven bases, flags, heredocs, and what RUN installs."""

from __future__ import annotations

from pathlib import Path

import pytest

from wheelcheck._dockerfile.base import distro_python, resolve_base, slim_of
from wheelcheck._dockerfile.installs import find_installs
from wheelcheck._dockerfile.parse import expand, parse_dockerfile, read_dockerfile
from wheelcheck.errors import InputError

DATA = Path(__file__).parent / "data" / "dockerfiles"


def test_arg_defaults_are_substituted_into_from_and_build_args_override() -> None:
    path = DATA / "arg-base" / "Dockerfile"
    assert read_dockerfile(path).final.base == "python:3.11-slim"
    assert read_dockerfile(path, {"PYTHON_VERSION": "3.13"}).final.base == "python:3.13-slim"


def test_multi_stage_names_platform_and_parent_stage() -> None:
    df = parse_dockerfile(
        "ARG PLAT=linux/arm64\n"
        "FROM --platform=$PLAT python:3.12 AS build\n"
        "ENV A=1\n"
        "FROM build AS test\n"
        "RUN echo $A\n"
        "FROM python:3.12-slim\n"
    )
    build, test, final = df.stages
    assert (build.name, build.platform, build.line) == ("build", "linux/arm64", 2)
    assert test.parent == 0 and test.instructions[0].env["A"] == "1"
    assert [s.index for s in df.lineage(test)] == [1, 0]
    assert final.base == "python:3.12-slim" and final.line == 6


def test_heredoc_bodies_are_not_instructions_and_lines_stay_true() -> None:
    df = read_dockerfile(DATA / "heredoc" / "Dockerfile")
    keywords = [(i.keyword, i.line) for i in df.final.instructions]
    assert keywords == [
        ("WORKDIR", 3),
        ("COPY", 4),
        ("RUN", 5),
        ("COPY", 10),
        ("COPY", 13),
        ("CMD", 14),
    ]
    run = df.final.instructions[2]
    assert run.end_line == 9
    assert (
        run.heredocs[0].body
        == "set -eux\npip install --upgrade pip\npip install -r requirements.txt\n"
    )


def test_unterminated_heredoc_is_an_input_error() -> None:
    with pytest.raises(InputError, match="heredoc <<EOF has no closing EOF"):
        parse_dockerfile("FROM python:3.12\nRUN <<EOF\npip install x\n")


def test_continuations_flags_and_json_form() -> None:
    df = read_dockerfile(DATA / "uv-cache-mount" / "Dockerfile")
    run = next(i for i in df.final.instructions if i.keyword == "RUN")
    assert (run.line, run.end_line) == (6, 8)
    assert run.flag_values("mount") == [
        "type=cache,target=/root/.cache/uv",
        "type=bind,source=requirements.txt,target=requirements.txt",
    ]
    assert run.args == "uv pip install -r requirements.txt"
    cmd = df.final.instructions[-1]
    assert cmd.json_args == ("python", "main.py")


def test_no_from_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no FROM"):
        parse_dockerfile("RUN pip install x\n")


def test_expand_handles_defaults_and_unknown_names() -> None:
    env = {"PY": "3.12", "EMPTY": ""}
    assert expand("python:${PY}-slim", env) == "python:3.12-slim"
    assert expand("${EMPTY:-x} ${MISSING:-y} ${PY:+set} $HOME", env) == "x y set $HOME"


def test_pip_forms_are_found_with_their_options(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "base.txt").write_text("six\n")
    df = parse_dockerfile(
        "FROM python:3.12-slim\n"
        "WORKDIR /srv\n"
        "COPY reqs/ ./reqs/\n"
        "RUN set -e; PIP_NO_CACHE_DIR=1 python3.12 -m pip install -rreqs/base.txt "
        "--extra-index-url https://extra.example/simple 'uvicorn[standard]>=0.30' . \\\n"
        "    && pip3 --disable-pip-version-check install -U pip\n",
        path=str(tmp_path / "Dockerfile"),
    )
    first, second = find_installs(df).pips
    assert first.tool == "python3.12 -m pip" and first.no_cache
    assert first.requirement_files[0].context_path == tmp_path / "reqs" / "base.txt"
    assert first.specs == ("uvicorn[standard]>=0.30",) and first.local == (".",)
    assert first.extra_index_urls == ("https://extra.example/simple",)
    assert second.tool == "pip3" and second.tools_only and second.upgrade and second.cache_kept


def test_bind_mount_and_copy_rename_are_traced(tmp_path: Path) -> None:
    (tmp_path / "deps.txt").write_text("six\n")
    df = parse_dockerfile(
        "FROM python:3.12-slim\n"
        "COPY deps.txt /opt/requirements.txt\n"
        "RUN pip install --no-cache-dir -r /opt/requirements.txt\n"
        "RUN --mount=type=bind,source=deps.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\n",
        path=str(tmp_path / "Dockerfile"),
    )
    copied, mounted = find_installs(df).pips
    assert copied.requirement_files[0].context_path == tmp_path / "deps.txt"
    assert mounted.requirement_files[0].context_path == tmp_path / "deps.txt"


def test_context_option_moves_the_build_context(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    df = read_dockerfile(DATA / "arg-base" / "Dockerfile")
    pip = find_installs(df, tmp_path).pips[0]
    assert pip.requirement_files[0].context_path == tmp_path / "requirements.txt"


def test_python_script_heredoc_is_not_read_as_shell() -> None:
    df = parse_dockerfile(
        "FROM python:3.12-slim\nRUN python3 <<EOF\nimport os\nos.system('pip install x')\nEOF\n"
    )
    assert find_installs(df).pips == ()


def test_bases_map_to_targets() -> None:
    full = resolve_base("python:3.10.13")
    assert (full.kind, full.family, full.python) == ("python", "full", "3.10")
    assert [t.arch for t in full.targets] == ["x86_64", "aarch64"]
    assert slim_of("python:3.10.13") == "python:3.10.13-slim"
    assert slim_of("python:3.11-bookworm") == "python:3.11-slim-bookworm"
    amd64_only = resolve_base("python:3.12-slim", platform="linux/amd64")
    assert [t.id for t in amd64_only.targets] == ["python:3.12-slim/amd64"]
    alpine = resolve_base("alpine:3.20")
    assert (alpine.kind, alpine.python, alpine.targets[0].libc.value) == ("distro", "3.12", "musl")
    row, _ = distro_python("debian:bookworm-slim")
    assert row is not None and (row.python, row.libc_version) == ("3.11", "2.36")
    row, _ = distro_python("ubuntu:24.04")
    assert row is not None and row.python == "3.12" and row.externally_managed
    unknown = resolve_base("nvidia/cuda:12.4.1-runtime-ubuntu22.04")
    assert unknown.kind == "unknown" and unknown.targets == ()


def test_from_without_an_image_is_an_input_error() -> None:
    with pytest.raises(InputError, match="Dockerfile:2: FROM names no image"):
        parse_dockerfile("ARG X=1\nFROM\n")
