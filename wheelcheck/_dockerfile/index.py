"""The index a Dockerfile's installs were checked against, and why that one.

Its own module: the analysis makes it and the rules read it (WCD011), and neither may import
the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["IndexChoice"]


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """The index the check used, and why (credentials already redacted)."""

    url: str
    source: str  # "--index-url", "Dockerfile line 4: pip install -i", "default", ...
    dockerfile_url: str | None = None  # what the Dockerfile names, if anything

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "source": self.source, "dockerfile_url": self.dockerfile_url}
