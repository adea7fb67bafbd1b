"""Defaults shared by the option table (wheelcheck.options) and the layers below it.

The index client and the page cache keep their own keyword defaults for callers that build
them directly; they read them from here, as the table does, since they must not import the
table (it sits above them).
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_AGE", "DEFAULT_RETRIES", "DEFAULT_TIMEOUT", "MAX_RETRIES"]

DEFAULT_TIMEOUT = 30.0  # seconds per request
DEFAULT_RETRIES = 3  # retries per request for transient faults
MAX_RETRIES = 10
# Freshness of a page whose index sends no Cache-Control or Expires (PyPI's own pages say
# max-age=600).
DEFAULT_MAX_AGE = 600.0
