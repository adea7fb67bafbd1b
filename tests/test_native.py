"""Pure or native, from an sdist's file list and build files: real sdists checked by hand.

Each fixture in tests/data/sdists holds one real sdist's member list and its top-level
pyproject.toml / setup.cfg / setup.py as recorded from PyPI by
scripts/record_sdist_listings.py (never the whole archive). The expected call next to each
name was made by reading those files by hand.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from wheelcheck._metadata.native import classify, classify_sdist
from wheelcheck._metadata.sdist import sdist_dependencies

SDISTS = Path(__file__).parent / "data" / "sdists"
FILES = Path(__file__).parent / "data" / "files"

# name: (expected kind, why, as read by hand). All have only an sdist for Linux on PyPI.
HAND_CHECKED = {
    "psycopg2": ("native", "setup.py Extension with 41 C files in psycopg/, links libpq"),
    "mysqlclient": ("native", "setup.py Extension MySQLdb._mysql from src/MySQLdb/_mysql.c"),
    "python-ldap": ("native", "setup.py Extension _ldap from Modules/*.c"),
    "pycrypto": ("native", "setup.py builds ~25 C extensions from src/*.c"),
    "crcmod": ("native", "setup.py Extension _crcfunext (optional C speedup)"),
    "dlib": ("native", "setup.py CMakeExtension around the dlib C++ library"),
    "uwsgi": ("native", "setup.py runs uwsgiconfig, compiling core/*.c"),
    "dbus-python": ("native", "meson-python backend, C sources in dbus_bindings/"),
    "pygobject": ("native", "meson-python backend, C sources in gi/"),
    "pycairo": ("native", "meson-python backend, C sources in cairo/"),
    "systemd-python": ("native", "setup.py Extensions from systemd/*.c"),
    "pyminizip": ("native", "setup.py Extension with the bundled minizip/zlib C sources"),
    "pylzma": ("native", "setup.py Extensions with the bundled LZMA SDK C sources"),
    "mysql-python": ("native", "setup.py Extension _mysql from _mysql.c"),
    "cchardet": ("native", "Cython extension over the bundled uchardet C++ sources"),
    "docopt": ("pure", "setup.py py_modules=['docopt'], no sources"),
    "jsmin": ("pure", "setup.py packages=['jsmin'], pure Python since 3.0"),
    "wget": ("pure", "setup.py py_modules=['wget']"),
    "sgmllib3k": ("pure", "setup.py py_modules=['sgmllib']"),
    "langdetect": ("pure", "setup.py packages, profiles are data files"),
    "jieba": ("pure", "setup.py packages with dictionaries as package data"),
    "pathtools": ("pure", "setup.py packages=['pathtools']"),
    "promise": ("pure", "setup.py packages=['promise']"),
    "sklearn": ("pure", "a placeholder whose setup.py only raises an error"),
    "tinysegmenter": ("pure", "setup.py py_modules"),
    "cssmin": ("pure", "setup.py py_modules=['cssmin']"),
    "slimit": ("pure", "setup.py packages (ply-based parser, no C)"),
    "iso639": ("pure", "setup.py packages with JSON data"),
    "pyjsparser": ("pure", "setup.py packages=['pyjsparser']"),
}


def load(name: str) -> tuple[list[str], dict[str, bytes]]:
    document = json.loads((SDISTS / f"{name}.json").read_text(encoding="utf-8"))
    files = {key: value.encode("utf-8") for key, value in document["files"].items()}
    return document["members"], files


def test_at_least_twenty_real_sdists_are_checked_by_hand() -> None:
    assert len(HAND_CHECKED) >= 20
    assert {"pure", "native"} == {kind for kind, _ in HAND_CHECKED.values()}


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_real_sdist_is_called_as_checked_by_hand(name: str) -> None:
    members, files = load(name)
    call = classify_sdist(members, files)
    assert call.kind == HAND_CHECKED[name][0], call.describe()
    assert call.evidence, "the call must say what decided it"
    if call.kind == "native":
        assert call.languages
    else:
        assert call.languages == ()


@pytest.mark.xfail(
    strict=True,
    reason="pyinotify's setup.py compiles its C helper only when ctypes lacks inotify, never "
    "on Linux; reading text alone sees ext_modules and a .c file",
)
def test_pyinotify_is_pure_on_linux() -> None:
    members, files = load("pyinotify")
    assert classify_sdist(members, files).kind == "pure"


def test_evidence_names_the_build_backend_and_sources() -> None:
    members, files = load("pycairo")
    call = classify_sdist(members, files)
    assert "build backend mesonpy" in call.describe()
    assert "C source file" in call.describe()


def _pyproject(backend: str, requires: str = '"setuptools"', extra: str = "") -> bytes:
    text = f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n{extra}'
    return text.encode()


def test_maturin_is_native_rust() -> None:
    call = classify_sdist(
        ["p-1/pyproject.toml", "p-1/Cargo.toml", "p-1/src/lib.rs"],
        {"pyproject.toml": _pyproject("maturin", '"maturin>=1,<2"')},
    )
    assert (call.kind, call.languages) == ("native", ("rust",))
    assert "build backend maturin" in call.evidence


def test_setuptools_rust_and_scikit_build_core_are_native() -> None:
    rust = classify_sdist(
        ["p-1/setup.py"],
        {
            "pyproject.toml": _pyproject(
                "setuptools.build_meta", '"setuptools", "setuptools-rust"'
            ),
            "setup.py": b"from setuptools_rust import RustExtension\n",
        },
    )
    assert rust.kind == "native" and "rust" in rust.languages
    cmake = classify_sdist(
        ["p-1/CMakeLists.txt", "p-1/src/x.cpp"],
        {"pyproject.toml": _pyproject("scikit_build_core.build", '"scikit-build-core"')},
    )
    assert cmake.kind == "native" and "c++" in cmake.languages


def test_a_backend_that_cannot_compile_wins_over_stray_sources() -> None:
    call = classify_sdist(
        ["p-1/pyproject.toml", "p-1/src/p/__init__.py", "p-1/vendor/helper.c"],
        {"pyproject.toml": _pyproject("flit_core.buildapi", '"flit_core>=3"')},
    )
    assert call.kind == "pure"
    assert "ignoring 1 source file" in call.evidence[0]


def test_hatchling_with_a_build_hook_is_not_taken_as_pure() -> None:
    call = classify_sdist(
        ["p-1/pyproject.toml", "p-1/src/p/_speedups.pyx"],
        {
            "pyproject.toml": _pyproject(
                "hatchling.build",
                '"hatchling", "hatch-cython"',
                "[tool.hatch.build.targets.wheel.hooks.cython]\ndependencies = []\n",
            )
        },
    )
    assert call.kind == "native" and call.languages == ("c",)


def test_sources_under_tests_and_docs_do_not_count() -> None:
    call = classify_sdist(
        ["p-1/setup.py", "p-1/p/__init__.py", "p-1/tests/fixture.c", "p-1/docs/example.cpp"],
        {"setup.py": b"from setuptools import setup\nsetup(name='p', packages=['p'])\n"},
    )
    assert call.kind == "pure"


def test_no_build_files_at_all_is_unknown() -> None:
    call = classify_sdist(["p-1/README", "p-1/p.py"], {})
    assert call.kind == "unknown"


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_classify_reads_what_sdist_dependencies_kept_from_a_real_archive() -> None:
    data = (FILES / "retrying-1.3.4.tar.gz").read_bytes()
    call = classify(sdist_dependencies(data, filename="retrying-1.3.4.tar.gz"))
    assert call.kind == "pure"


def test_classify_a_streamed_native_archive() -> None:
    data = _tar(
        {
            "ext-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: ext\nVersion: 1.0\n",
            "ext-1.0/setup.py": b"from setuptools import Extension, setup\n"
            b"setup(ext_modules=[Extension('ext._c', ['src/c.c'])])\n",
            "ext-1.0/src/c.c": b"int x;\n",
        }
    )
    call = classify(sdist_dependencies(io.BytesIO(data), filename="ext-1.0.tar.gz"))
    assert call.kind == "native"
    assert any("ext_modules" in e for e in call.evidence)
