"""Benchmark wheelcheck against uv and pip, side by side, in one run, on the live index.

For each requirements file (the README's example app, the 1,161 pins of
bench-data/pinned-musl.txt checked ``--no-deps``, ten unpinned names): a cold phase (a
fresh cache directory for every tool), a warm phase (the same directories again) and an
offline phase (cache only; pip has none), each tool run as a child process, timed (wall
clock) and measured (peak resident memory, from ``os.wait4``). wheelcheck checks 4 targets
(python:3.12-alpine and -slim, amd64 and arm64), with its defaults (advice and sizes on)
and with ``--no-advice``, each with its own cache; uv and pip check one (CPython 3.12,
musllinux_1_2 x86_64; pip is given musllinux_1_1 too, which older pips do not infer), with
``--only-binary :all:`` except for the README's example, which uv resolves as it is. In the
warm and offline phases wheelcheck runs twice: as a user would (an identical earlier check
is reused while nothing it read has changed) and "recomputed", with the kept checks removed
first, so every page and dependency is read back from the cache and judged again. Prints a
table with each median's ratio to uv's and pip's; ``--json`` keeps the figures. ``--sizes``
then runs scripts/compare_sizes.py with this interpreter (its pip installs the example
apps' 20 largest wheels per target and the estimates are compared with what it wrote).

Usage::

    python scripts/bench.py                       # every file, one run each
    python scripts/bench.py --runs 3 --json bench.json
    python scripts/bench.py --only unpinned
    python scripts/bench.py --only readme --only pinned --runs 3 --no-pip --uv ~/uv-venv/bin/uv
    python scripts/bench.py --runs 3 --sizes      # timings, then the installed sizes

Every tool keeps to 8 concurrent connections, the most this machine's users may open to
PyPI (32 and more at once have made DNS fail here): uv by UV_CONCURRENT_DOWNLOADS=8, the
plain fetch by its pool; wheelcheck's pool is its default, 8.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
DATASETS = {
    "readme": ROOT / "examples" / "llm-app" / "requirements.txt",
    "pinned": HERE / "bench-data" / "pinned-musl.txt",
    "unpinned": HERE / "bench-data" / "unpinned-10.txt",
}
# The README's example is the user's first check: uv resolves it (psycopg2 has no wheel for
# musl, so --only-binary would fail) and wheelcheck runs with its defaults, advice on.
RESOLVE_ONLY = {"readme"}
# A closed set of pins: checked --no-deps, as the figures were.
NO_DEPS = {"pinned"}
# wheelcheck's configurations: the default (advice and sizes on) and --no-advice.
MODES = {"wheelcheck": [], "wheelcheck-no-advice": ["--no-advice"]}
UV = BIN / "uv"
INDEX = "https://pypi.org/simple"


@dataclass
class Run:
    dataset: str
    phase: str  # cold, warm, offline
    tool: str
    seconds: float
    peak_mb: float
    exit_code: int
    packages: int | None


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment minus this machine's pip and tool settings, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "WHEELCHECK_", "VIRTUAL_ENV"))
    }
    env["PIP_CONFIG_FILE"] = os.devnull
    env.update(extra)
    return env


def _measure(
    command: list[str], env: dict[str, str], limit: float | None = None
) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, stderr tail) of one child process, killed (exit -9)
    after `limit` seconds when given."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        timer = threading.Timer(limit, process.kill) if limit else None
        if timer is not None:
            timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        if timer is not None:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace")[-600:]
    return seconds, usage.ru_maxrss / 1024, process.returncode, tail


def _count_wheelcheck(report: Path) -> int | None:
    try:
        return len(json.loads(report.read_text())["packages"])
    except (OSError, ValueError, KeyError):
        return None


def _count_uv(output: Path) -> int | None:
    try:
        return sum(1 for line in output.read_text().splitlines() if "==" in line)
    except OSError:
        return None


def _count_pip(report: Path) -> int | None:
    try:
        return len(json.loads(report.read_text())["install"])
    except (OSError, ValueError, KeyError):
        return None


# A plain httpx fetch of every project page in uv's resolution, with wheelcheck's pool size.
_FETCH = """
import asyncio, re, sys, httpx
names = sorted({re.split(r"[=\\[ ]", l)[0].lower() for l in open(sys.argv[1]) if "==" in l})
async def main():
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    async with httpx.AsyncClient(limits=limits, headers=accept, timeout=60) as client:
        async def one(name):
            response = await client.get(f"https://pypi.org/simple/{name}/")
            return len(response.content)
        sizes = await asyncio.gather(*(one(n) for n in names))
    print(f"{len(names)} pages, {sum(sizes) / 1e6:.0f} MB", file=sys.stderr)
    open(sys.argv[2], "w").write("\\n".join(names))
asyncio.run(main())
"""


def _count_lines(path: Path) -> int | None:
    try:
        return len(path.read_text().split())
    except OSError:
        return None


def _wheelcheck_jobs(
    tool: str,
    extra: list[str],
    name: str,
    requirements: Path,
    out: Path,
    caches: dict[str, Path],
    phase: str,
) -> list[tuple[str, list[str], dict[str, str], Path, object]]:
    """wheelcheck's runs in one configuration (`extra` options, its own cache), and the
    same check recomputed (kept reports removed) once the cache is warm."""
    report = out / f"{tool}.json"
    command = [str(BIN / "wheelcheck"), "check", str(requirements), "-i", INDEX, *extra]
    command += ["-q", "--format", "json", "-o", str(report), "--cache-dir", str(caches[tool])]
    if name in NO_DEPS:
        command.append("--no-deps")
    if phase == "offline":
        command.append("--offline")
    env = _clean_env()
    jobs: list[tuple[str, list[str], dict[str, str], Path, object]] = []
    jobs.append((tool, command, env, report, _count_wheelcheck))
    if phase != "cold":
        again = out / f"{tool}-recomputed.json"
        command = [str(again) if part == str(report) else part for part in command]
        jobs.append((f"{tool}-recomputed", command, env, again, _count_wheelcheck))
    return jobs


SETTINGS: dict[str, object] = {"no_pip": False, "uv": UV}  # one run's --no-pip and --uv


def run_dataset(
    name: str,
    requirements: Path,
    work: Path,
    limits: dict[str, float] | None = None,
    pip_python: Path = Path(sys.executable),
) -> tuple[list[Run], list[tuple[Run, object, Path]]]:
    """The runs of one file, and (run, counter, result file) to count once all are done."""
    caches = {tool: work / f"{tool}-cache" for tool in (*MODES, "uv", "pip")}
    for path in caches.values():
        shutil.rmtree(path, ignore_errors=True)
    runs: list[Run] = []
    results: list[tuple[Run, object, Path]] = []
    for phase in ("cold", "warm", "offline"):
        out = work / phase
        out.mkdir(parents=True, exist_ok=True)
        jobs: list[tuple[str, list[str], dict[str, str], Path, object]] = []

        for tool, extra in MODES.items():
            jobs += _wheelcheck_jobs(tool, extra, name, requirements, out, caches, phase)

        compiled = out / "uv.txt"
        command = [str(SETTINGS["uv"]), "pip", "compile", str(requirements), "--no-config"]
        command += ["--python-platform", "x86_64-unknown-linux-musl", "--python-version", "3.12"]
        if name not in RESOLVE_ONLY:
            command += ["--only-binary", ":all:"]
        command += ["--index-url", INDEX, "--no-header", "-q"]
        command += ["-o", str(compiled)]
        if phase == "offline":
            command.append("--offline")
        env = _clean_env(UV_CACHE_DIR=str(caches["uv"]), UV_CONCURRENT_DOWNLOADS="8")
        jobs.append(("uv", command, env, compiled, _count_uv))

        if phase != "offline" and not SETTINGS["no_pip"]:  # pip has no cache-only mode for an index
            pip_report = out / "pip.json"
            command = [str(pip_python), "-m", "pip", "install", "--dry-run", "--quiet"]
            command += ["--report", str(pip_report), "--ignore-installed", "--only-binary"]
            # pip (before 24) does not expand musllinux_1_2 to the older musllinux_1_1 that
            # many wheels carry, as it does for manylinux: name both, as musl 1.2 accepts.
            command += [":all:", "--python-version", "3.12"]
            command += ["--platform", "musllinux_1_2_x86_64", "--platform", "musllinux_1_1_x86_64"]
            command += ["--target", str(out / "pip-target"), "--index-url", INDEX]
            command += ["--cache-dir", str(caches["pip"]), "-r", str(requirements)]
            jobs.append(("pip", command, _clean_env(), pip_report, _count_pip))

        if phase == "cold":  # the floor: every page of the tree, fetched and nothing else
            names = work / "names.txt"
            command = [sys.executable, "-c", _FETCH, str(compiled), str(names)]
            jobs.append(("httpx-fetch", command, _clean_env(), names, _count_lines))

        for tool, command, env, result, count in jobs:
            result.unlink(missing_ok=True)
            if tool.endswith("-recomputed"):
                for kept in caches[tool.removesuffix("-recomputed")].glob("checks-v*"):
                    shutil.rmtree(kept)
            seconds, peak, code, tail = _measure(command, env, (limits or {}).get(tool))
            runs.append(Run(name, phase, tool, seconds, peak, code, None))
            results.append((runs[-1], count, result))
            print(
                f"  {name:8} {phase:7} {tool:21} {seconds:7.2f} s {peak:7.0f} MB exit {code}",
                file=sys.stderr,
                flush=True,
            )
            mine = tool.startswith("wheelcheck")
            if code not in (0, 1) or (not mine and code != 0) or tool == "httpx-fetch":
                print("    " + tail.strip().replace("\n", "\n    "), file=sys.stderr)
    return runs, results


def summarize(runs: list[Run]) -> str:
    """One row per file, phase and tool: median seconds, largest peak, packages, and the
    ratio of its median to uv's (and pip's) in the same file and phase."""
    groups: dict[tuple[str, str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.dataset, run.phase, run.tool), []).append(run)
    median = {key: statistics.median(r.seconds for r in rs) for key, rs in groups.items()}
    lines = [
        "| file | phase | tool | median s | peak MB | packages | runs | x uv | x pip |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (dataset, phase, tool), found in groups.items():
        codes = sorted({r.exit_code for r in found})
        note = "" if codes in ([0], [1], [0, 1]) else f" (exit {codes})"
        if -9 in codes:
            note = " (killed at the time limit)"
        ratios = []
        for other in ("uv", "pip"):
            base = median.get((dataset, phase, other))
            ratios.append(f"{median[(dataset, phase, tool)] / base:.2f}" if base else "n/a")
        lines.append(
            f"| {dataset} | {phase} | {tool}{note} | {median[(dataset, phase, tool)]:.2f} "
            f"| {max(r.peak_mb for r in found):.0f} | {found[-1].packages} | {len(found)} "
            f"| {ratios[0]} | {ratios[1]} |"
        )
    for dataset in dict.fromkeys(r.dataset for r in runs):
        fetch = groups.get((dataset, "cold", "httpx-fetch"))
        if fetch:
            lines.append(
                f"\n{dataset}: a plain httpx fetch (8 connections) of the {fetch[-1].packages} "
                f"project pages of the tree takes {median[(dataset, 'cold', 'httpx-fetch')]:.2f} s"
            )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        mem = f"{int(memory) / 1024 / 1024:.0f} GiB"
    except OSError:
        mem = "?"
    system = f"{platform.platform()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {system}"


def versions(pip_python: Path) -> str:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            return done.stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    return ", ".join(
        [
            first_line([str(BIN / "wheelcheck"), "--version"]),
            first_line([str(SETTINGS["uv"]), "--version"]),
            first_line([str(pip_python), "-m", "pip", "--version"]).split(" from ")[0]
            + f" (Python {first_line([str(pip_python), '--version']).split()[-1]})",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=list(DATASETS), action="append")
    parser.add_argument("--json", type=Path, help="write every run here")
    parser.add_argument(
        "--pip-limit",
        type=float,
        metavar="SECONDS",
        help="kill pip after this long (it reads whole wheels when the index advertises no "
        "metadata files: hours for 1,000+ packages); the table says so",
    )
    parser.add_argument(
        "--pip-python",
        type=Path,
        default=Path(sys.executable),
        metavar="PYTHON",
        help="the interpreter whose pip runs (default: this one); give a Python 3.12 with a "
        "current pip: pip 23 checks Requires-Python against its own interpreter in --dry-run",
    )
    parser.add_argument("--no-pip", action="store_true", help="leave pip out")
    parser.add_argument("--uv", type=Path, default=UV, help="the uv binary (default: beside)")
    parser.add_argument(
        "--sizes",
        action="store_true",
        help="then compare installed-size estimates with pip's installs (compare_sizes.py)",
    )
    args = parser.parse_args()
    SETTINGS.update(no_pip=args.no_pip, uv=args.uv)
    limits = {"pip": args.pip_limit} if args.pip_limit else None
    runs: list[Run] = []
    results: list[tuple[Run, object, Path]] = []
    with tempfile.TemporaryDirectory(prefix="wheelcheck-bench-") as tmp:
        for repeat in range(args.runs):
            for name in args.only or list(DATASETS):
                work = Path(tmp) / f"{name}-{repeat}"
                found, to_count = run_dataset(name, DATASETS[name], work, limits, args.pip_python)
                runs += found
                results += to_count
        # Counted only now: loading a report of 1,000+ packages grows this process by 100+
        # MB, and a child started after that would begin with as much resident memory (it
        # is forked from this process), so its measured peak would be too high.
        for run, count, result in results:
            run.packages = count(result)  # type: ignore[operator]
    print(f"machine: {machine()}")
    print(f"tools: {versions(args.pip_python)}")
    print(summarize(runs))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1) + "\n")
    if args.sizes:
        # Its own process: it installs with this interpreter's pip, whose Python the
        # compared targets use (python:X.Y-slim and -alpine for this X.Y). From the
        # repository root: its default inputs are the example apps' relative paths.
        print("\ninstalled sizes (scripts/compare_sizes.py):", flush=True)
        return subprocess.run(
            [sys.executable, str(HERE / "compare_sizes.py")], check=False, cwd=ROOT
        ).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
