"""Reading Simple API project pages (PEP 691 JSON and PEP 503 HTML) into DistFiles."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from packaging.tags import Tag
from packaging.version import Version

from wheelcheck._index import MalformedPage, PageSource, parse_html_page, parse_json_page
from wheelcheck.errors import IndexFault, ProjectLookupError

if TYPE_CHECKING:
    from wheelcheck.models import DistFile

PAGE = "https://mirror.example/simple/demo/"
INDEX = "https://alice:hunter22@mirror.example/simple"
REDACTED = "https://alice:****@mirror.example/simple"
FILES = "https://files.example/packages/ab/cd"


def json_page(*files: dict[str, Any], api_version: str = "1.1") -> bytes:
    return json.dumps(
        {"meta": {"api-version": api_version}, "name": "demo", "files": list(files)}
    ).encode()


def entry(filename: str, **fields: Any) -> dict[str, Any]:
    return {"filename": filename, "url": f"{FILES}/{filename}", "hashes": {}, **fields}


def by_name(files: tuple[DistFile, ...]) -> dict[str, DistFile]:
    return {f.filename: f for f in files}


def parse_json(body: bytes, project: str = "demo") -> Any:
    return parse_json_page(body, PageSource(PAGE, INDEX, project))


def parse_html(body: str, project: str = "demo", page_url: str = PAGE) -> Any:
    return parse_html_page(body.encode(), PageSource(page_url, INDEX, project))


# --- JSON -------------------------------------------------------------------------------


def test_json_wheel_and_sdist_fields() -> None:
    page = parse_json(
        json_page(
            entry(
                "demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
                hashes={"sha256": "aa11"},
                **{"requires-python": ">=3.9", "size": 1234, "upload-time": "2024-01-02T03:04:05Z"},
            ),
            entry("demo-1.0.tar.gz", hashes={"sha256": "bb22"}),
        )
    )
    files = by_name(page.files)
    wheel = files["demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"]
    assert wheel.is_wheel and not wheel.is_pure
    assert wheel.version == Version("1.0")
    assert wheel.tags == frozenset({Tag("cp312", "cp312", "musllinux_1_2_x86_64")})
    assert wheel.hashes == {"sha256": "aa11"}
    assert wheel.requires_python == ">=3.9"
    assert wheel.size == 1234
    assert wheel.upload_time == "2024-01-02T03:04:05Z"
    assert wheel.url == f"{FILES}/demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    assert wheel.index_url == REDACTED
    assert not wheel.yanked and wheel.core_metadata is None
    sdist = files["demo-1.0.tar.gz"]
    assert not sdist.is_wheel and sdist.tags == frozenset() and sdist.hashes == {"sha256": "bb22"}
    assert page.warnings == ()


def test_json_yanked_with_and_without_reason() -> None:
    page = parse_json(
        json_page(
            entry("demo-1.0.tar.gz", yanked=True),
            entry("demo-1.1.tar.gz", yanked="broken on Windows"),
            entry("demo-1.2.tar.gz", yanked=False),
        )
    )
    files = by_name(page.files)
    assert (files["demo-1.0.tar.gz"].yanked, files["demo-1.0.tar.gz"].yanked_reason) == (True, None)
    assert files["demo-1.1.tar.gz"].yanked
    assert files["demo-1.1.tar.gz"].yanked_reason == "broken on Windows"
    assert not files["demo-1.2.tar.gz"].yanked


def test_json_core_metadata_both_spellings() -> None:
    page = parse_json(
        json_page(
            entry("demo-1.0-py3-none-any.whl", **{"core-metadata": {"sha256": "cc33"}}),
            entry("demo-1.1-py3-none-any.whl", **{"dist-info-metadata": True}),
            entry("demo-1.2-py3-none-any.whl", **{"core-metadata": False}),
            entry(
                "demo-1.3-py3-none-any.whl",
                **{"core-metadata": {"sha256": "new"}, "dist-info-metadata": {"sha256": "old"}},
            ),
        )
    )
    files = by_name(page.files)
    assert files["demo-1.0-py3-none-any.whl"].core_metadata == {"sha256": "cc33"}
    assert files["demo-1.1-py3-none-any.whl"].core_metadata == {}
    assert files["demo-1.2-py3-none-any.whl"].core_metadata is None
    # PEP 714: the new key wins over the old one.
    assert files["demo-1.3-py3-none-any.whl"].core_metadata == {"sha256": "new"}


def test_json_relative_url_resolves_against_page() -> None:
    body = json_page({"filename": "demo-1.0.tar.gz", "url": "../../files/demo-1.0.tar.gz"})
    (file,) = parse_json(body).files
    assert file.url == "https://mirror.example/files/demo-1.0.tar.gz"


def test_json_other_formats_ignored_silently() -> None:
    page = parse_json(
        json_page(
            entry("demo-1.0.win32.exe"),
            entry("demo-1.0-py2.7.egg"),
            entry("demo-1.0.msi"),
            entry("demo-0.9.tar.bz2"),
            entry("demo-1.0.tar.gz"),
        )
    )
    # pip builds legacy .tar.bz2 sdists too; it never installs .exe, .egg or .msi files.
    assert [(f.filename, str(f.version)) for f in page.files] == [
        ("demo-0.9.tar.bz2", "0.9"),
        ("demo-1.0.tar.gz", "1.0"),
    ]
    assert page.warnings == ()


def test_json_unparsable_and_foreign_names_skipped_with_warning() -> None:
    page = parse_json(
        json_page(
            entry("demo-1.0-py3-none-any.whl"),
            entry("demo-notaversion.tar.gz"),
            entry("demo-1.0-badwheel.whl"),
            entry("other-2.0-py3-none-any.whl"),
        )
    )
    assert [f.filename for f in page.files] == ["demo-1.0-py3-none-any.whl"]
    text = "\n".join(page.warnings)
    assert "demo-notaversion.tar.gz" in text and "demo-1.0-badwheel.whl" in text
    assert "other-2.0-py3-none-any.whl" in text
    for warning in page.warnings:
        assert "demo" in warning and REDACTED in warning
        assert "hunter22" not in warning


def test_json_name_matching_is_by_normalized_name() -> None:
    page = parse_json(
        json_page(entry("Foo_Bar-1.0-py3-none-any.whl"), entry("foo.bar-1.0.tar.gz")),
        project="foo-bar",
    )
    assert len(page.files) == 2 and page.warnings == ()


def test_json_invalid_requires_python_is_no_constraint_with_warning() -> None:
    page = parse_json(json_page(entry("demo-1.0.tar.gz", **{"requires-python": ">=3.6.*"})))
    (file,) = page.files
    assert file.requires_python is None
    assert len(page.warnings) == 1
    assert "demo-1.0.tar.gz" in page.warnings[0] and ">=3.6.*" in page.warnings[0]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"meta": {"api-version": "1.0"}}', json_page(api_version="2.0")],
)
def test_json_malformed_raises_domain_error(body: bytes) -> None:
    with pytest.raises(MalformedPage) as caught:
        parse_json(body)
    message = str(caught.value)
    assert "demo" in message and REDACTED in message and "hunter22" not in message
    assert isinstance(caught.value, ProjectLookupError) and isinstance(caught.value, IndexFault)


def test_json_entry_without_url_is_malformed() -> None:
    with pytest.raises(MalformedPage):
        parse_json(json_page({"filename": "demo-1.0.tar.gz"}))


# --- HTML -------------------------------------------------------------------------------

HTML = f"""<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.1"></head><body>
<a href="{FILES}/demo-1.0-py3-none-any.whl#sha256=aa11"
   data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=dd44"
   >demo-1.0-py3-none-any.whl</a><br/>
<a href="{FILES}/demo-1.0.tar.gz#sha256=bb22" data-yanked="">demo-1.0.tar.gz</a><br/>
<a href="{FILES}/demo-1.1.tar.gz" data-yanked="CVE-2024-1 &amp; more">demo-1.1.tar.gz</a>
<a href="{FILES}/demo-1.2.tar.gz" data-yanked>demo-1.2.tar.gz</a>
<a href="{FILES}/demo-1.3-py3-none-any.whl" data-dist-info-metadata="true">w</a>
<a href="{FILES}/demo-1.4-py3-none-any.whl">demo-1.4-py3-none-any.whl</a>
<a href="{FILES}/demo-1.0.win32.exe">demo-1.0.win32.exe</a>
<a href="{FILES}/demo-0.1.zip">demo-0.1.zip</a>
</body></html>
"""


def test_html_fields() -> None:
    page = parse_html(HTML)
    files = by_name(page.files)
    assert set(files) == {
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-1.1.tar.gz",
        "demo-1.2.tar.gz",
        "demo-1.3-py3-none-any.whl",
        "demo-1.4-py3-none-any.whl",
        "demo-0.1.zip",
    }
    wheel = files["demo-1.0-py3-none-any.whl"]
    assert wheel.hashes == {"sha256": "aa11"}
    assert wheel.url == f"{FILES}/demo-1.0-py3-none-any.whl"  # fragment moved to hashes
    assert wheel.requires_python == ">=3.8,<4"  # HTML entities decoded
    assert wheel.core_metadata == {"sha256": "dd44"}
    assert wheel.is_pure and wheel.index_url == REDACTED
    assert files["demo-1.3-py3-none-any.whl"].core_metadata == {}  # old spelling, "true"
    assert files["demo-1.4-py3-none-any.whl"].core_metadata is None
    assert files["demo-1.0.tar.gz"].hashes == {"sha256": "bb22"}
    assert files["demo-0.1.zip"].version == Version("0.1")
    assert page.warnings == ()


def test_html_yanked_with_and_without_reason() -> None:
    files = by_name(parse_html(HTML).files)
    assert (files["demo-1.0.tar.gz"].yanked, files["demo-1.0.tar.gz"].yanked_reason) == (True, None)
    assert (files["demo-1.2.tar.gz"].yanked, files["demo-1.2.tar.gz"].yanked_reason) == (True, None)
    assert files["demo-1.1.tar.gz"].yanked
    assert files["demo-1.1.tar.gz"].yanked_reason == "CVE-2024-1 & more"
    assert not files["demo-1.4-py3-none-any.whl"].yanked


def test_html_relative_hrefs_resolve_against_page_url() -> None:
    body = '<a href="../../files/demo-1.0.tar.gz#sha256=ee55">demo-1.0.tar.gz</a>'
    (file,) = parse_html(body, page_url="http://127.0.0.1:8080/relative/simple/demo/").files
    assert file.url == "http://127.0.0.1:8080/relative/files/demo-1.0.tar.gz"
    assert file.hashes == {"sha256": "ee55"}


def test_html_base_href_is_honoured() -> None:
    body = (
        '<html><head><base href="https://cdn.example/dl/"></head><body>'
        '<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a></body></html>'
    )
    (file,) = parse_html(body).files
    assert file.url == "https://cdn.example/dl/demo-1.0.tar.gz"


def test_html_percent_encoded_filename() -> None:
    body = f'<a href="{FILES}/demo-1.0%2Blocal.tar.gz">x</a>'
    (file,) = parse_html(body).files
    assert file.filename == "demo-1.0+local.tar.gz"
    assert file.version == Version("1.0+local")


def test_html_invalid_names_skipped_with_warning_naming_project() -> None:
    body = (
        f'<a href="{FILES}/demo-1.0.tar.gz">ok</a>'
        f'<a href="{FILES}/demo-latest.tar.gz">bad</a>'
        f'<a href="{FILES}/someone_else-1.0.tar.gz">foreign</a>'
    )
    page = parse_html(body)
    assert [f.filename for f in page.files] == ["demo-1.0.tar.gz"]
    assert any("demo-latest.tar.gz" in w for w in page.warnings)
    assert any("someone_else-1.0.tar.gz" in w for w in page.warnings)
    assert all(w.startswith(f"demo on {REDACTED}") for w in page.warnings)


def test_html_invalid_requires_python_with_entities() -> None:
    body = f'<a href="{FILES}/demo-1.0.tar.gz" data-requires-python="&gt;=3.x">f</a>'
    page = parse_html(body)
    assert page.files[0].requires_python is None
    assert ">=3.x" in page.warnings[0]


def test_html_page_without_files_is_empty() -> None:
    page = parse_html("<!DOCTYPE html><html><body><h1>Links for demo</h1></body></html>")
    assert page.files == () and page.warnings == ()


@pytest.mark.parametrize("body", ["", "   ", '{"files": []}'])
def test_html_not_html_is_malformed(body: str) -> None:
    with pytest.raises(MalformedPage) as caught:
        parse_html(body)
    assert "demo" in str(caught.value) and "hunter22" not in str(caught.value)


def test_both_flavours_agree() -> None:
    """The same release described in JSON and in HTML yields the same files."""
    json_body = json_page(
        entry(
            "demo-1.0-py3-none-any.whl",
            hashes={"sha256": "aa11"},
            **{"requires-python": ">=3.8,<4", "core-metadata": {"sha256": "dd44"}},
        ),
        entry("demo-1.0.tar.gz", hashes={"sha256": "bb22"}, yanked=True),
    )
    html_files = {
        f.filename: f for f in parse_html(HTML).files if f.filename.startswith("demo-1.0")
    }
    json_files = by_name(parse_json(json_body).files)
    assert json_files.keys() == html_files.keys()
    for name, from_json in json_files.items():
        from_html = html_files[name]
        for attribute in ("url", "version", "tags", "hashes", "requires_python", "yanked"):
            assert getattr(from_json, attribute) == getattr(from_html, attribute), attribute
        assert from_json.core_metadata == from_html.core_metadata
