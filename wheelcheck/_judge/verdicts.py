"""One verdict per requirement and target: what pip would install there, and the evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag

from wheelcheck._judge.selection import (
    DEFAULT_POLICY,
    SelectionPolicy,
    rank_for,
    requires_python_allows,
)
from wheelcheck.models import DistFile, ProjectPage, Target, TargetResult, Verdict


def judge_files(
    page: ProjectPage,
    *,
    specifier: SpecifierSet,
    target: Target,
    tag_ranks: Mapping[Tag, int],
    policy: SelectionPolicy = DEFAULT_POLICY,
    hashes: Sequence[str] = (),
) -> TargetResult:
    """The verdict for a named requirement whose project page was found.

    Returns `binary`, `pure` or `source` with the file pip would pick, or `missing` with the
    reason nothing installs.
    """
    ranked = rank_for(target, page.files, specifier, policy=policy, hashes=hashes)
    if not ranked:
        unhashed = rank_for(target, page.files, specifier, policy=policy) if hashes else []
        if unhashed:
            reason = (
                f"none of the files that fit this target has one of its --hash values, so "
                f"pip's hash check rejects {unhashed[0].filename}"
            )
        else:
            reason = explain_missing(page, specifier, target, policy)
        return TargetResult(Verdict.MISSING, reason + incomplete_note(page))
    result = judge_choice(page, ranked[0], tag_ranks)
    unhashed = rank_for(target, page.files, specifier, policy=policy) if hashes else []
    if unhashed and unhashed[0] != ranked[0]:
        # pip's hash mode: say why the file differs from the one pip picks otherwise.
        note = f"; its --hash values allow this file, not {unhashed[0].filename}"
        result = replace(result, reason=result.reason + note)
    return result


def incomplete_note(page: ProjectPage) -> str:
    """``; may be incomplete: <index> failed`` when an index that could list more files of
    the project failed (a wheel there could change the verdict), else ""."""
    if not page.failed_indexes:
        return ""
    return f"; may be incomplete: {', '.join(page.failed_indexes)} failed"


def judge_choice(page: ProjectPage, best: DistFile, tag_ranks: Mapping[Tag, int]) -> TargetResult:
    """The verdict for the file pip would install (`best`, one of `page.files`)."""
    version = str(best.version)
    notes = _yank_note(best) + incomplete_note(page)
    if best.is_wheel:
        verdict = Verdict.PURE if best.is_pure else Verdict.BINARY
        platform = _describe_platform(best, tag_ranks)
        reason = f"{platform} wheel" if verdict is Verdict.BINARY else "pure-Python wheel"
        return TargetResult(verdict, reason + notes, version, best.filename, best.index_url)
    other_wheels = _wheel_platforms(page.files, best)
    if other_wheels:
        reason = (
            "no wheel for this target; pip builds the sdist. Wheels of this version exist for "
            + ", ".join(other_wheels)
            + " (a sign of native code)"
        )
    else:
        reason = "no wheel at all for this version; pip builds the sdist"
    return TargetResult(
        Verdict.SOURCE,
        reason + notes,
        version,
        best.filename,
        best.index_url,
        other_wheels=bool(other_wheels),
    )


def explain_missing(
    page: ProjectPage, specifier: SpecifierSet, target: Target, policy: SelectionPolicy
) -> str:
    """Why no file of `page` installs on `target`, in one sentence."""
    versions = {f.version for f in page.files}
    allowed = set(specifier.filter(versions, prereleases=True if policy.pre else None))
    spec_text = str(specifier) or "any version"
    if not allowed:
        return f"no release matches {spec_text}"
    python_ok = [
        f
        for f in page.files
        if f.version in allowed
        and requires_python_allows(f.requires_python, target.python_full_version)
    ]
    if not python_ok:
        newest = max(allowed)
        needs = next(
            (f.requires_python for f in page.files if f.version == newest and f.requires_python),
            None,
        )
        return (
            f"requires-python excludes Python {target.python_full_version} from every release "
            f"matching {spec_text} (newest {newest} needs {needs})"
        )
    if all(f.yanked for f in python_ok):
        return f"every release matching {spec_text} is yanked"
    platforms = _platform_names(python_ok)
    wheels = f"wheels exist only for {', '.join(platforms)}" if platforms else "no wheels"
    sdist = "" if policy.only_binary else " and no sdist"
    return f"no wheel for this target{sdist} ({wheels})"


def _describe_platform(file: DistFile, tag_ranks: Mapping[Tag, int]) -> str:
    """The file's best supported tag as ABI and platform: 'abi3 musllinux_1_2_x86_64'."""
    best = min((t for t in file.tags if t in tag_ranks), key=tag_ranks.__getitem__)
    abi = best.abi if best.abi in ("abi3", "none") else best.interpreter
    return f"{abi} {best.platform}"


def _wheel_platforms(files: Sequence[DistFile], sdist: DistFile) -> list[str]:
    """Platforms of the wheels of the sdist's version (what exists elsewhere)."""
    return _platform_names([f for f in files if f.version == sdist.version])


def _platform_names(files: Sequence[DistFile]) -> list[str]:
    names = {t.platform for f in files if f.is_wheel for t in f.tags}
    return sorted(names)[:6] + (["..."] if len(names) > 6 else [])


def _yank_note(file: DistFile) -> str:
    if not file.yanked:
        return ""
    why = f": {file.yanked_reason}" if file.yanked_reason else ""
    return f"; yanked{why} (pip installs it only because it is pinned)"


def not_found(index_urls: Mapping[str, str] | Sequence[str]) -> TargetResult:
    """The verdict for a project no index knows."""
    where = ", ".join(index_urls)
    return TargetResult(Verdict.NOT_FOUND, f"no such project on {where}")
