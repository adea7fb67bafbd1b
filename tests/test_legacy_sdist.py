"""Declared dependencies of legacy sdists (issue 15): egg-info, PKG-INFO, Poetry tables,
flit's [tool.flit.metadata], setup.cfg and a static read of setup.py, in that order, never
running anything."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from wheelcheck._metadata.declared import NotStatic
from wheelcheck._metadata.poetry import poetry_specifier
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies
from wheelcheck._metadata.setup_py import setup_py_arguments

PKG_INFO_21 = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\n"


def sdist(members: dict[str, bytes], top: str = "demo-1.0") -> SdistMetadata:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, content in {"PKG-INFO": PKG_INFO_21, **members}.items():
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return sdist_dependencies(buffer.getvalue(), filename=f"{top}.tar.gz")


def texts(result: SdistMetadata) -> list[str]:
    return [str(r) for r in result.requires_dist]


REQUIRES_TXT = b"""requests>=2
idna

[:python_version < "3.8"]
importlib-metadata

[Socks]
PySocks!=1.5.7

[socks:sys_platform == "win32"]
win-inet-pton
"""


def test_egg_info_requires_txt_sections_become_markers() -> None:
    result = sdist({"demo.egg-info/requires.txt": REQUIRES_TXT, "setup.py": b"raise SystemExit"})
    assert (result.status, result.provenance) == ("declared", "egg-info")
    assert result.evidence == "demo.egg-info/requires.txt"
    assert result.requires_python == ">=3.8"
    assert result.provides_extra == ("socks",)
    by_name = {r.name: r for r in result.requires_dist}
    assert set(by_name) == {"requests", "idna", "importlib-metadata", "PySocks", "win-inet-pton"}
    env = {"python_version": "3.12", "sys_platform": "linux", "extra": ""}
    assert by_name["requests"].marker is None
    marker = by_name["importlib-metadata"].marker
    assert marker is not None
    assert not marker.evaluate(env) and marker.evaluate({**env, "python_version": "3.7"})
    socks = by_name["PySocks"].marker
    assert socks is not None
    assert socks.evaluate({**env, "extra": "socks"}) and not socks.evaluate(env)
    windows = by_name["win-inet-pton"].marker
    assert windows is not None
    assert not windows.evaluate({**env, "extra": "socks"})
    assert windows.evaluate({**env, "extra": "socks", "sys_platform": "win32"})


def test_egg_info_without_requires_txt_means_no_dependencies() -> None:
    result = sdist(
        {"src/demo.egg-info/PKG-INFO": PKG_INFO_21, "src/demo.egg-info/SOURCES.txt": b""}
    )
    assert (result.status, result.provenance, result.requires_dist) == ("declared", "egg-info", ())
    assert result.evidence == "src/demo.egg-info (no requires.txt: none)"


@pytest.mark.parametrize("root", ["src", "lib"])  # setuptools writes it in the package root
def test_egg_info_one_level_down_is_read(root: str) -> None:
    result = sdist({f"{root}/demo.egg-info/requires.txt": b"attrs\n"})
    assert texts(result) == ["attrs"]
    assert result.file(f"{root}/demo.egg-info/requires.txt") == b"attrs\n"


def test_another_projects_egg_info_is_not_read() -> None:
    result = sdist({"tests/fixture.egg-info/requires.txt": b"attrs\n", "setup.py": b"x()"})
    assert result.status == "unknown"
    assert "no .egg-info directory" in result.evidence


def test_egg_info_with_a_bad_line_falls_through_to_setup_py() -> None:
    result = sdist(
        {
            "demo.egg-info/requires.txt": b"not a requirement!!\n",
            "setup.py": b"from setuptools import setup\nsetup(install_requires=['six'])\n",
        }
    )
    assert result.provenance == "setup.py (static)"
    assert texts(result) == ["six"]


def test_legacy_pkg_info_requires_dist() -> None:
    pkg_info = (
        PKG_INFO_21 + b"Requires-Dist: attrs>=22\nRequires-Dist: tomli; python_version < '3.11'\n"
    )
    result = sdist({"PKG-INFO": pkg_info, "setup.py": b"raise SystemExit"})
    assert (result.status, result.provenance) == ("declared", "pkg-info")
    assert texts(result) == ["attrs>=22", 'tomli; python_version < "3.11"']


SETUP_CFG = b"""[metadata]
name = demo

[options]
python_requires = >=3.7
install_requires =
    click>=7
    # a comment
    colorama; platform_system == "Windows"

[options.extras_require]
dev = pytest; coverage
"""


def test_setup_cfg_options() -> None:
    result = sdist({"setup.cfg": SETUP_CFG, "setup.py": b"import setuptools\nsetuptools.setup()\n"})
    assert (result.status, result.provenance, result.evidence) == (
        "declared",
        "setup.cfg",
        "setup.cfg",
    )
    assert texts(result) == [
        "click>=7",
        'colorama; platform_system == "Windows"',
        'pytest; extra == "dev"',
        'coverage; extra == "dev"',
    ]
    assert result.provides_extra == ("dev",)


def test_setup_cfg_file_directive_is_not_static() -> None:
    cfg = b"[options]\ninstall_requires = file: requirements.txt\n"
    result = sdist({"setup.cfg": cfg, "setup.py": b"import setuptools\nsetuptools.setup()\n"})
    assert result.status == "unknown"
    assert (
        "setup.cfg [options] install_requires uses file:, which a build resolves" in result.evidence
    )


def test_setup_py_argument_wins_over_setup_cfg() -> None:
    py = b"from setuptools import setup\nsetup(install_requires=['six'])\n"
    result = sdist({"setup.cfg": SETUP_CFG, "setup.py": py})
    assert result.provenance == "setup.py (static)"
    assert texts(result)[0] == "six"
    assert 'pytest; extra == "dev"' in texts(result)  # extras_require from setup.cfg


SETUP_PY = b"""
import sys
from setuptools import setup, find_packages

REQUIRES = ["requests>=2.20", BASE]
BASE = "ignored"
TESTS = ["pytest"]
EXTRAS = {"test": TESTS, ":python_version<'3.8'": ["typing-extensions"]}

if __name__ == "__main__":
    setup(
        name="demo",
        packages=find_packages(),
        install_requires=DEPS,
        extras_require=EXTRAS,
        python_requires=">=3.8",
    )
"""


def test_setup_py_literals_and_module_names() -> None:
    text = SETUP_PY.replace(b"DEPS", b'["attrs", TESTS[0] if False else "six"]')
    with pytest.raises(NotStatic, match="IfExp at line 14"):
        setup_py_arguments(text)
    text = SETUP_PY.replace(b"DEPS", b'["attrs", NAME]').replace(b"import sys", b"NAME = 'six'")
    found = setup_py_arguments(text)
    assert found["install_requires"] == ["attrs", "six"]
    assert found["extras_require"] == {
        "test": ["pytest"],
        ":python_version<'3.8'": ["typing-extensions"],
    }
    result = sdist({"setup.py": text})
    assert result.provenance == "setup.py (static)"
    assert texts(result) == [
        "attrs",
        "six",
        'pytest; extra == "test"',
        'typing-extensions; python_version < "3.8"',
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"REQ = ['a']\nREQ.append('b')\nsetup(install_requires=REQ)\n", "Name at line 3"),
        (b"REQ = ['a']\nREQ = ['b']\nsetup(install_requires=REQ)\n", "Name at line 3"),
        (b"REQ = ['a']\nREQ += ['b']\nsetup(install_requires=REQ)\n", "Name at line 3"),
        (b"setup(install_requires=['a'] + ['b'])\n", "BinOp at line 1"),
        (b"kw = {}\nsetup(**kw)\n", "**kwargs"),
        (b"print('no setup here')\n", "calls setup() 0 times"),
        (b"setup()\nsetup()\n", "calls setup() 2 times"),
        (b"setup(install_requires=[\n", "does not parse (SyntaxError)"),
    ],
)
def test_setup_py_that_only_a_run_would_tell(text: bytes, reason: str) -> None:
    with pytest.raises(
        NotStatic, match=reason.replace("*", r"\*").replace("(", r"\(").replace(")", r"\)")
    ):
        setup_py_arguments(text)
    result = sdist({"setup.py": text})
    assert (result.status, result.provenance, result.requires_dist) == ("unknown", "unknown", ())
    assert reason in result.evidence


def test_setup_py_is_read_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    text += "from setuptools import setup\nsetup(install_requires=['six'])\n"
    result = sdist({"setup.py": text.encode()})
    assert texts(result) == ["six"]
    assert not marker.exists()


# Poetry's documented examples: https://python-poetry.org/docs/dependency-specification/
@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2.0,<2.0.0"),
        ("^1", ">=1.0.0,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0.0,<0.1.0"),
        ("^0", ">=0.0.0,<1.0.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2.0,<1.3.0"),
        ("~1", ">=1.0.0,<2.0.0"),
        ("*", ""),
        ("1.*", ">=1.0.0,<2.0.0"),
        ("1.2.*", ">=1.2.0,<1.3.0"),
        (">= 1.2, < 1.5", ">=1.2,<1.5"),
        ("1.2.3", "==1.2.3"),
        ("==1.2.3", "==1.2.3"),
        ("~=1.2", "~=1.2"),
        ("!= 1.2.3", "!=1.2.3"),
    ],
)
def test_poetry_constraints(constraint: str, expected: str) -> None:
    assert poetry_specifier(constraint) == SpecifierSet(expected)


def test_poetry_python_union_becomes_or_and_requires_python_comes_from_pkg_info() -> None:
    pyproject = b"""[tool.poetry.dependencies]
python = "~2.7 || ^3.5"
typing = { version = "^3.6", python = "~2.7 || <3.5" }
"""
    result = sdist({"pyproject.toml": pyproject})
    assert texts(result) == [
        'typing<4,>=3.6; (python_version >= "2.7" and python_version < "2.8") '
        'or python_version < "3.5"'
    ]
    assert result.requires_python == ">=3.8"


def test_poetry_union_is_not_static() -> None:
    with pytest.raises(NotStatic, match="union"):
        poetry_specifier("^1.2 || ^2.0")


POETRY = b"""
[tool.poetry]
name = "demo"
version = "1.0"

[tool.poetry.dependencies]
python = "^3.8"
pygments = "^2.13.0"
typing-extensions = { version = ">=4.0.0, <5.0", python = "<3.9" }
ipywidgets = { version = ">=7.5.1,<9", optional = true }
requests = { version = "~2.31", extras = ["socks"], markers = "sys_platform == 'linux'" }

[tool.poetry.extras]
jupyter = ["ipywidgets"]

[tool.poetry.group.dev.dependencies]
pytest = "^7"
"""


def test_poetry_tables() -> None:
    result = sdist({"pyproject.toml": POETRY})
    assert (result.status, result.provenance) == ("declared", "poetry")
    assert result.requires_python == ">=3.8"  # PKG-INFO's, which Poetry wrote from "^3.8"
    assert texts(result) == [
        "pygments<3,>=2.13.0",
        'typing-extensions<5.0,>=4.0.0; python_version < "3.9"',
        'requests[socks]<2.32,>=2.31; sys_platform == "linux"',
        'ipywidgets<9,>=7.5.1; extra == "jupyter"',
    ]
    assert result.provides_extra == ("jupyter",)


def test_poetry_git_dependency_is_not_static() -> None:
    pyproject = (
        POETRY + b'\n[tool.poetry.dependencies.demo-git]\ngit = "https://example.org/x.git"\n'
    )
    pyproject = pyproject.replace(b'[tool.poetry.group.dev.dependencies]\npytest = "^7"\n', b"")
    result = sdist({"pyproject.toml": pyproject})
    assert result.status == "unknown"
    assert "[tool.poetry.dependencies] demo-git is a git dependency" in result.evidence


PKG_INFO_11 = b"Metadata-Version: 1.1\nName: demo\nVersion: 1.0\n"
FLIT = b"""[build-system]
requires = ["flit_core >=2,<4"]
build-backend = "flit_core.buildapi"

[tool.flit.metadata]
module = "demo"
requires-python = ">=3.6"
requires = ["click >=7.1.1, <7.2", "typing-extensions; python_version < '3.8'"]
dev-requires = ["pytest"]

[tool.flit.metadata.requires-extra]
Socks = ["PySocks!=1.5.7", "win-inet-pton; sys_platform == 'win32'"]
"""
# what flit generated beside it: never read when the table answers
FLIT_SETUP_PY = b"from distutils.core import setup\nsetup(name='demo', install_requires=['six'])\n"


def test_flit_metadata_table() -> None:
    result = sdist({"PKG-INFO": PKG_INFO_11, "pyproject.toml": FLIT, "setup.py": FLIT_SETUP_PY})
    assert (result.status, result.provenance) == ("declared", "flit")
    assert result.provenance.declared
    assert result.evidence == "pyproject.toml [tool.flit.metadata]"
    assert result.requires_python == ">=3.6"  # PKG-INFO 1.1 has none: the table's
    assert texts(result) == [
        "click<7.2,>=7.1.1",
        'typing-extensions; python_version < "3.8"',
        'PySocks!=1.5.7; extra == "socks"',
        'win-inet-pton; sys_platform == "win32" and extra == "socks"',
        'pytest; extra == "dev"',  # dev-requires is the dev extra, as flit writes it
    ]
    assert result.provides_extra == ("dev", "socks")


def test_flit_table_without_requires_declares_none() -> None:
    table = b'[tool.flit.metadata]\nmodule = "demo"\n'
    result = sdist({"PKG-INFO": PKG_INFO_11, "pyproject.toml": table, "setup.py": FLIT_SETUP_PY})
    assert (result.status, result.provenance, texts(result)) == ("declared", "flit", [])


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        (b'requires = "click"\n', "pyproject.toml [tool.flit.metadata] requires is not a list"),
        (
            b'dev-requires = ["a"]\n[tool.flit.metadata.requires-extra]\ndev = ["b"]\n',
            "pyproject.toml [tool.flit.metadata] has both dev-requires and requires-extra.dev",
        ),
    ],
)
def test_a_flit_table_flit_would_refuse_falls_through_to_setup_py(
    table: bytes, reason: str
) -> None:
    pyproject = b'[tool.flit.metadata]\nmodule = "demo"\n' + table
    result = sdist(
        {"PKG-INFO": PKG_INFO_11, "pyproject.toml": pyproject, "setup.py": FLIT_SETUP_PY}
    )
    assert (result.provenance, texts(result)) == ("setup.py (static)", ["six"])
    broken = sdist({"PKG-INFO": PKG_INFO_11, "pyproject.toml": pyproject})
    assert broken.status == "unknown" and reason in broken.evidence


def test_nothing_declared_stays_unknown() -> None:
    result = sdist({"setup.cfg": b"[flake8]\nmax-line-length = 100\n"})
    assert (result.status, result.provenance) == ("unknown", "unknown")
    assert "setup.cfg declares no dependencies and there is no setup.py" in result.evidence
