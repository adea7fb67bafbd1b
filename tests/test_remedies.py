"""Ways around a source build: nearest versions with a wheel, pip options, alternatives."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from wheelcheck._advise.remedies import RemedySearch, alternatives_for, wheel_versions
from wheelcheck._judge.selection import SelectionPolicy
from wheelcheck._judge.targets import parse_targets
from wheelcheck.models import DistFile, ProjectPage, Target, Verdict

INDEX = "https://pypi.org/simple"


def dist(filename: str, *, yanked: bool = False) -> DistFile:
    if filename.endswith(".whl"):
        _, version, build, tags = parse_wheel_filename(filename)
        return DistFile(filename, f"https://f.invalid/{filename}", INDEX, version, True, tags,
                        build, yanked=yanked)  # fmt: skip
    _, version = parse_sdist_filename(filename)
    return DistFile(filename, f"https://f.invalid/{filename}", INDEX, version, False, yanked=yanked)


def page(name: str, *filenames: str) -> ProjectPage:
    return ProjectPage(canonicalize_name(name), tuple(dist(f) for f in filenames), (INDEX,))


def target(image: str = "python:3.12-alpine", arch: str = "amd64") -> Target:
    return parse_targets([image], [arch], None)[0]


MUSL = "cp312-cp312-musllinux_1_2_x86_64.whl"
GLIBC = "cp312-cp312-manylinux_2_17_x86_64.whl"
# 1.0 and 3.0 have a musl wheel; 2.0 only a glibc one (pip builds 2.0 on alpine).
LIB = page(
    "lib",
    "lib-1.0.tar.gz", f"lib-1.0-{MUSL}",
    "lib-2.0.tar.gz", f"lib-2.0-{GLIBC}",
    "lib-3.0.tar.gz", f"lib-3.0-{MUSL}",
)  # fmt: skip


def test_versions_with_a_wheel_for_the_target() -> None:
    assert wheel_versions(LIB, target()) == [Version("1.0"), Version("3.0")]
    assert wheel_versions(LIB, target("python:3.12-slim")) == [Version("2.0")]


def test_nearest_older_within_the_specifier_and_what_prefer_binary_does() -> None:
    remedy = RemedySearch().find(
        LIB, chosen=Version("2.0"), target=target(), specifier=SpecifierSet("<3")
    )
    assert (remedy.older, remedy.newer, remedy.within_specifier) == ("1.0", None, True)
    assert remedy.prefer_binary == "1.0 (wheel)"
    assert remedy.only_binary == "1.0 (wheel)"


def test_outside_the_specifier_when_nothing_inside_has_a_wheel() -> None:
    remedy = RemedySearch().find(
        LIB, chosen=Version("2.0"), target=target(), specifier=SpecifierSet("==2.0")
    )
    assert (remedy.older, remedy.newer, remedy.within_specifier) == ("1.0", "3.0", False)
    assert remedy.prefer_binary is None  # the pin leaves pip nothing else
    assert remedy.only_binary is None  # --only-binary: nothing installs


def test_no_wheel_at_all_says_so() -> None:
    only_sdists = page("psycopg2", "psycopg2-2.9.13.tar.gz", "psycopg2-2.9.12.tar.gz")
    remedy = RemedySearch().find(only_sdists, chosen=Version("2.9.13"), target=target())
    assert (remedy.older, remedy.newer, remedy.within_specifier) == (None, None, False)
    assert (remedy.prefer_binary, remedy.only_binary) == (None, None)


def test_pre_releases_only_when_asked() -> None:
    pre = page("lib", "lib-2.0.tar.gz", f"lib-2.1rc1-{MUSL}")
    assert RemedySearch().find(pre, chosen=Version("2.0"), target=target()).newer is None
    policy = SelectionPolicy(pre=True)
    assert RemedySearch(policy).find(pre, chosen=Version("2.0"), target=target()).newer == "2.1rc1"


def test_curated_alternatives_are_judged_on_the_target() -> None:
    assert [a.requirement for a in alternatives_for("psycopg2")] == [
        "psycopg2-binary",
        "psycopg[binary]",
    ]
    binary = page("psycopg2-binary", "psycopg2_binary-2.9.11.tar.gz",
                  f"psycopg2_binary-2.9.11-{MUSL}")  # fmt: skip
    psycopg2 = page("psycopg2", "psycopg2-2.9.13.tar.gz")
    search = RemedySearch(alternative_pages={canonicalize_name("psycopg2-binary"): binary})
    remedy = search.find(psycopg2, chosen=Version("2.9.13"), target=target())
    first, second = remedy.alternatives
    assert first.startswith("psycopg2-binary (drop-in")
    assert "psycopg2-binary 2.9.11 has a cp312 musllinux_1_2_x86_64 wheel here" in first
    assert second.endswith("not checked")  # psycopg-binary's page was not given


def test_alternative_without_a_wheel_there_either() -> None:
    glibc_only = page("psycopg2-binary", f"psycopg2_binary-2.9.11-{GLIBC}")
    search = RemedySearch(alternative_pages={canonicalize_name("psycopg2-binary"): glibc_only})
    remedy = search.find(
        page("psycopg2", "psycopg2-2.9.13.tar.gz"), chosen=Version("2.9.13"), target=target()
    )
    assert "no wheel here either (missing)" in remedy.alternatives[0]


@pytest.mark.live
def test_llm_app_names_build_needs_remedies_and_sizes() -> None:
    """Done-when: the motivating example against live PyPI."""
    import wheelcheck

    example = Path(__file__).parent.parent / "examples" / "llm-app" / "requirements.txt"
    report = wheelcheck.check(
        [example], advice=True, sizes=True, environ={}, pip_config_files=[],
        index_url="https://pypi.org/simple",
    )  # fmt: skip
    psycopg2 = next(p for p in report.packages if p.name == "psycopg2")
    for result in psycopg2.results.values():
        assert result.verdict is Verdict.SOURCE
        assert result.build is not None and result.build.kind == "native"
        assert "libpq-dev" in result.build.system_packages
        assert result.remedy is not None
        assert any("psycopg2-binary" in a and "wheel here" in a for a in result.remedy.alternatives)
    candidates = {c.variant: c for c in report.recommendation.candidates}
    assert candidates["alpine"].multi_stage_mb < candidates["slim"].multi_stage_mb
    assert all(size.installed_bytes > 100_000_000 for size in report.sizes.values())
    assert report.recommendation.image == "python:3.12-slim"
