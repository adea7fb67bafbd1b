"""The table report as a person reads it: the answer on line 1, then only what needs
attention, short enough to read at once (issue 16).

The example apps run through the real CLI against the local index (tests/data/index), as
tests/test_example_goldens.py does; the odd phrases the issue found are held off with
reports built here, each shaped like the check that printed the phrase.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from wheelcheck._advise.recommend import recommend
from wheelcheck._cli import main
from wheelcheck._judge.targets import parse_targets
from wheelcheck._report import Format, write_report
from wheelcheck.models import (
    BuildNeeds,
    Origin,
    PackageResult,
    Remedy,
    Report,
    Target,
    TargetResult,
    TargetSize,
    Verdict,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from indexserver import IndexServer

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "examples"
DOCKERFILES = sorted((Path(__file__).parent / "data" / "dockerfiles").glob("*/Dockerfile"))
MAX_LINE = 200
README_COMMAND = ["check", "examples/llm-app/requirements.txt"]


@pytest.fixture(autouse=True)
def _at_the_root(index_server: IndexServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    index_server.reset()
    monkeypatch.chdir(ROOT)  # the commands as the README writes them
    yield
    index_server.reset()


def table(index_server: IndexServer, *args: str) -> str:
    """What ``wheelcheck ARGS`` prints (piped: plain text) against the local index."""
    url = f"{index_server.url}/simple/"
    result = CliRunner().invoke(main, [*args, "--index-url", url])
    assert "Traceback" not in result.stdout  # (the server's threads may print their own)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


# -- the README's command -------------------------------------------------------------------


def test_the_readme_command_answers_on_line_1_in_at_most_40_lines(
    index_server: IndexServer,
) -> None:
    lines = table(index_server, *README_COMMAND).splitlines()
    assert len(lines) <= 40, "\n".join(lines)
    assert lines[0] == (
        "Use python:3.12-slim: alpine compiles 1 native package (psycopg2: gcc, libpq-dev) on "
        "amd64 and arm64; slim compiles the same one. Avoid both builds with psycopg2-binary."
    )
    # everything needed to act: which package, which targets, the apk/apt line, the remedy
    start = lines.index("Needs attention on all targets:")
    assert lines[start + 1].startswith("  psycopg2 2.9.13: source: ")
    assert "    build: apk add gcc musl-dev libpq-dev (keep libpq at run time)" in lines
    assert "           apt-get install build-essential libpq-dev (keep libpq5 at run time)" in lines
    assert "    remedy: install psycopg2-binary (a drop-in): wheels for these targets" in lines
    assert "154 packages, 4 targets: 150 install from wheels everywhere; 4 need attention" in lines
    assert "Dockerfile for python:3.12-slim (same-layer):" in lines
    assert not any("python:3.12-alpine (" in line for line in lines)  # no other base's snippet


def test_each_package_that_needs_attention_is_shown_once(index_server: IndexServer) -> None:
    text = table(index_server, *README_COMMAND)
    for name in ("psycopg2 2.9.13:", "literalai 0.1.201", "syncer 2.0.3"):
        assert text.count(name) == 1, name
    assert text.count("apk add") == 1 and text.count("apt-get install build-essential") == 1
    assert "chainlit 2.12.0" not in text and "pandas" not in text  # wheels everywhere


def test_all_shows_every_package_on_every_target(index_server: IndexServer) -> None:
    default = table(index_server, *README_COMMAND)
    for flag in ("--all", "-v"):
        every = table(index_server, *README_COMMAND, flag).splitlines()
        assert every[: len(default.splitlines())] == default.splitlines()  # then the matrix
        header = next(i for i, line in enumerate(every) if line.startswith("package  "))
        assert every[header].split() == ["package", "version", "amd64", "arm64", "amd64", "arm64"]
        assert every[header - 1].split() == ["alpine", "alpine", "slim", "slim"]
        rows = every[header + 1 : header + 155]
        names = {row.split()[0] for row in rows}
        assert len(names) == 154
        assert rows[3].split() == ["pandas", "3.1.1", "binary", "binary", "binary", "binary"]
        # one line a row: as wide as the longest name needs (80 columns for names up to 28
        # characters), never folded
        assert all(len(row.split()) == 6 for row in rows)
        assert max(map(len, rows)) <= max(80, max(map(len, names)) + 52)


def test_very_verbose_adds_the_assumptions(index_server: IndexServer) -> None:
    assert "Assumptions:" not in table(index_server, *README_COMMAND, "--all")
    text = table(index_server, *README_COMMAND, "-vv")
    assert "Assumptions:" in text
    assert "  - packages built from source are not sized (their wheel does not exist yet)" in text


def test_the_report_fits_80_columns_but_for_single_lines(index_server: IndexServer) -> None:
    # Prose wraps at 80; the answer, notes and Dockerfile lines are one line each (<= 200).
    lines = table(index_server, *README_COMMAND, "--all").splitlines()
    matrix = lines.index(next(line for line in lines if line.startswith("package  "))) - 1
    wide = [line for line in lines[1:matrix] if len(line) > 80]
    assert all(line.startswith(("note: ", "    ")) for line in wide), wide


def test_a_local_index_in_pip_conf_is_a_note_only_with_vv(
    index_server: IndexServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The host's pip.conf names a file:// index wheelcheck cannot read: no package's concern.
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nextra-index-url = file:///opt/pypi/simple\n", encoding="utf-8")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    (tmp_path / "requirements.txt").write_text("six\n", encoding="utf-8")
    requirements = str(tmp_path / "requirements.txt")
    assert "file:///opt/pypi/simple" not in table(index_server, "check", requirements, "--all")
    notes = [
        line
        for line in table(index_server, "check", requirements, "-vv").splitlines()
        if line.startswith("note: ignoring extra index URL file:///opt/pypi/simple")
    ]
    assert len(notes) == 1, notes


# -- no line over 200 characters -----------------------------------------------------------


def test_no_line_of_a_table_golden_exceeds_200_characters() -> None:
    goldens = sorted(GOLDEN.glob("*.txt"))
    assert len(goldens) >= 4
    for golden in goldens:
        for number, line in enumerate(golden.read_text(encoding="utf-8").splitlines(), 1):
            assert len(line) <= MAX_LINE, f"{golden.name}:{number}: {len(line)} characters"


EXAMPLE_COMMANDS = [
    ["check", "examples/llm-app/requirements.txt"],
    ["check", "examples/django-app/requirements.txt"],
    ["check", "examples/data-science/requirements.txt"],
    ["dockerfile", "examples/llm-app/Dockerfile"],
]


# -vv shows all that the default and --all show, and more (every note, the conflicts whole)
@pytest.mark.parametrize("command", EXAMPLE_COMMANDS, ids=lambda c: c[1].split("/")[1])
def test_no_line_of_an_example_report_exceeds_200_characters(
    index_server: IndexServer, command: list[str]
) -> None:
    for line in table(index_server, *command, "-vv").splitlines():
        assert len(line) <= MAX_LINE, line


def test_no_line_of_a_dockerfile_fixture_report_exceeds_200_characters() -> None:
    assert DOCKERFILES
    result = CliRunner().invoke(main, ["dockerfile", *map(str, DOCKERFILES), "--no-check", "-v"])
    assert "Traceback" not in result.output and result.stdout
    for line in result.stdout.splitlines():
        assert len(line) <= MAX_LINE, line


# -- reports built here ----------------------------------------------------------------------

SLIM_ALPINE = ("python:3.12-slim", "python:3.12-alpine")


def targets_of(
    images: Sequence[str] = SLIM_ALPINE, arches: Sequence[str] = ("amd64",)
) -> tuple[Target, ...]:
    return tuple(parse_targets(list(images), list(arches)))


def package(name: str, verdicts: Mapping[str, TargetResult]) -> PackageResult:
    return PackageResult(name, name, Origin("requirements.txt", 1), verdicts)


def wheel(version: str = "1.0") -> TargetResult:
    return TargetResult(Verdict.BINARY, "a wheel", version, f"x-{version}.whl")


def sized(
    targets: Sequence[Target], packages: Sequence[PackageResult], mb: int = 10
) -> dict[str, TargetSize]:
    return {t.id: TargetSize(mb * 1_000_000, len(packages)) for t in targets}


def checked(
    targets: Sequence[Target],
    packages: Sequence[PackageResult],
    conflicts: Mapping[str, str] | None = None,
) -> Report:
    """The report a check of `packages` would make: recommended with sizes, as the CLI does."""
    sizes = sized(targets, packages)
    recommendation = recommend(targets, packages, sizes, conflicts=conflicts)
    return Report(
        targets,
        tuple(packages),
        recommendation,
        ("https://pypi.org/simple/",),
        conflicts=dict(conflicts or {}),
        sizes=sizes,
    )


def render(report: Report, verbosity: int = 0, color: bool | None = False) -> str:
    stream = io.StringIO()
    write_report(report, Format.TABLE, stream, color=color, verbosity=verbosity)
    return stream.getvalue()


def native(manager: str) -> BuildNeeds:
    packages = ("gcc", "musl-dev") if manager == "apk" else ("gcc", "libc6-dev")
    return BuildNeeds("native", "ext_modules", ("c",), ("gcc",), manager, packages)  # type: ignore[arg-type]


# -- the odd phrases of issue 16, each in the check that printed it ----------------------------


def test_the_full_image_is_never_called_slim(index_server: IndexServer) -> None:
    # "slim is not free of builds either: on python:3.10.13" named the full image as slim.
    text = table(index_server, "dockerfile", "examples/llm-app/Dockerfile")
    answer = next(line for line in text.splitlines() if line.startswith("Use "))
    assert answer.startswith(
        "Use python:3.10.13-slim: full and alpine compile 1 native package (psycopg2: gcc, "
        "libpq-dev) on amd64 and arm64; slim compiles the same one."
    )
    assert "slim is not free of builds" not in text


def test_no_image_is_said_to_have_the_same_zero_builds(index_server: IndexServer) -> None:
    # "slim would cost ~70 MB more with the same builds (0)"
    text = table(index_server, "check", "examples/django-app/requirements.txt")
    first = text.splitlines()[0]
    assert first == (
        "Use python:3.12-alpine: every package installs from a wheel on alpine (slim too)."
    )
    assert "(0)" not in text and "same builds" not in text


def test_an_image_that_lacks_a_package_is_not_said_to_save_space() -> None:
    # "alpine would save ~5722 MB but cannot install torch": its total lacks torch.
    targets = targets_of()
    slim, alpine = targets
    torch = package(
        "torch",
        {slim.id: wheel("2.9"), alpine.id: TargetResult(Verdict.MISSING, "no musllinux wheel")},
    )
    text = render(checked(targets, [torch, package("six", {t.id: wheel() for t in targets})]))
    assert text.splitlines()[0] == (
        "Use python:3.12-slim: alpine cannot install torch on amd64; every package installs "
        "from a wheel on slim."
    )
    assert "save" not in text
    assert (
        "python:3.12-alpine lacks torch (nothing installable there): its total is not "
        "comparable with the others" in " ".join(text.split())
    )


def test_nothing_installable_is_not_called_a_build() -> None:
    # "slim is not free of builds either: ... pywin32 has nothing installable"
    targets = targets_of()
    pywin32 = package(
        "pywin32", {t.id: TargetResult(Verdict.MISSING, "only win wheels") for t in targets}
    )
    builds = package(
        "native-thing",
        {
            targets[0].id: wheel(),
            targets[1].id: TargetResult(Verdict.SOURCE, "no wheel", "1.0", build=native("apk")),
        },
    )
    text = render(checked(targets, [pywin32, builds]))
    assert text.splitlines()[0] == (
        "Use python:3.12-slim: alpine compiles 1 native package (native-thing: gcc) on amd64 "
        "and cannot install pywin32 on amd64; slim cannot install pywin32 on amd64."
    )
    assert "  pywin32: missing: only win wheels" in text.splitlines()
    # both bases lack it: their totals still compare
    assert "  no total includes pywin32 (nothing installable)" in text.splitlines()
    assert "not comparable" not in text


def test_slim_is_not_chosen_when_it_cannot_install_what_alpine_installs() -> None:
    # "Use python:3.12-slim: ... slim cannot install musl-only on amd64": the build on slim
    # fails where alpine's only compiles.
    targets = targets_of()
    slim, alpine = targets
    musl_only = package(
        "musl-only",
        {slim.id: TargetResult(Verdict.MISSING, "only musllinux wheels"), alpine.id: wheel()},
    )
    builds = package(
        "psycopg2",
        {
            slim.id: wheel("2.9"),
            alpine.id: TargetResult(Verdict.SOURCE, "no wheel", "2.9", build=native("apk")),
        },
    )
    report = checked(targets, [musl_only, builds])
    assert report.recommendation.image is None
    first = render(report).splitlines()[0]
    assert first.startswith("No base image installs everything: ")
    assert "slim cannot install musl-only on amd64" in first
    assert "alpine compiles 1 native package (psycopg2: gcc) on amd64" in first


def test_a_project_the_index_does_not_know_is_not_said_to_install() -> None:
    # "every package installs from a wheel on python:3.12-alpine" with one not on the index
    targets = targets_of()
    unknown = package("no-such", {t.id: TargetResult(Verdict.NOT_FOUND, "404") for t in targets})
    report = checked(targets, [unknown, package("six", {t.id: wheel() for t in targets})])
    text = render(report)
    assert "every package installs" not in text, text
    assert "The index does not know no-such." in text.splitlines()[0]


def test_the_only_base_checked_is_not_recommended_when_pip_fails_there() -> None:
    # "Use python:3.12-slim: slim cannot install pywin32 on amd64."
    targets = targets_of(("python:3.12-slim",))
    pywin32 = package(
        "pywin32", {t.id: TargetResult(Verdict.MISSING, "only win wheels") for t in targets}
    )
    report = checked(targets, [pywin32])
    assert report.recommendation.image is None
    assert (
        render(report)
        .splitlines()[0]
        .startswith("No base image installs everything: slim cannot install pywin32 on amd64")
    )


def test_each_package_that_cannot_install_is_named_with_its_own_arches() -> None:
    # "alpine cannot install idna, certifi on amd64 and arm64", though certifi fails on arm64 only
    targets = targets_of(arches=("amd64", "arm64"))
    missing = TargetResult(Verdict.MISSING, "no file")
    idna = package("idna", {t.id: missing if t.variant == "alpine" else wheel() for t in targets})
    certifi = package(
        "certifi",
        {
            t.id: missing if t.variant == "alpine" and t.arch == "aarch64" else wheel()
            for t in targets
        },
    )
    first = render(checked(targets, [idna, certifi])).splitlines()[0]
    assert "alpine cannot install idna on amd64 and arm64, certifi on arm64" in first, first


def test_a_conflict_on_slim_is_in_the_answer() -> None:
    # A slim conflict was shown above the recommendation but not in it.
    targets = targets_of()
    slim, alpine = targets
    builds = package(
        "psycopg2",
        {
            slim.id: wheel("2.9"),
            alpine.id: TargetResult(Verdict.SOURCE, "no wheel", "2.9", build=native("apk")),
        },
    )
    conflict = {slim.id: "h11!=0.16.0 conflicts with h11==0.16.0 (required by httpcore) " * 30}
    text = render(checked(targets, [builds], conflict))
    first = text.splitlines()[0]
    assert first.startswith("No base image installs everything: ")
    assert "slim cannot resolve the tree on amd64" in first
    assert "alpine compiles 1 native package (psycopg2: gcc) on amd64" in first
    # the conflict once, cut to six lines (-vv: all of it)
    lines = text.splitlines()
    at = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("pip cannot resolve the tree on slim amd64: ")
    )
    assert lines[at + 5].endswith("... (-vv: all)") and not lines[at + 6]
    assert " ".join(text.split()).count("h11!=0.16.0 conflicts") == 6
    every = render(checked(targets, [builds], conflict), verbosity=2)
    assert " ".join(every.split()).count("h11!=0.16.0 conflicts") == 30


# -- what else the answer says ---------------------------------------------------------------


def test_a_withheld_answer_says_so_on_line_1() -> None:
    targets = targets_of()
    lost = package("four", {t.id: TargetResult(Verdict.ERROR, "HTTP 503") for t in targets})
    report = checked(targets, [lost, package("six", {t.id: wheel() for t in targets})])
    text = render(report)
    assert text.splitlines()[0].startswith(
        "No recommendation (incomplete: some lookups failed): 1 of 2 packages could not be "
        "looked up on every target"
    )
    assert "Use " not in text and "estimated size" not in text


def test_a_build_on_some_targets_is_grouped_by_them() -> None:
    targets = targets_of(arches=("amd64", "arm64"))
    results = {t.id: wheel() for t in targets}
    results[targets[3].id] = TargetResult(
        Verdict.SOURCE,
        "no musllinux_1_2_aarch64 wheel",
        "1.0",
        build=native("apk"),
        remedy=Remedy(older="0.9"),
    )
    text = render(checked(targets, [package("lib", results)]))
    lines = text.splitlines()
    assert "Needs attention on alpine arm64:" in lines
    assert "  lib 1.0: source: no musllinux_1_2_aarch64 wheel" in lines
    assert "    build: apk add gcc musl-dev" in lines
    remedy = "remedy: pin lib==0.9 (wheels here, within your specifier)"
    assert remedy in " ".join(text.split())
    assert lines[0].startswith(
        "Use python:3.12-slim: alpine compiles 1 native package (lib: gcc) on arm64;"
    )


def test_tag_targets_get_no_image_advice() -> None:
    targets = tuple(parse_targets(["cp312-manylinux_2_17_x86_64"], []))
    lib = package("lib", {targets[0].id: TargetResult(Verdict.SOURCE, "no wheel", "1.0")})
    first = render(checked(targets, [lib])).splitlines()[0]
    assert first.startswith("No base image to recommend (the targets are wheel tags, not images): ")
    assert "builds lib from source" in first


# -- colour ----------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal() -> None:
    targets = targets_of()
    report = checked(targets, [package("six", {t.id: wheel() for t in targets})])
    terminal = Terminal()
    write_report(report, Format.TABLE, terminal)  # color=None: the stream decides
    assert "\x1b[" in terminal.getvalue()
    assert "\x1b[" not in render(report, color=None)  # a pipe
    assert "\x1b[" not in render(report, color=False)  # --color never, NO_COLOR


def test_no_color_is_honoured_by_the_command(
    index_server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "\x1b[" in table(index_server, *README_COMMAND, "--color", "always")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in table(index_server, *README_COMMAND)
