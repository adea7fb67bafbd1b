"""Whom wheelcheck trusts and how it proves itself: CA bundles and ``.netrc`` credentials.

CA bundle, first found wins (pip and requests users set these): ``--cert``, then
``PIP_CERT``, ``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``; none of them: the default trust
store. TLS verification is never turned off.

``.netrc`` (the ``NETRC`` variable, else ``~/.netrc``) gives credentials for an index host
whose URL carries none, as pip does; they are sent to that host only and never shown.
"""

from __future__ import annotations

import netrc
from collections.abc import Mapping
from pathlib import Path

from wheelcheck.errors import InputError

__all__ = ["CA_BUNDLE_VARIABLES", "find_ca_bundle", "netrc_credentials"]

CA_BUNDLE_VARIABLES = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def find_ca_bundle(cert: str | None, environ: Mapping[str, str]) -> str | bool:
    """The CA bundle to verify TLS with: a path, or True for the default trust store.

    Raises InputError when the chosen path does not exist, naming where it came from.
    """
    chosen: list[tuple[str, str | None]] = [("--cert", cert)]
    chosen += [(name, environ.get(name)) for name in CA_BUNDLE_VARIABLES]
    for where, value in chosen:
        if value:
            if not Path(value).exists():
                raise InputError(f"the CA bundle {value!r} given by {where} does not exist")
            return value
    return True


def _netrc_path(environ: Mapping[str, str]) -> Path | None:
    if environ.get("NETRC"):
        return Path(environ["NETRC"])
    home = environ.get("HOME") or Path("~").expanduser()
    for name in (".netrc", "_netrc"):
        candidate = Path(home) / name
        if candidate.is_file():
            return candidate
    return None


def netrc_credentials(
    host: str, environ: Mapping[str, str], *, warn: list[str] | None = None
) -> tuple[str, str] | None:
    """(login, password) for `host` from the user's ``.netrc``, or None.

    An unreadable or malformed file gives None and, in `warn`, a message naming the file
    and line only (netrc's own message can quote a token).
    """
    path = _netrc_path(environ)
    if path is None or not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as error:
        if warn is not None:
            warn.append(f"ignored {path}: it does not parse (line {error.lineno})")
        return None
    except (OSError, UnicodeDecodeError):
        if warn is not None:
            warn.append(f"ignored {path}: it cannot be read")
        return None
    if found is None:
        return None
    login, _account, password = found
    if not login and not password:
        return None
    return login or "", password or ""
