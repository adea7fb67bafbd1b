"""What wheelcheck cites, a user can open: a URL, or a file in this repository.

Every `source` in the shipped data names at least one of those (a row that is only an
estimate says so instead), and nothing a user reads cites the maintainers' notes (`shared/`)
or a module of wheelcheck as where a fact comes from.
"""

from __future__ import annotations

import io
import pkgutil
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import wheelcheck
from wheelcheck._data import names, read_json
from wheelcheck._dockerfile.analysis import analyze
from wheelcheck._report import Format, write_dockerfile_reports, write_report

if TYPE_CHECKING:
    from collections.abc import Iterator

    from indexserver import IndexServer

REPO = Path(__file__).parent.parent
DATA = REPO / "data"
CITING = ("source", "method", "description", "about")
URL = re.compile(r"https?://[^\s;,()]+")
# a path of this repository named in a source: data/base-images.json, docs/ci.md, ...
REPO_PATH = re.compile(r"(?<![\w/.-])((?:data|docs|scripts|examples|wheelcheck)/[\w./-]*\w)")
MODULES = sorted(
    {"wheelcheck." + m.name for m in pkgutil.walk_packages(wheelcheck.__path__)}, key=len
)


def data_files() -> list[str]:
    return names()  # through the one loader: the wheel's wheelcheck/_data, or data/


def read_data_file(name: str) -> Any:
    return read_json(name)


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, key, text) of every string under a citing key."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in CITING and isinstance(value, str):
                yield here, key, value
            else:
                yield from strings(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")


def cites_something_a_user_has(text: str) -> bool:
    if URL.search(text):
        return True
    return any((REPO / p).exists() for p in REPO_PATH.findall(text))


def assert_cites_no_notes_or_modules(text: str) -> None:
    assert "shared/" not in text
    named = [m for m in MODULES if re.search(rf"(?<![\w.]){re.escape(m)}(?![\w])", text)]
    assert named == [], f"output cites wheelcheck modules: {named}"


def test_there_are_data_files() -> None:
    assert {"base-images.json", "build-deps.json", "image-sizes.json"} <= set(data_files())


@pytest.mark.parametrize("name", data_files())
def test_data_cites_no_shared_notes(name: str) -> None:
    cited = [(path, text) for path, _key, text in strings(read_data_file(name))]
    assert cited
    assert [(path, text) for path, text in cited if "shared/" in text] == []


@pytest.mark.parametrize("name", data_files())
def test_every_source_names_a_url_or_a_repository_file(name: str) -> None:
    sources = [(p, t) for p, key, t in strings(read_data_file(name)) if key == "source"]
    uncited = [
        (path, text)
        for path, text in sources
        if not cites_something_a_user_has(text) and not text.startswith("estimate")
    ]
    assert uncited == []


def test_a_named_repository_file_must_exist() -> None:
    assert cites_something_a_user_has("data/build-deps.json pull_sizes")
    assert not cites_something_a_user_has("shared/reference/build-deps.md")
    assert not cites_something_a_user_has("data/no-such-file.json")
    assert cites_something_a_user_has("https://packages.debian.org/trixie/libc6")


@pytest.mark.parametrize(
    "doc", ["README.md", *(str(p.relative_to(REPO)) for p in sorted(REPO.glob("docs/*.md")))]
)
def test_docs_cite_no_shared_notes(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if "shared/" in line] == []


@pytest.fixture
def source_build(index_server: IndexServer) -> wheelcheck.Report:
    report = wheelcheck.check(
        requirements=["psycopg2"],
        index_url=f"{index_server.url}/simple/",
        pip_config_files=(),
        targets=["python:3.12-alpine", "python:3.12-slim"],
        no_deps=True,
        advice=True,
        sizes=True,
    )
    builds = [r.build for p in report.packages for r in p.results.values() if r.build]
    assert builds and all(b.kind == "native" and b.source for b in builds)
    return report


@pytest.mark.parametrize("fmt", list(Format))
def test_check_output_with_build_needs_cites_urls(
    source_build: wheelcheck.Report, fmt: Format
) -> None:
    out = io.StringIO()
    write_report(source_build, fmt, out, color=False, environ={}, verbosity=2)
    text = out.getvalue()
    assert_cites_no_notes_or_modules(text)
    if fmt is Format.TABLE:  # -vv: what decided each build, the assumptions (wrapped)
        prose = " ".join(text.split())
        assert re.search(r"\(packages: data/build-deps\.json: https://[^ ]+\)", prose)
        assert re.search(r"from data/image-sizes\.json; .*? come from https://", prose)


def test_build_needs_source_cites_the_rows_url(source_build: wheelcheck.Report) -> None:
    for package in source_build.packages:
        for result in package.results.values():
            assert result.build is not None and result.build.source is not None
            assert result.build.source.startswith("data/build-deps.json: https://")


@pytest.mark.parametrize("fmt", list(Format))
def test_dockerfile_build_deps_rule_cites_the_data_and_its_sources(
    index_server: IndexServer, tmp_path: Path, fmt: Format
) -> None:
    from wheelcheck.options import CheckOptions

    (tmp_path / "requirements.txt").write_text("psycopg2\nrequests\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
    )
    report = analyze(
        tmp_path / "Dockerfile",
        index_url=f"{index_server.url}/simple/",
        options=CheckOptions(no_deps=True, retries=1, advice=True),
    )
    missing = next(f for f in report.findings if f.rule.id == "WCD009")
    assert missing.fix is not None
    assert "(from data/build-deps.json: https://www.psycopg.org/" in missing.fix
    assert_cites_no_notes_or_modules(missing.text)
    out = io.StringIO()
    write_dockerfile_reports([report], fmt, out, color=False, environ={})
    assert_cites_no_notes_or_modules(out.getvalue())
