"""Compare wheelcheck's installed-size estimate with what pip really writes, wheel by wheel.

Usage: python scripts/compare_sizes.py [REQUIREMENTS ...] [--top 20] [--target IMAGE ...]

It checks REQUIREMENTS (default: the three example apps' requirements.txt, their whole
trees) on amd64 targets (default: this Python's -slim and -alpine images) with sizes on,
takes per target the N largest wheels by file size, installs each with ``pip install
--no-deps --target <scratch>`` for that target's platform (pip compiles the .pyc files with
the running interpreter, so the targets' Python should be this one's), sums the apparent
sizes of every file written and prints estimate vs real. pip's configuration
and PIP_* variables are kept out (PIP_CONFIG_FILE=/dev/null, --index-url pypi.org). Exits 1
when any wheel is off by more than --tolerance (default 5%).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import wheelcheck
from wheelcheck.models import Target, Verdict

INDEX = "https://pypi.org/simple"


def tree_size(root: Path) -> int:
    """Apparent size of every regular file under `root` (what `du --apparent-size` sums)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


EXAMPLES = [
    "examples/llm-app/requirements.txt",
    "examples/django-app/requirements.txt",
    "examples/data-science/requirements.txt",
]


def _platforms(target: Target) -> list[str]:
    """pip's --platform arguments for `target`: pip matches them literally (pypa/pip#10760),
    so every libc version the target may use is named."""
    arch = target.arch
    if target.libc == "musl":
        tags = [f"musllinux_1_{minor}_{arch}" for minor in range(target.libc_version[1], -1, -1)]
    else:
        tags = [f"manylinux_2_{minor}_{arch}" for minor in range(target.libc_version[1], 4, -1)]
        tags += [f"manylinux2014_{arch}", f"manylinux1_{arch}"]
    return [arg for tag in tags for arg in ("--platform", tag)]


def _wheels(report: wheelcheck.Report) -> list[tuple[Target, str, str, str, int]]:
    """(target, name, version, file, estimate) of every wheel the check would install."""
    rows = []
    for target in report.targets:
        for package in report.packages:
            result = package.results.get(target.id)
            if result is None or result.verdict not in (Verdict.BINARY, Verdict.PURE):
                continue
            if result.installed_size and result.file:
                rows.append((target, package.name, result.version or "", result.file,
                             result.installed_size))  # fmt: skip
    return rows


def _install(target: Target, name: str, version: str, where: Path) -> None:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    for key in [k for k in env if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"]:
        del env[key]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
        "--no-cache-dir", "--disable-pip-version-check", "--index-url", INDEX,
        "--only-binary", ":all:", *_platforms(target),
        "--python-version", target.python, "--implementation", "cp",
        "--target", str(where), f"{name}=={version}",
    ]  # fmt: skip
    subprocess.run(command, check=True, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="*", default=EXAMPLES)
    parser.add_argument("--top", type=int, default=20)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    parser.add_argument(
        "--target", action="append", default=None,
        help=f"default: python:{python}-slim and python:{python}-alpine",
    )  # fmt: skip
    parser.add_argument("--tolerance", type=float, default=0.05)
    args = parser.parse_args()
    targets = args.target or [f"python:{python}-slim", f"python:{python}-alpine"]
    options = {"targets": targets, "arches": ["amd64"], "advice": True, "sizes": True}
    rows: dict[tuple[str, str], tuple[Target, str, str, str, int]] = {}
    for requirements in args.requirements:
        report = wheelcheck.check([requirements], index_url=INDEX, environ={},
                                  pip_config_files=[], **options)  # fmt: skip
        for row in _wheels(report):
            rows[(row[0].id, row[3])] = row
    if any(row[0].python != python for row in rows.values()):
        print(f"warning: a target's Python is not {python}, the one pip compiles with")
    # "Largest wheels": by the size the index states for the file, per target.
    sizes = _file_sizes(sorted({row[1] for row in rows.values()}))
    chosen = []
    for target_id in dict.fromkeys(key[0] for key in rows):
        mine = [row for key, row in rows.items() if key[0] == target_id]
        mine.sort(key=lambda row: -(sizes.get(row[3]) or 0))
        chosen += mine[: args.top]
    worst = 0.0
    print(
        f"{'target':22} {'package':24} {'wheel MB':>9} {'estimate':>12} {'real':>12} {'error':>7}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        for index, (target, name, version, filename, estimate) in enumerate(chosen):
            where = Path(scratch) / str(index)
            _install(target, name, version, where)
            real = tree_size(where)
            error = (estimate - real) / real
            worst = max(worst, abs(error))
            wheel_mb = (sizes.get(filename) or 0) / 1e6
            print(f"{target.image:22} {name:24} {wheel_mb:9.1f} {estimate:12,} {real:12,} "
                  f"{error:+7.1%}  {filename}")  # fmt: skip
            shutil.rmtree(where)
    print(f"worst error {worst:.1%} (tolerance {args.tolerance:.0%}) over {len(chosen)} wheels")
    return 0 if worst <= args.tolerance else 1


def _file_sizes(names: list[str]) -> dict[str, int]:
    """Every file's size as the index states it (file name -> bytes), for these projects."""
    import asyncio

    from packaging.utils import canonicalize_name

    from wheelcheck._index import IndexChoice, IndexClient, select_indexes

    async def lookup() -> dict[str, int]:
        settings = select_indexes(IndexChoice(index_url=INDEX), environ={}, pip_config_files=[])
        async with IndexClient(settings) as client:
            pages = await asyncio.gather(*(client.get_project(canonicalize_name(n)) for n in names))
        return {
            f.filename: f.size
            for page in pages
            if page is not None
            for f in page.files
            if f.size is not None
        }

    return asyncio.run(lookup())


if __name__ == "__main__":
    sys.exit(main())
