"""Compare wheelcheck's package set with pdm's and pipenv's for pdm.lock, Pipfile.lock and Pipfile.

For each real file under tests/data/lockfiles the tool that wrote it says what it installs,
and wheelcheck's report is reduced to the same thing: the set of ``name==version`` a target
installs (whatever the verdict: a package with nothing installable is still in the set
its tool would try to install). Per file and target (Linux x86_64 and aarch64):

- ``pdm.lock``: ``pdm export -f requirements --no-hashes --prod`` (the default group, as
  wheelcheck reads the lock without ``--dev``), its markers evaluated for the target; a
  lock without environment markers (lock_version 4.0), which pdm refuses to export, is
  asked ``pdm sync --dry-run --prod --no-self`` instead, on this machine only (x86_64);
- ``Pipfile.lock``: ``pipenv requirements`` (``default``; ``--dev`` adds ``develop``), with
  the Pipfile it was locked from beside it, its markers evaluated for the target;
- ``Pipfile``: ``pipenv lock`` (pipenv's own resolution, against the live PyPI) then
  ``pipenv requirements``, compared with wheelcheck's tree from the same Pipfile.

The Python of a target is the file's own when it names one (a Pipfile's or Pipfile.lock's
``python_version``: pipenv locks for it, and wheelcheck judges only targets inside it),
else this machine's. Markers are evaluated with packaging for that Python on Linux.

Usage::

    python scripts/compare_formats.py [--pdm PDM] [--pipenv PIPENV] [--json out.json]
        [--record tests/data/lockfiles/installers]

PDM and PIPENV are the commands of a scratch environment, never the project's: ``pip
install pdm pipenv 'hishel[httpx2]>=1.4,<2'`` (pdm 2.29.4's ``sync`` fails with hishel 2.0,
which no longer has what it imports). ``--record`` writes what each tool printed, which
tests/test_compare_formats.py holds wheelcheck to offline. Talks to the live PyPI; the
machine's pip configuration is kept out. Exits 0 when every compared file agrees on every
target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

import wheelcheck
from wheelcheck.models import Verdict

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "tests" / "data" / "lockfiles"
INDEX = "https://pypi.org/simple"
MACHINES = ("x86_64", "aarch64")
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class Case:
    """One file compared: its kind, the directory a tool runs in, and what it selects."""

    path: Path
    kind: str  # pdm.lock | Pipfile.lock | Pipfile
    dev: bool = False
    companions: tuple[Path, ...] = ()  # files the tool needs beside it (the Pipfile)

    @property
    def label(self) -> str:
        return f"{self.path.relative_to(ROOT)}{' --dev' if self.dev else ''}"


CASES = (
    Case(LOCKS / "pdm" / "demo" / "pdm.lock", "pdm.lock"),
    Case(LOCKS / "pdm" / "anyapi" / "pdm.lock", "pdm.lock"),
    Case(LOCKS / "pdm" / "shrugbot" / "pdm.lock", "pdm.lock"),
    *(
        Case(
            LOCKS / "pipfile_lock" / name / "Pipfile.lock",
            "Pipfile.lock",
            dev=dev,
            companions=(LOCKS / "pipfile" / name / "Pipfile",),
        )
        for name in ("pipenv-examples", "libpythonpro21")
        for dev in (False, True)
    ),
    Case(LOCKS / "pipfile" / "pipenv-examples" / "Pipfile", "Pipfile"),
    Case(LOCKS / "pipfile" / "libpythonpro21" / "Pipfile", "Pipfile"),
    Case(LOCKS / "pipfile" / "pipenv-2017" / "Pipfile", "Pipfile"),
)

# name -> version
Pins = dict[str, str]


@dataclass
class Answer:
    """What one side installs per machine, or why it gave no answer."""

    tool: str
    by_machine: dict[str, Pins] = field(default_factory=dict)
    error: str | None = None
    output: str = ""  # what the tool printed, for --record


def environment(scratch: Path) -> dict[str, str]:
    """The machine's pip, pdm and pipenv settings stay out; caches live in the scratch."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PDM_", "PIPENV_"))}
    return {
        **keep,
        "PIP_CONFIG_FILE": os.devnull,
        "PDM_CHECK_UPDATE": "false",
        "PDM_IGNORE_SAVED_PYTHON": "1",
        "PDM_CACHE_DIR": str(scratch / "pdm-cache"),
        "PIPENV_VERBOSITY": "-1",
        "PIPENV_IGNORE_VIRTUALENVS": "1",
        "PIPENV_VENV_IN_PROJECT": "1",
        "PIPENV_PYTHON": sys.executable,
        "PIPENV_CACHE_DIR": str(scratch / "pipenv-cache"),
        "WORKON_HOME": str(scratch / "venvs"),
    }


def run(argv: list[str], cwd: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=environment(scratch), capture_output=True, text=True, check=False
    )


def first_error(process: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (process.stderr + process.stdout).splitlines() if ln.strip()]
    marked = [ln for ln in lines if "rror" in ln or ln.startswith("[")]
    return (marked or lines or [f"exit {process.returncode}"])[-1][:300]


def python_of(case: Case) -> str:
    """The Python a target of this file runs: the file's python_version, else this one."""
    try:
        if case.kind == "Pipfile":
            data = tomllib.loads(case.path.read_text(encoding="utf-8"))
            named = data.get("requires", {}).get("python_version")
        elif case.kind == "Pipfile.lock":
            meta = json.loads(case.path.read_text(encoding="utf-8")).get("_meta", {})
            named = meta.get("requires", {}).get("python_version")
        else:
            named = None
    except (OSError, ValueError, AttributeError):
        named = None
    return named if isinstance(named, str) else HERE


def marker_environment(python: str, machine: str) -> dict[str, str]:
    env = dict(default_environment())
    full = platform.python_version() if python == HERE else f"{python}.0"
    env.update(
        python_version=python,
        python_full_version=full,
        implementation_version=full,
        sys_platform="linux",
        platform_system="Linux",
        os_name="posix",
        platform_machine=machine,
    )
    return env


def exported_pins(text: str, env: dict[str, str]) -> Pins:
    """``name==version; marker`` lines of an export, those whose marker holds in `env`."""
    pins: Pins = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line.rstrip("\\").strip())
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(env):
            continue
        clauses = [s for s in requirement.specifier if s.operator in ("==", "===")]
        pins[canonicalize_name(requirement.name)] = clauses[0].version if clauses else "?"
    return pins


def per_machine(tool: str, text: str, python: str) -> Answer:
    pins = {m: exported_pins(text, marker_environment(python, m)) for m in MACHINES}
    return Answer(tool, pins, output=text)


def dry_run_pins(text: str) -> Pins:
    """``  - name version`` lines of ``pdm sync --dry-run``."""
    pins: Pins = {}
    for line in text.splitlines():
        words = line.strip().removeprefix("- ").split()
        if len(words) == 2 and line.strip().startswith("- "):
            pins[canonicalize_name(words[0])] = words[1]
    return pins


def pdm_answer(case: Case, work: Path, scratch: Path, pdm: str) -> Answer:
    python = python_of(case)
    export = [pdm, "export", "-f", "requirements", "--no-hashes", "--prod"]
    process = run(export, work, scratch)
    if process.returncode == 0:
        return per_machine("pdm export", process.stdout, python)
    if "without environment markers" not in process.stdout + process.stderr:
        return Answer("pdm export", error=first_error(process))
    # lock_version 4.0: pdm's own install plan on this machine (Linux x86_64)
    process = run([pdm, "sync", "--dry-run", "--prod", "--no-self"], work, scratch)
    if process.returncode != 0:
        return Answer("pdm sync --dry-run", error=first_error(process))
    pins = dry_run_pins(process.stdout)
    tool = "pdm sync --dry-run (x86_64 only)"
    return Answer(tool, {platform.machine(): pins}, output=process.stdout)


def pipenv_answer(case: Case, work: Path, scratch: Path, pipenv: str) -> Answer:
    python = python_of(case)
    tool = "pipenv requirements"
    if case.kind == "Pipfile":
        process = run([pipenv, "lock"], work, scratch)
        if process.returncode != 0:
            return Answer("pipenv lock", error=first_error(process))
        tool = "pipenv lock + requirements"
    process = run([pipenv, "requirements", *(["--dev"] if case.dev else [])], work, scratch)
    if process.returncode != 0:
        return Answer(tool, error=first_error(process))
    return per_machine(tool, process.stdout, python)


def wheelcheck_answer(case: Case, index_url: str = INDEX) -> Answer:
    python = python_of(case)
    major, minor = python.split(".")[:2]
    targets = [f"cp{major}{minor}-manylinux_2_36_{m}" for m in MACHINES]
    try:
        report = wheelcheck.check(
            [case.path],
            targets=targets,
            index_url=index_url,
            pip_config_files=[],
            environ={},
            advice=False,
            dev=case.dev,
        )
    except wheelcheck.WheelcheckError as error:
        return Answer("wheelcheck", error=str(error).splitlines()[0])
    answer = Answer("wheelcheck")
    for target, machine in zip(report.targets, MACHINES, strict=True):
        pins: Pins = {}
        for package in report.packages:
            result = package.results[target.id]
            if result.verdict in (Verdict.SKIPPED, Verdict.UNCHECKED):
                continue
            pinned = package.requirement.partition("==")[2].split(";")[0].strip()
            pins[canonicalize_name(package.name)] = result.version or pinned or "?"
        answer.by_machine[machine] = pins
    return answer


def compare(theirs: Answer, ours: Answer) -> dict[str, Any]:
    row: dict[str, Any] = {"tool": theirs.tool, "targets": {}}
    if theirs.error or ours.error:
        row["error"] = {"tool": theirs.error, "wheelcheck": ours.error}
        return row
    for machine, expected in theirs.by_machine.items():
        got = ours.by_machine.get(machine, {})
        differ = [
            f"{name}: wheelcheck {got.get(name)}, {theirs.tool} {expected.get(name)}"
            for name in sorted(set(expected) | set(got))
            if got.get(name) != expected.get(name)
        ]
        row["targets"][machine] = {"packages": len(expected), "differ": differ}
    return row


def record_name(case: Case) -> str:
    """The file name of a tool's recorded output: ``pipfile_lock-libpythonpro21-dev.txt``."""
    kind = case.path.parent.parent.name
    return f"{kind}-{case.path.parent.name}{'-dev' if case.dev else ''}.txt"


def one(case: Case, tools: dict[str, str], record: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        work = scratch / "project"
        shutil.copytree(case.path.parent, work)
        for companion in case.companions:
            shutil.copy(companion, work / companion.name)
        asks: Callable[[Case, Path, Path, str], Answer]
        asks, command = (
            (pdm_answer, tools["pdm"])
            if case.kind == "pdm.lock"
            else (pipenv_answer, tools["pipenv"])
        )
        theirs = asks(case, work, scratch, command)
    if record is not None and theirs.error is None:
        head = f"# {theirs.tool} of {case.label}, by scripts/compare_formats.py\n"
        (record / record_name(case)).write_text(head + theirs.output, encoding="utf-8")
    ours = wheelcheck_answer(case)
    return {"file": case.label, "python": python_of(case), **compare(theirs, ours)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pdm", default="pdm")
    parser.add_argument("--pipenv", default="pipenv")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--record", type=Path, help="write each tool's output here")
    args = parser.parse_args(argv)
    tools = {"pdm": args.pdm, "pipenv": args.pipenv}
    if args.record is not None:
        args.record.mkdir(parents=True, exist_ok=True)
    rows = [one(case, tools, args.record) for case in CASES]
    agree = 0
    for row in rows:
        head = f"{row['file']} (Python {row['python']}): {row['tool']}"
        if "error" in row:
            print(f"{head}: not compared: {row['error']}")
            continue
        verdicts = []
        for machine, result in row["targets"].items():
            state = "agree" if not result["differ"] else f"{len(result['differ'])} differ"
            verdicts.append(f"{machine} {result['packages']} packages, {state}")
        same = all(not r["differ"] for r in row["targets"].values())
        agree += same
        print(f"{head}: {'; '.join(verdicts)}")
        for machine, result in row["targets"].items():
            for line in result["differ"]:
                print(f"    {machine}: {line}")
    compared = sum("error" not in row for row in rows)
    print(f"total: {agree}/{compared} compared files agree on every target ({len(rows)} files)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if agree == compared else 1


if __name__ == "__main__":
    sys.exit(main())
