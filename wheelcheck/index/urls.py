"""Index URL hygiene: credentials are split off, redacted for display, and never shown.

An index URL such as ``https://user:secret@host/simple`` carries credentials. wheelcheck
sends them as HTTP Basic auth and prints only the redacted form, as pip does.
"""

from __future__ import annotations

from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

__all__ = ["normalize_index_url", "redact_url", "split_credentials"]

_MASK = "****"


def _split_netloc(netloc: str) -> tuple[str, str | None, str | None]:
    """``user:pass@host`` -> (host, user, password), raw (still percent-encoded)."""
    # rpartition: a password may itself contain an unencoded "@".
    userinfo, at, host = netloc.rpartition("@")
    if not at:
        return netloc, None, None
    user, colon, password = userinfo.partition(":")
    return host, user, (password if colon else None)


def _replace_netloc(parts: SplitResult, netloc: str) -> str:
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redact_url(url: str) -> str:
    """Return `url` with its password (or a lone token) replaced by ``****``.

    ``https://user:secret@host/simple`` -> ``https://user:****@host/simple``;
    ``https://token@host/simple`` -> ``https://****@host/simple``; a URL without
    credentials is returned unchanged. Never raises.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        # Unparseable: hide everything before the last "@" of the authority, to be safe.
        if "@" not in url:
            return url
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}{_MASK}@{rest.rpartition('@')[2]}" if sep else _MASK
    host, user, password = _split_netloc(parts.netloc)
    if user is None:
        return url
    if password is None:
        return _replace_netloc(parts, f"{_MASK}@{host}")
    return _replace_netloc(parts, f"{quote(unquote(user), safe='')}:{_MASK}@{host}")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Split `url` into the URL without userinfo and its percent-decoded (user, password).

    A token-only userinfo (``https://token@host``) gives ``(token, "")``, as pip sends it.
    Returns ``(url, None)`` when the URL has no credentials. Raises ValueError for a URL
    that cannot be parsed.
    """
    parts = urlsplit(url)
    host, user, password = _split_netloc(parts.netloc)
    if user is None:
        return url, None
    return _replace_netloc(parts, host), (unquote(user), unquote(password or ""))


def normalize_index_url(url: str) -> str:
    """Return `url` with a trailing slash on its path, so project names can be appended.

    ``https://pypi.org/simple`` -> ``https://pypi.org/simple/``. Raises ValueError for a
    URL that cannot be parsed.
    """
    parts = urlsplit(url)
    if parts.path.endswith("/"):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path + "/", parts.query, parts.fragment))
