"""The one dispatch of the pdm.lock, Pipfile.lock and pixi.lock readers (each its own
module), so `read_lockfile` names them in one place."""

from __future__ import annotations

from collections.abc import Sequence

from wheelcheck._sources.lock_records import LockRead
from wheelcheck._sources.lockfiles import SourceKind


def read_other_lock(
    path: str,
    kind: SourceKind,
    *,
    extras: Sequence[str] = (),
    groups: Sequence[str] = (),
    dev: bool = False,
    environment: str | None = None,
) -> LockRead:
    """Read `path` as the pdm, pipenv or pixi lock `kind` says; see each reader for what
    it selects and raises (`InvalidInputFiles`)."""
    if kind is SourceKind.PDM_LOCK:
        from wheelcheck._sources.pdm_lock import read_pdm_lock

        return read_pdm_lock(path, extras=extras, groups=groups, dev=dev)
    if kind is SourceKind.PIPFILE_LOCK:
        from wheelcheck._sources.pipfile_lock import read_pipfile_lock

        return read_pipfile_lock(path, extras=extras, groups=groups, dev=dev)
    if kind is SourceKind.PIXI_LOCK:
        from wheelcheck._sources.pixi_lock import read_pixi_lock

        return read_pixi_lock(path, extras=extras, groups=groups, environment=environment)
    raise ValueError(f"{kind} is not read here")
