"""Installed size from a wheel's zip directory, image estimates, and the advice pass as a whole.

The advice pass runs against an in-memory HTTP transport that answers range requests like
files.pythonhosted.org, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import io
import re
import tarfile
import zipfile

import httpx
import pytest
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

from wheelcheck._advise.fetch import advise_report
from wheelcheck._advise.recommend import recommend
from wheelcheck._advise.size import (
    MB,
    base_image_size,
    footprint,
    full_image_includes,
    installed_size,
    is_test_module,
    is_test_support_module,
    module_features,
    pyc_bytes,
    pyc_fit,
    target_size,
    toolchain_mb,
    wheel_installed_size,
)
from wheelcheck._data import read_json
from wheelcheck._index import IndexChoice, IndexClient, select_indexes
from wheelcheck._judge.targets import parse_targets
from wheelcheck._metadata.zipread import MemoryByteSource, ZipEntry, zip_entries
from wheelcheck.models import (
    BuildNeeds,
    DistFile,
    PackageResult,
    ProjectPage,
    Recommendation,
    Report,
    TargetResult,
    Verdict,
)

FILES = "https://files.invalid/"
INDEX = "https://index.invalid/simple"


def entry(name: str, size: int) -> ZipEntry:
    return ZipEntry(name, size // 3, size, 0, 8)


# --- the size of one wheel -------------------------------------------------------------------


def pycs(*entries: ZipEntry, python: tuple[int, int] = (3, 12)) -> int:
    """The .pyc bytes the model gives for these modules, one by one."""
    return sum(pyc_bytes(module_features(e), python) for e in entries)


def test_installed_size_counts_files_and_a_pyc_per_module_only() -> None:
    modules = [entry("pkg/__init__.py", 1000), entry("pkg-1.0.data/purelib/extra.py", 3000)]
    entries = [
        entry("pkg/", 0),
        *modules,
        entry("pkg/_speedups.so", 500_000),
        entry("pkg/py.typed", 0),
        entry("pkg-1.0.data/scripts/tool.py", 2000),  # a script: not compiled
        entry("pkg-1.0.dist-info/RECORD", 400),
    ]
    size = wheel_installed_size(entries, (3, 12))
    files = 1000 + 500_000 + 2000 + 3000 + 400
    assert files + pycs(*modules) < size < files + pycs(*modules) + 1000  # RECORD, INSTALLER


def test_the_pyc_model_is_read_from_the_shipped_fit_of_each_python_minor() -> None:
    document = read_json("pyc-model.json")
    assert sorted(document["fits"]) == ["3.10", "3.11", "3.12", "3.13", "3.8", "3.9"]
    urls = document["fit_wheels"] + document["held_out_wheels"]
    assert all(url.startswith("https://files.pythonhosted.org/") for url in urls)
    assert not set(document["fit_wheels"]) & set(document["held_out_wheels"])
    module = entry("pkg/core.py", 10_000)
    for minor, fit in document["fits"].items():
        python = (3, int(minor.split(".")[1]))
        assert pyc_fit(python).python == python
        features = module_features(module)
        expected = round(sum(c * x for c, x in zip(fit["coefficients"], features, strict=True)))
        assert pyc_bytes(features, python) == max(expected, 100)
    # Each minor's own fit: the same module is not priced the same everywhere.
    assert len({pyc_bytes(module_features(module), (3, m)) for m in range(8, 14)}) == 6


def test_a_minor_without_a_fit_uses_the_nearest_and_the_size_says_so() -> None:
    module = module_features(entry("pkg/core.py", 10_000))
    assert pyc_fit((3, 14)).python == (3, 13) and pyc_fit((3, 7)).python == (3, 8)
    assert pyc_bytes(module, (3, 14)) == pyc_bytes(module, (3, 13))
    own = target_size({"a": 10}, python=(3, 12))
    assert (own.pyc_model, own.note) == ("3.12", None)
    stand_in = target_size({"a": 10}, python=(3, 14))
    assert stand_in.pyc_model == "3.13"
    assert stand_in.note == (
        "no .pyc model for Python 3.14: the .pyc files are estimated with the Python 3.13 fit"
    )
    assert stand_in.to_dict()["note"] == stand_in.note


def test_test_modules_and_repetitive_text_are_priced_by_the_directory_alone() -> None:
    assert is_test_module("pandas/tests/frame/test_api.py") and is_test_module("pkg/test_x.py")
    assert is_test_module("pkg/conftest.py") and not is_test_module("pkg/testing_utils.py")
    assert not is_test_module("pkg/core.py")
    # In a tests/ folder but not test code: fixtures, helpers, recorded results.
    assert is_test_support_module("statsmodels/genmod/tests/results/results_glm.py")
    assert is_test_support_module("pkg/tests/__init__.py")
    assert not is_test_support_module("pkg/tests/test_core.py")
    assert not is_test_support_module("pkg/core.py")
    code = ZipEntry("pkg/core.py", 3000, 10_000, 0, 8)
    docs = ZipEntry("pkg/generated.py", 1000, 10_000, 0, 8)  # deflates 10:1: repetitive text
    test = ZipEntry("pkg/tests/test_core.py", 3000, 10_000, 0, 8)
    results = ZipEntry("pkg/tests/results/results_core.py", 3000, 10_000, 0, 8)
    assert pycs(docs) < pycs(code) < pycs(test)
    # Recorded results (long literals) compile to fewer bytes than the tests that use them.
    assert pycs(results) < pycs(test)
    stored = ZipEntry("pkg/core.py", 10_000, 10_000, 0, 0)  # no deflated size to go by
    assert pycs(stored) == pycs(
        ZipEntry("pkg/core.py", round(10_000 * read_json("pyc-model.json")["stored_deflate_ratio"]),
                 10_000, 0, 8)
    )  # fmt: skip


def test_a_footprint_sizes_a_wheel_for_any_python_without_its_members() -> None:
    entries = [entry(f"p/m{i}.py", 1000 * i) for i in range(1, 30)] + [entry("p/_c.so", 9999)]
    found = footprint(entries)
    assert (found.modules, found.source_bytes) == (29, sum(1000 * i for i in range(1, 30)))
    for python in ((3, 8), (3, 12), (3, 14)):
        assert installed_size(found, python) == wheel_installed_size(entries, python)
    one_by_one = 9999 + found.source_bytes + pycs(*entries[:29])
    assert abs(installed_size(found) - one_by_one - 29 * 80 - found.module_path_chars) <= 30


def test_target_size_sums_known_sizes_and_names_the_largest_and_unknown() -> None:
    size = target_size({"a": 10, "b": 300, "c": None, "d": 20}, top=2)
    assert size.installed_bytes == 330
    assert size.packages == 3
    assert size.largest == (("b", 300), ("d", 20))
    assert size.unknown == ("c",)


# --- images and toolchains ---------------------------------------------------------------


def test_base_images_order_and_fallback_platform() -> None:
    alpine = base_image_size("alpine", "linux/amd64")
    slim = base_image_size("slim", "linux/amd64")
    full = base_image_size("full", "linux/amd64")
    assert alpine and slim and full
    assert alpine.uncompressed_mb < slim.uncompressed_mb < full.uncompressed_mb
    assert alpine.compressed_mb == 18.0  # from docker-library/repo-info, not an estimate
    s390x = base_image_size("slim", "linux/s390x")  # no row: amd64's numbers
    assert s390x is not None and s390x.uncompressed_mb == slim.uncompressed_mb


def test_one_table_holds_every_image_size() -> None:
    """The advice's base sizes and Dockerfile rule WCD001's pull sizes (the closest image:
    same distribution, then Python, then platform) are rows of data/image-sizes.json only."""
    from wheelcheck._data import names, read_text

    assert [n for n in names() if "compressed_mb" in read_text(n)] == ["image-sizes.json"]
    bookworm = base_image_size("full", "linux/arm64", distro="bookworm", python="3.10")
    assert bookworm is not None and bookworm.image == "python:3.10-bookworm"
    assert (bookworm.compressed_mb, bookworm.uncompressed_mb) == (366.9, 1080.0)
    assert base_image_size("distro", "linux/amd64") is None


def test_toolchain_sizes() -> None:
    gcc = toolchain_mb("alpine", ["gcc"], ["gcc", "musl-dev"])
    gxx = toolchain_mb("alpine", ["g++"], ["g++", "musl-dev"])
    both = toolchain_mb("alpine", ["gcc", "g++"], ["gcc", "g++", "musl-dev"])
    assert 0 < gcc < gxx == both  # g++ brings gcc
    rust = toolchain_mb("debian", ["cargo", "gcc"], ["cargo", "rustc", "gcc", "libc6-dev"])
    assert rust > toolchain_mb("debian", ["gcc"], ["gcc", "libc6-dev"]) + 100
    # The full image carries gcc and libpq-dev already: a psycopg2 build adds nothing.
    assert toolchain_mb("debian", ["gcc"], ["build-essential", "libpq-dev"],
                        present=full_image_includes()) == 0  # fmt: skip


# --- the recommendation with numbers -------------------------------------------------------

TARGETS = parse_targets(["python:3.12-alpine", "python:3.12-slim"], ["amd64"], None)
ALPINE, SLIM = (t.id for t in TARGETS)


def results(alpine: TargetResult, slim: TargetResult) -> dict[str, TargetResult]:
    return {ALPINE: alpine, SLIM: slim}


WHEEL = TargetResult(Verdict.BINARY, "wheel", "1.0", "x.whl", installed_size=50 * MB)
PURE_SDIST = TargetResult(
    Verdict.SOURCE, "sdist", "1.0", "y.tar.gz", build=BuildNeeds("pure", "setup.py only")
)
NATIVE = BuildNeeds("native", "ext_modules", ("c",), ("gcc",), "apk", ("gcc", "musl-dev"))
NATIVE_SDIST = TargetResult(Verdict.SOURCE, "sdist", "1.0", "z.tar.gz", build=NATIVE)


def sizes_for(packages: list[PackageResult]) -> dict[str, object]:
    found = {}
    for target in TARGETS:
        found[target.id] = target_size(
            {p.name: p.results[target.id].installed_size for p in packages}
        )
    return found


def test_a_pure_python_sdist_does_not_block_alpine() -> None:
    packages = [
        PackageResult("x", "x", None, results(WHEEL, WHEEL)),
        PackageResult("y", "y", None, results(PURE_SDIST, PURE_SDIST)),
    ]
    chosen = recommend(TARGETS, packages, sizes=sizes_for(packages))  # type: ignore[arg-type]
    assert chosen.image == "python:3.12-alpine"
    alpine = next(c for c in chosen.candidates if c.variant == "alpine")
    assert alpine.native_builds == () and alpine.pure_builds == ("y",)
    assert "no compiler needed" in alpine.summary
    assert any("slim would cost ~" in r for r in chosen.reasons)
    assert chosen.assumptions


def test_native_builds_on_alpine_only_give_a_quantitative_verdict() -> None:
    slim_wheel = TargetResult(Verdict.BINARY, "wheel", "1.0", "z.whl", installed_size=5 * MB)
    packages = [
        PackageResult("x", "x", None, results(WHEEL, WHEEL)),
        PackageResult("z", "z", None, results(NATIVE_SDIST, slim_wheel)),
    ]
    chosen: Recommendation = recommend(TARGETS, packages, sizes=sizes_for(packages))  # type: ignore[arg-type]
    assert chosen.image == "python:3.12-slim"
    verdict = chosen.reasons[0]
    assert re.fullmatch(
        r"alpine would save ~\d+ MB but compiles 1 native package on amd64 \(gcc\); choose slim",
        verdict,
    ), verdict
    alpine = next(c for c in chosen.candidates if c.variant == "alpine")
    assert (
        alpine.single_stage_mb
        > alpine.multi_stage_mb
        == pytest.approx(alpine.base_mb + alpine.packages_mb, abs=0.2)
    )
    assert "apk del .build-deps" in alpine.dockerfile["same-layer"][-1]


def test_full_image_gets_a_derived_slim_candidate() -> None:
    full = parse_targets(["python:3.12"], ["amd64"], None)
    packages = [PackageResult("x", "x", None, {full[0].id: WHEEL})]
    sizes = {full[0].id: target_size({"x": 50 * MB})}
    chosen = recommend(full, packages, sizes=sizes)
    images = {c.image: c for c in chosen.candidates}
    assert images["python:3.12-slim"].derived
    assert images["python:3.12-slim"].multi_stage_mb < images["python:3.12"].multi_stage_mb


# --- the advice pass over HTTP ---------------------------------------------------------------


def make_wheel(modules: int = 5) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(modules):
            archive.writestr(f"fast/m{i}.py", f"def f{i}(x):\n    return x + {i}\n" * 50)
        archive.writestr("fast/_c.so", b"\x7fELF" + bytes(200_000))
        archive.writestr("fast-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: fast\n")
    return buffer.getvalue()


def make_sdist() -> bytes:
    buffer = io.BytesIO()
    members = {
        "cbuild-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: cbuild\nVersion: 1.0\n",
        "cbuild-1.0/setup.py": b"from setuptools import Extension, setup\n"
        b"setup(ext_modules=[Extension('cbuild._c', ['c.c'])])\n",
        "cbuild-1.0/c.c": b"int x;\n",
    }
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def serve(files: dict[str, bytes]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        data = files.get(request.url.path.lstrip("/"))
        if data is None:
            return httpx.Response(404)
        spec = request.headers.get("Range", "")
        if not spec:
            return httpx.Response(200, stream=httpx.ByteStream(data))
        first, _, last = spec.removeprefix("bytes=").partition("-")
        if not first:
            start, end = max(0, len(data) - int(last)), len(data) - 1
        else:
            start, end = int(first), min(int(last), len(data) - 1)
        headers = {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
        # A stream, not content=: the range reader reads the raw body itself.
        return httpx.Response(206, stream=httpx.ByteStream(data[start : end + 1]), headers=headers)

    return httpx.MockTransport(handler)


def dist(filename: str) -> DistFile:
    if filename.endswith(".whl"):
        _, version, build, tags = parse_wheel_filename(filename)
        return DistFile(filename, FILES + filename, INDEX, version, True, tags, build)
    _, version = parse_sdist_filename(filename)
    return DistFile(filename, FILES + filename, INDEX, version, False)


def test_advice_pass_sizes_wheels_and_inspects_sdists_over_http() -> None:
    musl = "fast-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    glibc = "fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    wheel = make_wheel()
    served = {musl: wheel, glibc: wheel, "cbuild-1.0.tar.gz": make_sdist()}
    pages = {
        name: ProjectPage(canonicalize_name(name), tuple(dist(f) for f in files), (INDEX,))
        for name, files in {
            "fast": (musl, glibc),
            "cbuild": ("cbuild-1.0.tar.gz",),
            "gone": ("gone-1.0-py3-none-any.whl",),
        }.items()
    }
    source = TargetResult(Verdict.SOURCE, "sdist", "1.0", "cbuild-1.0.tar.gz")
    gone = TargetResult(Verdict.PURE, "wheel", "1.0", "gone-1.0-py3-none-any.whl")
    packages = (
        PackageResult("fast", "fast", None, {
            ALPINE: TargetResult(Verdict.BINARY, "wheel", "1.0", musl),
            SLIM: TargetResult(Verdict.BINARY, "wheel", "1.0", glibc),
        }),
        PackageResult("cbuild", "cbuild", None, results(source, source)),
        PackageResult("gone", "gone", None, results(gone, gone)),  # its file answers 404
    )  # fmt: skip
    report = Report(TARGETS, packages, recommend(TARGETS, packages), (INDEX,))

    async def run() -> Report:
        settings = select_indexes(IndexChoice(INDEX), environ={}, pip_config_files=[])
        async with IndexClient(settings, transport=serve(served), retries=0) as client:
            return await advise_report(report, client=client, pages=pages, sizes=True)

    advised = asyncio.run(run())
    expected = wheel_installed_size(asyncio.run(zip_entries(MemoryByteSource(wheel))), (3, 12))
    fast, cbuild, missing = advised.packages
    assert fast.results[ALPINE].installed_size == expected
    assert missing.results[ALPINE].installed_size is None
    assert any("could not be read" in note for note in advised.notes)
    build = cbuild.results[ALPINE].build
    assert build is not None and build.kind == "native" and build.package_manager == "apk"
    assert cbuild.results[SLIM].build is not None
    assert cbuild.results[SLIM].build.package_manager == "apt"  # type: ignore[union-attr]
    assert cbuild.results[ALPINE].remedy is not None
    assert advised.sizes[ALPINE].largest[0] == ("fast", expected)
    assert advised.sizes[ALPINE].unknown == ("cbuild", "gone")
    recommendation = recommend(TARGETS, advised.packages, sizes=advised.sizes)
    assert recommendation.image == "python:3.12-slim"
    assert len(recommendation.candidates) == 2
    document = advised.to_dict()
    assert document["sizes"][ALPINE]["installed_bytes"] == expected
    assert document["packages"][1]["results"][ALPINE]["build"]["kind"] == "native"


def test_a_target_without_its_own_pyc_fit_is_sized_with_the_nearest_and_says_so() -> None:
    targets = parse_targets(["python:3.14-slim", "python:3.12-slim"], ["amd64"], None)
    glibc = "fast-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"
    page = ProjectPage(canonicalize_name("fast"), (dist(glibc),), (INDEX,))
    result = TargetResult(Verdict.BINARY, "wheel", "1.0", glibc)
    packages = (PackageResult("fast", "fast", None, {t.id: result for t in targets}),)
    report = Report(targets, packages, recommend(targets, packages), (INDEX,))

    async def run() -> Report:
        settings = select_indexes(IndexChoice(INDEX), environ={}, pip_config_files=[])
        async with IndexClient(settings, transport=serve({glibc: make_wheel()}), retries=0) as c:
            return await advise_report(report, client=c, pages={"fast": page}, sizes=True)

    advised = asyncio.run(run())
    new, own = (advised.sizes[t.id] for t in targets)
    assert (new.pyc_model, own.pyc_model, own.note) == ("3.13", "3.12", None)
    assert new.note is not None and "Python 3.14" in new.note and "3.13 fit" in new.note
    assert f"sizes: {new.note}" in advised.notes
    sized = [advised.packages[0].results[t.id].installed_size for t in targets]
    assert sized[0] is not None and sized[1] is not None and sized[0] != sized[1]
