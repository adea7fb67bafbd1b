"""The platforms a per-platform lock was solved for (pixi.lock's environments).

pixi solves an environment for each platform its workspace lists and installs nothing on a
platform the lock does not list. So a target on such a platform gets nothing from the lock:
that is a finding (re-lock with the platform), not a package the target does not need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["LockedPlatforms"]


@dataclass(frozen=True, slots=True)
class LockedPlatforms:
    """The platforms one environment of a lock lists.

    `listed` are the lock's own platform names (``linux-64``, ``osx-arm64``), as written;
    `names` maps a Linux ``platform_machine`` to the lock's name for that platform, for
    every platform the format knows (listed or not), so a message names the missing one.
    """

    environment: str
    listed: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def gap(self, machine: str) -> str | None:
        """Why nothing installs from the lock on a Linux target with `machine`; None when
        the lock lists that target's platform."""
        name = self.names.get(machine)
        if name is not None and name in self.listed:
            return None
        missing = name or f"Linux {machine}"
        return (
            f"the lock lists no {missing} environment (its environment '{self.environment}' "
            f"is locked for {', '.join(self.listed)}); re-lock with that platform"
        )
