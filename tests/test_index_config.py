"""Choosing indexes like pip does, and keeping their credentials out of sight."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wheelcheck._index import (
    MIRRORS,
    IndexChoice,
    IndexSettings,
    discover_pip_config_files,
    normalize_index_url,
    redact_url,
    split_credentials,
)
from wheelcheck._index import select_indexes as _select_indexes
from wheelcheck.errors import InputError, InvalidIndexURL


def select_indexes(
    *,
    cli_index_url: str | None = None,
    cli_extra_index_urls: tuple[str, ...] | list[str] = (),
    mirror: str | None = None,
    file_index_url: str | None = None,
    file_extra_index_urls: tuple[str, ...] | list[str] = (),
    environ: dict[str, str] | None = None,
    pip_config_files: list[Path] | None = None,
) -> IndexSettings:
    """The selection, with each place's indexes named as keywords for short tests."""
    return _select_indexes(
        IndexChoice(cli_index_url, tuple(cli_extra_index_urls), mirror),
        IndexChoice(file_index_url, tuple(file_extra_index_urls)),
        environ=environ,
        pip_config_files=pip_config_files,
    )


# --- URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@host/simple", "https://user:****@host/simple"),
        ("https://token@host/simple", "https://****@host/simple"),
        ("https://user:@host:8443/simple/", "https://user:****@host:8443/simple/"),
        ("https://us%40er:p%3Ass@host/simple", "https://us%40er:****@host/simple"),
        ("https://user:p@ss@host/simple", "https://user:****@host/simple"),
        ("https://host/simple", "https://host/simple"),
        ("https://pypi.org/simple/?x=1", "https://pypi.org/simple/?x=1"),
        ("https://host/simple?token=abc123", "https://host/simple?token=****"),
        (
            "https://host/simple/?format=json&api_key=k",
            "https://host/simple/?format=json&api_key=****",
        ),
        ("https://u:p@host/simple?sig=s&keep=1", "https://u:****@host/simple?sig=****&keep=1"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert redact_url(redact_url(url)) == shown  # idempotent


def test_split_credentials_decodes_percent_escapes() -> None:
    assert split_credentials("http://alice:s3cr%25t@127.0.0.1:8080/simple") == (
        "http://127.0.0.1:8080/simple",
        ("alice", "s3cr%t"),
    )
    assert split_credentials("https://tok%2Fen@host/simple") == (
        "https://host/simple",
        ("tok/en", ""),
    )
    assert split_credentials("https://host/simple") == ("https://host/simple", None)


def test_normalize_index_url() -> None:
    assert normalize_index_url("https://pypi.org/simple") == "https://pypi.org/simple/"
    assert normalize_index_url("https://pypi.org/simple/") == "https://pypi.org/simple/"
    assert normalize_index_url("https://host") == "https://host/"


# --- precedence -------------------------------------------------------------------------

NO_ENV: dict[str, str] = {}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "pip.conf",
        "[global]\nindex-url = https://config.example/simple\n"
        "extra-index-url = https://cfg-extra1.example/simple\n"
        "    https://cfg-extra2.example/simple\n",
    )


def test_default_is_pypi() -> None:
    settings = select_indexes(environ=NO_ENV, pip_config_files=[])
    assert settings.index_url == "https://pypi.org/simple"
    assert settings.origin == "default"
    assert settings.extra_index_urls == () and settings.warnings == ()


def test_precedence_chain(config_file: Path) -> None:
    env = {"PIP_INDEX_URL": "https://env.example/simple"}
    files = [config_file]

    def chosen(**kwargs: object) -> tuple[str, str]:
        s = select_indexes(environ=env, pip_config_files=files, **kwargs)  # type: ignore[arg-type]
        return s.index_url, s.origin

    assert chosen(
        cli_index_url="https://cli.example/simple", file_index_url="https://f/simple"
    ) == (
        "https://cli.example/simple",
        "--index-url",
    )
    assert chosen(mirror="tuna", file_index_url="https://f.example/simple") == (
        MIRRORS["tuna"],
        "--mirror tuna",
    )
    assert chosen(file_index_url="https://file.example/simple") == (
        "https://file.example/simple",
        "requirements file",
    )
    assert chosen() == ("https://env.example/simple", "PIP_INDEX_URL")
    env.clear()
    assert chosen() == ("https://config.example/simple", f"pip config {config_file}")


def test_mirror_tuna() -> None:
    settings = select_indexes(mirror="tuna", environ=NO_ENV, pip_config_files=[])
    assert settings.index_url == "https://pypi.tuna.tsinghua.edu.cn/simple"


def test_index_url_and_mirror_together_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--mirror"):
        select_indexes(cli_index_url="https://a/simple", mirror="tuna", environ=NO_ENV)


def test_unknown_mirror_lists_known_names() -> None:
    with pytest.raises(InputError) as caught:
        select_indexes(mirror="nowhere", environ=NO_ENV, pip_config_files=[])
    assert "nowhere" in str(caught.value)
    for name in MIRRORS:
        assert name in str(caught.value)


# --- pip configuration files ------------------------------------------------------------


def test_install_section_beats_global_and_later_files_win(tmp_path: Path) -> None:
    system = write(
        tmp_path / "etc" / "pip.conf",
        "[install]\nindex-url = https://system-install.example/simple\n"
        "[global]\nextra-index-url = https://system-extra.example/simple\n",
    )
    user = write(
        tmp_path / "user" / "pip.conf",
        "[global]\nindex-url = https://user-global.example/simple\n"
        "extra-index-url = https://user-extra.example/simple\n",
    )
    settings = select_indexes(environ=NO_ENV, pip_config_files=[system, user])
    # pip merges per section first: [install] anywhere beats [global] anywhere.
    assert settings.index_url == "https://system-install.example/simple"
    assert settings.origin == f"pip config {system}"
    assert settings.extra_index_urls == ("https://user-extra.example/simple",)


def test_config_extras_are_whitespace_separated(config_file: Path) -> None:
    settings = select_indexes(environ=NO_ENV, pip_config_files=[config_file])
    assert settings.extra_index_urls == (
        "https://cfg-extra1.example/simple",
        "https://cfg-extra2.example/simple",
    )


def test_underscore_keys_and_missing_files(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[global]\nindex_url = https://underscore.example/simple\n")
    settings = select_indexes(environ=NO_ENV, pip_config_files=[tmp_path / "missing.conf", conf])
    assert settings.index_url == "https://underscore.example/simple"


def test_extras_follow_pip(config_file: Path) -> None:
    """PIP_EXTRA_INDEX_URL replaces the config's list; command line and files add to it."""
    settings = select_indexes(
        cli_extra_index_urls=["https://cli-extra.example/simple"],
        file_extra_index_urls=["https://file-extra.example/simple"],
        environ={"PIP_EXTRA_INDEX_URL": "https://env1.example/simple https://env2.example/simple"},
        pip_config_files=[config_file],
    )
    assert settings.extra_index_urls == (
        "https://env1.example/simple",
        "https://env2.example/simple",
        "https://cli-extra.example/simple",
        "https://file-extra.example/simple",
    )
    without_env = select_indexes(
        cli_extra_index_urls=["https://cli-extra.example/simple"],
        environ=NO_ENV,
        pip_config_files=[config_file],
    )
    assert without_env.extra_index_urls == (
        "https://cfg-extra1.example/simple",
        "https://cfg-extra2.example/simple",
        "https://cli-extra.example/simple",
    )


def test_duplicate_extras_are_dropped() -> None:
    settings = select_indexes(
        cli_index_url="https://a.example/simple",
        cli_extra_index_urls=["https://a.example/simple/", "https://b.example/simple"],
        file_extra_index_urls=["https://b.example/simple"],
        environ=NO_ENV,
        pip_config_files=[],
    )
    assert settings.extra_index_urls == ("https://b.example/simple",)


def test_local_indexes_from_pips_settings_are_dropped_with_warning(tmp_path: Path) -> None:
    # The user's pip reads these; wheelcheck cannot: a warning, and the next source is used.
    conf = write(
        tmp_path / "pip.conf",
        "[global]\nindex-url = file:///srv/wheels\n"
        "extra-index-url = file:///opt/pypi/simple https://x.example/simple\n",
    )
    settings = select_indexes(
        file_extra_index_urls=["./wheels"],
        environ={"PIP_INDEX_URL": "/srv/mirror"},
        pip_config_files=[conf],
    )
    assert settings.index_url == "https://pypi.org/simple"
    assert settings.origin == "default"
    assert settings.extra_index_urls == ("https://x.example/simple",)
    assert len(settings.warnings) == 4
    assert "/srv/mirror" in settings.warnings[0] and "PIP_INDEX_URL" in settings.warnings[0]
    assert "file:///srv/wheels" in settings.warnings[1] and str(conf) in settings.warnings[1]
    assert "file:///opt/pypi/simple" in settings.warnings[2]
    assert "./wheels" in settings.warnings[3] and "requirements file" in settings.warnings[3]


def test_warnings_never_show_credentials(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[global]\nindex-url = file://bob:topsecret@host/x\n")
    settings = select_indexes(environ=NO_ENV, pip_config_files=[conf])
    assert settings.index_url == "https://pypi.org/simple"
    assert settings.warnings and "topsecret" not in "".join(settings.warnings)
    assert "bob:****@host" in settings.warnings[0]


@pytest.mark.parametrize(
    ("kwargs", "source"),
    [
        ({"cli_index_url": "not-a-url"}, "--index-url"),
        ({"cli_index_url": "ftp://bob:topsecret@host/simple"}, "--index-url"),
        ({"cli_index_url": "http://"}, "--index-url"),
        ({"cli_index_url": ""}, "--index-url"),
        ({"cli_index_url": "file:///srv/wheels"}, "--index-url"),  # asked for: not skipped
        ({"cli_extra_index_urls": ["https://ok.example/simple", "htps://x"]}, "--extra-index-url"),
        ({"file_index_url": "pypi.example.com/simple"}, "requirements file"),
        ({"file_extra_index_urls": ["https://bob:topsecret@/simple"]}, "requirements file"),
        ({"environ": {"PIP_INDEX_URL": "https//typo.example/simple"}}, "PIP_INDEX_URL"),
        (
            {"environ": {"PIP_EXTRA_INDEX_URL": "https://a.example/ b.example"}},
            "PIP_EXTRA_INDEX_URL",
        ),
        ({"mirror": "tsinghua"}, "--mirror"),
    ],
)
def test_unusable_index_urls_are_input_errors_naming_their_source(
    kwargs: dict[str, object], source: str
) -> None:
    kwargs.setdefault("environ", NO_ENV)
    with pytest.raises(InvalidIndexURL) as caught:
        select_indexes(pip_config_files=[], **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"{source}: ")
    assert caught.value.source == source
    assert "topsecret" not in message
    assert "\n" not in message


def test_unusable_url_in_pip_config_names_the_file(tmp_path: Path) -> None:
    conf = write(tmp_path / "pip.conf", "[install]\nextra-index-url = https://ok/ ftp://x/\n")
    with pytest.raises(InvalidIndexURL) as caught:
        select_indexes(environ=NO_ENV, pip_config_files=[conf])
    assert str(caught.value).startswith(f"pip config {conf}: extra index URL 'ftp://x/' ")


def test_sources_below_the_chosen_index_are_not_judged() -> None:
    # pip never reads PIP_INDEX_URL when --index-url is given: neither does wheelcheck.
    settings = select_indexes(
        cli_index_url="https://cli.example/simple",
        environ={"PIP_INDEX_URL": "not a url"},
        pip_config_files=[],
    )
    assert settings.index_url == "https://cli.example/simple"


def test_long_bad_values_are_quoted_shortened() -> None:
    with pytest.raises(InvalidIndexURL) as caught:
        select_indexes(cli_index_url="x" * 5000, environ=NO_ENV, pip_config_files=[])
    assert len(str(caught.value)) < 300


def test_broken_config_file_is_an_input_error_without_its_content(tmp_path: Path) -> None:
    # configparser also splits on ":", so the broken line below has neither "=" nor ":".
    conf = write(tmp_path / "pip.conf", "[global]\nindex-url topsecret.example/simple\n")
    with pytest.raises(InputError) as caught:
        select_indexes(environ=NO_ENV, pip_config_files=[conf])
    assert str(conf) in str(caught.value) and "line 2" in str(caught.value)
    assert "topsecret" not in str(caught.value)


# --- discovering pip's files ------------------------------------------------------------


def test_discovery_order_follows_pip(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_DIRS": f"{tmp_path}/xdg1{os.pathsep}{tmp_path}/xdg2",
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "PIP_CONFIG_FILE": str(tmp_path / "absent.conf"),
    }
    assert discover_pip_config_files(env, platform="linux") == (
        tmp_path / "xdg1" / "pip" / "pip.conf",
        tmp_path / "xdg2" / "pip" / "pip.conf",
        Path("/etc/pip.conf"),
        tmp_path / "home" / ".pip" / "pip.conf",
        tmp_path / "cfg" / "pip" / "pip.conf",
        tmp_path / "absent.conf",
    )


def test_discovery_defaults(tmp_path: Path) -> None:
    files = discover_pip_config_files({"HOME": str(tmp_path)}, platform="linux")
    assert files == (
        Path("/etc/xdg/pip/pip.conf"),
        Path("/etc/pip.conf"),
        tmp_path / ".pip" / "pip.conf",
        tmp_path / ".config" / "pip" / "pip.conf",
    )


def test_existing_pip_config_file_skips_user_files(tmp_path: Path) -> None:
    env_file = write(tmp_path / "env.conf", "[global]\n")
    env = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": str(env_file)}
    files = discover_pip_config_files(env, platform="linux")
    assert files[-1] == env_file
    assert tmp_path / ".config" / "pip" / "pip.conf" not in files


def test_pip_config_file_devnull_disables_every_file(tmp_path: Path) -> None:
    write(tmp_path / ".config" / "pip" / "pip.conf", "[global]\nindex-url = https://u.example/s\n")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "", "PIP_CONFIG_FILE": os.devnull}
    assert discover_pip_config_files(env) == ()
    # Discovery on: host files (/etc/pip.conf ...) are also off, so the default wins.
    settings = select_indexes(environ=env)
    assert (settings.index_url, settings.origin) == ("https://pypi.org/simple", "default")


def test_user_config_is_discovered_and_named_in_origin(tmp_path: Path) -> None:
    user = write(
        tmp_path / "cfg" / "pip" / "pip.conf",
        "[install]\nindex-url = https://user.example/simple\n",
    )
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    settings = select_indexes(environ=env)
    # A host /etc/pip.conf may set index-url too; the user's file comes later, so it wins
    # within [install], the section that beats all others.
    assert settings.index_url == "https://user.example/simple"
    assert settings.origin == f"pip config {user}"
