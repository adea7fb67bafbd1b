"""Cross-check wheelcheck's resolved tree against ``uv pip compile`` for one target.

For each unpinned requirements file, both tools resolve the whole dependency tree for CPython
3.12 on glibc 2.36 x86_64 (``python:3.12-slim-bookworm`` on amd64, which is
``--python-platform x86_64-manylinux_2_36`` to uv), each from a cold cache, and the two
``name -> version`` sets are compared, package for package: one line per package with both
versions and where wheelcheck read its dependencies (``metadata``, ``pep621``, ``egg-info``,
``setup.py (static)``, ...). uv builds sdists to learn their dependencies; wheelcheck never
does, so an sdist whose dependencies no file declares is a known, explained source of
difference: the script lists every package whose dependencies wheelcheck could not read, and
those it read from declared (not guaranteed) files, and for each difference the chain that
brought the package in on each side (uv's chain from a second, annotated and untimed run on
its warm cache).

Usage::

    python scripts/compare_with_uv.py                       # the three files in examples/
    python scripts/compare_with_uv.py examples/django-app/requirements.txt
        [--uv .venv/bin/uv] [--index-url https://pypi.org/simple] [--json out.json]
        [--differences-only]

Timings are wall clock, cold: uv gets a fresh UV_CACHE_DIR, wheelcheck runs without its
on-disk cache (the library's default). Each timed run waits ``--pause`` seconds first.

Exits 0 when every file resolves to the same set, 1 on any difference, 2 when a tool failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wheelcheck.models import Provenance, Report, Verdict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = tuple(
    ROOT / "examples" / name / "requirements.txt"
    for name in ("llm-app", "data-science", "django-app")
)
DEFAULT_UV = ROOT / ".venv" / "bin" / "uv"
TARGET = "python:3.12-slim-bookworm"
ARCH = "amd64"
UV_PLATFORM = ("--python-version", "3.12", "--python-platform", "x86_64-manylinux_2_36")
INDEX = "https://pypi.org/simple"
INSTALLED = (Verdict.BINARY, Verdict.PURE, Verdict.SOURCE)


@dataclass
class Side:
    """One tool's answer for one file."""

    seconds: float
    versions: dict[str, str]
    via: dict[str, list[str]] = field(default_factory=dict)  # name -> chains/parents
    reasons: dict[str, str] = field(default_factory=dict)  # wheelcheck only
    provenance: dict[str, str] = field(default_factory=dict)  # wheelcheck only: dependencies_from
    problems: list[str] = field(default_factory=list)  # conflicts, errors, uv's stderr
    ok: bool = True


@dataclass
class Comparison:
    file: str
    uv: Side
    wheelcheck: Side
    only_uv: dict[str, str]
    only_wheelcheck: dict[str, str]
    differing: dict[str, tuple[str, str]]  # name -> (uv, wheelcheck)
    unknown_deps: dict[str, str]  # wheelcheck packages whose dependencies it could not read
    declared_deps: dict[str, str]  # ... read from declared files (egg-info, setup.py, ...)

    @property
    def identical(self) -> bool:
        return not (self.only_uv or self.only_wheelcheck or self.differing)


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment minus the host's pip and uv settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    env.update(extra)
    return env


def _uv_command(uv: Path, file: Path, index_url: str, *, annotate: bool) -> list[str]:
    command = [str(uv), "pip", "compile", str(file), *UV_PLATFORM, "--index-url", index_url]
    command += ["--no-config", "--no-header", "--no-python-downloads"]
    command += ["--annotation-style", "line"] if annotate else ["--no-annotate"]
    return command


def _parse_uv(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """`name==version` pins, and each one's `# via` parents when annotated in line style."""
    versions: dict[str, str] = {}
    via: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line, _, comment = raw.partition("#")
        line = line.strip()
        if not line or line.startswith("-"):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        pins = [s.version for s in requirement.specifier if s.operator == "=="]
        if not pins:
            continue
        name = canonicalize_name(requirement.name)
        versions[name] = pins[0]
        comment = comment.strip()
        if comment.startswith("via "):
            via[name] = [p.strip() for p in comment[4:].split(",") if p.strip()]
    return versions, via


def run_uv(uv: Path, file: Path, index_url: str, cache: Path) -> Side:
    """uv's resolution of `file` on a cold cache (timed), then annotated on the warm one."""
    env = _clean_env(
        UV_CACHE_DIR=str(cache),
        # The host has made DNS fail at 32+ new connections; uv's default is 50.
        UV_CONCURRENT_DOWNLOADS="16",
    )
    started = time.perf_counter()
    done = subprocess.run(
        _uv_command(uv, file, index_url, annotate=False),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    versions, _ = _parse_uv(done.stdout)
    side = Side(seconds=seconds, versions=versions, ok=done.returncode == 0)
    if done.returncode != 0:
        side.problems.append(f"uv exited {done.returncode}: {done.stderr.strip()[-2000:]}")
        return side
    annotated = subprocess.run(
        _uv_command(uv, file, index_url, annotate=True),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if annotated.returncode == 0:
        _, side.via = _parse_uv(annotated.stdout)
    return side


def _wheelcheck_side(report: Report, seconds: float) -> Side:
    target = report.targets[0].id
    side = Side(seconds=seconds, versions={})
    for package in report.packages:
        result = package.results.get(target)
        if result is None or result.verdict not in INSTALLED or result.version is None:
            continue
        name = canonicalize_name(package.name)
        side.versions[name] = result.version
        side.via[name] = [" > ".join(package.via)] if package.via else ["(direct)"]
        side.reasons[name] = result.reason
        if result.dependencies_from is not None:
            side.provenance[name] = result.dependencies_from.value
    side.problems += [f"conflict on {t}: {why}" for t, why in report.conflicts.items()]
    side.problems += list(report.errors)
    side.problems += [
        f"{p.name}: {r.verdict.value}: {r.reason}"
        for p in report.packages
        for t, r in p.results.items()
        if t == target and r.verdict in (Verdict.ERROR, Verdict.MISSING, Verdict.NOT_FOUND)
    ]
    side.ok = not (report.conflicts or report.errors)
    return side


def _check_function() -> Callable[..., Report]:
    """wheelcheck's synchronous `check` (the library's public function)."""
    function: Callable[..., Report] = importlib.import_module("wheelcheck").check
    return function


def run_wheelcheck(file: Path, index_url: str) -> Side:
    """wheelcheck's tree for `file` on the one target, without its on-disk cache (cold)."""
    run_check = _check_function()
    started = time.perf_counter()
    report = run_check(
        [file],
        targets=[TARGET],
        arches=[ARCH],
        index_url=index_url,
        environ={},
        pip_config_files=[],
    )
    return _wheelcheck_side(report, time.perf_counter() - started)


def compare(file: Path, uv: Side, wheelcheck: Side) -> Comparison:
    a, b = uv.versions, wheelcheck.versions
    return Comparison(
        file=str(file),
        uv=uv,
        wheelcheck=wheelcheck,
        only_uv={n: a[n] for n in sorted(a.keys() - b.keys())},
        only_wheelcheck={n: b[n] for n in sorted(b.keys() - a.keys())},
        differing={n: (a[n], b[n]) for n in sorted(a.keys() & b.keys()) if a[n] != b[n]},
        unknown_deps={
            n: wheelcheck.reasons[n]
            for n, p in sorted(wheelcheck.provenance.items())
            if p == Provenance.UNKNOWN
        },
        declared_deps={
            n: p for n, p in sorted(wheelcheck.provenance.items()) if Provenance(p).declared
        },
    )


def _via(side: Side, name: str, shown: int = 4) -> str:
    parents = side.via.get(name, [])
    more = f" and {len(parents) - shown} more" if len(parents) > shown else ""
    return (", ".join(parents[:shown]) + more) or "?"


def print_packages(c: Comparison, out: Callable[[str], None] = print) -> None:
    """One line per package either tool installs: ``=`` same version, ``~`` another,
    ``<`` only uv, ``>`` only wheelcheck; then wheelcheck's source of its dependencies."""
    out(f"   {'':2}{'package':<40} {'uv':<16} {'wheelcheck':<16} dependencies from")
    for name in sorted(c.uv.versions.keys() | c.wheelcheck.versions.keys()):
        mine, theirs = c.uv.versions.get(name, "-"), c.wheelcheck.versions.get(name, "-")
        mark = "<" if theirs == "-" else ">" if mine == "-" else "=" if mine == theirs else "~"
        source = c.wheelcheck.provenance.get(name, "-")
        out(f"   {mark:2}{name:<40} {mine:<16} {theirs:<16} {source}")


def print_comparison(
    c: Comparison, out: Callable[[str], None] = print, *, every_package: bool = True
) -> None:
    out(f"== {c.file}")
    if every_package:
        print_packages(c, out)
    out(
        f"   packages: uv {len(c.uv.versions)}, wheelcheck {len(c.wheelcheck.versions)}; "
        f"cold time: uv {c.uv.seconds:.1f}s, wheelcheck {c.wheelcheck.seconds:.1f}s"
    )
    for tool, side in (("uv", c.uv), ("wheelcheck", c.wheelcheck)):
        for problem in side.problems:
            out(f"   {tool} problem: {problem}")
    for name, version in c.only_uv.items():
        out(f"   only in uv:         {name}=={version}  (uv: via {_via(c.uv, name)})")
    for name, version in c.only_wheelcheck.items():
        chain = _via(c.wheelcheck, name)
        out(f"   only in wheelcheck: {name}=={version}  (wheelcheck: via {chain})")
    for name, (mine, theirs) in c.differing.items():
        out(f"   version differs:    {name}: uv {mine}, wheelcheck {theirs}")
        out(f"      uv via {_via(c.uv, name)}; wheelcheck via {_via(c.wheelcheck, name)}")
    for name, reason in c.unknown_deps.items():
        out(f"   wheelcheck could not read the dependencies of {name}: {reason}")
    for name, source in c.declared_deps.items():
        out(f"   wheelcheck read the dependencies of {name} from {source} (declared)")
    out("   identical" if c.identical else "   DIFFERENT")


def _jsonable(c: Comparison) -> dict[str, Any]:
    data = asdict(c)
    data["identical"] = c.identical
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--uv", type=Path, default=DEFAULT_UV, help="the uv binary")
    parser.add_argument("--index-url", default=INDEX)
    parser.add_argument("--json", type=Path, help="write the comparisons here")
    parser.add_argument(
        "--differences-only", action="store_true", help="no line per package, only differences"
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=15.0,
        help="seconds to wait before each timed run (default 15): right after uv's burst of "
        "connections, the next tool's first DNS lookups have stalled 5 s on this machine",
    )
    args = parser.parse_args(argv)
    if not args.uv.exists():
        found = shutil.which("uv")
        if found is None:
            parser.error(f"no uv at {args.uv} nor on PATH")
        args.uv = Path(found)

    comparisons: list[Comparison] = []
    failed = False
    for file in args.files:
        time.sleep(args.pause)
        wheelcheck = run_wheelcheck(file, args.index_url)
        time.sleep(args.pause)
        with tempfile.TemporaryDirectory(prefix="compare-uv-") as cache:
            uv = run_uv(args.uv, file, args.index_url, Path(cache))
        failed |= not (uv.ok and wheelcheck.ok)
        comparison = compare(file, uv, wheelcheck)
        print_comparison(comparison, every_package=not args.differences_only)
        comparisons.append(comparison)
    if args.json:
        args.json.write_text(json.dumps([_jsonable(c) for c in comparisons], indent=2) + "\n")
    summary: Mapping[str, int] = {
        "files": len(comparisons),
        "identical": sum(c.identical for c in comparisons),
    }
    print(f"{summary['identical']}/{summary['files']} files identical")
    if failed:
        return 2
    return 0 if summary["identical"] == summary["files"] else 1


if __name__ == "__main__":
    sys.exit(main())
