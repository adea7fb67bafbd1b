"""The README's example output is what its command prints, so the two cannot drift apart.

The block between the README's example-output markers starts with ``$ wheelcheck ...``; the
test runs that command with the real CLI against the local index over tests/data/index
(pages recorded from PyPI) and compares what it prints on stdout with the rest of the block,
the local server's address written as PyPI's. When the report changes on purpose, rewrite
the block with:

    UPDATE_GOLDEN=1 python -m pytest tests/test_readme_example.py

and review `git diff README.md`. The README stays a newcomer's page: at most 250 lines.
"""

from __future__ import annotations

import difflib
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from wheelcheck._cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

    from indexserver import IndexServer

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- example output: tests/test_readme_example.py writes it (UPDATE_GOLDEN=1) -->\n"
END = "<!-- end of the example output -->\n"
SHOWN_INDEX = "https://pypi.org/simple/"
MAX_LINES = 250
MAX_EXAMPLE_LINES = 40  # issue 16: the README's command prints at most 40 lines


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    index_server.reset()
    monkeypatch.chdir(ROOT)  # the command names the example relative to the repository root
    yield
    index_server.reset()


def example_block(text: str) -> tuple[str, str]:
    """The README's example command and the output shown under it."""
    assert text.count(START) == 1 and text.count(END) == 1, "the example-output markers"
    block = text.split(START, 1)[1].split(END, 1)[0]
    assert block.startswith("```console\n$ ") and block.endswith("```\n"), block[:200]
    command, _, output = block.removeprefix("```console\n$ ").removesuffix("```\n").partition("\n")
    return command, output


def printed(index_server: IndexServer, command: str) -> str:
    """What `command` prints on stdout against the local index, as a user on PyPI sees it."""
    words = shlex.split(command)
    assert words[0] == "wheelcheck"
    url = f"{index_server.url}/simple/"
    outcome = CliRunner().invoke(main, [*words[1:], "--index-url", url])
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stdout.replace(url, SHOWN_INDEX)


def test_the_readme_example_is_what_the_command_prints(index_server: IndexServer) -> None:
    text = README.read_text(encoding="utf-8")
    command, shown = example_block(text)
    assert command == "wheelcheck check examples/llm-app/requirements.txt"
    output = printed(index_server, command)
    assert index_server.url not in output
    if os.environ.get("UPDATE_GOLDEN") == "1":
        block = f"```console\n$ {command}\n{output}```\n"
        before, rest = text.split(START, 1)
        README.write_text(before + START + block + END + rest.split(END, 1)[1], encoding="utf-8")
        shown = output
    if output != shown:
        diff = difflib.unified_diff(
            shown.splitlines(), output.splitlines(), "README.md", "this run", lineterm="", n=1
        )
        shown_diff = "\n".join(list(diff)[:60])
        pytest.fail(
            f"the README's example output changed; UPDATE_GOLDEN=1 to rewrite\n{shown_diff}"
        )


def test_the_readme_text_leaves_room_for_the_example() -> None:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    prose = (before + rest.split(END, 1)[1]).splitlines()
    limit = MAX_LINES - MAX_EXAMPLE_LINES
    assert len(prose) <= limit, f"README.md has {len(prose)} lines of text; move reference to docs/"


def test_the_readme_is_a_page_a_newcomer_finishes() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; move reference to docs/"
