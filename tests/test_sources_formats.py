"""pdm.lock, Pipfile.lock, pixi.lock and Pipfile: what a user would see.

The files under tests/data/lockfiles/{pdm,pipfile_lock,pixi,pipfile} are real files from
public repositories (see the README there, which names each one's repository, path and
commit). The expected package sets are what the tool that wrote each file installs on a
Linux target: ``pdm sync`` (groups and markers), ``pipenv sync`` (the ``default`` section,
markers evaluated), ``pixi install`` (the environment's PyPI packages for the platform).
The CLI checks run over tests/data/index-formats, recorded from PyPI for these pins.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from indexserver import IndexServer
from packaging.utils import canonicalize_name

from wheelcheck._cli import main
from wheelcheck._judge.targets import marker_environment
from wheelcheck._sources import LockedSet, SourceKind, detect_kind, read_lockfile, read_pipfile
from wheelcheck._sources.formats import read_other_lock
from wheelcheck.errors import InvalidInputFiles
from wheelcheck.models import Libc, Target

DATA = Path(__file__).parent / "data" / "lockfiles"
INDEX = Path(__file__).parent / "data" / "index-formats"
PDM_DEMO = DATA / "pdm" / "demo" / "pdm.lock"
PDM_ANYAPI = DATA / "pdm" / "anyapi" / "pdm.lock"
PDM_SHRUGBOT = DATA / "pdm" / "shrugbot" / "pdm.lock"
PIPENV_LOCK = DATA / "pipfile_lock" / "pipenv-examples" / "Pipfile.lock"
LIBPYTHONPRO_LOCK = DATA / "pipfile_lock" / "libpythonpro21" / "Pipfile.lock"
PIXI_GROUPS = DATA / "pixi" / "solve-groups" / "pixi.lock"
PIXI_LINKS = DATA / "pixi" / "pypi-find-links" / "pixi.lock"
PIXI_V7 = DATA / "pixi" / "old-lock-file" / "pixi.lock"
PIPENV_PIPFILE = DATA / "pipfile" / "pipenv-examples" / "Pipfile"
LIBPYTHONPRO_PIPFILE = DATA / "pipfile" / "libpythonpro21" / "Pipfile"
PIPENV_2017 = DATA / "pipfile" / "pipenv-2017" / "Pipfile"


def environment(arch: str, python: str = "3.12.8", libc: Libc = Libc.GLIBC) -> dict[str, str]:
    major, minor, _patch = (int(p) for p in python.split("."))
    return marker_environment(
        Target(
            id=f"cp{major}{minor}-{arch}",
            python_version=(major, minor),
            python_full_version=python,
            libc=libc,
            libc_version=(2, 36) if libc is Libc.GLIBC else (1, 2),
            arch=arch,
        )
    )


AMD64 = environment("x86_64")
ARM64 = environment("aarch64")
ALPINE_ARM64 = environment("aarch64", libc=Libc.MUSL)


def installed(locked: LockedSet, env: dict[str, str]) -> dict[str, str]:
    """name -> locked version (or direct reference) of what a target installs."""
    found = {}
    for declared in locked.installed(env):
        assert declared.name is not None and declared.requirement is not None
        pin = declared.direct_reference or str(declared.requirement.specifier).removeprefix("==")
        found[str(declared.name)] = pin
    return found


def problems(call: Any, *args: object, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidInputFiles) as info:
        call(*args, **kwargs)
    return [str(p) for p in info.value.problems]


def line_text(path: Path | str, line: int | None) -> str:
    assert line is not None
    return Path(path).read_text(encoding="utf-8").splitlines()[line - 1]


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- which format a file is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("pdm.lock", SourceKind.PDM_LOCK),
        ("Pipfile.lock", SourceKind.PIPFILE_LOCK),
        ("pixi.lock", SourceKind.PIXI_LOCK),
        ("Pipfile", SourceKind.PIPFILE),
        ("app/Pipfile", SourceKind.PIPFILE),
        ("pipfile", SourceKind.REQUIREMENTS),  # pipenv looks for "Pipfile" exactly
    ],
)
def test_detect_kind_by_file_name(name: str, kind: SourceKind) -> None:
    assert detect_kind(name) is kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (PDM_DEMO, SourceKind.PDM_LOCK),
        (PDM_SHRUGBOT, SourceKind.PDM_LOCK),  # lock 4.0: [metadata] comes last
        (PIPENV_LOCK, SourceKind.PIPFILE_LOCK),
        (PIXI_GROUPS, SourceKind.PIXI_LOCK),
        (PIXI_LINKS, SourceKind.PIXI_LOCK),  # version 5
        (PIXI_V7, SourceKind.PIXI_LOCK),  # version 7: a platforms list comes first
        (PIPENV_PIPFILE, SourceKind.PIPFILE),
        (DATA / "poetry2" / "poetry.lock", SourceKind.POETRY_LOCK),
        (DATA / "uv" / "uv.lock", SourceKind.UV_LOCK),
        (DATA / "uv" / "pylock.toml", SourceKind.PYLOCK),
    ],
)
def test_a_renamed_file_is_told_by_its_content(
    tmp_path: Path, source: Path, kind: SourceKind
) -> None:
    renamed = tmp_path / "deps.lock"
    shutil.copy(source, renamed)
    assert detect_kind(str(renamed)) is kind


def test_requirements_and_unreadable_files_stay_requirements(tmp_path: Path) -> None:
    assert detect_kind(write(tmp_path / "reqs.lock", "requests==2.32.3\nsix\n")) is (
        SourceKind.REQUIREMENTS
    )
    assert detect_kind(str(tmp_path / "missing.lock")) is SourceKind.REQUIREMENTS
    assert detect_kind("-") is SourceKind.REQUIREMENTS


def test_format_in_names_the_kind_only_of_files_whose_name_does_not(tmp_path: Path) -> None:
    renamed = tmp_path / "deps.txt"
    shutil.copy(PIPENV_LOCK, renamed)
    assert detect_kind(str(renamed), SourceKind.REQUIREMENTS) is SourceKind.REQUIREMENTS
    assert detect_kind(str(PIPENV_LOCK), SourceKind.REQUIREMENTS) is SourceKind.PIPFILE_LOCK


# -- pdm.lock --------------------------------------------------------------------------------


def test_pdm_default_group_and_markers_as_pdm_sync_installs() -> None:
    locked = read_lockfile(str(PDM_DEMO))
    # chardet is in the default group under os_name == "nt": never on Linux
    assert installed(locked, AMD64) == {"idna": "2.7"}
    assert installed(locked, ALPINE_ARM64) == {"idna": "2.7"}
    chardet = locked.requirement_set.requirements[0]
    assert line_text(PDM_DEMO, chardet.origin.line) == 'name = "chardet"'
    assert locked.requires_python == ">=3.3"


def test_pdm_groups_add_their_packages_with_their_markers() -> None:
    tests = read_lockfile(str(PDM_DEMO), groups=["tests"])
    # colorama is in "tests" only under sys_platform == "win32"
    assert installed(tests, AMD64) == {
        "idna": "2.7",
        "py": "1.4.34",
        "pytest": "3.2.5",
        "setuptools": "39.2.0",
    }
    security = read_lockfile(str(PDM_DEMO), extras=["security"])  # an extra is a group
    assert installed(security, ARM64) == {
        "certifi": "2025.1.31",
        "charset-normalizer": "2.0.12",
        "idna": "2.7",
        "requests": "2.27.1",
        "urllib3": "1.26.20",
    }


def test_pdm_unknown_group_names_the_available_ones() -> None:
    assert problems(read_lockfile, str(PDM_DEMO), groups=["docs"]) == [
        f"{PDM_DEMO}: unknown group 'docs'; available: security, tests"
    ]


def test_pdm_lock_4_4_keeps_files_hashes_and_requires_python() -> None:
    read = read_other_lock(str(PDM_ANYAPI), SourceKind.PDM_LOCK)
    assert installed(read.locked, AMD64) == {
        "certifi": "2024.7.4",
        "charset-normalizer": "3.3.2",
        "idna": "3.7",
        "requests": "2.32.3",
        "tenacity": "9.0.0",
        "urllib3": "2.2.2",
    }
    requests = next(e for e in read.entries if e.name == "requests")
    assert requests.requires_python == ">=3.8"
    assert [f.name for f in requests.files] == [
        "requests-2.32.3-py3-none-any.whl",
        "requests-2.32.3.tar.gz",
    ]
    assert requests.files[0].hashes == (
        "sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6",
    )
    charset = read.locked.files_by_package[(canonicalize_name("charset-normalizer"), "3.3.2")]
    assert "charset_normalizer-3.3.2-cp312-cp312-musllinux_1_1_aarch64.whl" in charset


def test_pdm_lock_4_0_walks_the_graph_from_the_pyproject_next_to_it() -> None:
    # lock_version 4.0: no groups or markers on packages, files in [metadata.files]
    locked = read_lockfile(str(PDM_SHRUGBOT))
    on_312 = installed(locked, AMD64)
    assert on_312 == {
        "apscheduler": "3.6.3",
        "cachetools": "4.2.2",
        "certifi": "2022.9.24",
        "python-telegram-bot": "13.12",
        "pytz": "2022.5",
        "pytz-deprecation-shim": "0.1.0.post0",
        "setuptools": "59.6.0",
        "six": "1.16.0",
        "toml": "0.10.2",
        "tornado": "6.1",
        "tzdata": "2022.5",
        "tzlocal": "4.2",
    }
    # backports.zoneinfo only below Python 3.9 (tzlocal's and the shim's markers)
    on_38 = installed(locked, environment("x86_64", "3.8.18"))
    assert set(on_38) - set(on_312) == {"backports-zoneinfo"}
    assert locked.files_by_package[("tornado", "6.1")]  # from [metadata.files]


def test_pdm_lock_4_0_without_a_pyproject_takes_every_package(tmp_path: Path) -> None:
    lock = tmp_path / "pdm.lock"
    shutil.copy(PDM_SHRUGBOT, lock)
    assert len(installed(read_lockfile(str(lock)), AMD64)) == 15


def test_pdm_dev_adds_the_dev_groups_of_the_pyproject_not_its_extras(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "p"\ndependencies = ["six"]\n'
        '[project.optional-dependencies]\ndocs = ["idna"]\n'
        '[tool.pdm.dev-dependencies]\nlint = ["click"]\n',
    )
    lock = write(
        tmp_path / "pdm.lock",
        '[metadata]\ngroups = ["default", "docs", "lint"]\nlock_version = "4.4.1"\n'
        '[[package]]\nname = "six"\nversion = "1.17.0"\ngroups = ["default"]\n'
        '[[package]]\nname = "idna"\nversion = "3.10"\ngroups = ["docs"]\n'
        '[[package]]\nname = "click"\nversion = "8.1.7"\ngroups = ["lint"]\n',
    )
    assert installed(read_lockfile(lock), AMD64) == {"six": "1.17.0"}
    assert installed(read_lockfile(lock, dev=True), AMD64) == {"six": "1.17.0", "click": "8.1.7"}


def test_pdm_graph_follows_an_extra_locked_as_its_own_entry(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml", '[project]\nname = "p"\ndependencies = ["uvicorn[standard]"]\n'
    )
    lock = write(
        tmp_path / "pdm.lock",
        '[[package]]\nname = "uvicorn"\nversion = "0.20.0"\ndependencies = ["h11"]\n'
        '[[package]]\nname = "uvicorn"\nversion = "0.20.0"\nextras = ["standard"]\n'
        'dependencies = ["uvicorn==0.20.0", "httptools; platform_machine == \\"x86_64\\""]\n'
        '[[package]]\nname = "h11"\nversion = "0.14.0"\n'
        '[[package]]\nname = "httptools"\nversion = "0.6.1"\n'
        '[[package]]\nname = "six"\nversion = "1.17.0"\n'
        '[metadata]\nlock_version = "4.1"\n',
    )
    locked = read_lockfile(lock)
    assert installed(locked, AMD64) == {"uvicorn": "0.20.0", "h11": "0.14.0", "httptools": "0.6.1"}
    assert installed(locked, ARM64) == {"uvicorn": "0.20.0", "h11": "0.14.0"}


def test_pdm_unsupported_lock_version_points_at_its_line(tmp_path: Path) -> None:
    lock = write(tmp_path / "pdm.lock", '[metadata]\ngroups = ["default"]\nlock_version = "5.0"\n')
    assert problems(read_lockfile, lock) == [
        f"{lock}:3: unsupported pdm.lock lock_version '5.0': wheelcheck reads 3.x and 4.x"
    ]


def test_pdm_invalid_dependency_names_the_package_line(tmp_path: Path) -> None:
    lock = write(
        tmp_path / "pdm.lock",
        '[metadata]\nlock_version = "4.0"\n\n[[package]]\nname = "a"\nversion = "1.0"\n'
        'dependencies = ["b >= = 1"]\n',
    )
    (found,) = problems(read_lockfile, lock)
    assert found.startswith(f"{lock}:5: package 'a': invalid dependency 'b >= = 1'")


# -- Pipfile.lock ----------------------------------------------------------------------------


def test_pipfile_lock_default_section_as_pipenv_sync_installs() -> None:
    locked = read_lockfile(str(PIPENV_LOCK))
    expected = {
        "certifi": "2026.2.25",
        "charset-normalizer": "3.4.6",
        "idna": "3.15",
        "requests": "2.33.0",
        "urllib3": "2.7.0",
    }
    assert installed(locked, AMD64) == expected
    assert installed(locked, ALPINE_ARM64) == expected
    assert locked.requires_python == "==3.11.*"
    requests = next(r for r in locked.requirement_set.requirements if r.name == "requests")
    assert line_text(PIPENV_LOCK, requests.origin.line).strip() == '"requests": {'


def test_pipfile_lock_dev_adds_develop() -> None:
    locked = read_lockfile(str(LIBPYTHONPRO_LOCK), dev=True)
    got = installed(locked, AMD64)
    assert len(got) == 20
    assert got["pytest"] == "7.1.1" and got["requests"] == "2.27.1"
    assert set(installed(read_lockfile(str(LIBPYTHONPRO_LOCK)), AMD64)) == {
        "certifi",
        "charset-normalizer",
        "idna",
        "requests",
        "urllib3",
    }


def test_pipfile_lock_markers_and_sources_per_package(tmp_path: Path) -> None:
    data = json.loads(PIPENV_LOCK.read_text(encoding="utf-8"))
    data["default"]["pywin32"] = {"version": "==306", "markers": "sys_platform == 'win32'"}
    data["default"]["idna"]["markers"] = "platform_machine == 'aarch64'"
    lock = write(tmp_path / "Pipfile.lock", json.dumps(data, indent=4, sort_keys=True))
    read = read_other_lock(lock, SourceKind.PIPFILE_LOCK)
    assert "pywin32" not in installed(read.locked, AMD64)
    assert "idna" not in installed(read.locked, AMD64)
    assert "idna" in installed(read.locked, ARM64)
    requests = next(e for e in read.entries if e.name == "requests")
    assert requests.index == "https://pypi.org/simple"
    assert len(requests.hashes) == 2


def test_pipfile_lock_bad_json_names_the_line(tmp_path: Path) -> None:
    lock = write(tmp_path / "Pipfile.lock", '{\n    "_meta": {},\n    "default": {,}\n}\n')
    (found,) = problems(read_lockfile, lock)
    assert found.startswith(f"{lock}:3: invalid JSON in Pipfile.lock:")


def test_pipfile_lock_missing_meta_and_bad_entries(tmp_path: Path) -> None:
    no_meta = write(tmp_path / "a" / "Pipfile.lock", '{"default": {}}')
    assert problems(read_lockfile, no_meta) == [
        f"{no_meta}:1: not a Pipfile.lock: no '_meta' table"
    ]
    data = {
        "_meta": {"pipfile-spec": 6},
        "default": {"six": {"version": ">=1.0"}, "idna": {"hashes": []}},
        "develop": [],
    }
    bad = write(tmp_path / "b" / "Pipfile.lock", json.dumps(data, indent=4))
    assert problems(read_lockfile, bad, dev=True) == [
        f"{bad}:6: package 'six': version '>=1.0' is not a pin",
        f"{bad}:9: package 'idna' has no version, git, path or file",
        f"{bad}:13: 'develop' must be a table of packages",
    ]


# -- pixi.lock -------------------------------------------------------------------------------

SOLVE_GROUPS_LINUX_64 = {
    "contourpy": "1.3.1",
    "cycler": "0.12.1",
    "fonttools": "4.55.4",
    "kiwisolver": "1.4.8",
    "matplotlib": "3.10.0",
    "numpy": "2.2.2",
    "pillow": "11.1.0",
    "pyparsing": "3.2.1",
    "python-dateutil": "2.9.0.post0",
    "six": "1.17.0",
}


def test_pixi_default_environment_pypi_packages_for_linux_64() -> None:
    locked = read_lockfile(str(PIXI_GROUPS))
    assert installed(locked, AMD64) == SOLVE_GROUPS_LINUX_64
    # the lock has no linux-aarch64 platform: pixi installs nothing there
    assert installed(locked, ARM64) == {}
    assert locked.requires_python == "==3.12.8"  # the environment's conda python
    matplotlib = next(r for r in locked.requirement_set.requirements if r.name == "matplotlib")
    assert line_text(PIXI_GROUPS, matplotlib.origin.line) == "  name: matplotlib"
    files = locked.files_by_package[(matplotlib.name, "3.10.0")]  # type: ignore[index]
    assert files == (
        "matplotlib-3.10.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    )


def test_pixi_environment_option_selects_another_environment() -> None:
    # max-py310 takes no PyPI package (matplotlib is a PyPI dependency of min_py38 only)
    assert installed(read_lockfile(str(PIXI_GROUPS), environment="max-py310"), AMD64) == {}
    min_py38 = read_lockfile(str(PIXI_GROUPS), environment="min-py38")
    assert set(installed(min_py38, AMD64)) == set(SOLVE_GROUPS_LINUX_64)
    assert installed(min_py38, AMD64)["numpy"] == "2.2.2"
    assert min_py38.requires_python == "==3.10.0"


def test_pixi_unknown_environment_names_the_available_ones() -> None:
    assert problems(read_lockfile, str(PIXI_GROUPS), environment="gpu") == [
        f"{PIXI_GROUPS}:2: unknown pixi environment 'gpu'; available: default, max-py310, min-py38"
    ]


def test_pixi_version_5_lock_with_a_local_wheel() -> None:
    read = read_other_lock(str(PIXI_LINKS), SourceKind.PIXI_LOCK)
    assert installed(read.locked, AMD64) == {
        "certifi": "2024.8.30",
        "charset-normalizer": "3.4.0",
        "idna": "3.10",
        "requests": "./links/requests-2.31.0-py3-none-any.whl",  # not looked up
        "urllib3": "2.2.3",
    }
    certifi = next(e for e in read.entries if e.name == "certifi")
    assert certifi.files[0].url is not None and certifi.files[0].url.startswith(
        "https://files.pythonhosted.org/"
    )
    assert certifi.files[0].hashes[0].startswith("sha256:922820b5")
    assert certifi.requires_python == ">=3.6"


def test_pixi_version_7_lock() -> None:
    # version 7 adds a top-level list of platforms; environments read as in version 6
    locked = read_lockfile(str(PIXI_V7))
    assert installed(locked, AMD64) == {
        "blinker": "1.7.0",
        "boltons": "24.0.0",
        "click": "8.1.7",
        "flask": "2.3.3",
        "itsdangerous": "2.1.2",
        "jinja2": "3.1.3",
        "markupsafe": "2.1.5",
        "werkzeug": "3.0.2",
    }
    assert locked.requires_python == "==3.12.2"


def test_pixi_bad_yaml_and_unsupported_version_name_the_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "a" / "pixi.lock", "version: 6\nenvironments:\n  default: [\n")
    (found,) = problems(read_lockfile, bad)
    assert found.startswith(f"{bad}:4: invalid YAML:")
    old = write(tmp_path / "b" / "pixi.lock", "# made by pixi\nversion: 3\nenvironments: {}\n")
    assert problems(read_lockfile, old) == [
        f"{old}:2: unsupported pixi.lock version 3: wheelcheck reads versions 4 to 7"
    ]


def test_pixi_environment_without_linux_and_missing_package(tmp_path: Path) -> None:
    mac = write(
        tmp_path / "a" / "pixi.lock",
        "version: 6\nenvironments:\n  default:\n    packages:\n      osx-arm64:\n"
        "      - pypi: https://example.org/six-1.17.0-py2.py3-none-any.whl\npackages: []\n",
    )
    assert problems(read_lockfile, mac) == [
        f"{mac}:3: pixi environment 'default' locks no Linux platform (it locks: osx-arm64)"
    ]
    missing = write(
        tmp_path / "b" / "pixi.lock",
        "version: 6\nenvironments:\n  default:\n    packages:\n      linux-64:\n"
        "      - pypi: https://example.org/six-1.17.0-py2.py3-none-any.whl\npackages: []\n",
    )
    (found,) = problems(read_lockfile, missing)
    assert found.startswith(f"{missing}:6: linux-64: PyPI package ")
    assert found.endswith("six-1.17.0-py2.py3-none-any.whl is not in 'packages'")


def test_pixi_yaml_tags_are_never_built(tmp_path: Path) -> None:
    target = tmp_path / "created"
    lock = write(
        tmp_path / "pixi.lock",
        "version: 6\nenvironments:\n"
        f"  default: !!python/object/apply:builtins.open ['{target}', w]\npackages: []\n",
    )
    (found,) = problems(read_lockfile, lock)
    assert found.startswith(f"{lock}:3: invalid YAML: could not determine a constructor")
    assert not target.exists()


# -- Pipfile ---------------------------------------------------------------------------------


def test_pipfile_packages_with_their_lines() -> None:
    read = read_pipfile(str(PIPENV_PIPFILE))
    texts = [(r.text, r.origin.line) for r in read.requirement_set.requirements]
    assert texts == [
        ("requests>=2.32.0", 7),
        ("urllib3>=2.7.0", 8),
        ("certifi>=2024.2.2", 9),
        ("idna>=3.15", 10),
        ("charset-normalizer>=3.3.2", 11),
    ]
    assert read.sources == {"pypi": "https://pypi.org/simple"}
    assert read.requires_python == "==3.11.*"


def test_pipfile_dev_packages_only_with_dev() -> None:
    plain = read_pipfile(str(LIBPYTHONPRO_PIPFILE))
    assert [r.text for r in plain.requirement_set.requirements] == ["requests"]
    dev = read_pipfile(str(LIBPYTHONPRO_PIPFILE), dev=True)
    assert [r.text for r in dev.requirement_set.requirements] == [
        "requests",
        "flake8",
        "pytest",
        "coverage",
        "pytest-cov",
        "pytest-mock",
    ]


def test_pipfile_tables_paths_editables_and_marker_keys() -> None:
    read = read_pipfile(str(PIPENV_2017), dev=True)
    by_name = {r.name: r for r in read.requirement_set.requirements}
    assert by_name["pipenv"].direct_reference == "file:." and by_name["pipenv"].editable
    assert by_name["pytest-pypy"].direct_reference == "file:./tests/pytest-pypi"
    stdeb = by_name["stdeb"].requirement
    assert stdeb is not None and stdeb.marker is not None
    assert stdeb.marker.evaluate(AMD64) and not stdeb.marker.evaluate(
        {**AMD64, "sys_platform": "darwin"}
    )
    assert str(by_name["flake8"].requirement.specifier) == "<4,>=3.3.0"  # type: ignore[union-attr]


def test_pipfile_bad_value_and_unknown_category(tmp_path: Path) -> None:
    pipfile = write(tmp_path / "Pipfile", '[packages]\nrequests = "*"\nsix = 3\nidna = ">=="\n')
    found = problems(read_pipfile, pipfile, groups=["docs"])
    assert found[0] == f"{pipfile}: unknown package category 'docs'; available: none"
    assert found[1] == f"{pipfile}:3: [packages] six: expected a version string or a table"
    assert found[2].startswith(f"{pipfile}:4: invalid [packages] entry 'idna>=='")


# -- through the command line -------------------------------------------------------------


@pytest.fixture(scope="module")
def format_index() -> Iterator[IndexServer]:
    with IndexServer(INDEX) as server:
        yield server


def check(index: str, *args: str) -> Result:
    argv = ["check", "--index-url", index, "--retries", "1", "--no-cache", "-f", "json", *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def verdicts(result: Result) -> dict[str, dict[str, tuple[str, str | None]]]:
    report = json.loads(result.stdout)
    return {
        p["name"]: {t: (r["verdict"], r.get("version")) for t, r in p["results"].items()}
        for p in report["packages"]
    }


SLIM_AMD64 = "python:3.12-slim/amd64"
ALPINE_AMD64 = "python:3.12-alpine/amd64"
SLIM_ARM64 = "python:3.12-slim/arm64"


@pytest.mark.parametrize(
    ("lock", "expected"),
    [
        (PDM_ANYAPI, {"charset-normalizer": "3.3.2", "requests": "2.32.3", "tenacity": "9.0.0"}),
        (PIPENV_LOCK, {"charset-normalizer": "3.4.6", "requests": "2.33.0", "idna": "3.15"}),
    ],
)
def test_cli_checks_pdm_and_pipenv_locks_at_their_pins(
    format_index: IndexServer, lock: Path, expected: dict[str, str]
) -> None:
    result = check(f"{format_index.url}/simple/", str(lock))
    assert result.exit_code == 0, result.output
    got = verdicts(result)
    for name, version in expected.items():
        assert got[name][SLIM_AMD64][1] == version
        assert got[name][ALPINE_AMD64][1] == version
    assert got["charset-normalizer"][ALPINE_AMD64][0] == "binary"  # a musllinux wheel
    assert got["requests"][SLIM_ARM64] == ("pure", expected["requests"])
    assert json.loads(result.stdout)["recommendation"]["image"] == "python:3.12-alpine"


def test_cli_pdm_marker_skips_a_windows_only_package(format_index: IndexServer) -> None:
    result = check(f"{format_index.url}/simple/", str(PDM_DEMO))
    assert result.exit_code == 0, result.output
    got = verdicts(result)
    assert got["chardet"][SLIM_AMD64] == ("skipped", None)
    assert got["idna"][SLIM_AMD64] == ("pure", "2.7")


def test_cli_pixi_lock_judges_linux_64_and_leaves_the_local_wheel_unchecked(
    format_index: IndexServer,
) -> None:
    result = check(f"{format_index.url}/simple/", str(PIXI_LINKS))
    # linux-64 lists only charset-normalizer's manylinux wheel: pixi installs nothing of it
    # on musl (alpine), whatever the index has (issue 19: a lock's own files decide).
    assert result.exit_code == 1, result.output
    got = verdicts(result)
    assert got["charset-normalizer"][SLIM_AMD64] == ("binary", "3.4.0")
    assert got["charset-normalizer"][ALPINE_AMD64] == ("missing", None)
    assert got["urllib3"][ALPINE_AMD64] == ("pure", "2.2.3")
    assert got["requests"][SLIM_AMD64][0] == "unchecked"
    # no linux-aarch64 in the lock: pixi installs nothing there, which is a finding
    assert got["certifi"][SLIM_ARM64] == ("missing", None)
    report = json.loads(result.stdout)
    # alpine installs nothing of charset-normalizer from this lock, so slim, where the
    # unchecked direct reference (requests) withholds nothing
    assert report["recommendation"]["image"] == "python:3.12-slim"


NO_AARCH64 = (
    "nothing installable from this lock on this target: the lock lists no linux-aarch64 "
    "environment (its environment '{env}' is locked for linux-64, osx-64, osx-arm64, "
    "win-64); re-lock with that platform"
)


def test_cli_pixi_lock_on_a_platform_it_does_not_list_installs_nothing(
    format_index: IndexServer,
) -> None:
    # the lock is solved for linux-64 and three non-Linux platforms; on arm64 `pixi install`
    # installs nothing of it: every package is missing there, with the reason, and exit 1
    args = ("--target", "python:3.12-slim", "--arch", "arm64", "--environment", "min-py38")
    result = check(f"{format_index.url}/simple/", *args, str(PIXI_GROUPS))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    rows = {p["name"]: p["results"][SLIM_ARM64] for p in report["packages"]}
    assert set(rows) == set(SOLVE_GROUPS_LINUX_64)
    for row in rows.values():
        assert row["verdict"] == "missing" and row["file"] is None
        assert row["reason"] == NO_AARCH64.format(env="min-py38")
    index = f"{format_index.url}/simple/"
    table = CliRunner().invoke(
        main, ["check", "--index-url", index, "--no-cache", *args, str(PIXI_GROUPS)]
    )
    assert table.exit_code == 1
    said = " ".join(table.stdout.split())  # the table wraps long lines
    assert f"matplotlib: missing: {NO_AARCH64.format(env='min-py38')}" in said


def test_cli_pixi_lock_on_a_listed_platform_still_skips_what_it_does_not_need(
    format_index: IndexServer,
) -> None:
    # max-py310 takes no PyPI package on linux-64: the lock lists the platform, so the
    # packages other environments take are simply not needed there (no finding, exit 0)
    args = ("--target", "python:3.12-slim", "--arch", "amd64", "--environment", "max-py310")
    result = check(f"{format_index.url}/simple/", *args, str(PIXI_GROUPS))
    assert result.exit_code == 0, result.output
    assert {v[SLIM_AMD64] for v in verdicts(result).values()} <= {("skipped", None)}


def test_cli_pipfile_is_resolved_like_requirements(index_server: IndexServer) -> None:
    result = check(f"{index_server.url}/simple/", str(PIPENV_PIPFILE))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["scope"] != "locked"
    got = verdicts(result)
    assert got["requests"][SLIM_AMD64][0] == "pure"
    assert got["charset-normalizer"][ALPINE_AMD64][0] == "binary"


def test_cli_renamed_lock_with_format_in_and_kind(
    format_index: IndexServer, tmp_path: Path
) -> None:
    renamed = tmp_path / "deps.lock"
    shutil.copy(PIPENV_LOCK, renamed)
    told = check(f"{format_index.url}/simple/", str(renamed))  # by its content
    assert told.exit_code == 0, told.output
    assert "requests" in verdicts(told)
    as_requirements = check(
        f"{format_index.url}/simple/", "--format-in", "requirements", str(renamed)
    )
    assert as_requirements.exit_code == 2
    assert as_requirements.stderr.startswith(f"{renamed}:1: ")


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("Pipfile.lock", '{\n  "_meta": {\n', ":3: invalid JSON in Pipfile.lock"),
        ("pixi.lock", "version: 6\nenvironments: [\n", ":3: invalid YAML"),
        (
            "pdm.lock",
            '[metadata]\nlock_version = "4.5.0"\n[[package]\nname="a"\n',
            ":3: invalid TOML",
        ),
        ("Pipfile", "[packages]\nsix = 3\n", ":2: [packages] six: expected a version string"),
    ],
)
def test_cli_bad_files_exit_2_with_file_and_line(
    format_index: IndexServer, tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = write(tmp_path / name, text)
    result = check(f"{format_index.url}/simple/", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}{where}"), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_cli_dev_and_environment_options(format_index: IndexServer) -> None:
    result = check(f"{format_index.url}/simple/", "--environment", "nope", str(PIXI_GROUPS))
    assert result.exit_code == 2
    assert "unknown pixi environment 'nope'; available: default, max-py310, min-py38" in (
        result.stderr
    )
    plain = check(f"{format_index.url}/simple/", "--no-advice", str(LIBPYTHONPRO_LOCK))
    dev = check(f"{format_index.url}/simple/", "--dev", "--no-advice", str(LIBPYTHONPRO_LOCK))
    assert len(verdicts(plain)) == 5 and len(verdicts(dev)) == 20
    # the test index has no page for pytest, and not the 2022 pins of the others (exit 1)
    assert dev.exit_code == 1
    assert verdicts(dev)["pytest"][SLIM_AMD64] == ("not-found", None)
    assert verdicts(dev)["requests"][SLIM_AMD64] == ("missing", None)
