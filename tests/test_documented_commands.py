"""Every shell command in README.md and docs/*.md runs as pasted, with its documented exit code.

The commands are the lines of the fenced ``console``, ``bash``, ``sh`` and ``shell`` blocks:
in a block with ``$ `` prompts, the prompted lines (the rest is their output); in a block
without, every line. A command chained with ``&&`` is its steps. Each ``wheelcheck`` step runs
through the real CLI in a scratch directory holding a copy of examples/ and a
requirements.txt (the llm-app's), against the local index over tests/data/index: its
``--index-url`` (or ``-i``) is replaced by the local one, or added. A step exits 0 unless
the command ends with a shell comment ``# exits N``. Any other step must be listed in
SKIPPED with the reason it cannot run here; a new one fails this test until it is.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from wheelcheck._cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

    from indexserver import IndexServer

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?:console|bash|sh|shell)\n(.*?)^```$", re.M | re.S)
EXIT_NOTE = re.compile(r"#\s*exits\s+(\d+)\s*$")

# Steps that cannot run inside the test run, and why.
SKIPPED = {
    "python -m venv .venv": "makes a virtual environment; the tests already run in one",
    ". .venv/bin/activate": "activates that environment in the user's shell",
    "python -m pip install .": "pip installs from the network",
    'python -m pip install ".[test]"': "pip installs from the network",
    "python -m pytest": "the test suite itself",
}


@dataclass(frozen=True)
class Command:
    doc: str  # the file it is written in, relative to the repository root
    text: str  # as written, without the prompt
    steps: tuple[str, ...]  # split at &&
    exit_code: int


def _block_commands(block: str) -> list[str]:
    lines = block.replace("\\\n", " ").splitlines()
    prompted = [line[2:] for line in lines if line.startswith("$ ")]
    if prompted:
        return prompted
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def documented_commands() -> list[Command]:
    """The commands of every page, in order, each once per page."""
    found: list[Command] = []
    for path in DOCS:
        doc = str(path.relative_to(ROOT))
        seen: set[str] = set()
        for block in FENCE.findall(path.read_text(encoding="utf-8")):
            for text in _block_commands(block):
                if text in seen:
                    continue
                seen.add(text)
                note = EXIT_NOTE.search(text)
                steps = tuple(s.strip() for s in EXIT_NOTE.sub("", text).split("&&"))
                found.append(Command(doc, text, steps, int(note.group(1)) if note else 0))
    return found


COMMANDS = documented_commands()


def with_local_index(words: list[str], url: str) -> list[str]:
    """`words` checking against `url` instead of the index they name (or PyPI)."""
    if words[0] not in ("check", "dockerfile") or {"--help", "-h", "--version"} & set(words):
        return words
    out: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--index-url", "-i"):
            skip = True
        elif not word.startswith("--index-url="):
            out.append(word)
    return [*out, "--index-url", url]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "examples" / "llm-app" / "requirements.txt", tmp_path / "requirements.txt")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_the_docs_have_commands_to_run() -> None:
    docs = {command.doc for command in COMMANDS}
    assert {"README.md", "docs/options.md", "docs/ci.md", "docs/dockerfile-rules.md"} <= docs
    runnable = [c for c in COMMANDS if any(s.startswith("wheelcheck") for s in c.steps)]
    assert len(runnable) >= 8


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{c.doc}: {c.text}" for c in COMMANDS])
def test_a_documented_command_runs_with_its_exit_code(
    command: Command, index_server: IndexServer, workspace: Path
) -> None:
    index_server.reset()
    for step in command.steps:
        words = shlex.split(step, comments=True)
        if words[0] != "wheelcheck":
            assert step in SKIPPED, f"{command.doc}: add {step!r} to SKIPPED with a reason"
            continue
        args = with_local_index(words[1:], f"{index_server.url}/simple/")
        outcome = CliRunner().invoke(main, args, prog_name="wheelcheck")
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), step
        assert outcome.exit_code == command.exit_code, f"{step}\n{outcome.stderr[-2000:]}"
