"""`--format html`: one self-contained page, the answer first, as a person reads it.

The pages come from the real CLI against the local index (tests/data/index), with a JSON
report of the same run (`--report json=PATH`) to hold the page to what the check found.
Hostile names and reasons must stay text. test_report_html_browser.py renders the page in
a real browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from htmltree import Node
from test_report_formats import POLICY, sample

from wheelcheck._cli import main
from wheelcheck._report.html import VERDICT_COLOR, render_html
from wheelcheck.models import Verdict

if TYPE_CHECKING:
    from collections.abc import Iterator

    from indexserver import IndexServer

EXAMPLE = Path(__file__).parent.parent / "examples" / "llm-app"
# psycopg2 builds from source, requests is a pure wheel, pywin32 has nothing for Linux, the
# last one is on no index: one package of each kind a reader must tell apart.
REQUIREMENTS = "psycopg2\nrequests\npywin32\nno-such-project-anywhere\n"


@pytest.fixture(autouse=True)
def _clean_index(index_server: IndexServer) -> Iterator[None]:
    index_server.reset()
    yield
    index_server.reset()


def check_page(
    index_server: IndexServer, tmp_path: Path, *args: str, exit_code: int
) -> tuple[Node, dict[str, Any], str]:
    """`wheelcheck check` of REQUIREMENTS as a page on stdout and JSON beside it."""
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    command = [
        "check",
        str(tmp_path / "requirements.txt"),
        "--no-deps",
        "--retries",
        "0",
        "--index-url",
        f"{index_server.url}/simple/",
        "--format",
        "html",
        "--report",
        f"json={tmp_path / 'report.json'}",
        *args,
    ]
    outcome = CliRunner().invoke(main, command)
    assert outcome.exit_code == exit_code, outcome.stderr
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return Node.parse(outcome.stdout), document, outcome.stdout


def body(page: Node) -> Node:
    return page.first("body")


def matrix_rows(table: Node) -> list[tuple[str, list[str]]]:
    """(package cell, verdict classes of its cells) for each row of a matrix table."""
    rows = []
    for row in table.first("tbody").find_all("tr"):
        cells = row.elements()
        rows.append((cells[0].text, [c.attrs.get("class", "") for c in cells[2:]]))
    return rows


def test_the_page_starts_with_the_recommendation(index_server: IndexServer, tmp_path: Path) -> None:
    page, document, _ = check_page(index_server, tmp_path, exit_code=1)
    first = body(page).elements()[0]
    assert first.tag == "h1"
    recommendation = document["recommendation"]
    assert recommendation["image"] == "python:3.12-slim"
    assert first.text == "Recommendation: python:3.12-slim"
    items = [li.text for li in body(page).elements()[1].find_all("li")]
    assert items == recommendation["reasons"]
    # pywin32 has nothing installable: the default --fail-on missing fails the run
    assert "fail: " in body(page).text


def test_the_matrix_shows_the_packages_that_need_attention_first(
    index_server: IndexServer, tmp_path: Path
) -> None:
    page, document, _ = check_page(index_server, tmp_path, exit_code=1)
    tables = [t for t in page.find_all("table") if t.attrs.get("class") == "matrix"]
    assert len(tables) == 2  # the packages to look at, then those with wheels everywhere
    targets = [t["id"] for t in document["targets"]]
    expected = {
        p["name"]: [f"v-{p['results'][t]['verdict']}" for t in targets]
        for p in document["packages"]
    }
    attention = matrix_rows(tables[0])
    assert [name for name, _ in attention] == ["psycopg2", "pywin32", "no-such-project-anywhere"]
    assert matrix_rows(tables[1]) == [("requests", expected["requests"])]
    for name, classes in attention:
        assert classes == expected[name]
    headers = [th.text for th in tables[0].first("thead").find_all("th")]
    assert headers == ["package", "version", *(t.replace("python:", "") for t in _images(document))]


def _images(document: dict[str, Any]) -> list[str]:
    return [f"{t['image']} {t['platform'].split('/')[1]}" for t in document["targets"]]


def test_the_build_needs_and_the_size_of_each_base(
    index_server: IndexServer, tmp_path: Path
) -> None:
    page, document, _ = check_page(index_server, tmp_path, exit_code=1)
    alpine = document["packages"][0]["results"]["python:3.12-alpine/amd64"]["build"]
    apk = "apk add " + " ".join(alpine["system_packages"])
    codes = [code.text for code in page.find_all("code")]
    assert apk in codes and "gcc" in alpine["system_packages"]
    assert any(c.startswith("apt-get install ") and "libpq-dev" in c for c in codes)
    bars = next(t for t in page.find_all("table") if t.attrs.get("class") == "bars")
    candidates = document["recommendation"]["candidates"]
    rows = bars.find_all("tr")
    assert [row.elements()[0].text for row in rows] == [c["image"] for c in candidates]
    for row, candidate in zip(rows, candidates, strict=True):
        assert f"→ {candidate['multi_stage_mb']:.0f} MB" in row.text
        segments = row.find_all("div")[1:]
        assert segments and all("width:" in s.attrs["style"] for s in segments)
    # one scale for all bars: the biggest single-stage image fills its bar
    widest = max(candidates, key=lambda c: c["single_stage_mb"])
    row = rows[candidates.index(widest)]
    total = sum(_width(s) for s in row.find_all("div")[1:])
    assert total == pytest.approx(100, abs=0.1)


def _width(segment: Node) -> float:
    style = dict(part.split(":", 1) for part in segment.attrs["style"].split(";") if part)
    return float(style["width"].rstrip("%"))


def test_a_failed_lookup_withholds_the_answer_on_the_page(
    index_server: IndexServer, tmp_path: Path
) -> None:
    index_server.fail("requests", (503,), permanent=True)
    page, document, _ = check_page(index_server, tmp_path, exit_code=3)
    withheld = document["recommendation"]["withheld"]
    assert withheld and document["recommendation"]["image"] is None
    first = body(page).elements()[0]
    assert first.text == f"Recommendation: none ({withheld})"
    assert "requests" in body(page).text.split("No verdict on every target for:")[1]
    assert "incomplete: some lookups failed (exit 3)" in body(page).text
    errors = [li.text for li in page.find_all("li") if li.text.startswith("error: ")]
    assert errors and all("503" in e for e in errors)
    assert not any(t.attrs.get("class") == "bars" for t in page.find_all("table"))  # no sizes


def test_the_report_option_writes_an_html_file(index_server: IndexServer, tmp_path: Path) -> None:
    _, _, table = check_page(
        index_server, tmp_path, "--format", "table", "--report", f"html={tmp_path / 'r.html'}",
        exit_code=1,
    )  # fmt: skip
    assert "<html" not in table
    page = Node.parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert body(page).elements()[0].text == "Recommendation: python:3.12-slim"


def test_names_and_reasons_from_the_index_stay_text() -> None:
    text = render_html(sample(), POLICY)
    page = Node.parse(text)
    assert "<img" not in text and "\x1b" not in text
    assert "&lt;img src=x&gt;" in text  # shown, escaped
    shown = [node.text for node in page.find_all("th")]
    assert any(name.startswith("evil[click](https://x.test)<img src=x>") for name in shown)
    tags = {node.tag for node in page.iter()}
    allowed = {"#document", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p"}
    allowed |= {"ul", "li", "b", "i", "span", "code", "pre", "table", "thead", "tbody", "tr"}
    allowed |= {"th", "td", "div", "details", "summary", "section", "br"}
    assert tags <= allowed


def test_the_page_is_self_contained() -> None:
    text = render_html(sample(), POLICY)
    page = Node.parse(text)
    assert not page.find_all("script") and not page.find_all("link")
    attributes = {name for node in page.iter() for name in node.attrs}
    assert not attributes & {"src", "href", "srcset", "action", "data"}
    assert "url(" not in page.first("style").text and "@import" not in text


def test_credentials_in_a_note_are_not_shown() -> None:
    from dataclasses import replace

    report = replace(sample(), notes=("index https://bob:hunter2@private.test/simple failed",))
    text = render_html(report, POLICY)
    assert "hunter2" not in text and "private.test" in text


def test_a_verdict_has_its_colour_and_a_key() -> None:
    page = Node.parse(render_html(sample(), POLICY))
    key = next(p for p in page.find_all("p") if p.attrs.get("class") == "key")
    shown = {span.attrs["class"] for span in key.find_all("span")}
    assert shown == {f"v-{v}" for v in ("binary", "pure", "source", "missing", "not-found")}
    style = page.first("style").text
    for verdict, color in VERDICT_COLOR.items():
        assert f".v-{verdict.value} {{ background: {color}; }}" in style
    assert len(set(VERDICT_COLOR.values())) == len(Verdict)


def test_the_dockerfile_command_writes_a_page_of_findings() -> None:
    outcome = CliRunner().invoke(
        main, ["dockerfile", str(EXAMPLE / "Dockerfile"), "--no-check", "--format", "html"]
    )
    assert outcome.exit_code == 0, outcome.stderr
    page = Node.parse(outcome.stdout)
    assert page.first("h1").text.endswith("examples/llm-app/Dockerfile")
    rows = page.first("tbody").find_all("tr")
    rules = {row.elements()[2].text.split()[0] for row in rows}
    assert {"WCD001", "WCD003", "WCD004", "WCD005", "WCD011"} <= rules
    assert all(row.elements()[0].text.isdigit() for row in rows)  # each at its line


def test_the_dockerfile_page_has_the_check_of_its_requirements(
    index_server: IndexServer, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("psycopg2\nrequests\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-alpine\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n",
        encoding="utf-8",
    )
    args = ["--index-url", f"{index_server.url}/simple/", "--no-deps", "--retries", "0"]
    outcome = CliRunner().invoke(
        main, ["dockerfile", str(tmp_path / "Dockerfile"), *args, "--format", "html"]
    )
    assert outcome.exit_code == 1, outcome.stderr  # WCD009: no compiler for psycopg2's build
    page = Node.parse(outcome.stdout)
    assert "WCD009" in page.first("tbody").text
    headings = [h.text for h in page.find_all("h1")]
    assert headings[1].startswith("Recommendation: ")
    assert any(name == "psycopg2" for name, _ in matrix_rows(page.find_all("table")[1]))


def test_text_from_a_dockerfile_stays_text(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        'FROM example.test/img:<b>1</b>\nRUN pip install "requests<3"\n', encoding="utf-8"
    )
    outcome = CliRunner().invoke(
        main, ["dockerfile", str(tmp_path / "Dockerfile"), "--no-check", "--format", "html"]
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert "<b>1</b>" not in outcome.stdout
    message = Node.parse(outcome.stdout).first("tbody").first("tr").elements()[3].text
    assert "example.test/img:<b>1</b>" in message  # WCD012 quotes the base as written


def test_an_empty_file_says_there_was_nothing_to_check(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# nothing yet\n", encoding="utf-8")
    outcome = CliRunner().invoke(
        main, ["check", str(tmp_path / "requirements.txt"), "--format", "html"]
    )
    assert outcome.exit_code == 0, outcome.stderr
    page = Node.parse(outcome.stdout)
    assert body(page).elements()[0].text == "Recommendation: none (nothing to check)"
    assert "Nothing to check." in body(page).text
    assert not page.find_all("table")


def test_the_ways_to_avoid_a_build_are_those_the_check_found(
    index_server: IndexServer, tmp_path: Path
) -> None:
    page, document, _ = check_page(index_server, tmp_path, exit_code=1)
    heading = next(h for h in page.find_all("h2") if h.text == "How to avoid the builds")
    siblings = body(page).elements()
    table = siblings[siblings.index(heading) + 1]
    rows = table.first("tbody").find_all("tr")
    psycopg2 = document["packages"][0]
    assert psycopg2["name"] == "psycopg2"
    alpine_amd64 = psycopg2["results"]["python:3.12-alpine/amd64"]["remedy"]
    row = next(r for r in rows if r.elements()[1].text == "3.12-alpine amd64")
    assert row.elements()[0].text == "psycopg2"
    shown = [li.text for li in row.find_all("li")]
    assert shown == [f"use {alt}" for alt in alpine_amd64["alternatives"]]
    assert shown and "psycopg2-binary" in shown[0]
