"""pip's candidate rules in select.py, on pages parsed from recorded PyPI answers."""

from __future__ import annotations

from pathlib import Path

from packaging.specifiers import SpecifierSet

from wheelcheck.index.pages import parse_json_page
from wheelcheck.select import is_pinned, rank_candidates
from wheelcheck.targets import parse_targets, tag_ranks

INDEX = Path(__file__).parent / "data" / "index" / "json"


def page_files(name: str) -> list:  # type: ignore[type-arg]
    body = (INDEX / f"{name}.json").read_bytes()
    url = f"https://pypi.org/simple/{name}/"
    return list(parse_json_page(body, page_url=url, index_url=url, project=name).files)


def test_a_pin_merged_with_a_range_still_counts_as_pinned() -> None:
    # pip's resolver: any == or === clause pins (a yanked pinned release stays installable)
    assert is_pinned(SpecifierSet("==2.32.0,>=2"))
    assert is_pinned(SpecifierSet("===2.32.0"))
    assert not is_pinned(SpecifierSet("==2.*"))
    assert not is_pinned(SpecifierSet(">=2"))


def test_yanked_pin_survives_a_merged_range() -> None:
    (target,) = parse_targets(["python:3.12-slim"], ["amd64"])
    ranked = rank_candidates(
        page_files("requests"),
        specifier=SpecifierSet("==2.32.0,>=2"),
        tag_ranks=tag_ranks(target),
        python_full_version=target.python_full_version,
    )
    assert ranked and str(ranked[0].version) == "2.32.0"
