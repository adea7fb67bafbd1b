"""Defaults shared by the option table (wheelcheck.options) and the layers below it.

The index client and the page cache keep their own keyword defaults for callers that build
them directly. They take them from the table's rows (data/options.toml), the one place a
default is written, without importing wheelcheck.options (it sits above them).
"""

from __future__ import annotations

from wheelcheck._data import read_toml

__all__ = ["DEFAULT_MAX_AGE", "DEFAULT_RETRIES", "DEFAULT_TIMEOUT"]

_ROWS = read_toml("options.toml")

DEFAULT_TIMEOUT = float(_ROWS["timeout"]["default"])  # seconds per request
DEFAULT_RETRIES = int(_ROWS["retries"]["default"])  # retries per request for transient faults
# Freshness of a page whose index sends no Cache-Control or Expires (PyPI's own pages say
# max-age=600).
DEFAULT_MAX_AGE = float(_ROWS["cache_max_age"]["default"])
