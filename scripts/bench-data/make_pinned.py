"""Build the benchmark's pinned file: popular projects, every one with a musl x86_64 wheel.

Steps (see README.md beside this script):

1. read project names, most downloaded first (``popular-names.txt``);
2. keep those whose newest release has a wheel that pip installs on
   ``cp312-musllinux_1_2_x86_64`` (a musllinux wheel or a pure-Python wheel), judged by
   wheelcheck with ``--no-deps`` against the live index;
3. let uv resolve the kept names together for that target with ``--only-binary :all:``, so
   the pins are one consistent set that uv and pip both install to the end; a name uv
   cannot resolve with the others is dropped and the resolution repeated.

Usage::

    python scripts/bench-data/make_pinned.py [--names N] [--out pinned-musl.txt]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import wheelcheck

HERE = Path(__file__).resolve().parent
UV = Path(sys.executable).parent / "uv"
TARGET = "cp312-musllinux_1_2_x86_64"


def installable(names: list[str]) -> list[str]:
    report = wheelcheck.check(
        requirements=names,
        targets=[TARGET],
        no_deps=True,
        index_url="https://pypi.org/simple",
        pip_config_files=(),
        max_connections=8,
    )
    keep = {
        p.name
        for p in report.packages
        if all(r.verdict in ("binary", "pure") for r in p.results.values())
    }
    return [n for n in names if n in keep]


def uv_compile(names: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".in", delete=False) as handle:
        handle.write("\n".join(names) + "\n")
    command = [
        str(UV), "pip", "compile", handle.name, "--no-config", "--no-header",
        "--no-annotate", "--index-url", "https://pypi.org/simple",
        "--python-platform", "x86_64-unknown-linux-musl", "--python-version", "3.12",
        "--only-binary", ":all:", "-o", str(out),
    ]  # fmt: skip
    # More than about 16 concurrent connections make DNS fail on some networks.
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "UV_CONCURRENT_DOWNLOADS": "8"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=1500, help="how many popular names")
    parser.add_argument("--out", type=Path, default=HERE / "pinned-musl.txt")
    parser.add_argument("--kept", type=Path, help="skip step 2: names already filtered")
    args = parser.parse_args()
    names = [
        line.strip()
        for line in (HERE / "popular-names.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ][: args.names]
    kept = installable(names) if args.kept is None else args.kept.read_text().split()
    print(f"{len(kept)} of {len(names)} names have a wheel for {TARGET}", file=sys.stderr)
    for _round in range(200):
        result = uv_compile(kept, args.out)
        if result.returncode == 0:
            break
        # uv explains a failure through the requirements it could not satisfy together:
        # drop every requested name its explanation mentions, and try again.
        words = {w.lower() for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", result.stderr)}
        dropped = [n for n in kept if n.lower() in words]
        if not dropped:
            print(result.stderr, file=sys.stderr)
            return 1
        print(f"dropping {len(dropped)}: {' '.join(dropped)}", file=sys.stderr, flush=True)
        kept = [n for n in kept if n not in dropped]
    pins = [line for line in args.out.read_text().splitlines() if "==" in line]
    header = (
        f"# {len(pins)} pins: popular projects resolved together by uv for {TARGET}\n"
        "# with --only-binary :all:; made by scripts/bench-data/make_pinned.py\n"
    )
    args.out.write_text(header + "\n".join(pins) + "\n")
    print(f"{len(pins)} pins written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
