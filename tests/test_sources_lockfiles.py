"""pyproject.toml and lockfiles (pylock.toml, uv.lock, poetry.lock): what a user would see.

The lockfiles under tests/data/lockfiles were written by uv and Poetry for one tiny project
(see the README there); the small hand-written files below each test one rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wheelcheck._judge.targets import marker_environment
from wheelcheck._sources import (
    LockedSet,
    SourceKind,
    detect_kind,
    read_lockfile,
    read_pyproject,
)
from wheelcheck.errors import InvalidInputFiles
from wheelcheck.models import Libc, Origin, RequirementSet, Target

DATA = Path(__file__).parent / "data" / "lockfiles"
UV_LOCK = DATA / "uv" / "uv.lock"
PYLOCK = DATA / "uv" / "pylock.toml"
PYLOCK_ALL = DATA / "uv" / "pylock.all.toml"
POETRY2 = DATA / "poetry2" / "poetry.lock"
POETRY1 = DATA / "poetry1" / "poetry.lock"
PYPROJECT = DATA / "uv" / "pyproject.toml"

ALL_MAIN = {
    "anyio": "4.16.0",
    "click": "8.5.1",
    "exceptiongroup": "1.3.2",
    "idna": "3.20",
    "msgpack": "1.2.4",
    "typing-extensions": "4.16.0",
}


def target(python: str, arch: str) -> dict[str, str]:
    major, minor, _patch = (int(p) for p in python.split("."))
    return marker_environment(
        Target(
            id=f"cp{major}{minor}-{arch}",
            python_version=(major, minor),
            python_full_version=python,
            libc=Libc.MUSL,
            libc_version=(1, 2),
            arch=arch,
        )
    )


PY312_ARM = target("3.12.8", "aarch64")
PY310_X86 = target("3.10.16", "x86_64")


def pins(requirements: object) -> list[str]:
    """``name==version`` of each requirement, marker left out."""
    out = []
    for r in requirements:  # type: ignore[attr-defined]
        assert r.requirement is not None
        out.append(f"{r.name}{r.requirement.specifier}")
    return out


def installed(locked: LockedSet, env: dict[str, str]) -> list[str]:
    return sorted(pins(locked.installed(env)))


def files_of(locked: LockedSet) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(str(n), v): files for (n, v), files in locked.files_by_package.items()}


def problems(call: object, *args: object, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidInputFiles) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    return [str(p) for p in info.value.problems]


def line_text(origin: Origin) -> str:
    assert origin.line is not None
    return Path(origin.file).read_text(encoding="utf-8").splitlines()[origin.line - 1]


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- detect_kind ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("pyproject.toml", SourceKind.PYPROJECT),
        ("app/pyproject.toml", SourceKind.PYPROJECT),
        ("pylock.toml", SourceKind.PYLOCK),
        ("deploy/pylock.prod.toml", SourceKind.PYLOCK),
        ("pylock.a.b.toml", SourceKind.REQUIREMENTS),  # PEP 751: the name has no dot
        ("pylock..toml", SourceKind.REQUIREMENTS),
        ("uv.lock", SourceKind.UV_LOCK),
        ("poetry.lock", SourceKind.POETRY_LOCK),
        ("requirements.txt", SourceKind.REQUIREMENTS),
        ("requirements.lock", SourceKind.REQUIREMENTS),
        ("Poetry.lock", SourceKind.REQUIREMENTS),
        ("-", SourceKind.REQUIREMENTS),
    ],
)
def test_detect_kind_by_file_name(path: str, kind: SourceKind) -> None:
    assert detect_kind(path) is kind


def test_kind_can_be_overridden_and_a_requirements_file_is_no_lockfile(tmp_path: Path) -> None:
    renamed = tmp_path / "project.lock"
    shutil.copy(UV_LOCK, renamed)
    assert read_lockfile(str(renamed), SourceKind.UV_LOCK).kind is SourceKind.UV_LOCK
    assert read_lockfile(str(renamed)).kind is SourceKind.UV_LOCK  # told by its content
    plain = write(tmp_path / "deps.lock", "six==1.17.0\n")
    assert problems(read_lockfile, plain) == [
        f"{plain}: not a lockfile (read as requirements); name it pylock.toml, uv.lock, "
        "poetry.lock, pdm.lock, Pipfile.lock or pixi.lock, or give the kind"
    ]


# -- uv.lock ----------------------------------------------------------------------------


def test_uv_lock_pins_every_installable_package_with_its_line() -> None:
    locked = read_lockfile(str(UV_LOCK))

    assert locked.locked is True
    assert locked.kind is SourceKind.UV_LOCK
    assert isinstance(locked.requirement_set, RequirementSet)
    # The project itself is not a requirement; dev-only and extra-only packages are not
    # installed without --group/--extra.
    assert pins(locked.requirement_set.requirements) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "exceptiongroup==1.3.2",
        "idna==3.20",
        "msgpack==1.2.4",
        "six==1.16.0",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    six_old = locked.requirement_set.requirements[5]
    assert six_old.origin == Origin(str(UV_LOCK), 232)
    for declared in locked.requirement_set.requirements:
        assert line_text(declared.origin) == f'name = "{declared.name}"'
        assert declared.requirement is not None and declared.requirement.marker is None
        assert declared.direct_reference is None
    assert locked.requirement_set.files == (str(UV_LOCK),)
    assert locked.requires_python == ">=3.10"
    assert locked.keys[5] == ("six", "1.16.0")
    assert files_of(locked)[("anyio", "4.16.0")] == (
        "anyio-4.16.0-py3-none-any.whl",
        "anyio-4.16.0.tar.gz",
    )
    assert (
        "msgpack-1.2.4-cp312-cp312-musllinux_1_2_x86_64.whl"
        in (files_of(locked)[("msgpack", "1.2.4")])
    )


def test_uv_lock_graph_decides_per_target() -> None:
    locked = read_lockfile(str(UV_LOCK))
    assert locked.graph is not None

    # 3.12 on arm64: no msgpack (x86_64 only), six 1.17, no exceptiongroup (< 3.11).
    assert installed(locked, PY312_ARM) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "idna==3.20",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    # 3.10 on amd64: exceptiongroup comes through anyio's edge marker.
    assert installed(locked, PY310_X86) == sorted(
        [*(f"{n}=={v}" for n, v in ALL_MAIN.items()), "six==1.16.0"]
    )
    # 3.15: typing-extensions is only reachable by anyio's `python_full_version < '3.15'`.
    assert "typing-extensions==4.16.0" not in installed(locked, target("3.15.0", "x86_64"))


def test_uv_lock_extras_and_groups_add_root_edges() -> None:
    locked = read_lockfile(str(UV_LOCK), extras=["YAML"], groups=["dev"])

    assert "pyyaml==6.0.4" in pins(locked.requirement_set.requirements)
    assert installed(locked, PY312_ARM) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "idna==3.20",
        "iniconfig==2.3.1",
        "pyyaml==6.0.4",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    assert "tomli==2.5.0" in installed(locked, PY310_X86)


def test_uv_lock_unknown_extra_and_group_name_the_available_ones() -> None:
    assert problems(read_lockfile, str(UV_LOCK), extras=["gui"], groups=["docs"]) == [
        f"{UV_LOCK}: unknown extra 'gui'; available: yaml",
        f"{UV_LOCK}: unknown dependency group 'docs'; available: dev, test",
    ]


def test_uv_lock_unsupported_version_points_at_its_line(tmp_path: Path) -> None:
    text = UV_LOCK.read_text(encoding="utf-8").replace("version = 1\n", "version = 2\n", 1)
    path = write(tmp_path / "uv.lock", text)
    assert problems(read_lockfile, path) == [
        f"{path}:1: unsupported uv.lock version 2: wheelcheck reads version 1"
    ]


def test_uv_lock_dependency_missing_from_the_lock_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "uv.lock",
        "version = 1\n"
        "\n"
        "[[package]]\n"
        'name = "app"\n'
        'version = "1.0"\n'
        'source = { virtual = "." }\n'
        'dependencies = [{ name = "ghost" }]\n',
    )
    assert problems(read_lockfile, path) == [
        f"{path}:4: package 'app' depends on 'ghost', which is not in the lock"
    ]


# -- pylock.toml ------------------------------------------------------------------------


def test_pylock_packages_carry_their_markers_and_lines() -> None:
    locked = read_lockfile(str(PYLOCK))

    assert locked.kind is SourceKind.PYLOCK
    assert locked.graph is None
    by_key = {
        (str(name), version): declared
        for (name, version), declared in zip(
            locked.keys, locked.requirement_set.requirements, strict=True
        )
    }
    msgpack = by_key[("msgpack", "1.2.4")]
    assert msgpack.text == 'msgpack==1.2.4 ; platform_machine == "x86_64"'
    assert msgpack.origin == Origin(str(PYLOCK), 44)
    assert line_text(msgpack.origin) == 'name = "msgpack"'
    assert by_key[("anyio", "4.16.0")].requirement.marker is None  # type: ignore[union-attr]
    # uv exported its default group `dev`: iniconfig and tomli are in the lock.
    assert ("iniconfig", "2.3.1") in by_key
    assert installed(locked, PY312_ARM) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "idna==3.20",
        "iniconfig==2.3.1",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    assert installed(locked, PY310_X86) == sorted(
        [
            *(f"{n}=={v}" for n, v in ALL_MAIN.items()),
            "iniconfig==2.3.1",
            "six==1.16.0",
            "tomli==2.5.0",
        ]
    )
    assert files_of(locked)[("six", "1.17.0")] == (
        "six-1.17.0-py2.py3-none-any.whl",
        "six-1.17.0.tar.gz",
    )


def test_pylock_named_file_is_read_as_pylock() -> None:
    locked = read_lockfile(str(PYLOCK_ALL))
    assert locked.kind is SourceKind.PYLOCK
    assert "pyyaml==6.0.4" in installed(locked, PY312_ARM)


def test_pylock_wrong_lock_version(tmp_path: Path) -> None:
    text = PYLOCK.read_text(encoding="utf-8").replace(
        'lock-version = "1.0"', 'lock-version = "2.0"'
    )
    path = write(tmp_path / "pylock.toml", text)
    assert problems(read_lockfile, path) == [
        f"{path}:3: unsupported lock-version '2.0': wheelcheck reads pylock.toml "
        'lock-version "1.0"'
    ]


PYLOCK_SOURCES = """\
lock-version = "1.0"
created-by = "hand"
extras = ["gpu"]
dependency-groups = ["dev", "docs"]
default-groups = ["dev"]

[[packages]]
name = "mylib"
directory = { path = "./libs/mylib", editable = true }

[[packages]]
name = "tool"
version = "2.0"
vcs = { type = "git", url = "https://user:secret@example.com/tool.git", commit-id = "abc123" }
marker = "'dev' in dependency_groups"

[[packages]]
name = "cuda-helper"
version = "1.0"
archive = { url = "https://example.com/cuda_helper-1.0.tar.gz", hashes = { sha256 = "00" } }
marker = "'gpu' in extras"

[[packages]]
name = "sphinx"
version = "8.0"
marker = "'docs' in dependency_groups"
[[packages.wheels]]
name = "sphinx-8.0-py3-none-any.whl"
url = "https://example.com/x.whl"
hashes = { sha256 = "00" }
"""


def test_pylock_direct_references_extras_and_default_groups(tmp_path: Path) -> None:
    path = write(tmp_path / "pylock.toml", PYLOCK_SOURCES)
    locked = read_lockfile(path)

    by_name = {str(r.name): r for r in locked.requirement_set.requirements}
    assert by_name["mylib"].direct_reference == "./libs/mylib"
    assert by_name["mylib"].editable is True
    assert by_name["tool"].direct_reference == "git+https://user:****@example.com/tool.git@abc123"
    assert "secret" not in by_name["tool"].text
    assert by_name["cuda-helper"].direct_reference == "https://example.com/cuda_helper-1.0.tar.gz"
    # default-groups applies when no group is asked for; no extra is on by default.
    assert [r.name for r in locked.installed(PY312_ARM)] == ["mylib", "tool"]

    chosen = read_lockfile(path, extras=["gpu"], groups=["docs"]).installed(PY312_ARM)
    assert [r.name for r in chosen] == ["mylib", "cuda-helper", "sphinx"]
    assert problems(read_lockfile, path, extras=["cpu"]) == [
        f"{path}: unknown extra 'cpu'; available: gpu"
    ]


def test_pylock_package_without_a_source_is_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pylock.toml",
        'lock-version = "1.0"\n\n[[packages]]\nname = "lonely"\nversion = "1.0"\n',
    )
    assert problems(read_lockfile, path) == [
        f"{path}:4: package 'lonely' must have exactly one of vcs, directory, archive, or "
        "sdist/wheels"
    ]


# -- poetry.lock --------------------------------------------------------------------------


def test_poetry2_lock_uses_groups_and_package_markers() -> None:
    locked = read_lockfile(str(POETRY2))

    assert locked.kind is SourceKind.POETRY_LOCK
    assert locked.graph is None  # lock-version 2.1: per-package markers are exact
    texts = [r.text for r in locked.requirement_set.requirements]
    assert 'exceptiongroup==1.3.2 ; python_version == "3.10"' in texts
    assert not any(t.startswith(("iniconfig", "tomli")) for t in texts)  # group dev only
    first = locked.requirement_set.requirements[0]
    assert first.origin == Origin(str(POETRY2), 4)
    assert line_text(first.origin) == 'name = "anyio"'
    assert installed(locked, PY312_ARM) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "idna==3.20",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    assert files_of(locked)[("idna", "3.20")] == (
        "idna-3.20-py3-none-any.whl",
        "idna-3.20.tar.gz",
    )

    with_more = read_lockfile(str(POETRY2), extras=["yaml"], groups=["dev"])
    assert {"iniconfig==2.3.1", "pyyaml==6.0.4"} <= set(installed(with_more, PY312_ARM))
    assert "tomli==2.5.0" in installed(with_more, PY310_X86)
    assert "tomli==2.5.0" not in installed(with_more, PY312_ARM)


def test_poetry1_lock_walks_the_graph_from_pyproject() -> None:
    locked = read_lockfile(str(POETRY1))

    assert locked.graph is not None
    assert all(
        r.requirement is not None and r.requirement.marker is None
        for r in locked.requirement_set.requirements
    )
    # The root edges for six carry the pyproject markers and pick the version by its pin.
    assert installed(locked, PY312_ARM) == [
        "anyio==4.16.0",
        "click==8.5.1",
        "idna==3.20",
        "six==1.17.0",
        "typing-extensions==4.16.0",
    ]
    assert installed(locked, PY310_X86) == sorted(
        [*(f"{n}=={v}" for n, v in ALL_MAIN.items()), "six==1.16.0"]
    )
    with_more = read_lockfile(str(POETRY1), extras=["yaml"], groups=["dev"])
    assert {"iniconfig==2.3.1", "pyyaml==6.0.4"} <= set(installed(with_more, PY312_ARM))
    assert problems(read_lockfile, str(POETRY1), groups=["docs"]) == [
        f"{POETRY1}: unknown dependency group 'docs'; available: dev"
    ]


def test_poetry1_lock_without_pyproject_treats_every_package_as_a_root(tmp_path: Path) -> None:
    path = tmp_path / "poetry.lock"
    shutil.copy(POETRY1, path)
    locked = read_lockfile(str(path))

    # Without the project, dependency markers cannot exclude anything: every non-optional
    # package (dev ones too: lock-version 2.0 does not say which are dev) is installed.
    assert installed(locked, PY312_ARM) == sorted(
        [
            *(f"{n}=={v}" for n, v in ALL_MAIN.items()),
            "iniconfig==2.3.1",
            "six==1.16.0",
            "six==1.17.0",
        ]
    )
    assert "pyyaml==6.0.4" in installed(read_lockfile(str(path), extras=["yaml"]), PY312_ARM)


def test_poetry_unsupported_lock_version(tmp_path: Path) -> None:
    text = POETRY2.read_text(encoding="utf-8").replace(
        'lock-version = "2.1"', 'lock-version = "3.0"'
    )
    path = write(tmp_path / "poetry.lock", text)
    line = text.splitlines().index('lock-version = "3.0"') + 1
    assert problems(read_lockfile, path) == [
        f"{path}:{line}: unsupported poetry.lock lock-version '3.0': wheelcheck reads 1.x and 2.x"
    ]


def test_bad_toml_in_a_lock_reports_tomllib_line(tmp_path: Path) -> None:
    lines = UV_LOCK.read_text(encoding="utf-8").splitlines()
    lines[9] = 'name = "anyio'  # line 10: an unterminated string
    path = write(tmp_path / "uv.lock", "\n".join(lines) + "\n")
    (message,) = problems(read_lockfile, path)
    assert message.startswith(f"{path}:10: invalid TOML: ")
    assert "(at line" not in message


def test_missing_lockfile(tmp_path: Path) -> None:
    path = str(tmp_path / "uv.lock")
    assert problems(read_lockfile, path) == [f"{path}: cannot open file: No such file or directory"]


# -- pyproject.toml ------------------------------------------------------------------------


def test_pyproject_dependencies_extras_and_groups_with_lines() -> None:
    base = read_pyproject(str(PYPROJECT))
    assert [r.text for r in base.requirements] == [
        "click>=8.1",
        "anyio>=4.4",
        "six==1.16.0 ; python_version < '3.12'",
        "six==1.17.0 ; python_version >= '3.12'",
        "msgpack>=1.1 ; platform_machine == 'x86_64'",
    ]
    assert [r.origin.line for r in base.requirements] == [6, 7, 8, 9, 10]
    assert base.files == (str(PYPROJECT),)
    assert str(base.requirements[4].requirement.marker) == (  # type: ignore[union-attr]
        'platform_machine == "x86_64"'
    )

    full = read_pyproject(str(PYPROJECT), extras=["yaml"], groups=["Dev"])
    added = [(r.text, r.origin.line) for r in full.requirements[5:]]
    # `dev` includes `test` first: iniconfig is found on the line of the `test` group.
    assert added == [
        ("pyyaml>=6", 14),
        ("iniconfig>=2", 17),
        ("tomli>=2 ; python_version < '3.11'", 18),
    ]


def test_pyproject_unknown_extra_and_group(tmp_path: Path) -> None:
    assert problems(read_pyproject, str(PYPROJECT), extras=["all"], groups=["lint"]) == [
        f"{PYPROJECT}:13: unknown extra 'all'; available: yaml",
        f"{PYPROJECT}:16: unknown dependency group 'lint'; available: dev, test",
    ]


def test_pyproject_dynamic_dependencies_need_a_build_backend(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n',
    )
    (message,) = problems(read_pyproject, path)
    assert message.startswith(f"{path}:4: dependencies are dynamic (computed by the build backend)")
    assert "cannot read them without running it" in message


def test_pyproject_group_include_cycle_and_unknown_include(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        "[dependency-groups]\n"
        'a = ["six", {include-group = "b"}]\n'
        'b = [{include-group = "c"}]\n'
        'c = [{include-group = "a"}]\n'
        'd = [{include-group = "nope"}]\n',
    )
    assert problems(read_pyproject, path, groups=["a"]) == [
        f"{path}:4: dependency group include cycle: a -> b -> c -> a"
    ]
    assert problems(read_pyproject, path, groups=["d"]) == [
        f"{path}:5: dependency group 'd' includes unknown group 'nope'; available: a, b, c, d"
    ]


def test_pyproject_groups_without_project_table(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[dependency-groups]\nscripts = [\n  "httpx>=0.27",\n  "rich",\n]\n',
    )
    rs = read_pyproject(path, groups=["scripts"])
    assert [(r.name, r.origin.line) for r in rs.requirements] == [("httpx", 3), ("rich", 4)]
    assert problems(read_pyproject, path) == [
        f"{path}: no [project] table: wheelcheck reads PEP 621 metadata only (for Poetry's "
        "[tool.poetry] dependencies, check poetry.lock)"
    ]


def test_pyproject_invalid_requirement_and_bad_toml(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "app"\ndependencies = [\n  "ok>=1",\n  "bad >>= 2",\n]\n',
    )
    (message,) = problems(read_pyproject, path)
    assert message.startswith(f"{path}:5: invalid dependency 'bad >>= 2': ")

    broken = write(tmp_path / "broken" / "pyproject.toml", '[project]\nname = "app"\nversion = \n')
    (message,) = problems(read_pyproject, broken)
    assert message.startswith(f"{broken}:3: invalid TOML: ")


def test_pyproject_direct_reference_is_redacted(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "app"\n'
        'dependencies = ["lib @ https://tok:secret@example.com/lib-1.0-py3-none-any.whl"]\n',
    )
    (declared,) = read_pyproject(path).requirements
    assert declared.direct_reference == "https://tok:****@example.com/lib-1.0-py3-none-any.whl"
    assert "secret" not in declared.text
    assert declared.origin == Origin(path, 3)
