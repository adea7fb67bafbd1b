"""The dependency options of a setuptools ``setup.cfg``, read with configparser.

``[options] install_requires`` and ``python_requires``, and ``[options.extras_require]``
(https://setuptools.pypa.io/en/latest/userguide/declarative_config.html). A ``file:`` or
``attr:`` directive needs the project's files or code, so it is "not static". Values are
split as setuptools does: one per line when the value spans lines, else on ``;``.
"""

from __future__ import annotations

import configparser

from wheelcheck._metadata.declared import NotStatic

__all__ = ["SetupCfg", "setup_cfg_options"]

# Option name -> its lines; extras_require maps each extra key to its lines.
SetupCfg = dict[str, list[str] | dict[str, list[str]] | str]


def _split(value: str, where: str) -> list[str]:
    if value.strip().startswith(("file:", "attr:")):
        raise NotStatic(f"{where} uses {value.strip().split(':', 1)[0]}:, which a build resolves")
    chunks = value.splitlines() if "\n" in value else value.split(";")
    return [c.strip() for c in chunks if c.strip() and not c.strip().startswith("#")]


def _options(parser: configparser.RawConfigParser, section: str) -> dict[str, str]:
    return dict(parser.items(section)) if parser.has_section(section) else {}


def setup_cfg_options(text: bytes) -> SetupCfg:
    """``install_requires``, ``extras_require`` and ``python_requires`` where setup.cfg
    gives them. Raises NotStatic for an unreadable file or a directive."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the case, as setuptools
    try:
        parser.read_string(text.decode("utf-8"), source="setup.cfg")
    except (UnicodeDecodeError, configparser.Error) as error:
        raise NotStatic(f"setup.cfg is unreadable ({type(error).__name__})") from error
    found: SetupCfg = {}
    # setuptools accepts dashes for underscores in these option names.
    options = {key.replace("-", "_"): value for key, value in _options(parser, "options").items()}
    if "install_requires" in options:
        where = "setup.cfg [options] install_requires"
        found["install_requires"] = _split(options["install_requires"], where)
    if "python_requires" in options:
        found["python_requires"] = options["python_requires"].strip()
    extras = _options(parser, "options.extras_require")
    if extras:
        where = "setup.cfg [options.extras_require]"
        found["extras_require"] = {key: _split(value, where) for key, value in extras.items()}
    return found
