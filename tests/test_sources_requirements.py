"""Reading requirements files: what a user sees in the RequirementSet and in error lines."""

from __future__ import annotations

import codecs
import io
import locale
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wheelcheck._sources import parse_requirement_text, read_requirement_files
from wheelcheck.errors import InvalidInputFiles
from wheelcheck.models import DeclaredRequirement, Origin, RequirementSet


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def problems_of(paths: list[str], **kwargs: object) -> list[str]:
    with pytest.raises(InvalidInputFiles) as info:
        read_requirement_files(paths, **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def by_name(rs: RequirementSet) -> dict[str | None, DeclaredRequirement]:
    return {r.name: r for r in rs.requirements}


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Origins are the paths as given: run each test from its own folder.
    monkeypatch.chdir(tmp_path)


# -- what a requirement line becomes -----------------------------------------------------


def test_names_specifiers_markers_extras_and_origins() -> None:
    write(
        Path("requirements.txt"),
        "# the app\n"
        "NumPy==2.1.0\n"
        "\n"
        "requests[socks,security]>=2.31 ; python_version >= '3.9'  # trailing comment\n"
        "Pillow_SIMD~=9.0\n",
    )
    rs = read_requirement_files(["requirements.txt"])

    assert [r.name for r in rs.requirements] == ["numpy", "requests", "pillow-simd"]
    numpy, requests, pillow = rs.requirements
    assert numpy.origin == Origin("requirements.txt", 2)
    assert str(numpy.requirement.specifier) == "==2.1.0"  # type: ignore[union-attr]
    assert requests.origin == Origin("requirements.txt", 4)
    assert requests.requirement is not None
    assert requests.requirement.extras == {"socks", "security"}
    assert str(requests.requirement.marker) == 'python_version >= "3.9"'
    assert requests.text == "requests[socks,security]>=2.31 ; python_version >= '3.9'"
    assert pillow.requirement is not None and pillow.requirement.name == "Pillow_SIMD"
    assert rs.constraints == ()
    assert rs.files == ("requirements.txt",)
    assert all(r.direct_reference is None and not r.editable for r in rs.requirements)


def test_continued_line_keeps_first_line_number_and_hashes() -> None:
    write(
        Path("locked.txt"),
        "six==1.16.0\n"
        "numpy==2.1.0 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb \\\n"
        "    --hash=sha256:aaaa\n"
        "attrs==24.2.0 --hash=sha512:cccc\n",
    )
    rs = read_requirement_files(["locked.txt"])

    reqs = by_name(rs)
    assert reqs["numpy"].origin == Origin("locked.txt", 2)
    assert reqs["numpy"].text == "numpy==2.1.0"
    assert reqs["numpy"].hashes == ("sha256:aaaa", "sha256:bbbb")
    assert reqs["attrs"].origin == Origin("locked.txt", 6)
    assert reqs["attrs"].hashes == ("sha512:cccc",)
    assert reqs["six"].hashes == ()


def test_direct_references_are_kept_with_credentials_redacted() -> None:
    write(
        Path("req.txt"),
        "mypkg @ https://user:s3cret@example.com/mypkg-1.0.tar.gz\n"
        "git+https://tok3n@github.com/org/repo.git@v1.2#egg=repo-pkg\n"
        "https://example.com/dl/foo-2.0-py3-none-any.whl ; sys_platform == 'linux'\n"
        "https://example.com/dl/bar-1.0.tar.gz\n"
        "./vendor/baz[fast]\n"
        "dist/qux-0.3-cp312-cp312-manylinux_2_17_x86_64.whl\n"
        "-e ./local_project\n"
        "-e git+ssh://git@github.com/org/tool.git#egg=tool\n",
    )
    rs = read_requirement_files(["req.txt"])

    assert len(rs.requirements) == 8
    named = by_name(rs)
    assert named["mypkg"].direct_reference == "https://user:****@example.com/mypkg-1.0.tar.gz"
    assert named["mypkg"].text == "mypkg @ https://user:****@example.com/mypkg-1.0.tar.gz"
    assert named["repo-pkg"].direct_reference == (
        "git+https://****@github.com/org/repo.git@v1.2#egg=repo-pkg"
    )
    foo = named["foo"]
    assert foo.requirement is not None
    assert str(foo.requirement.marker) == 'sys_platform == "linux"'
    assert named["qux"].direct_reference == ("dist/qux-0.3-cp312-cp312-manylinux_2_17_x86_64.whl")
    # Unnamed references: no name, no requirement, but never dropped.
    unnamed = [r for r in rs.requirements if r.name is None]
    assert [r.direct_reference for r in unnamed] == [
        "https://example.com/dl/bar-1.0.tar.gz",
        "./vendor/baz",
        "./local_project",
    ]
    assert all(r.requirement is None for r in unnamed)
    editable = [r for r in rs.requirements if r.editable]
    assert [r.text for r in editable] == [
        "-e ./local_project",
        "-e git+ssh://****@github.com/org/tool.git#egg=tool",
    ]
    assert editable[1].name == "tool"
    assert [r.origin.line for r in rs.requirements] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert "s3cret" not in repr(rs) and "tok3n" not in repr(rs)


def test_parse_requirement_text_names_its_origin() -> None:
    rs = parse_requirement_text("numpy==2.1.0\npandas")
    assert [(r.name, str(r.origin)) for r in rs.requirements] == [
        ("numpy", "<string>:1"),
        ("pandas", "<string>:2"),
    ]
    rs = parse_requirement_text("numpy", file_name="inline")
    assert rs.requirements[0].origin == Origin("inline", 1)
    assert rs.files == ()  # a string is not a file


def test_empty_and_comment_only_files_give_an_empty_set() -> None:
    write(Path("empty.txt"), "")
    write(Path("comments.txt"), "# nothing yet\n\n   # still nothing\n")
    rs = read_requirement_files(["empty.txt", "comments.txt"])
    assert rs.requirements == () and rs.constraints == ()
    assert rs.files == ("empty.txt", "comments.txt")


# -- includes, constraints, options --------------------------------------------------------


def test_includes_are_relative_to_the_including_file() -> None:
    write(Path("requirements.txt"), "flask\n-r requirements/dev.txt\nclick\n")
    write(
        Path("requirements/dev.txt"),
        "# dev tools\npytest>=8\n-r lint.txt\n--constraint ../constraints.txt\n",
    )
    write(Path("requirements/lint.txt"), "ruff\n")
    write(Path("constraints.txt"), "urllib3<2\n\nidna==3.7\n")

    rs = read_requirement_files(["requirements.txt"])

    assert [(r.name, str(r.origin)) for r in rs.requirements] == [
        ("flask", "requirements.txt:1"),
        ("pytest", "requirements/dev.txt:2"),
        ("ruff", "requirements/lint.txt:1"),
        ("click", "requirements.txt:3"),
    ]
    # The path is joined as pip joins it, not normalised.
    assert [(r.name, str(r.origin)) for r in rs.constraints] == [
        ("urllib3", "requirements/../constraints.txt:1"),
        ("idna", "requirements/../constraints.txt:3"),
    ]
    assert rs.files == (
        "requirements.txt",
        "requirements/dev.txt",
        "requirements/lint.txt",
        "requirements/../constraints.txt",
    )


def test_index_options_across_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVATE_TOKEN", "t0ken")
    write(
        Path("a.txt"),
        "-i https://first.example/simple\n"
        "--extra-index-url https://extra-one.example/simple\n"
        "--index-url https://${PRIVATE_TOKEN}@second.example/simple\n"
        "-r b.txt\n"
        "numpy\n",
    )
    write(
        Path("b.txt"),
        "--extra-index-url https://extra-two.example/simple\n"
        "--extra-index-url=https://extra-one.example/simple\n"
        "--pre\n",
    )
    rs = read_requirement_files(["a.txt"])

    # The last -i wins and keeps its (expanded) token: the index client needs it.
    assert rs.index_url == "https://t0ken@second.example/simple"
    assert rs.extra_index_urls == (
        "https://extra-one.example/simple",
        "https://extra-two.example/simple",
    )
    assert rs.pre is True
    assert [r.name for r in rs.requirements] == ["numpy"]


def test_no_pre_and_no_index_by_default() -> None:
    rs = parse_requirement_text("numpy")
    assert rs.index_url is None and rs.extra_index_urls == () and rs.pre is False


def test_other_pip_options_are_accepted() -> None:
    write(
        Path("req.txt"),
        "--prefer-binary\n"
        "--only-binary :all:\n"
        "--no-binary lxml\n"
        "-f https://example.com/wheels/\n"
        "--find-links ./wheels\n"
        "--trusted-host example.com\n"
        "--use-feature truststore\n"
        "--require-hashes\n"
        "--no-index\n"
        "lxml --global-option=--quiet\n"
        "pyyaml --config-settings=--build-option=--with-libyaml\n"
        "orjson --pre\n",  # pip ignores file-wide options on a requirement line
    )
    rs = read_requirement_files(["req.txt"])
    assert [r.name for r in rs.requirements] == ["lxml", "pyyaml", "orjson"]
    assert [r.text for r in rs.requirements] == ["lxml", "pyyaml", "orjson"]


def test_environment_variables_expand_only_in_pip_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PKG_VERSION", "2.1.0")
    monkeypatch.setenv("lower", "x")
    monkeypatch.delenv("UNSET_VAR_FOR_TEST", raising=False)
    rs = parse_requirement_text(
        "numpy==${PKG_VERSION}\nprivate @ https://${UNSET_VAR_FOR_TEST}@host.example/p-1.0.tar.gz\n"
    )
    numpy, private = rs.requirements
    assert str(numpy.requirement.specifier) == "==2.1.0"  # type: ignore[union-attr]
    assert numpy.text == "numpy==${PKG_VERSION}"  # as written
    # An unset variable stays literal, as in pip.
    assert private.direct_reference == "https://****@host.example/p-1.0.tar.gz"
    with pytest.raises(InvalidInputFiles):
        parse_requirement_text("numpy==${lower}")


def test_secret_from_environment_is_not_in_the_requirement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GH_TOKEN", "ghp_secret")
    rs = parse_requirement_text("git+https://${GH_TOKEN}@github.com/o/r.git#egg=r\n")
    (req,) = rs.requirements
    assert req.name == "r"
    assert "ghp_secret" not in repr(rs)


# -- problems ------------------------------------------------------------------------------


def test_every_invalid_line_is_reported_with_its_line() -> None:
    write(
        Path("requirements.txt"),
        "numpy==2.1.0\npandas>>1\n# fine\nrequests[security\nflask\n\nnumpy=>1.0\n",
    )
    problems = problems_of(["requirements.txt"])

    assert len(problems) == 3
    assert problems[0].startswith("requirements.txt:2: invalid requirement 'pandas>>1': ")
    assert problems[1].startswith("requirements.txt:4: invalid requirement 'requests[security':")
    assert problems[2].startswith("requirements.txt:7: invalid requirement 'numpy=>1.0': Expected")
    assert all("\n" not in p for p in problems)


def test_problems_of_all_files_are_collected() -> None:
    write(Path("a.txt"), "ok-one\n--frobnicate\n-r b.txt\n")
    write(Path("b.txt"), "good\nbad==\n")
    write(Path("c.txt"), "x --hash=md5:abcd\n--allow-external foo\n--requirements a.txt\n")
    problems = problems_of(["a.txt", "c.txt", "missing.txt"])

    assert problems == [
        "a.txt:2: no such option: --frobnicate",
        "b.txt:2: invalid requirement 'bad==': " + problems[1].split("'bad==': ", 1)[1],
        "c.txt:1: invalid --hash 'md5:abcd': allowed hash algorithms are sha256, sha384, sha512",
        "c.txt:2: option --allow-external is not supported by pip",
        "c.txt:3: no such option: --requirements",
        "missing.txt: cannot open file: No such file or directory",
    ]


def test_missing_include_is_reported_at_the_including_line() -> None:
    write(Path("base.txt"), "numpy\n\n-r dev.txt\n-c sub/constraints.txt\n")
    assert problems_of(["base.txt"]) == [
        "base.txt:3: cannot open included file 'dev.txt': No such file or directory",
        "base.txt:4: cannot open included file 'sub/constraints.txt': No such file or directory",
    ]


def test_include_cycle_is_reported_not_followed() -> None:
    write(Path("a.txt"), "numpy\n-r sub/b.txt\n")
    write(Path("sub/b.txt"), "pandas\n-r ../a.txt\n")
    write(Path("self.txt"), "-r self.txt\n")

    problems = problems_of(["a.txt", "self.txt"])

    assert problems == [
        "sub/b.txt:2: include cycle: a.txt -> sub/b.txt -> sub/../a.txt",
        "self.txt:1: include cycle: self.txt -> self.txt",
    ]


def test_a_file_included_twice_is_read_once() -> None:
    write(Path("common.txt"), "six\n")
    write(Path("a.txt"), "-r common.txt\n")
    write(Path("b.txt"), "-r common.txt\n")
    rs = read_requirement_files(["a.txt", "b.txt"])
    assert [str(r.origin) for r in rs.requirements] == ["common.txt:1"]


def test_constraints_must_be_named_and_plain() -> None:
    write(Path("req.txt"), "-c c.txt\n")
    write(Path("c.txt"), "-e ./proj\n./local\nrequests[socks]==2.0\nurllib3<2\n")
    assert problems_of(["req.txt"]) == [
        "c.txt:1: editable requirements are not allowed as constraints: '-e ./proj'",
        "c.txt:2: unnamed requirements are not allowed as constraints: './local'",
        "c.txt:3: constraints cannot have extras: 'requests[socks]==2.0'",
    ]


def test_invalid_editables_and_wheel_names() -> None:
    with pytest.raises(InvalidInputFiles) as info:
        parse_requirement_text(
            "-e https://example.com/pkg.tar.gz\n"
            "-e git+https://github.com/o/r.git\n"
            "./dist/not-a-wheel.whl\n"
            "https://example.com/x.tar.gz ; python_version >>> '3'\n"
        )
    problems = [str(p) for p in info.value.problems]
    assert [p.split(": ", 1)[0] for p in problems] == [
        "<string>:1",
        "<string>:2",
        "<string>:3",
        "<string>:4",
    ]
    assert "not a valid editable requirement" in problems[0]
    assert "#egg=" in problems[1]
    assert "Invalid wheel filename" in problems[2]


def test_remote_includes_are_reported() -> None:
    with pytest.raises(InvalidInputFiles) as info:
        parse_requirement_text("-r https://user:pw@example.com/req.txt\n")
    assert str(info.value) == (
        "<string>:1: cannot open included file 'https://user:****@example.com/req.txt': "
        "remote requirements files are not supported"
    )


def test_a_directory_is_not_a_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    assert problems_of(["folder"]) == ["folder: cannot open file: Is a directory"]


# -- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_byte_order_marks(encoding: str) -> None:
    data = "numpy==2.1.0\r\nrequests  # café\r\n".encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    Path("req.txt").write_bytes(data)
    rs = read_requirement_files(["req.txt"])
    assert [(r.name, r.origin.line) for r in rs.requirements] == [("numpy", 1), ("requests", 2)]


def test_latin1_with_coding_line() -> None:
    Path("req.txt").write_bytes(
        b"# -*- coding: latin-1 -*-\n# d\xe9pendances\nnumpy  # \xe9t\xe9\n"
    )
    rs = read_requirement_files(["req.txt"])
    assert [(r.name, r.origin.line) for r in rs.requirements] == [("numpy", 3)]


def test_locale_encoding_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("req.txt").write_bytes(b"# caf\xe9\nnumpy\n")
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "cp1252")
    assert read_requirement_files(["req.txt"]).requirements[0].name == "numpy"
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "utf-8")
    (problem,) = problems_of(["req.txt"])
    assert problem.startswith("req.txt: not a text file: byte 0xe9 at offset 5")


def test_unknown_or_unusable_declared_encoding() -> None:
    Path("req.txt").write_bytes(b"# coding: klingon\nnumpy\n")
    Path("rot.txt").write_bytes(b"# -*- coding: rot13 -*-\nnumpy\n")
    problems = problems_of(["req.txt", "rot.txt"])
    assert problems[0] == "req.txt: unknown encoding 'klingon' in the coding line"
    assert problems[1].startswith("rot.txt: cannot decode declared as rot13: ")


def test_binary_garbage_is_not_a_text_file() -> None:
    Path("image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    Path("nul.txt").write_bytes(b"numpy\n\x00\x00\n")
    problems = problems_of(["image.png", "nul.txt"])
    assert len(problems) == 2
    assert problems[0].startswith("image.png: not a text file")
    assert problems[1] == "nul.txt: not a text file: it contains NUL bytes"


# -- stdin ---------------------------------------------------------------------------------


def test_stdin_with_relative_include() -> None:
    write(Path("sub/more.txt"), "pandas\n")
    stdin = io.StringIO("numpy\n-r sub/more.txt\n--extra-index-url https://x.example/simple\n")
    rs = read_requirement_files(["-"], stdin=stdin)
    assert [str(r.origin) for r in rs.requirements] == ["-:1", "sub/more.txt:1"]
    assert rs.files == ("-", "sub/more.txt")
    assert rs.extra_index_urls == ("https://x.example/simple",)


def test_stdin_problems_name_dash() -> None:
    problems = problems_of(["-"], stdin=io.StringIO("ok\nnot valid!\n"))
    assert len(problems) == 1 and problems[0].startswith("-:2: invalid requirement 'not valid!'")


def test_stdin_bytes_are_decoded_with_pip_rules() -> None:
    raw = io.BytesIO("numpy\n".encode("utf-16"))
    stdin = io.TextIOWrapper(raw, encoding="ascii")  # wrong on purpose; the bytes decide
    assert read_requirement_files(["-"], stdin=stdin).requirements[0].name == "numpy"


# -- robustness ----------------------------------------------------------------------------

_FRAGMENTS = [
    "numpy",
    "numpy==1.0",
    "-r",
    "-c",
    "-e",
    "--hash=sha256:",
    "--hash",
    "-i",
    "@",
    " @ ",
    "https://",
    "git+",
    "#egg=",
    ";",
    "; python_version",
    "[",
    "]",
    "\\",
    "'",
    '"',
    "${HOME}",
    ".whl",
    ".tar.gz",
    "./",
    "../",
    "file:",
    "--pre",
    "#",
    " ",
    "=",
    "\x00",
    "\ufeff",
]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=6).map(
            "".join
        ),
        max_size=8,
    )
)
def test_random_lines_never_raise_anything_else(tmp_path: Path, lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        result = parse_requirement_text(text, file_name=str(tmp_path / "random.txt"))
    except InvalidInputFiles as e:
        assert e.problems
        # "cannot parse line" is the last-resort net for an unexpected internal error.
        assert not [p for p in e.problems if p.message.startswith("cannot parse line")]
        assert all("\n" not in str(p) for p in e.problems)
    else:
        assert isinstance(result, RequirementSet)
