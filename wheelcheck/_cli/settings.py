"""The settings of one command run, from the option table: the command line, then the
WHEELCHECK_* variables, then [tool.wheelcheck] (wheelcheck._config), then the defaults."""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.core import ParameterSource

from wheelcheck._cli.exits import errors_to_exit_codes
from wheelcheck._config import Configuration, Settings, load_configuration
from wheelcheck.options import (
    CONFIG,
    EXTRA_INDEX_URLS,
    INDEX_URL,
    NO_CACHE,
    OFFLINE,
    QUIET,
    REFRESH,
    SHOW_ALL,
    VERBOSE,
    Command,
)

__all__ = ["announce", "command_settings", "report_verbosity"]


def command_settings(command: Command) -> Settings:
    """The settings of the running click command `command`. Exits 2 for a bad configuration
    (naming the file line or the variable) and for options that exclude each other."""
    ctx = click.get_current_context()
    given = {n for n in ctx.params if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE}
    # The command line alone first: its own contradictions are reported before the file's.
    typed = Configuration().settings_for(command, ctx.params, given)
    _refuse_contradictions(typed)
    with errors_to_exit_codes():
        configuration = load_configuration(
            config_file=typed[CONFIG], cwd=Path.cwd(), environ=os.environ
        )
    settings = configuration.settings_for(command, ctx.params, given)
    _refuse_contradictions(settings)
    return settings


def report_verbosity(settings: Settings) -> int:
    """How much the table report shows: 0 what needs attention, 1 every package (--all,
    -v), 2 also the assumptions and every index note (-vv)."""
    return max(settings[VERBOSE], 1 if settings[SHOW_ALL] else 0)


def _refuse_contradictions(settings: Settings) -> None:
    if settings[QUIET] and settings[VERBOSE]:
        raise click.UsageError("--quiet and --verbose exclude each other")
    if settings[NO_CACHE] and (settings[OFFLINE] or settings[REFRESH]):
        raise click.UsageError("--no-cache excludes --offline and --refresh")


def announce(settings: Settings) -> None:
    """The configuration's warnings on stderr, and with --verbose where each setting came
    from."""
    for warning in settings.warnings:
        click.echo(f"wheelcheck: warning: {warning}", err=True)
    if settings[VERBOSE]:
        _explain(settings)


def _explain(settings: Settings) -> None:
    from wheelcheck._index import redact_url

    where = settings.file if settings.file is not None else "none found"
    click.echo(f"wheelcheck: configuration file: {where}", err=True)
    for name, setting in settings.configured.items():
        value = setting.value
        if name == INDEX_URL.name and isinstance(value, str):
            value = (redact_url(value),)
        elif name == EXTRA_INDEX_URLS.name:
            value = tuple(redact_url(url) for url in EXTRA_INDEX_URLS.type.check(value))
        elif isinstance(value, Path):
            value = str(value)
        state = "overridden by the command line" if name in settings.given else "used"
        click.echo(f"wheelcheck: {name} = {value!r} from {setting.source} ({state})", err=True)
