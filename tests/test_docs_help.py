"""The `--help` blocks of docs/options.md are the real help text (as pip-audit keeps its
README honest).

Each block there that starts with ``$ wheelcheck ... --help`` must equal what that command
prints in an 80-column terminal. The table of configuration keys (docs/options.md,
Configuration) must equal the one the option table makes. After changing an option,
``UPDATE_GOLDEN=1 python -m pytest tests/test_docs_help.py`` rewrites both.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from wheelcheck._cli import main

OPTIONS_PAGE = Path(__file__).parent.parent / "docs" / "options.md"
BLOCK = re.compile(r"```console\n\$ (wheelcheck [^\n]*--help)\n(.*?)```", re.S)


def help_blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(OPTIONS_PAGE.read_text(encoding="utf-8"))


def real_help(command: str) -> str:
    # CliRunner formats for an 80-column terminal whatever the real one is
    outcome = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="wheelcheck")
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_the_options_page_shows_the_help_of_every_command() -> None:
    shown = {command for command, _ in help_blocks()}
    expected = {"wheelcheck --help"} | {f"wheelcheck {name} --help" for name in main.commands}  # type: ignore[attr-defined]
    assert expected <= shown, f"add a help block to docs/options.md for {sorted(expected - shown)}"


@pytest.mark.parametrize(("command", "text"), help_blocks(), ids=[c for c, _ in help_blocks()])
def test_documented_help_block_is_the_real_help(command: str, text: str) -> None:
    real = real_help(command)
    if os.environ.get("UPDATE_GOLDEN") and text != real:
        page = OPTIONS_PAGE.read_text(encoding="utf-8")
        block = f"$ {command}\n{text}```"
        OPTIONS_PAGE.write_text(page.replace(block, f"$ {command}\n{real}```"), encoding="utf-8")
        return
    assert text == real, f"docs/options.md block for `{command}` is out of date"


# -- the configuration reference ------------------------------------------------------------

TABLE_START = "<!-- configuration keys: generated from data/options.toml -->\n"
TABLE_END = "<!-- end of the configuration keys -->\n"


def configuration_reference() -> str:
    """The table of keys and variables, as the option table makes it."""
    from wheelcheck.options import COMMANDS, OPTIONS, options_of

    rows = ["| key | variable | option | commands | value |", "|---|---|---|---|---|"]
    for option in OPTIONS:
        if option.key is None and option.env is None:
            continue
        key = f"`{option.key}`" if option.key else "(none)"
        variable = f"`{option.env}`" if option.env else "(none)"
        flags = ", ".join(f"`{flag}`" for flag in option.flags)
        commands = ", ".join(c for c in COMMANDS if c in option.commands)
        rows.append(f"| {key} | {variable} | {flags} | {commands} | {option.type.describe()} |")
    only = []
    for command in COMMANDS:
        flags = [o.flag for o in options_of(command) if o.key is None and o.env is None]
        only.append(f"for {command} " + ", ".join(f"`{flag}`" for flag in flags))
    rows += ["", f"Command line only: {'; '.join(only)}."]
    return "\n".join(rows) + "\n"


def test_the_options_page_lists_every_configuration_key_and_variable() -> None:
    text = OPTIONS_PAGE.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text
    shown = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    expected = configuration_reference()
    if os.environ.get("UPDATE_GOLDEN") and shown != expected:
        OPTIONS_PAGE.write_text(text.replace(shown, expected), encoding="utf-8")
        return
    assert shown == expected, f"docs/options.md configuration keys are stale; paste:\n{expected}"
