"""Cross-check wheelcheck against pip's own finder on a pinned requirements file.

For every ``name==version`` line and every target, pip's PackageFinder (from the pip installed
next to this script) is asked which file it would install on a host of that target, and the
answer is compared with wheelcheck's verdict and file. The target hosts are described here by
hand (Python version, libc family and version, machine), not with wheelcheck's targets.py,
so the check is independent of the code it checks.

Usage::

    python scripts/compare_with_pip.py [examples/llm-app/requirements.lock.txt]
        [--target python:3.12-alpine --target python:3.12-slim-bookworm]
        [--arch amd64 --arch arm64] [--index-url https://pypi.org/simple] [--threads 8]

Exits 0 when every package agrees on every target, 1 on any disagreement or failed lookup.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pip
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from pip._internal.exceptions import NetworkConnectionError
from pip._internal.index.collector import (
    IndexContent,
    LinkCollector,
    _get_simple_response,
    _make_index_content,
)
from pip._internal.index.package_finder import PackageFinder
from pip._internal.models.link import Link
from pip._internal.models.search_scope import SearchScope
from pip._internal.models.selection_prefs import (
    SelectionPreferences,
)
from pip._internal.models.target_python import TargetPython
from pip._internal.network.session import PipSession
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.tags import (
    Tag,
    compatible_tags,
    cpython_tags,
)

import wheelcheck

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "examples/llm-app/requirements.lock.txt"
DEFAULT_TARGETS = ("python:3.12-alpine", "python:3.12-slim-bookworm")
DEFAULT_ARCHES = ("amd64", "arm64")

# The facts of the official images, written out by hand from their public sources
# (https://github.com/docker-library/official-images/blob/master/library/python,
# https://pkgs.alpinelinux.org/packages?name=musl, https://packages.debian.org/trixie/libc6),
# not copied from wheelcheck's data/, so a wrong entry there shows up as a disagreement here.
PYTHON_PATCH = {(3, 10): 21, (3, 11): 16, (3, 12): 14, (3, 13): 15, (3, 14): 7}
VARIANT_LIBC = {
    "alpine": ("musl", (1, 2)),  # Alpine 3.17+: musl 1.2.x
    "slim-bookworm": ("glibc", (2, 36)),
    "bookworm": ("glibc", (2, 36)),
    "slim-trixie": ("glibc", (2, 41)),
    "slim": ("glibc", (2, 41)),
    "trixie": ("glibc", (2, 41)),
}
MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
# PEP 599/600: the oldest glibc a manylinux tag may name, and the legacy aliases.
GLIBC_FLOOR = {"x86_64": 5, "aarch64": 17}
LEGACY_ALIASES = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


@dataclass(frozen=True)
class Host:
    """A machine a real `pip install` runs on: what its own pip would derive from sys."""

    id: str  # same form as wheelcheck's target ids: python:3.12-alpine/arm64
    python: tuple[int, int, int]
    libc: str
    libc_version: tuple[int, int]
    machine: str

    def platforms(self) -> list[str]:
        """The platform tags pip on such a host accepts, most preferred first.

        What pip's vendored packaging.tags._linux_platforms yields there: manylinux (glibc)
        or musllinux (musl) from the host's libc version down, then linux_<machine>.
        """
        arch = self.machine
        major, minor = self.libc_version
        if self.libc == "musl":
            tags = [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
        else:
            tags = []
            for m in range(minor, GLIBC_FLOOR[arch] - 1, -1):
                tags.append(f"manylinux_{major}_{m}_{arch}")
                if m in LEGACY_ALIASES:
                    tags.append(f"{LEGACY_ALIASES[m]}_{arch}")
        return [*tags, f"linux_{arch}"]


class HostTargetPython(TargetPython):
    """A TargetPython whose tags are those of a real host, in the host's order.

    TargetPython(platforms=[...]) runs pip's --platform expansion, which moves manylinux2010
    and manylinux1 up next to manylinux2014; a real host has them after 2_12 and 2_5. The
    tags here are built as pip's get_supported builds them on a host (cpython_tags, then
    compatible_tags), with the platform list as the host would have it.
    """

    def __init__(self, host: Host) -> None:
        super().__init__(
            platforms=host.platforms(),
            py_version_info=host.python,
            abis=[f"cp{host.python[0]}{host.python[1]}"],
            implementation="cp",
        )
        version = host.python[:2]
        platforms = host.platforms()
        self.host_tags: list[Tag] = [
            *cpython_tags(python_version=version, abis=self.abis, platforms=platforms),
            *compatible_tags(
                python_version=version,
                interpreter=f"cp{version[0]}{version[1]}",
                platforms=platforms,
            ),
        ]

    # pip <= 23.2 asks get_tags(); pip >= 23.3 asks the sorted list and the set.
    def get_tags(self) -> list[Tag]:
        return self.host_tags

    def get_sorted_tags(self) -> list[Tag]:
        return self.host_tags

    def get_unsorted_tags(self) -> set[Tag]:
        return set(self.host_tags)


class PageFetchError(Exception):
    """A project page could not be fetched after retries (never a 404)."""


class RetryingCollector(LinkCollector):
    """pip's LinkCollector, but a failed fetch raises instead of reading as an empty page.

    pip turns every fetch failure into "no page" (and so "no candidates"), which would pass a
    network fault off as a `missing` verdict. Pages are fetched with pip's own request
    (_get_simple_response: its Accept header for PEP 691 JSON / HTML) and parsed by pip, and
    kept, so the finders of several targets share one fetch.
    """

    def __init__(self, session: Any, search_scope: Any, attempts: int = 4) -> None:
        super().__init__(session=session, search_scope=search_scope)
        self.attempts = attempts
        self.pages: dict[str, IndexContent | None] = {}
        self.not_found: set[str] = set()

    def fetch_response(
        self, location: Link, package_name: str | None = None
    ) -> IndexContent | None:
        url = location.url.split("#", 1)[0]
        if url in self.pages:
            return self.pages[url]
        error: Exception | None = None
        for attempt in range(self.attempts):
            try:
                response = _get_simple_response(url, session=self.session)
            except NetworkConnectionError as exc:
                status = getattr(exc.response, "status_code", None)
                if status == 404:
                    self.not_found.add(url)
                    self.pages[url] = None
                    return None
                error = exc
            except Exception as exc:  # requests' and urllib3's errors, after their retries
                error = exc
            else:
                page = _make_index_content(response, location.cache_link_parsing)
                self.pages[url] = page
                return page
            time.sleep(0.5 * 2**attempt)
        raise PageFetchError(f"{url}: {error}")


@dataclass(frozen=True)
class Answer:
    verdict: str  # binary, pure, source, missing, not-found, error
    file: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        text = self.verdict + (f" {self.file}" if self.file else "")
        return text + (f" ({self.detail})" if self.detail else "")


class PipOracle:
    """pip's answer for one pin on several hosts; one session and collector per thread."""

    def __init__(self, index_url: str, hosts: Sequence[Host]) -> None:
        self.index_url = index_url
        self.hosts = hosts
        self.local = threading.local()

    def _finders(self) -> tuple[RetryingCollector, dict[str, Any]]:
        if not hasattr(self.local, "finders"):
            session = PipSession(retries=3)
            session.timeout = 30
            scope = SearchScope.create(find_links=[], index_urls=[self.index_url], no_index=False)
            collector = RetryingCollector(session, scope)
            # pip's resolver builds its finder with allow_yanked=True and then applies
            # PEP 592 itself (see answer()).
            prefs = SelectionPreferences(allow_yanked=True)
            self.local.collector = collector
            self.local.finders = {
                h.id: PackageFinder.create(
                    link_collector=collector,
                    selection_prefs=prefs,
                    target_python=HostTargetPython(h),
                )
                for h in self.hosts
            }
        return self.local.collector, self.local.finders

    def answer(self, name: str, version: str) -> dict[str, Answer]:
        """What pip installs for ``name==version`` on each host, keyed by host id."""
        collector, finders = self._finders()
        specifier = SpecifierSet(f"=={version}")
        answers: dict[str, Answer] = {}
        for host_id, finder in finders.items():
            try:
                result = finder.find_best_candidate(name, specifier=specifier)
            except PageFetchError as exc:
                answers[host_id] = Answer("error", detail=str(exc))
                continue
            locations = collector.search_scope.get_index_urls_locations(name)
            if locations and all(u.split("#", 1)[0] in collector.not_found for u in locations):
                answers[host_id] = Answer("not-found")
                continue
            # pip >= 24.1: a list attribute; before: iter_applicable().
            applicable = getattr(result, "applicable_candidates", None)
            if applicable is None:
                applicable = list(result.iter_applicable())
            answers[host_id] = _pick(applicable, specifier)
        return answers


def _pick(applicable: list[Any], specifier: Any) -> Answer:
    """The first candidate pip's resolver tries, as factory._iter_found_candidates does."""
    all_yanked = all(c.link.is_yanked for c in applicable)
    pinned = any(
        s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
        for s in specifier
    )
    for candidate in reversed(applicable):  # the finder sorts worst first
        if candidate.link.is_yanked and not (all_yanked and pinned):
            continue
        filename = candidate.link.filename
        if not candidate.link.is_wheel:
            return Answer("source", filename)
        _, _, _, tags = parse_wheel_filename(filename)
        pure = all(t.platform == "any" for t in tags)
        return Answer("pure" if pure else "binary", filename)
    return Answer("missing")


def read_pins(path: Path) -> list[tuple[str, str]]:
    """(name, version) for every ``name==version`` line; other lines are ignored.

    Exits (SystemExit) when a project is pinned twice: the comparison is per project.
    """
    pins: list[tuple[str, str]] = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line.split(";", 1)[0].split(" --", 1)[0])
        except InvalidRequirement:
            continue
        clauses = list(req.specifier)
        if len(clauses) == 1 and clauses[0].operator == "==":
            pins.append((canonicalize_name(req.name), clauses[0].version))
    # wheelcheck (like pip) merges lines naming one project; a pinned file names each once.
    twice = sorted(n for n, k in Counter(n for n, _ in pins).items() if k > 1)
    if twice:
        raise SystemExit(f"{path}: pinned more than once: {', '.join(twice)}")
    return pins


def make_hosts(images: Iterable[str], arches: Iterable[str]) -> list[Host]:
    hosts = []
    for image in images:
        repo, _, tag = image.partition(":")
        version_text, _, variant = tag.partition("-")
        minor = tuple(int(p) for p in version_text.split("."))
        if repo != "python" or len(minor) != 2 or variant not in VARIANT_LIBC:
            raise SystemExit(f"unsupported image {image!r} (python:3.X-{'|'.join(VARIANT_LIBC)})")
        libc, libc_version = VARIANT_LIBC[variant]
        python = (minor[0], minor[1], PYTHON_PATCH[(minor[0], minor[1])])
        for arch in arches:
            if arch not in MACHINES:
                raise SystemExit(f"unsupported arch {arch!r} ({', '.join(MACHINES)})")
            hosts.append(Host(f"{image}/{arch}", python, libc, libc_version, MACHINES[arch]))
    return hosts


def wheelcheck_answers(
    path: Path, images: Sequence[str], arches: Sequence[str], index_url: str
) -> dict[str, dict[str, Answer]]:
    """wheelcheck's verdict and file per package (canonical name) and target id."""
    report = wheelcheck.check(
        [path],
        targets=list(images),
        arches=list(arches),
        index_url=index_url,
        environ={},
        pip_config_files=[],
        max_connections=8,
        no_deps=True,  # judge the pins themselves; the file is the whole tree
    )
    answers: dict[str, dict[str, Answer]] = {}
    for package in report.packages:
        answers[canonicalize_name(package.name)] = {
            target_id: Answer(
                result.verdict.value,
                result.file,
                result.reason if result.verdict.value == "error" else "",
            )
            for target_id, result in package.results.items()
        }
    return answers


def isolate_from_host_pip() -> None:
    """This host's pip configuration (files, PIP_* variables) must not shape pip's answer."""
    for name in [n for n in os.environ if n.startswith("PIP_")]:
        del os.environ[name]
    os.environ["PIP_CONFIG_FILE"] = os.devnull


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--target", action="append", dest="targets", metavar="IMAGE")
    parser.add_argument("--arch", action="append", dest="arches", metavar="ARCH")
    parser.add_argument("--index-url", default="https://pypi.org/simple")
    parser.add_argument("--threads", type=int, default=8, help="at most 8")
    parser.add_argument("--verbose", action="store_true", help="list every non-pure answer")
    args = parser.parse_args(argv)
    isolate_from_host_pip()
    logging.getLogger("pip").setLevel(logging.ERROR)

    images = args.targets or list(DEFAULT_TARGETS)
    arches = args.arches or list(DEFAULT_ARCHES)
    hosts = make_hosts(images, arches)
    pins = read_pins(args.file)
    print(f"pip {pip.__version__}, wheelcheck {wheelcheck.__version__}, index {args.index_url}")
    print(f"{len(pins)} pins from {args.file}; targets: {', '.join(h.id for h in hosts)}")

    started = time.monotonic()
    oracle = PipOracle(args.index_url, hosts)
    with ThreadPoolExecutor(max_workers=max(1, min(8, args.threads))) as pool:
        pip_answers = dict(zip(pins, pool.map(lambda pin: oracle.answer(*pin), pins), strict=True))
    pip_seconds = time.monotonic() - started

    started = time.monotonic()
    wc_answers = wheelcheck_answers(args.file, images, arches, args.index_url)
    wc_seconds = time.monotonic() - started

    agree = 0
    disagreements: list[str] = []
    counts: dict[str, Counter[str]] = {h.id: Counter() for h in hosts}
    for (name, version), by_host in pip_answers.items():
        for host in hosts:
            mine = by_host[host.id]
            theirs = wc_answers.get(name, {}).get(host.id, Answer("absent from the report"))
            counts[host.id][mine.verdict] += 1
            if args.verbose and mine.verdict != "pure":
                print(f"  {host.id:32} {name}=={version}: {mine}")
            if (mine.verdict, mine.file) == (
                theirs.verdict,
                theirs.file,
            ) and mine.verdict != "error":
                agree += 1
            else:
                disagreements.append(
                    f"{name}=={version} on {host.id}:\n    pip:        {mine}\n"
                    f"    wheelcheck: {theirs}"
                )

    print(f"\npip's finder: {pip_seconds:.1f}s; wheelcheck: {wc_seconds:.1f}s")
    for host_id, counter in counts.items():
        spread = ", ".join(f"{v} {n}" for v, n in sorted(counter.items()))
        print(f"  {host_id:32} pip says: {spread}")
    total = len(pins) * len(hosts)
    print(
        f"{len(pins)} packages x {len(hosts)} targets = {total} answers: {agree} agree, "
        f"{len(disagreements)} disagree"
    )
    for text in disagreements:
        print(text)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
