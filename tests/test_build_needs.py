"""What a source build needs, per distribution release, and the Dockerfile lines for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version

from wheelcheck._advise.build_needs import (
    _for_release,
    build_needs,
    curated_row,
    distribution_of,
    dockerfile_lines,
    merge_needs,
)
from wheelcheck._judge.targets import parse_targets
from wheelcheck._metadata.native import NativeCall
from wheelcheck.models import Libc, Target

DATA = Path(__file__).parent.parent / "data" / "build-deps.json"
NATIVE_C = NativeCall("native", ("c",), ("ext_modules in setup.py",))


def target(image: str, arch: str = "amd64") -> Target:
    return parse_targets([image], [arch], None)[0]


def test_table_has_forty_rows_each_with_a_source() -> None:
    rows = json.loads(DATA.read_text(encoding="utf-8"))["packages"]
    assert len(rows) >= 40
    assert all(row["source"].strip() for row in rows)
    assert all(row["apk"]["default"] and row["apt"]["default"] for row in rows)


def test_psycopg2_on_alpine_needs_gcc_and_libpq_dev_and_keeps_libpq() -> None:
    needs = build_needs("psycopg2", NATIVE_C, target("python:3.12-alpine"))
    assert needs.kind == "native"
    assert needs.package_manager == "apk"
    assert needs.system_packages == ("gcc", "musl-dev", "libpq-dev")
    assert needs.runtime_packages == ("libpq",)
    assert needs.toolchains == ("gcc",)
    assert "psycopg.org" in (needs.source or "")


def test_names_change_with_the_release() -> None:
    row = curated_row("psycopg2")
    assert row is not None
    assert "postgresql-dev" in _for_release(row.apk, Version("3.16"))
    assert "libpq-dev" in _for_release(row.apk, Version("3.17"))
    trixie = build_needs("Pillow", NATIVE_C, target("python:3.12-slim"))
    bookworm = build_needs("pillow", NATIVE_C, target("python:3.12-slim-bookworm"))
    assert "libjpeg62-turbo-dev" in trixie.system_packages
    assert "libjpeg-dev" in bookworm.system_packages


@pytest.mark.parametrize(
    "image", ["python:3.12-alpine", "python:3.12-slim", "python:3.12-slim-bookworm", "python:3.12"]
)
def test_python3_dev_is_never_suggested(image: str) -> None:
    rows = json.loads(DATA.read_text(encoding="utf-8"))["packages"]
    for row in rows:
        needs = build_needs(row["name"], NATIVE_C, target(image))
        assert not any(p.startswith(("python3-dev", "python-dev")) for p in needs.system_packages)


def test_unknown_native_package_gets_the_generic_toolchain_of_its_language() -> None:
    rust = NativeCall("native", ("rust",), ("build backend maturin",))
    needs = build_needs("some-new-rust-thing", rust, target("python:3.12-alpine"))
    assert "cargo" in needs.system_packages and "cargo" in needs.toolchains
    assert needs.source is not None and "generic rust toolchain" in needs.source
    slim = build_needs("some-new-c-thing", NATIVE_C, target("python:3.12-slim"))
    assert slim.system_packages == ("gcc", "libc6-dev")


def test_pure_sdist_needs_nothing() -> None:
    pure = NativeCall("pure", (), ("setup.py; no extension modules",))
    needs = build_needs("docopt", pure, target("python:3.12-alpine"))
    assert (needs.kind, needs.system_packages, needs.toolchains) == ("pure", (), ())


def test_unreadable_sdist_with_wheels_elsewhere_is_taken_as_native() -> None:
    needs = build_needs("mystery", None, target("python:3.12-alpine"), other_wheels=True)
    assert needs.kind == "native"
    assert "wheels exist elsewhere" in needs.evidence
    assert build_needs("mystery", None, target("python:3.12-alpine")).kind == "unknown"


def test_explicit_tag_target_assumes_the_newest_release_and_says_so() -> None:
    spec = Target("cp312-musllinux_1_2_x86_64", (3, 12), "3.12.14", Libc.MUSL, (1, 2), "x86_64")
    distribution = distribution_of(spec)
    assert distribution.family == "alpine" and distribution.assumed
    needs = build_needs("psycopg2", NATIVE_C, spec)
    assert "assumed" in (needs.source or "")


def test_alpine_dockerfile_removes_the_build_deps_in_the_same_layer() -> None:
    alpine = target("python:3.12-alpine")
    merged = merge_needs(
        {
            "psycopg2": build_needs("psycopg2", NATIVE_C, alpine),
            "cryptography": build_needs("cryptography", NATIVE_C, alpine),
        }
    )
    lines = dockerfile_lines(merged, "python:3.12-alpine")
    same = "\n".join(lines["same-layer"])
    assert (
        "apk add --no-cache libpq libffi libssl3 && apk add --no-cache --virtual .build-deps"
        in same
    )
    assert "gcc musl-dev libpq-dev libffi-dev openssl-dev cargo pkgconfig" in same
    assert same.rstrip().endswith("apk del .build-deps")
    multi = lines["multi-stage"]
    assert multi[0] == "FROM python:3.12-alpine AS build"
    assert "pip wheel" in "\n".join(multi) and "--no-index --find-links /wheels" in multi[-1]
    assert merged.toolchains == ("gcc", "cargo")


def test_debian_dockerfile_uses_no_install_recommends_and_purges() -> None:
    slim = target("python:3.12-slim")
    merged = merge_needs({"psycopg2": build_needs("psycopg2", NATIVE_C, slim)})
    same = "\n".join(dockerfile_lines(merged, "python:3.12-slim")["same-layer"])
    assert "apt-get install -y --no-install-recommends libpq5 build-essential libpq-dev" in same
    assert "apt-get purge -y --auto-remove build-essential libpq-dev" in same
    assert "python3-dev" not in same


def test_no_lines_when_only_pure_sdists_build() -> None:
    pure = build_needs("docopt", NativeCall("pure", (), ("x",)), target("python:3.12-alpine"))
    merged = merge_needs({"docopt": pure})
    assert merged.pure == ("docopt",)
    assert dockerfile_lines(merged, "python:3.12-alpine") == {}
