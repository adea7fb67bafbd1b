"""pip's candidate rules (wheelcheck/_judge/selection.py), on pages recorded from PyPI."""

from __future__ import annotations

from pathlib import Path

from packaging.specifiers import SpecifierSet

from wheelcheck._index.pages import PageSource, ParsedPage, parse_json_page
from wheelcheck._judge.selection import is_pinned, rank_candidates
from wheelcheck._judge.targets import parse_targets, tag_ranks

INDEX = Path(__file__).parent / "data" / "index" / "json"


def page_files(name: str) -> list:  # type: ignore[type-arg]
    body = (INDEX / f"{name}.json").read_bytes()
    url = f"https://pypi.org/simple/{name}/"
    return list(parse_json_page(body, PageSource(url, url, name)).files)


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


def spelled_twice_page() -> ParsedPage:
    """A page whose one release is spelled "1.0" (the sdist) and "1.0.0" (the wheel)."""
    body = (
        b'{"meta": {"api-version": "1.1"}, "files": ['
        b'{"filename": "spell-1.0.tar.gz", "url": "https://x/spell-1.0.tar.gz", "hashes": {}},'
        b'{"filename": "spell-1.0.0-py3-none-any.whl", "url": "https://x/w.whl", "hashes": {}}]}'
    )
    url = "https://pypi.org/simple/spell/"
    return parse_json_page(body, PageSource(url, url, "spell"))


def spelled_twice() -> list:  # type: ignore[type-arg]
    return list(spelled_twice_page().files)


def test_arbitrary_equality_compares_spellings_as_pip_does() -> None:
    (target,) = parse_targets(["python:3.12-slim"], ["amd64"])

    def chosen(specifier: str) -> list[str]:
        ranked = rank_candidates(
            spelled_twice(),
            specifier=SpecifierSet(specifier),
            tag_ranks=tag_ranks(target),
            python_full_version=target.python_full_version,
        )
        return [f.filename for f in ranked]

    assert chosen("===1.0.0") == ["spell-1.0.0-py3-none-any.whl"]
    assert chosen("===1.0") == ["spell-1.0.tar.gz"]
    assert chosen("==1.0") == ["spell-1.0.0-py3-none-any.whl", "spell-1.0.tar.gz"]


def test_the_cache_keeps_each_files_spelling(tmp_path: Path) -> None:
    from wheelcheck._cache.store import Store
    from wheelcheck._index.page_cache import Validators, load_page, store_page

    cache = Store(tmp_path)
    page = spelled_twice_page()
    store_page(cache, "ab" * 32, page, validators=Validators(), body_sha256=None)
    for versions in (None, SpecifierSet("==1")):
        entry = load_page(cache, "ab" * 32, versions)
        assert entry is not None
        back = entry.parsed("https://pypi.org/simple/spell/", versions)
        assert back is not None
        assert {(f.filename, str(f.version)) for f in back.files} == {
            ("spell-1.0.tar.gz", "1.0"),
            ("spell-1.0.0-py3-none-any.whl", "1.0.0"),
        }


def test_among_equal_files_the_last_listed_wins_cached_or_not(tmp_path: Path) -> None:
    """pip prefers, among files of equal rank, the one listed last on the page; grouping
    the rows by version spelling ("1.0", "1.0.0") must not change which one that is."""
    from wheelcheck._cache.store import Store
    from wheelcheck._index.page_cache import Validators, load_page, store_page

    names = ["spell-1.0.tar.gz", "spell-1.0.0.tar.gz", "spell-1.0.zip"]
    entries = ",".join(
        f'{{"filename": "{n}", "url": "https://x/{n}", "hashes": {{}}}}' for n in names
    )
    body = f'{{"meta": {{"api-version": "1.1"}}, "files": [{entries}]}}'.encode()
    url = "https://pypi.org/simple/spell/"
    page = parse_json_page(body, PageSource(url, url, "spell"))
    assert [f.filename for f in page.files] == names
    cache = Store(tmp_path)
    store_page(cache, "ab" * 32, page, validators=Validators(), body_sha256=None)
    entry = load_page(cache, "ab" * 32)
    assert entry is not None
    back = entry.parsed(url)
    assert back is not None and list(back.files) == list(page.files)
    (target,) = parse_targets(["python:3.12-slim"], ["amd64"])
    for specifier in ("", "==1.0"):
        ranked = rank_candidates(
            back.files,
            specifier=SpecifierSet(specifier),
            tag_ranks=tag_ranks(target),
            python_full_version=target.python_full_version,
        )
        assert ranked[0].filename == "spell-1.0.zip"
