"""Fuzzing the parsers of untrusted input: nothing may escape but wheelcheck's own errors.

Requirement files (through the library and the CLI), index pages (arbitrary bytes, mutated
recorded pages, and JSON entries of any shape), Dockerfiles, and the wheel and sdist readers
(mutated real archives). Every test is derandomized with a fixed example budget, so CI runs
the same inputs each time in bounded time (about 20 seconds for the file).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import locale
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from wheelcheck._cli import main
from wheelcheck._index.pages import PageSource, parse_html_page, parse_json_page
from wheelcheck._metadata import MemoryByteSource, sdist_dependencies, wheel_metadata, zip_entries
from wheelcheck._sources import parse_requirement_text, read_requirement_files
from wheelcheck.errors import WheelcheckError

if TYPE_CHECKING:
    from indexserver import IndexServer

DATA = Path(__file__).parent / "data"
# Same inputs every run, no example database, no deadline (CI machines vary in speed).
# WHEELCHECK_FUZZ_SCALE=50 runs a longer, randomized campaign locally.
SCALE = int(os.environ.get("WHEELCHECK_FUZZ_SCALE", "1"))
FUZZ = settings(
    derandomize=SCALE == 1,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def budget(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples * SCALE)


INDEX = "https://index.example/simple/"
PAGE_URL = INDEX + "demo/"


def _small_pages(kind: str, limit: int = 40_000) -> list[bytes]:
    pages = sorted((DATA / "index" / kind).glob(f"*.{kind}"))
    return [p.read_bytes() for p in pages if p.stat().st_size <= limit][:12]


JSON_PAGES = _small_pages("json")
HTML_PAGES = _small_pages("html")
ARCHIVES = {p.name: p.read_bytes() for p in sorted((DATA / "files").iterdir()) if p.suffix != ".md"}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte flips, insertions, deletions or a truncation."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        if operation == "flip":
            data[position] = draw(st.integers(0, 255))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif operation == "truncate":
            del data[position:]
        else:  # repeat a chunk: duplicated headers, members, keys
            data[position:position] = data[position : position + draw(st.integers(1, 256))]
    return bytes(data)


# -- requirement files -----------------------------------------------------------------------

REQUIREMENT_PIECES = st.sampled_from(
    [
        "numpy",
        "six==1.17.0",
        "a[b,c]>=1,<2 ; python_version >= '3.8'",
        "-r other.txt",
        "-c c.txt",
        "-e .",
        "-e git+https://x.example/r.git#egg=r",
        "--index-url https://i.example/simple",
        "--extra-index-url",
        "--hash=sha256:" + "0" * 64,
        "--pre",
        "-i",
        "\\",
        "#",
        "${HOME}",
        "pkg @ https://x.example/p-1.0-py3-none-any.whl",
        "./local/dir",
        "file:///etc/passwd",
        "name ; extra == 'x'",
        "[",
        "==",
        "\x00",
        "\ufeff",
        "\x1b[31m",
    ]
)
REQUIREMENT_TEXT = st.lists(st.one_of(REQUIREMENT_PIECES, st.text(max_size=30)), max_size=12).map(
    lambda parts: "\n".join(parts)
)


@budget(100)
@given(REQUIREMENT_TEXT)
def test_requirement_text_never_crashes(text: str) -> None:
    with contextlib.suppress(WheelcheckError):
        parse_requirement_text(text)


@budget(150)
@given(st.one_of(st.binary(max_size=300), REQUIREMENT_TEXT.map(str.encode)))
def test_requirement_file_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "requirements.txt"
        path.write_bytes(data)
        (Path(directory) / "other.txt").write_bytes(data[:40])
        with contextlib.suppress(WheelcheckError):
            read_requirement_files([str(path)])


@budget(40)
@given(st.one_of(st.binary(max_size=200), REQUIREMENT_TEXT.map(str.encode)))
def test_cli_on_any_requirements_file_exits_cleanly(index_server: IndexServer, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "requirements.txt"
        path.write_bytes(data)
        original = locale.getpreferredencoding
        locale.getpreferredencoding = lambda do_setlocale=True: "utf-8"  # type: ignore[assignment]
        try:
            outcome = CliRunner().invoke(
                main,
                [
                    "check",
                    str(path),
                    "-i",
                    f"{index_server.url}/simple/",
                    "--retries",
                    "0",
                    "--no-deps",
                    "-t",
                    "python:3.12-slim",
                    "-a",
                    "amd64",
                    "-q",
                ],
                env={"PIP_CONFIG_FILE": "/dev/null"},
            )
        finally:
            locale.getpreferredencoding = original  # type: ignore[assignment]
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.exc_info
    assert outcome.exit_code in (0, 1, 2, 3)
    assert "Traceback" not in outcome.output
    if outcome.exit_code == 2:
        assert outcome.stdout == ""
        assert all(line.startswith(str(path)) for line in outcome.stderr.splitlines())


# -- index pages ------------------------------------------------------------------------------


def _parse_page(parse: Any, body: bytes) -> None:
    try:
        page = parse(body, PageSource(PAGE_URL, INDEX, "demo"))
    except WheelcheckError:
        return
    for file in page.files:
        assert file.filename and file.url
    for warning in page.warnings:
        assert warning.startswith(f"demo on {INDEX}")


@budget(300)
@given(st.one_of(st.binary(max_size=400), mutated(JSON_PAGES), mutated(HTML_PAGES)))
def test_page_parsers_on_any_bytes(body: bytes) -> None:
    _parse_page(parse_json_page, body)
    _parse_page(parse_html_page, body)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FILE_NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "demo-1.0.tar.gz",
            "demo-1.0-py3-none-any.whl",
            "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "demo-1.0-1-py3-none-any.whl",
            "Demo_-1.0.zip",
            "demo-1.0-py3-none.whl",
            "demo-.tar.gz",
            "demo-1.0-py3-none-any.whl/../x",
            "other-1.0.tar.gz",
        ]
    ),
)
FILE_ENTRIES = st.fixed_dictionaries(
    {"filename": FILE_NAMES, "url": st.one_of(st.text(max_size=30), FILE_NAMES)},
    optional={
        key: JSON_VALUES | st.text(max_size=20)
        for key in (
            "hashes",
            "requires-python",
            "yanked",
            "core-metadata",
            "dist-info-metadata",
            "size",
            "upload-time",
        )
    },
)


@budget(200)
@given(
    st.fixed_dictionaries(
        {"files": st.one_of(st.lists(FILE_ENTRIES, max_size=6), JSON_VALUES)},
        optional={"meta": JSON_VALUES, "name": JSON_VALUES, "versions": JSON_VALUES},
    )
)
def test_json_page_of_any_shape(document: dict[str, Any]) -> None:
    _parse_page(parse_json_page, json.dumps(document).encode())


@budget(200)
@given(
    st.lists(
        st.tuples(
            FILE_NAMES, st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=3)
        ),
        max_size=6,
    )
)
def test_html_page_of_any_anchors(anchors: list[tuple[str, dict[str, str]]]) -> None:
    import html

    parts = ["<html><body>"]
    for href, attrs in anchors:
        extra = " ".join(
            f'{html.escape(k, quote=True) or "x"}="{html.escape(v)}"' for k, v in attrs.items()
        )
        parts.append(f'<a href="{html.escape(href)}" {extra}>{html.escape(href)}</a>')
    _parse_page(parse_html_page, "\n".join(parts).encode())


# -- Dockerfiles ---------------------------------------------------------------------------------

DOCKERFILES = [p.read_bytes() for p in sorted((DATA / "dockerfiles").glob("*/Dockerfile"))] or [
    b"FROM python:3.12-slim\nRUN pip install -r requirements.txt\n"
]
DOCKER_LINES = st.sampled_from(
    [
        "FROM python:3.12-alpine AS build",
        "FROM --platform=$BUILDPLATFORM python:${PY:-3.12}-slim",
        "ARG PY=3.12",
        "ENV PIP_INDEX_URL=https://x.example/simple",
        "COPY requirements.txt .",
        "COPY --from=build /a /b",
        "RUN pip install --no-cache-dir -r requirements.txt",
        "RUN pip install numpy==2.0 'pandas[all]' -c c.txt && apk add gcc",
        "RUN <<EOF\npip install six\nEOF",
        "RUN <<EOF",
        "RUN --mount=type=cache,target=/root/.cache pip install .",
        'RUN ["pip", "install", "x"]',
        "RUN uv pip install --system -r req.txt",
        "WORKDIR /app",
        "\\",
        "# syntax=docker/dockerfile:1",
        "ONBUILD RUN pip install x",
    ]
)


def test_malformed_env_pair_is_an_input_error_not_a_crash() -> None:
    # Found by the fuzz test below: dockerfile-parse raises ValueError on an ENV whose
    # words are not name=value pairs.
    parse = pytest.importorskip("wheelcheck._dockerfile.parse")
    text = "FROM python:3.12-slim\nENV --platform=linux/amd64 python:3.12-slim\n"
    with pytest.raises(WheelcheckError, match="can't find = in"):
        parse.parse_dockerfile(text, path="Dockerfile")


@budget(200)
@given(
    st.one_of(
        st.lists(st.one_of(DOCKER_LINES, st.text(max_size=30)), max_size=10).map("\n".join),
        mutated(DOCKERFILES).map(lambda b: b.decode("utf-8", "replace")),
    )
)
def test_dockerfile_parser_never_crashes(text: str) -> None:
    parse = pytest.importorskip("wheelcheck._dockerfile.parse")
    installs = pytest.importorskip("wheelcheck._dockerfile.installs")
    assume("\x00" not in text)
    with tempfile.TemporaryDirectory() as context:
        (Path(context) / "requirements.txt").write_text("six\n")
        try:
            dockerfile = parse.parse_dockerfile(text, path=str(Path(context) / "Dockerfile"))
            installs.find_installs(dockerfile, context=context)
        except WheelcheckError:
            pass


# -- archives ------------------------------------------------------------------------------------

WHEELS = [data for name, data in ARCHIVES.items() if name.endswith(".whl")]
SDISTS = [(name, data) for name, data in ARCHIVES.items() if not name.endswith(".whl")]


@budget(300)
@given(st.one_of(mutated(WHEELS), st.binary(max_size=200)))
def test_wheel_reader_on_mutated_wheels(data: bytes) -> None:
    async def read() -> None:
        source = MemoryByteSource(data, label="demo.whl")
        try:
            await zip_entries(source)
            await wheel_metadata(source, wheel_filename="six-1.17.0-py2.py3-none-any.whl")
        except WheelcheckError:
            pass

    asyncio.run(read())


@budget(200)
@given(st.sampled_from(SDISTS).flatmap(lambda s: st.tuples(st.just(s[0]), mutated([s[1]]))))
def test_sdist_reader_on_mutated_sdists(sdist: tuple[str, bytes]) -> None:
    filename, data = sdist
    for name in (filename, "demo-1.0.zip", "demo-1.0.tar"):
        with contextlib.suppress(WheelcheckError):
            sdist_dependencies(data, filename=name, max_bytes=4 * 1024 * 1024)


def test_html_href_with_a_broken_ipv6_host_is_skipped() -> None:
    body = b'<a href="https://[files.example/demo-1.0.tar.gz">demo-1.0.tar.gz</a>'
    _parse_page(parse_html_page, body)


def test_bare_from_line_is_an_input_error() -> None:
    parse = pytest.importorskip("wheelcheck._dockerfile.parse")
    with pytest.raises(WheelcheckError):
        parse.parse_dockerfile("FROM\n")
