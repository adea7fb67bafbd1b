"""Talking to package indexes: which ones (config), reading their pages, fetching them.

The only package that imports httpx.
"""

from wheelcheck._index.client import ACCEPT, IndexClient, RawPage
from wheelcheck._index.config import (
    DEFAULT_INDEX_URL,
    MIRRORS,
    IndexChoice,
    IndexSettings,
    discover_pip_config_files,
    select_indexes,
)
from wheelcheck._index.pages import (
    MalformedPage,
    PageSource,
    ParsedPage,
    parse_html_page,
    parse_json_page,
)
from wheelcheck._urls import normalize_index_url, redact_url, split_credentials

__all__ = [
    "ACCEPT",
    "DEFAULT_INDEX_URL",
    "MIRRORS",
    "IndexChoice",
    "IndexClient",
    "IndexSettings",
    "MalformedPage",
    "PageSource",
    "ParsedPage",
    "RawPage",
    "discover_pip_config_files",
    "normalize_index_url",
    "parse_html_page",
    "parse_json_page",
    "redact_url",
    "select_indexes",
    "split_credentials",
]
