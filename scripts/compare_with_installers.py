"""Compare wheelcheck with the installer that reads each lockfile, pin by pin, on one target.

For every input file the installer that would read it is asked what it installs on this
machine's platform with Python 3.12 (Linux, glibc 2.36, x86_64: wheelcheck's target
``cp312-manylinux_2_36_x86_64``), from a Python 3.12 environment, so markers are evaluated
for 3.12 (pip evaluates them for the interpreter it runs in, whatever ``--python-version``
says, and refuses platform options for pylock.toml):

- ``uv.lock``: ``uv export --frozen --no-default-groups`` (with hashes, so only the lock's
  files are allowed), then ``pip install --dry-run --report --no-deps`` of that export; the
  pins wheelcheck says build from an sdist are tried alone (agreement: pip finds no wheel);
- ``pylock.toml``: ``pip install --dry-run --report --no-deps -r pylock.toml`` (pip 26 reads
  PEP 751 files and installs only the files they list);
- ``poetry.lock``: ``poetry install --dry-run --no-root --only main`` in a Python 3.12
  environment: the set of packages (Poetry prints no file names);
- anything else (a requirements file with ``--hash``): ``pip install --dry-run --report``,
  resolving dependencies in pip's hash mode.

pip runs with ``--only-binary=:all:`` (nothing is built): a pin whose only candidate is an
sdist makes pip fail, as a pin with no file at all does. Per pin, the two agree when both
install the same version from the same file (Poetry: the same version); when the installer
fails as a whole, the file agrees when wheelcheck also reports something that does not
install from a wheel. Poetry builds sdists, so a pin wheelcheck calls ``source`` counts as
installed there. A file the oracle cannot read at all is listed, not compared.

Usage::

    python scripts/compare_with_installers.py [FILE ...] [--pip PIP] [--uv UV]
        [--poetry POETRY] [--python PYTHON3.12] [--group NAME ...] [--json out.json]

``--pip`` must be a pip 26 of a Python 3.12 environment; ``--python`` a Python 3.12.

Default files: the lockfiles under tests/data/lockfiles and scripts/compare-data (its README
names each file's source). Talks to the live PyPI. Exits 0 when
every compared file agrees, 1 otherwise, 2 when no oracle could run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.utils import canonicalize_name

import wheelcheck
from wheelcheck.models import Report, Verdict

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "tests" / "data" / "lockfiles"
# Real public lockfiles copied verbatim for this comparison; their README names the sources.
COMPARE_DATA = ROOT / "scripts" / "compare-data"
DEFAULT_FILES = (
    LOCKS / "uv" / "uv.lock",
    LOCKS / "uv" / "pylock.toml",
    LOCKS / "poetry2" / "poetry.lock",
    LOCKS / "poetry1" / "poetry.lock",
    LOCKS / "real" / "uv-torch-cpu" / "uv.lock",
    LOCKS / "real" / "pylock.windows.toml",
    LOCKS / "real" / "poetry-py313" / "poetry.lock",
    LOCKS / "real" / "hashed" / "lint.txt",
    LOCKS / "real" / "hashed" / "lint-sdist-hash.txt",
    *(
        COMPARE_DATA / name
        for name in (
            "comfy-cli/uv.lock",
            "paperless-ngx/uv.lock",
            "sigstore-python/uv.lock",
            "mealie/poetry.lock",
            "poetry/poetry.lock",
            "textual/poetry.lock",
            "comfy-cli/pylock.toml",
            "ldlite/pylock.toml",
            "ldlite/pylock.maximal.toml",
            "sigstore-python/install/requirements.txt",
            "warehouse/main.txt",
            "warehouse/tests.txt",
            "warehouse/lint.txt",
            "warehouse/docs-blog.txt",
        )
    ),
)
TARGET = "cp312-manylinux_2_36_x86_64"
INDEX = "https://pypi.org/simple"
INSTALLED = (Verdict.BINARY, Verdict.PURE, Verdict.SOURCE)
# (version, file name or None when the oracle names no file)
Pins = dict[str, tuple[str, str | None]]


@dataclass
class Tools:
    pip: str
    uv: str
    poetry: str
    python: str
    groups: tuple[str, ...]


@dataclass
class Outcome:
    """What one side says: the pins it installs, or why the installer fails (`error`)."""

    oracle: str
    pins: Pins = field(default_factory=dict)
    error: str | None = None
    files_known: bool = True
    unavailable: bool = False  # the oracle could not run at all: nothing is compared
    # wheelcheck: pins it says build from an sdist; installer: pins that do not install
    # from a wheel when asked alone (pip --only-binary fails on them)
    built: Pins = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)


def environment() -> dict[str, str]:
    """The machine's pip and uv configuration stays out: both ask PyPI only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "UV_NO_CONFIG": "1"}


def run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=environment(), capture_output=True, text=True, check=False
    )


def first_error(process: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (process.stderr + process.stdout).splitlines() if ln.strip()]
    marked = [ln for ln in lines if ln.startswith(("ERROR", "error", "\u00d7", "Because"))]
    return (marked or lines or [f"exit {process.returncode}"])[0][:300]


def pip_dry_run(tools: Tools, source: Path, *, no_deps: bool, oracle: str) -> Outcome:
    """pip's plan for the target from `source` (requirements or pylock.toml)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        argv = [tools.pip, "install", "--dry-run", "--quiet", "--ignore-installed"]
        argv += ["--report", str(report), "--index-url", INDEX, "--only-binary=:all:"]
        argv += ["--target", str(Path(scratch) / "target"), "-r", str(source)]
        if no_deps:
            argv.append("--no-deps")
        process = run(argv)
        if process.returncode != 0 or not report.exists():
            return Outcome(oracle, error=first_error(process))
        pins: Pins = {}
        for item in json.loads(report.read_text())["install"]:
            url = item["download_info"]["url"]
            name = unquote(PurePosixPath(urlsplit(url).path).name)
            metadata = item["metadata"]
            pins[canonicalize_name(metadata["name"])] = (metadata["version"], name)
        return Outcome(oracle, pins)


def export_stanzas(text: str) -> dict[str, str]:
    """uv's requirements export as one stanza per package (its line and --hash lines)."""
    stanzas: dict[str, str] = {}
    name = None
    for line in text.splitlines(keepends=True):
        if line.strip() and not line[0].isspace() and not line.startswith(("#", "-")):
            name = canonicalize_name(line.split("==")[0].split(" ")[0].split("[")[0])
            stanzas[name] = ""
        if name is not None:
            stanzas[name] += line
    return stanzas


def uv_lock_oracle(tools: Tools, lock: Path, built: Pins) -> Outcome:
    """uv's export of the lock (hashes: only its files), installed by pip without deps.

    The pins wheelcheck says build from an sdist are left out of that install (pip, which
    builds nothing here, would fail as a whole on them) and tried one by one instead."""
    with tempfile.TemporaryDirectory() as scratch:
        exported = Path(scratch) / "requirements.txt"
        argv = [tools.uv, "export", "--frozen", "--format", "requirements-txt", "--no-header"]
        argv += ["--no-emit-project", "--no-emit-workspace", "--no-default-groups"]
        argv += ["-o", str(exported)]
        argv += [arg for group in tools.groups for arg in ("--group", group)]
        process = run(argv, cwd=lock.parent)
        if process.returncode != 0:
            why = f"uv export failed: {first_error(process)}"
            return Outcome("uv export", error=why, unavailable=True)
        stanzas = export_stanzas(exported.read_text())
        refused = set()
        for name in sorted(set(built) & set(stanzas)):
            alone = Path(scratch) / f"{name}.txt"
            alone.write_text(stanzas.pop(name))
            if pip_dry_run(tools, alone, no_deps=True, oracle="pip").error is not None:
                refused.add(name)
        exported.write_text("".join(stanzas.values()))
        outcome = pip_dry_run(tools, exported, no_deps=True, oracle="uv export + pip --dry-run")
        outcome.refused = refused
        return outcome


def poetry_oracle(tools: Tools, lock: Path) -> Outcome:
    """Poetry's install plan in a Python 3.12 environment of this machine (names, versions)."""
    if not (lock.parent / "pyproject.toml").exists():
        return Outcome("poetry", error="no pyproject.toml beside the lock", unavailable=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "project"
        shutil.copytree(lock.parent, work)
        env_dir = Path(scratch) / "venv"
        made = run([tools.python, "-m", "venv", str(env_dir)])
        if made.returncode != 0:
            why = f"no Python 3.12 venv: {first_error(made)}"
            return Outcome("poetry", error=why, unavailable=True)
        argv = [tools.poetry, "install", "--dry-run", "--no-root", "--no-interaction"]
        argv += ["--only", ",".join(("main", *tools.groups))]
        path = f"{env_dir}/bin:{os.environ['PATH']}"
        env = {**environment(), "VIRTUAL_ENV": str(env_dir), "PATH": path}
        process = subprocess.run(
            argv, cwd=work, env=env, capture_output=True, text=True, check=False
        )
        if process.returncode != 0:
            return Outcome("poetry install --dry-run", error=first_error(process))
        pins: Pins = {}
        for line in process.stdout.splitlines():
            # "  - Installing anyio (4.16.0)": one operation per package
            words = line.strip().removeprefix("- ").split()
            if len(words) == 3 and words[0] in ("Installing", "Updating", "Downgrading"):
                pins[canonicalize_name(words[1])] = (words[2].strip("()"), None)
        return Outcome("poetry install --dry-run", pins, files_known=False)


def oracle(tools: Tools, source: Path, ours: Outcome) -> Outcome:
    if source.name == "uv.lock":
        return uv_lock_oracle(tools, source, ours.built)
    if source.name == "poetry.lock":
        return poetry_oracle(tools, source)
    if source.name.startswith("pylock.") and source.suffix == ".toml":
        return pip_dry_run(tools, source, no_deps=True, oracle="pip --dry-run (pylock)")
    return pip_dry_run(tools, source, no_deps=False, oracle="pip --dry-run (hash mode)")


def wheelcheck_side(source: Path, groups: tuple[str, ...]) -> Outcome:
    """wheelcheck's verdicts on the target: the pins that install, and what does not."""
    try:
        report: Report = wheelcheck.check(
            [source],
            targets=[TARGET],
            index_url=INDEX,
            pip_config_files=[],
            environ={},
            advice=False,
            groups=list(groups) if source.name != "poetry.lock" else [],
        )
    except wheelcheck.WheelcheckError as error:
        return Outcome("wheelcheck", error=str(error).splitlines()[0])
    pins: Pins = {}
    built: Pins = {}
    refused: list[str] = []
    target = report.targets[0].id
    for package in report.packages:
        result = package.results[target]
        name = canonicalize_name(package.name)
        if result.verdict in (Verdict.BINARY, Verdict.PURE) and result.version:
            pins[name] = (result.version, result.file)
        elif result.verdict not in (Verdict.SKIPPED, Verdict.UNCHECKED):
            refused.append(f"{name}: {result.verdict.value}")
            if result.verdict is Verdict.SOURCE and result.version:
                built[name] = (result.version, result.file)
    return Outcome("wheelcheck", pins, error="; ".join(refused) or None, built=built)


def compare(theirs: Outcome, ours: Outcome) -> dict[str, Any]:
    """Per-pin agreement when the installer succeeded; else whether both say it fails."""
    if theirs.unavailable:
        return {"judged": 0, "agree": 0, "differ": []}
    if theirs.error is not None:
        agree = ours.error is not None
        return {"judged": 1, "agree": int(agree), "differ": [] if agree else ["installer fails"]}
    differ = []
    # Poetry builds sdists: a pin wheelcheck says builds is installed there too
    installed = ours.pins if theirs.files_known else {**ours.built, **ours.pins}
    names = sorted(set(theirs.pins) | set(installed) | theirs.refused)
    for name in names:
        if name in theirs.refused:
            if name not in ours.built:
                differ.append(f"{name}: wheelcheck {ours.pins.get(name)}, installer no wheel")
            continue
        mine, other = installed.get(name), theirs.pins.get(name)
        same = (
            mine is not None
            and other is not None
            and mine[0] == other[0]
            and (not theirs.files_known or mine[1] == other[1])
        )
        if not same:
            differ.append(f"{name}: wheelcheck {mine}, installer {other}")
    return {"judged": len(names), "agree": len(names) - len(differ), "differ": differ}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--pip", default="pip")
    parser.add_argument("--uv", default="uv")
    parser.add_argument("--poetry", default="poetry")
    parser.add_argument("--python", default="python3.12", help="a Python 3.12 for Poetry")
    parser.add_argument("--group", action="append", default=[])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    tools = Tools(args.pip, args.uv, args.poetry, args.python, tuple(args.group))
    rows = []
    for source in args.files:
        ours = wheelcheck_side(source, tools.groups)
        theirs = oracle(tools, source, ours)
        row = {"file": str(source), "oracle": theirs.oracle, **compare(theirs, ours)}
        row["installer_error"], row["wheelcheck_problems"] = theirs.error, ours.error
        rows.append(row)
        print(
            f"{source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}: "
            f"{theirs.oracle}: {row['agree']}/{row['judged']} agree"
        )
        for line in row["differ"]:
            print(f"    {line}")
        if theirs.error:
            print(f"    installer: {theirs.error}")
        if ours.error:
            print(f"    wheelcheck: {ours.error}")
    judged = sum(r["judged"] for r in rows)
    agree = sum(r["agree"] for r in rows)
    print(f"total: {agree}/{judged} agree over {len(rows)} files")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if agree == judged else 1


if __name__ == "__main__":
    sys.exit(main())
