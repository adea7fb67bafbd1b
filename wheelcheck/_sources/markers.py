"""Checking PEP 508 markers once, where they are read, so evaluation later cannot fail."""

from __future__ import annotations

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.markers import default_environment as _any_environment


def marker_problem(marker: Marker | None) -> str | None:
    """Why `marker` cannot be evaluated (e.g. ``python_version ~= "3"``), or None if it can.

    packaging parses such markers but raises when evaluating them; pip fails the same way.
    Any complete environment shows the problem, since it lies in the marker's own values.
    """
    if marker is None:
        return None
    try:
        environment: dict[str, str] = {k: str(v) for k, v in _any_environment().items()}
        marker.evaluate({**environment, "extra": ""})
    except (UndefinedComparison, UndefinedEnvironmentName) as error:
        return f"marker '{marker}' cannot be evaluated: {error}"
    return None
