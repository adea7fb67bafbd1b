"""Index URL hygiene: credentials are split off, redacted for display, and never shown.

An index URL such as ``https://user:secret@host/simple`` carries credentials. wheelcheck
sends them as HTTP Basic auth and prints only the redacted form, as pip does.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

__all__ = [
    "index_url_message",
    "index_url_problem",
    "is_local_index",
    "normalize_index_url",
    "quote_url",
    "redact_text",
    "redact_url",
    "split_credentials",
]

_MASK = "****"
# A message quotes at most this much of a value the user gave.
QUOTE_LIMIT = 200
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


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
    ``https://token@host/simple`` -> ``https://****@host/simple``; a query parameter
    that names a secret (``?token=...``, ``api_key``, ``password``, ``sig``...) keeps its
    name and loses its value. A URL without credentials is returned unchanged. Never raises.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        # Unparseable: hide everything before the last "@" of the authority, to be safe.
        if "@" not in url:
            return url
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}{_MASK}@{rest.rpartition('@')[2]}" if sep else _MASK
    query = _redact_query(parts.query)
    if query != parts.query:
        parts = parts._replace(query=query)
        url = urlunsplit(parts)
    host, user, password = _split_netloc(parts.netloc)
    if user is None:
        return url
    if password is None:
        return _replace_netloc(parts, f"{_MASK}@{host}")
    return _replace_netloc(parts, f"{quote(unquote(user), safe='')}:{_MASK}@{host}")


# A URL inside free text (a requirement line, an error message): scheme:// and no blank.
# A URL ends at white space or at a quote or bracket around it (not URL characters,
# RFC 3986), so a quoted URL in a shell command keeps its closing quote.
_URL_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'`<>]+")


def redact_text(text: str) -> str:
    """`text` with credentials masked in every URL inside it (see `redact_url`)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


# Query parameter names (lower case, any part of the name) whose value is a credential.
_SECRET_PARAMETERS = ("token", "key", "secret", "password", "passwd", "auth", "sig", "credential")


def _redact_query(query: str) -> str:
    """`query` with the value of every parameter that names a secret replaced."""
    if not query:
        return query
    kept = []
    for item in query.split("&"):
        name, sep, value = item.partition("=")
        if sep and value and any(word in unquote(name).lower() for word in _SECRET_PARAMETERS):
            item = f"{name}={_MASK}"
        kept.append(item)
    return "&".join(kept)


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


def is_local_index(url: str) -> bool:
    """True for what pip reads as a local index: a ``file:`` URL or a filesystem path."""
    text = url.strip()
    if text.lower().startswith("file:"):
        return True
    return text.startswith(("/", "./", "../", "~", "\\")) or bool(_WINDOWS_DRIVE.match(text))


def index_url_problem(url: str) -> str | None:
    """Why `url` cannot be an index wheelcheck reads, as a phrase (``"has no host"``), or
    None when it is an absolute http(s) URL with a host. Never raises."""
    text = url.strip()
    if not text:
        return "is empty"
    if is_local_index(text):
        return "is a local index (a file: URL or a path); only http(s) indexes can be checked"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- parses the port: raises ValueError for "host:x" or 99999
    except ValueError as error:
        return f"is not a valid URL ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        if "://" not in text:
            return "is not an absolute URL (expected https://host/...)"
        return f"has scheme {parts.scheme}:, not http or https"
    if not parts.hostname:
        return "has no host"
    if _SPACE_OR_CONTROL.search(text):
        return "contains spaces or control characters"
    return None


def quote_url(value: str) -> str:
    """`value` quoted for a one-line message: credentials masked, at most QUOTE_LIMIT
    characters, control characters escaped. For values that may not be URLs at all."""
    shown = redact_url(value.strip())
    if "@" in shown and shown == value.strip():
        # redact_url found no userinfo, yet an "@" is there ("user:pw@host", "https:/u:p@h"):
        # mask everything between the scheme and the last "@", to be safe.
        scheme, sep, rest = shown.partition("://")
        head, body = (scheme + sep, rest) if sep else ("", shown)
        shown = f"{head}{_MASK}@{body.rpartition('@')[2]}"
    if len(shown) > QUOTE_LIMIT:
        shown = shown[:QUOTE_LIMIT] + "..."
    return repr(shown)


def index_url_message(url: str, *, extra: bool = False) -> str | None:
    """``index URL 'ftp://x' has scheme ftp:, ...`` for an unusable `url` (quoted with
    `quote_url`), or None when it is an absolute http(s) URL with a host."""
    problem = index_url_problem(url)
    if problem is None:
        return None
    return f"{'extra index URL' if extra else 'index URL'} {quote_url(url)} {problem}"
