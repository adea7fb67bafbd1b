"""Targets: image references and specs -> targets -> the tags pip would accept there."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.tags import Tag, sys_tags

from wheelcheck._judge.images import load_table, resolve_image
from wheelcheck._judge.targets import (
    DEFAULT_PYTHON,
    marker_environment,
    parse_targets,
    sibling_image,
    sibling_target,
    target_tags,
)
from wheelcheck.errors import UnknownTarget
from wheelcheck.models import Libc, Target

DATA = Path(__file__).resolve().parent.parent / "data" / "base-images.json"


def one(spec: str, arch: str = "amd64") -> Target:
    (target,) = parse_targets([spec], [arch])
    return target


def tag_strings(target: Target) -> list[str]:
    return [str(tag) for tag in target_tags(target)]


# --- the tag list equals packaging's own for this machine ------------------------------------


def test_tags_for_this_machine_equal_sys_tags() -> None:
    libc, libc_version = platform.libc_ver()
    if sys.platform != "linux" or libc != "glibc":
        pytest.skip("needs a glibc Linux host")
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        pytest.skip("needs a release CPython build")
    machine = platform.machine()
    free_threaded = "t" if getattr(sys, "_is_gil_enabled", lambda: True)() is False else ""
    major, minor = libc_version.split(".")[:2]
    spec = (
        f"cp{sys.version_info.major}{sys.version_info.minor}{free_threaded}"
        f"-manylinux_{major}_{minor}_{machine}"
    )
    (target,) = parse_targets([spec])
    assert target_tags(target) == list(sys_tags())


# --- platform tags per libc and arch -----------------------------------------------------------


def test_alpine_accepts_every_musllinux_level_and_no_manylinux() -> None:
    target = one("python:3.12-alpine3.24")
    assert target.libc is Libc.MUSL
    tags = set(tag_strings(target))
    for level in ("1_2", "1_1", "1_0"):
        assert f"cp312-cp312-musllinux_{level}_x86_64" in tags
    assert "cp312-abi3-musllinux_1_1_x86_64" in tags
    assert not any("manylinux" in t for t in tags)
    assert "py3-none-any" in tags


def test_bookworm_accepts_manylinux_2_28_but_not_2_39() -> None:
    tags = set(target_tags(one("python:3.12-slim-bookworm")))
    assert Tag("cp312", "cp312", "manylinux_2_28_x86_64") in tags
    assert Tag("cp312", "cp312", "manylinux_2_36_x86_64") in tags
    assert Tag("cp312", "cp312", "manylinux_2_39_x86_64") not in tags
    assert not any("musllinux" in tag.platform for tag in tags)


def test_trixie_accepts_manylinux_2_39_up_to_2_41() -> None:
    tags = set(target_tags(one("python:3.12-slim-trixie")))
    assert Tag("cp312", "cp312", "manylinux_2_39_x86_64") in tags
    assert Tag("cp312", "cp312", "manylinux_2_41_x86_64") in tags
    assert Tag("cp312", "cp312", "manylinux_2_42_x86_64") not in tags


def test_aarch64_has_manylinux2014_but_not_older_aliases() -> None:
    platforms = {tag.platform for tag in target_tags(one("python:3.12-slim", "arm64"))}
    assert "manylinux2014_aarch64" in platforms
    assert "manylinux_2_17_aarch64" in platforms
    assert "manylinux_2_16_aarch64" not in platforms
    assert "manylinux2010_aarch64" not in platforms
    assert "manylinux1_aarch64" not in platforms


def test_x86_64_aliases_sit_next_to_their_glibc_versions() -> None:
    platforms = list(dict.fromkeys(t.platform for t in target_tags(one("python:3.12-slim"))))
    for legacy, version in (
        ("manylinux2014", "2_17"),
        ("manylinux2010", "2_12"),
        ("manylinux1", "2_5"),
    ):
        at = platforms.index(f"manylinux_{version}_x86_64")
        assert platforms[at + 1] == f"{legacy}_x86_64"
    assert "manylinux_2_4_x86_64" not in platforms


def test_preference_order_specific_abi_then_abi3_then_none_then_pure() -> None:
    tags = tag_strings(one("python:3.12-slim"))
    best_native = tags.index("cp312-cp312-manylinux_2_41_x86_64")
    abi3 = tags.index("cp312-abi3-manylinux_2_17_x86_64")
    older_abi3 = tags.index("cp38-abi3-manylinux_2_17_x86_64")
    none = tags.index("cp312-none-manylinux_2_17_x86_64")
    pure = tags.index("py3-none-any")
    assert best_native < abi3 < none < older_abi3 < pure
    assert tags[-1] == "py30-none-any"


def test_abi3_for_cp312_not_for_free_threaded_cp313t() -> None:
    gil = set(tag_strings(one("cp312-manylinux_2_36_x86_64")))
    assert "cp312-abi3-manylinux_2_17_x86_64" in gil
    ft = tag_strings(one("cp313t-manylinux_2_36_x86_64"))
    assert ft[0].startswith("cp313-cp313t-")
    assert "cp313-cp313t-manylinux_2_36_x86_64" in ft
    assert not any("-abi3-" in t for t in ft)
    assert "cp313-cp313-manylinux_2_36_x86_64" not in ft


def test_legacy_explicit_spec_means_its_glibc() -> None:
    target = one("cp311-manylinux2014_x86_64")
    assert (target.libc, target.libc_version, target.arch) == (Libc.GLIBC, (2, 17), "x86_64")
    tags = set(tag_strings(target))
    assert "cp311-cp311-manylinux2014_x86_64" in tags
    assert "cp311-cp311-manylinux_2_28_x86_64" not in tags


def test_tags_are_computed_from_the_target_not_the_host() -> None:
    # An armv7 musl target on an x86_64 glibc host has nothing of the host in it.
    tags = tag_strings(one("python:3.11-alpine", "linux/arm/v7"))
    assert tags[0].startswith("cp311-cp311-")
    assert all(t.endswith(("_armv7l", "-any")) for t in tags)
    assert "cp311-cp311-musllinux_1_2_armv7l" in tags


# --- image references --------------------------------------------------------------------------


LIBC = {
    "Alpine 3.24": (Libc.MUSL, (1, 2)),
    "Alpine 3.21": (Libc.MUSL, (1, 2)),
    "Alpine 3.20": (Libc.MUSL, (1, 2)),
    "Debian 11 (bullseye)": (Libc.GLIBC, (2, 31)),
    "Debian 12 (bookworm)": (Libc.GLIBC, (2, 36)),
    "Debian 13 (trixie)": (Libc.GLIBC, (2, 41)),
}


@pytest.mark.parametrize(
    ("spec", "distro", "python", "variant"),
    [
        ("python:3.12-alpine", "Alpine 3.24", "3.12.14", "alpine"),
        ("python:3.12-alpine3.20", "Alpine 3.20", "3.12.10", "alpine"),
        ("python:3.11-slim-bookworm", "Debian 12 (bookworm)", "3.11.16", "slim"),
        ("python:3.13-slim", "Debian 13 (trixie)", "3.13.15", "slim"),
        ("python:3.10.13", "Debian 12 (bookworm)", "3.10.13", "full"),
        ("python:3.10.11", "Debian 11 (bullseye)", "3.10.11", "full"),
        ("python:3.13.5-slim", "Debian 12 (bookworm)", "3.13.5", "slim"),
        ("python:3.12.14-slim-trixie", "Debian 13 (trixie)", "3.12.14", "slim"),
        ("python:3.12.8-alpine", "Alpine 3.21", "3.12.8", "alpine"),
        ("python:3.12-slim-bullseye", "Debian 11 (bullseye)", "3.12.11", "slim"),
        ("docker.io/library/python:3.12", "Debian 13 (trixie)", "3.12.14", "full"),
        ("python", "Debian 13 (trixie)", "3.14.7", "full"),
        ("python:latest", "Debian 13 (trixie)", "3.14.7", "full"),
        ("python:alpine", "Alpine 3.24", "3.14.7", "alpine"),
        ("python:slim", "Debian 13 (trixie)", "3.14.7", "slim"),
    ],
)
def test_image_reference_means(spec: str, distro: str, python: str, variant: str) -> None:
    target = one(spec)
    assert target.distro == distro
    assert (target.libc, target.libc_version) == LIBC[distro]
    assert target.python_full_version == python
    assert target.python_version == tuple(int(p) for p in python.split(".")[:2])
    assert target.variant == variant
    assert (target.arch, target.platform) == ("x86_64", "linux/amd64")


def test_image_target_ids_and_normalised_image() -> None:
    targets = parse_targets(["docker.io/library/python:3.12-alpine"])
    assert [t.id for t in targets] == ["python:3.12-alpine/amd64", "python:3.12-alpine/arm64"]
    assert {t.image for t in targets} == {"python:3.12-alpine"}
    assert one("python").id == "python:latest/amd64"


def test_default_targets_are_alpine_then_slim_on_amd64_and_arm64() -> None:
    targets = parse_targets([])
    assert [t.id for t in targets] == [
        f"python:{DEFAULT_PYTHON}-alpine/amd64",
        f"python:{DEFAULT_PYTHON}-alpine/arm64",
        f"python:{DEFAULT_PYTHON}-slim/amd64",
        f"python:{DEFAULT_PYTHON}-slim/arm64",
    ]
    assert [t.arch for t in targets] == ["x86_64", "aarch64", "x86_64", "aarch64"]


def test_free_threaded_python_is_its_base_image_with_a_free_threaded_cpython() -> None:
    targets = parse_targets([], ["amd64"], python="3.13t")
    assert [t.id for t in targets] == ["python:3.13t-alpine/amd64", "python:3.13t-slim/amd64"]
    slim = targets[1]
    assert slim.image == "python:3.13-slim"
    assert slim.free_threaded
    assert slim.python == "3.13t"
    assert tag_strings(slim)[0].startswith("cp313-cp313t-")
    with pytest.raises(UnknownTarget, match=r"3\.13"):
        parse_targets([], python="3.12t")


def test_explicit_spec_keeps_its_arch_and_id() -> None:
    targets = parse_targets(
        ["cp312-musllinux_1_2_x86_64", "cp313-manylinux_2_36_aarch64"], ["arm64", "s390x"]
    )
    assert [(t.id, t.arch, t.libc, t.libc_version) for t in targets] == [
        ("cp312-musllinux_1_2_x86_64", "x86_64", Libc.MUSL, (1, 2)),
        ("cp313-manylinux_2_36_aarch64", "aarch64", Libc.GLIBC, (2, 36)),
    ]
    assert targets[0].image is None and targets[0].variant is None


def test_duplicates_are_removed_in_order() -> None:
    targets = parse_targets(
        ["python:3.12-slim", "python:3.12-alpine", "docker.io/library/python:3.12-slim"],
        ["arm64", "aarch64", "linux/arm64"],
    )
    assert [t.id for t in targets] == ["python:3.12-slim/arm64", "python:3.12-alpine/arm64"]


@pytest.mark.parametrize(
    ("arch", "short", "machine"),
    [
        ("amd64", "amd64", "x86_64"),
        ("x86_64", "amd64", "x86_64"),
        ("linux/amd64", "amd64", "x86_64"),
        ("arm64", "arm64", "aarch64"),
        ("aarch64", "arm64", "aarch64"),
        ("linux/arm64", "arm64", "aarch64"),
        ("linux/arm/v7", "arm/v7", "armv7l"),
        ("armv7l", "arm/v7", "armv7l"),
        ("386", "386", "i686"),
        ("i686", "386", "i686"),
        ("ppc64le", "ppc64le", "ppc64le"),
        ("s390x", "s390x", "s390x"),
        ("riscv64", "riscv64", "riscv64"),
    ],
)
def test_arch_forms(arch: str, short: str, machine: str) -> None:
    target = one("python:3.12-alpine", arch)
    assert target.id == f"python:3.12-alpine/{short}"
    assert target.arch == machine
    assert target.platform == f"linux/{short}"


def test_target_id_names_its_arch() -> None:
    (target,) = parse_targets(["python:3.12-alpine/arm/v7"], ["amd64", "arm64"])
    assert (target.id, target.arch) == ("python:3.12-alpine/arm/v7", "armv7l")


# --- errors a user sees ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("python:3.12-alpnie", r"did you mean python:3\.12-alpine\?"),
        ("pyhton:3.12-slim", r"did you mean python:3\.12-slim\?"),
        ("python:3.7-slim", r"Python 3\.7 is not in the table"),
        ("python:3.14-alpine3.20", r"never published with Python 3\.14"),
        ("python:3.12.14-alpine3.20", r"3\.12\.3 \.\. 3\.12\.10"),
        ("python:3.12.99", r"not 3\.12\.99"),
        ("node:20", r"official 'python' images"),
        ("cp312-musllnux_1_2_x86_64", r"did you mean musllinux\?"),
        ("cp312-musllinux_1_2_x86_46", r"did you mean x86_64\?"),
        ("cp312t-manylinux_2_36_x86_64", r"free-threaded"),
        ("cp313-manylinux1_aarch64", r"aarch64 starts at glibc 2\.17"),
    ],
)
def test_unknown_targets_say_why_on_one_line(spec: str, message: str) -> None:
    with pytest.raises(UnknownTarget, match=message) as info:
        parse_targets([spec])
    assert "\n" not in str(info.value)


def test_unknown_arch_suggests_a_known_one() -> None:
    with pytest.raises(UnknownTarget, match=r"did you mean amd64\?"):
        parse_targets(["python:3.12-slim"], ["amd46"])


def test_variant_without_the_arch_says_which_it_has() -> None:
    with pytest.raises(UnknownTarget, match=r"no s390x image; it offers amd64, .*ppc64le"):
        parse_targets(["python:3.12-slim-bookworm"], ["s390x"])
    # trixie has s390x
    assert one("python:3.12-slim-trixie", "s390x").arch == "s390x"


# --- markers -----------------------------------------------------------------------------------


def test_marker_environment_is_the_targets_not_the_hosts() -> None:
    env = marker_environment(one("python:3.12-alpine", "arm64"))
    assert env["platform_machine"] == "aarch64"
    assert env["python_version"] == "3.12"
    assert env["python_full_version"] == env["implementation_version"] == "3.12.14"
    assert env["sys_platform"] == "linux"
    assert env["platform_system"] == "Linux"
    assert env["implementation_name"] == "cpython"
    assert env["platform_release"] == env["platform_version"] == ""
    assert Marker('platform_machine == "aarch64" and python_version >= "3.12"').evaluate(env)
    assert not Marker('platform_machine == "x86_64"').evaluate(env)


# --- related images ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "variant", "expected"),
    [
        ("python:3.12-alpine", "slim", "python:3.12-slim"),
        ("python:3.12-slim", "alpine", "python:3.12-alpine"),
        ("python:3.12-alpine3.20", "slim", "python:3.12-slim"),
        ("python:3.12.14-slim-trixie", "alpine", "python:3.12.14-alpine"),
        ("python:alpine", "slim", "python:slim"),
        ("python:3.12", "alpine", "python:3.12-alpine"),
        ("python:3.12-slim", "full", "python:3.12"),
    ],
)
def test_sibling_image(image: str, variant: str, expected: str) -> None:
    assert sibling_image(image, variant) == expected


def test_sibling_target_keeps_python_and_arch() -> None:
    alpine = one("python:3.13t-alpine", "arm64")
    slim = sibling_target(alpine, "slim")
    assert (slim.id, slim.arch, slim.free_threaded) == ("python:3.13t-slim/arm64", "aarch64", True)
    assert slim.libc is Libc.GLIBC


# --- the data table ----------------------------------------------------------------------------


def test_every_row_of_the_data_table_has_a_source() -> None:
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    assert doc["as_of"]
    for key, section in doc.items():
        if isinstance(section, dict) and "rows" in section:
            assert section["source"], key
    for key in ("distros", "variants", "moving_tags"):
        for row in doc[key]["rows"]:
            assert row["source"], row


def test_table_moving_tags_point_at_current_releases() -> None:
    table = load_table()
    assert resolve_image("python:3.12-alpine").variant.tag == "alpine3.24"
    assert resolve_image("python:3.12-slim").variant.tag == "slim-trixie"
    assert resolve_image("python:3.12").variant.tag == "trixie"
    assert table.newest_minor == "3.14"
    for variant in table.variants.values():
        assert variant.architectures, variant.tag
        assert "linux/amd64" in variant.architectures
