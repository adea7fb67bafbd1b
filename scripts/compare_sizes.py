"""Compare wheelcheck's installed-size estimate with what pip really writes, wheel by wheel.

Usage: python scripts/compare_sizes.py [REQUIREMENTS] [--top 10] [--target python:3.11-slim]

It checks REQUIREMENTS (default: examples/llm-app/requirements.lock.txt, pinned) on one
amd64 target with sizes on, takes the N largest wheels by file size, installs each with
``pip install --no-deps --target <scratch>`` for that target's platform (pip compiles the
.pyc files with the running interpreter, so the target's Python should be this one's), sums
the apparent sizes of every file written and prints estimate vs real. pip's configuration
and PIP_* variables are kept out (PIP_CONFIG_FILE=/dev/null, --index-url pypi.org). Exits 1
when any wheel is off by more than --tolerance (default 5%).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import wheelcheck
from wheelcheck.models import Verdict

INDEX = "https://pypi.org/simple"


def tree_size(root: Path) -> int:
    """Apparent size of every regular file under `root` (what `du --apparent-size` sums)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="?", default="examples/llm-app/requirements.lock.txt")
    parser.add_argument("--top", type=int, default=10)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    parser.add_argument("--target", default=f"python:{python}-slim")
    parser.add_argument("--tolerance", type=float, default=0.05)
    args = parser.parse_args()

    report = wheelcheck.check(
        [args.requirements],
        targets=[args.target],
        arches=["amd64"],
        no_deps=True,
        advice=True,
        sizes=True,
        index_url=INDEX,
        environ={},
        pip_config_files=[],
    )
    target = report.targets[0]
    if target.python != python:
        print(f"warning: target Python {target.python} but pip compiles with {python}")
    rows = []
    for package in report.packages:
        result = package.results[target.id]
        if result.verdict in (Verdict.BINARY, Verdict.PURE) and result.installed_size:
            rows.append((package.name, result.version or "", result.file or "", result))
    # "Largest wheels": by the size the index states for the file.
    sizes = _file_sizes([row[0] for row in rows])
    rows.sort(key=lambda row: -(sizes.get(row[2]) or 0))
    # pip's --platform matches literally (pypa/pip#10760): name every glibc it may use.
    platforms = [
        arg
        for minor in range(target.libc_version[1], 4, -1)
        for arg in ("--platform", f"manylinux_2_{minor}_{target.arch}")
    ] + ["--platform", f"manylinux2014_{target.arch}", "--platform", f"manylinux1_{target.arch}"]
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    for key in [k for k in env if k.startswith("PIP_") and k != "PIP_CONFIG_FILE"]:
        del env[key]
    worst = 0.0
    print(f"{'package':24} {'wheel MB':>9} {'estimate':>12} {'real':>12} {'error':>7}")
    with tempfile.TemporaryDirectory() as scratch:
        for name, version, filename, result in rows[: args.top]:
            where = Path(scratch) / name
            command = [
                sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                "--no-cache-dir", "--disable-pip-version-check", "--index-url", INDEX,
                "--only-binary", ":all:", *platforms,
                "--python-version", target.python, "--implementation", "cp",
                "--target", str(where), f"{name}=={version}",
            ]  # fmt: skip
            subprocess.run(command, check=True, env=env)
            real = tree_size(where)
            estimate = result.installed_size or 0
            error = (estimate - real) / real
            worst = max(worst, abs(error))
            wheel_mb = (sizes.get(filename) or 0) / 1e6
            print(f"{name:24} {wheel_mb:9.1f} {estimate:12,} {real:12,} {error:+7.1%}  {filename}")
    print(f"worst error {worst:.1%} (tolerance {args.tolerance:.0%})")
    return 0 if worst <= args.tolerance else 1


def _file_sizes(names: list[str]) -> dict[str, int]:
    """Every file's size as the index states it (file name -> bytes), for these projects."""
    import asyncio

    from packaging.utils import canonicalize_name

    from wheelcheck._index import IndexClient, select_indexes

    async def lookup() -> dict[str, int]:
        settings = select_indexes(
            cli_index_url=INDEX,
            cli_extra_index_urls=(),
            mirror=None,
            file_index_url=None,
            file_extra_index_urls=(),
            environ={},
            pip_config_files=[],
        )
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
