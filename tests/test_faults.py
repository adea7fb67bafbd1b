"""Faults from the index, driven by a real fault-injecting server on 127.0.0.1.

What a user sees: transient faults (5xx, 429 with Retry-After, a dropped connection, a
timeout) change nothing in the report; permanent ones leave the partial report, an `error`
for what failed, a message naming the project and index, and exit 3; malformed or hostile
pages are skipped or reported, never a traceback.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import socket
import time
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from faultserver import (
    JSON_TYPE,
    FaultServer,
    add_sample_tree,
    drop,
    hang,
    make_wheel,
    serve,
    status,
    too_many,
)

from wheelcheck import check
from wheelcheck._cli import main
from wheelcheck._index.dependencies import DependencyReader
from wheelcheck._report import Format, write_report
from wheelcheck.models import Report, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# The module behind `wheelcheck.check`.
check_module = importlib.import_module("wheelcheck._check")

TARGETS = ["python:3.12-slim", "python:3.12-alpine"]
SLIM = "python:3.12-slim/amd64"
ALPHA_METADATA = "/files/alpha-1.0-py3-none-any.whl.metadata"
GAMMA_SDIST = "/files/gamma-1.0.tar.gz"
DELTA_SDIST = "/files/delta-1.0.zip"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServer]:
    marker = tmp_path_factory.mktemp("faults") / "code-ran"
    with FaultServer() as fault_server:
        add_sample_tree(fault_server, str(marker))
        yield fault_server
    assert not marker.exists()


@pytest.fixture(autouse=True)
def _clean_and_fast(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Retries wait milliseconds here, not seconds: the schedule is not under test, the outcome
    # is (Retry-After is still honoured: it is the server's word, not our backoff).
    client = functools.partial(check_module.IndexClient, backoff=0.01)
    monkeypatch.setattr(check_module, "IndexClient", client)
    reader = functools.partial(DependencyReader, backoff=0.01)
    monkeypatch.setattr(check_module, "DependencyReader", reader)
    server.clear_faults()
    yield
    server.clear_faults()


def run(server: FaultServer, *requirements: str, **options: Any) -> Report:
    options.setdefault("index_url", server.index_url)
    options.setdefault("environ", {})
    options.setdefault("pip_config_files", [])
    options.setdefault("targets", TARGETS)
    options.setdefault("arches", ["amd64"])
    options.setdefault("timeout", 0.5)
    options.setdefault("retries", 3)
    return check(requirements=list(requirements or ("alpha", "delta")), **options)


def cli(
    server: FaultServer,
    tmp_path: Path,
    *args: str,
    text: str = "alpha\ndelta\n",
    quiet: bool = True,
) -> Result:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(text, encoding="utf-8")
    argv = ["check", str(requirements), "-i", server.index_url, "-a", "amd64"]
    argv += [arg for target in TARGETS for arg in ("-t", target)]
    argv += ["--timeout", "0.5", "--retries", "1", *(["--quiet"] if quiet else []), *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def messages(stdout: str, prefix: str) -> list[str]:
    """The report's lines that start with `prefix`, each with the indented lines that
    continue it (a message longer than a line is wrapped, never cut)."""
    found: list[str] = []
    open_message = False
    for line in stdout.splitlines():
        if line.startswith(prefix):
            found.append(line)
            open_message = True
        elif open_message and line.startswith("    "):
            found[-1] += " " + line.strip()
        else:
            open_message = False
    return found


def verdicts(report: Report, target_id: str = SLIM) -> dict[str, str]:
    return {p.name: p.results[target_id].verdict.value for p in report.packages}


@pytest.fixture(scope="module")
def baseline(server: FaultServer) -> dict[str, Any]:
    report = run(server)
    assert not report.has_errors
    assert verdicts(report) == {
        "alpha": "pure",
        "delta": "source",
        "beta": "binary",
        "gamma": "source",
    }
    return report.to_dict()


# -- transient faults: the report is the fault-free one ------------------------------------


def test_every_transient_fault_at_once_leaves_the_report_unchanged(
    server: FaultServer, baseline: dict[str, Any]
) -> None:
    server.inject(server.page_path("alpha"), status(500), status(502))
    server.inject(server.page_path("beta"), too_many("1"))
    server.inject(server.page_path("gamma"), hang(5))
    server.inject(server.page_path("delta"), drop())
    server.inject(ALPHA_METADATA, status(503))
    server.inject(GAMMA_SDIST, drop())
    server.inject(DELTA_SDIST, status(502), too_many("0"))
    started = time.monotonic()
    report = run(server)
    elapsed = time.monotonic() - started

    assert report.to_dict() == baseline
    assert server.count(server.page_path("alpha")) >= 3  # two faults, then the page
    assert server.count(server.page_path("beta")) >= 2
    assert server.count(server.page_path("gamma")) >= 2
    assert server.count(DELTA_SDIST) >= 3
    assert elapsed >= 1.0  # the Retry-After of one second was honoured


@pytest.mark.parametrize(
    "fault",
    [status(500), status(502), status(503), too_many("0"), drop(), hang(5)],
    ids=["500", "502", "503", "429", "dropped", "timeout"],
)
@pytest.mark.parametrize(
    "path", ["/simple/alpha/", "/simple/gamma/", ALPHA_METADATA, GAMMA_SDIST, DELTA_SDIST]
)
def test_one_transient_fault_anywhere_changes_nothing(
    server: FaultServer, baseline: dict[str, Any], fault: Any, path: str
) -> None:
    server.inject(path, fault)
    assert run(server).to_dict() == baseline
    assert server.count(path) >= 2


def test_transient_faults_through_the_cli_exit_0(server: FaultServer, tmp_path: Path) -> None:
    server.inject(server.page_path("alpha"), status(503))
    server.inject(server.page_path("beta"), too_many("0"))
    outcome = cli(server, tmp_path, "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stderr == ""
    document = json.loads(outcome.stdout)
    assert document["errors"] == []


# -- permanent faults: partial report, clear message, exit 3 -------------------------------


def test_direct_project_failing_is_an_error_row_and_the_rest_is_kept(
    server: FaultServer, tmp_path: Path
) -> None:
    server.inject(server.page_path("alpha"), status(503), permanent=True)
    outcome = cli(server, tmp_path, "--all")
    assert outcome.exit_code == 3
    assert "Traceback" not in outcome.output
    assert "some lookups failed" in outcome.stderr
    rows = {line.split()[0]: line.split() for line in outcome.stdout.splitlines() if line}
    assert "error" in rows["alpha"]
    assert "source" in rows["delta"]  # obtained, kept
    assert "binary" in rows["beta"]  # delta's dependency, kept
    # the failed lookup is listed once, not once per target; nothing is recommended
    assert outcome.stdout.count("error: alpha: HTTP 503") == 1
    assert outcome.stdout.startswith("No recommendation (incomplete: some lookups failed)")
    assert server.count(server.page_path("alpha")) == 2  # --retries 1


@pytest.mark.parametrize(
    ("path", "fault", "shown"),
    [
        ("/simple/gamma/", status(500), "gamma: HTTP 500 Internal Server Error (after 2 attempts)"),
        ("/simple/gamma/", hang(5), "gamma: timed out"),
        ("/simple/gamma/", drop(), "gamma: connection failed"),
        (ALPHA_METADATA, status(502), "alpha-1.0-py3-none-any.whl.metadata"),
        (GAMMA_SDIST, drop(), "gamma-1.0.tar.gz"),
    ],
    ids=["5xx-page", "timeout-page", "dropped-page", "5xx-metadata", "dropped-sdist"],
)
def test_dependency_failing_for_good_names_it_and_exits_3(
    server: FaultServer, tmp_path: Path, path: str, fault: Any, shown: str
) -> None:
    server.inject(path, fault, permanent=True)
    outcome = cli(server, tmp_path)
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    errors = messages(outcome.stdout, "error: ")
    assert errors, outcome.stdout
    assert all("dependency tree incomplete" in line for line in errors)
    assert any(shown in line for line in errors), errors
    assert server.url in "".join(errors)  # the index (or file URL) is named
    assert "some lookups failed" in outcome.stderr


def test_permanent_fault_json_keeps_every_result_obtained(
    server: FaultServer, tmp_path: Path
) -> None:
    server.inject(server.page_path("delta"), status(503), permanent=True)
    outcome = cli(server, tmp_path, "--format", "json")
    assert outcome.exit_code == 3
    document = json.loads(outcome.stdout)
    found = {p["name"]: p["results"][SLIM]["verdict"] for p in document["packages"]}
    assert found == {"alpha": "pure", "delta": "error", "beta": "binary", "gamma": "source"}
    delta = next(p for p in document["packages"] if p["name"] == "delta")
    assert "HTTP 503" in delta["results"][SLIM]["reason"]


def test_failure_on_one_target_only_marks_that_target(server: FaultServer, tmp_path: Path) -> None:
    # zeta is needed on arm64 only; its page never answers. amd64 stays complete.
    name, body, metadata = make_wheel(
        "epsilon", "1.0", ["beta", "zeta; platform_machine == 'aarch64'"]
    )
    server.add_project("epsilon", [(name, body)], metadata={name: metadata})
    server.inject(server.page_path("zeta"), status(503), permanent=True)
    report = run(server, "epsilon", targets=["python:3.12-slim"], arches=["amd64", "arm64"])
    assert report.has_errors
    assert verdicts(report, SLIM) == {"epsilon": "pure", "beta": "binary"}
    assert verdicts(report, "python:3.12-slim/arm64") == {"epsilon": "pure", "beta": "error"}
    assert report.errors and "zeta" in report.errors[0]
    outcome = cli(server, tmp_path, text="epsilon\n")
    assert outcome.exit_code == 0  # the CLI's amd64-only run never needs zeta
    outcome = CliRunner().invoke(
        main,
        ["check", "-", "-i", server.index_url, "-t", "python:3.12-slim", "--retries", "0", "-q"],
        input="epsilon\n",
        catch_exceptions=False,
    )
    assert outcome.exit_code == 3
    assert "error: python:3.12-slim/arm64: dependency tree incomplete: zeta" in outcome.stdout


# -- a failing extra index: named once, the other indexes' answers kept, exit 3 ---------------

BASELINE_VERDICTS = {"alpha": "pure", "delta": "source", "beta": "binary", "gamma": "source"}


def closed_port_url() -> str:
    """An index URL (with credentials, which must never show) where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://bob:{SECRET}@127.0.0.1:{port}/simple/"


SECRET = "s3cret-token"


def test_unreachable_extra_index_is_named_once_and_the_primary_answers_stand(
    server: FaultServer, tmp_path: Path
) -> None:
    dead = closed_port_url()
    shown = dead.replace(SECRET, "****")
    outcome = cli(server, tmp_path, "--extra-index-url", dead, "--format", "json")
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    assert SECRET not in outcome.output
    document = json.loads(outcome.stdout)
    results = {p["name"]: p["results"][SLIM] for p in document["packages"]}
    # What the main index serves is judged from its files, as pip would install them...
    assert {name: r["verdict"] for name, r in results.items()} == BASELINE_VERDICTS
    # ...and says that a file on the failed index could have changed the answer.
    for result in results.values():
        assert f"may be incomplete: {shown} failed" in result["reason"], result
    # The failure itself: one line, naming the index, in JSON errors and on stderr.
    assert len(document["errors"]) == 1, document["errors"]
    (error,) = document["errors"]
    assert error.startswith(f"index {shown} failed for 4 projects (alpha, beta, delta, gamma)")
    assert "connection failed" in error
    assert outcome.stderr.count(shown) == 1, outcome.stderr
    assert "some lookups failed" in outcome.stderr


def test_extra_index_answering_500_for_good_leaves_the_other_answers(
    server: FaultServer,
) -> None:
    with FaultServer() as extra:
        for name in BASELINE_VERDICTS:
            extra.inject(extra.page_path(name), status(500), permanent=True)
        report = run(server, extra_index_urls=[extra.index_url])
        assert extra.count(extra.page_path("alpha")) == 4  # --retries 3, then given up
    assert report.has_errors
    assert verdicts(report) == BASELINE_VERDICTS
    assert report.errors == (
        f"index {extra.index_url} failed for 4 projects (alpha, beta, delta, gamma): HTTP 500 "
        "Internal Server Error (after 4 attempts); what the other indexes served may be "
        "incomplete",
    )
    alpha = next(p for p in report.packages if p.name == "alpha")
    assert alpha.results[SLIM].reason == (
        f"pure-Python wheel; may be incomplete: {extra.index_url} failed"
    )


def test_working_extra_index_marks_nothing(server: FaultServer) -> None:
    with FaultServer() as extra:  # knows no project: 404 for all, an answer
        report = run(server, extra_index_urls=[extra.index_url])
    assert not report.has_errors and report.errors == ()
    assert verdicts(report) == BASELINE_VERDICTS
    assert not any(
        "may be incomplete" in r.reason for p in report.packages for r in p.results.values()
    )


def test_project_found_nowhere_because_an_index_failed_is_an_error_not_not_found(
    server: FaultServer, tmp_path: Path
) -> None:
    # "private-tool" is on no working index; the dead one may have it: nobody can say.
    dead = closed_port_url()
    shown = dead.replace(SECRET, "****")
    outcome = cli(
        server, tmp_path, "--extra-index-url", dead, "--format", "json", "--no-deps",
        text="alpha\nprivate-tool\n",
    )  # fmt: skip
    assert outcome.exit_code == 3, outcome.output
    document = json.loads(outcome.stdout)
    results = {p["name"]: p["results"][SLIM] for p in document["packages"]}
    assert results["private-tool"]["verdict"] == "error"
    assert shown in results["private-tool"]["reason"]
    assert results["alpha"]["verdict"] == "pure"
    assert "may be incomplete" in results["alpha"]["reason"]
    assert document["errors"] == [
        f"index {shown} failed for 2 projects (alpha, private-tool): connection failed: All "
        "connection attempts failed (after 2 attempts); what the other indexes served may be "
        "incomplete"
    ]


def test_failing_main_index_with_a_working_extra_is_symmetric(server: FaultServer) -> None:
    # The extra serves alpha too; the main index fails for it: the extra's files decide.
    with FaultServer() as extra:
        name, body, metadata = make_wheel("alpha", "1.0", ["beta>=1.0", "gamma"])
        extra.add_project("alpha", [(name, body)], metadata={name: metadata})
        server.inject(server.page_path("alpha"), status(503), permanent=True)
        report = run(server, extra_index_urls=[extra.index_url])
    assert verdicts(report) == BASELINE_VERDICTS
    alpha = next(p for p in report.packages if p.name == "alpha").results[SLIM]
    assert alpha.index_url == extra.index_url
    assert f"may be incomplete: {server.index_url} failed" in alpha.reason
    assert len(report.errors) == 1 and report.errors[0].startswith(f"index {server.index_url} ")


# -- malformed and careless pages: a warning or an error, never a traceback -----------------


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (b'{"meta": {"api-version": "1.1"}, "files": [', JSON_TYPE, "invalid JSON"),
        (b"[]", JSON_TYPE, "not an object"),
        (b'{"files": "none"}', JSON_TYPE, "no 'files' list"),
        (b'{"meta": {"api-version": "2.0"}, "files": []}', JSON_TYPE, "unsupported API version"),
        (b'{"files": [{"filename": "alpha-1.0.tar.gz"}]}', JSON_TYPE, "lacks a filename or url"),
        (b"\xff\xfe\x00garbage", JSON_TYPE, "invalid JSON"),
        (b"", "text/html", "empty response"),
        (b"plain words", "text/html", "not an HTML document"),
        (b"PK\x03\x04binary", "application/octet-stream", "unexpected Content-Type"),
        (b"{}", "", "unexpected Content-Type"),
    ],
    ids=[
        "truncated-json",
        "json-array",
        "files-not-a-list",
        "api-v2",
        "entry-without-url",
        "binary-as-json",
        "empty-html",
        "text-as-html",
        "octet-stream",
        "no-content-type",
    ],
)
def test_malformed_page_is_an_error_naming_index_and_project(
    server: FaultServer, tmp_path: Path, body: bytes, content_type: str, shown: str
) -> None:
    server.inject(server.page_path("alpha"), serve(body, content_type), permanent=True)
    outcome = cli(server, tmp_path, text="alpha\n")
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    line = next(line for line in outcome.stdout.splitlines() if line.startswith("error: alpha:"))
    assert "malformed index page" in line and shown in line
    assert server.index_url in line


def serve_alpha_files(server: FaultServer, files: list[str]) -> None:
    """alpha's JSON page lists exactly `files` (names as given, parsable or not)."""
    document = {
        "meta": {"api-version": "1.1"},
        "files": [{"filename": f, "url": f"{server.url}/files/{f}", "hashes": {}} for f in files],
    }
    server.inject(
        server.page_path("alpha"), serve(json.dumps(document).encode(), JSON_TYPE), permanent=True
    )


def test_invalid_file_names_are_skipped_with_a_warning(server: FaultServer, tmp_path: Path) -> None:
    name, _body, _ = make_wheel("alpha", "1.0")
    files = [
        name,
        "alpha-1.0-py3-none.whl",  # a tag missing
        "alpha-not.a.version-py3-none-any.whl",
        "alpha.tar.gz",
        "beta-1.0-py3-none-any.whl",  # another project's file
        "alpha-1.0.exe",  # not an archive pip installs: ignored silently
    ]
    serve_alpha_files(server, files)
    outcome = cli(server, tmp_path, "--no-deps", text="alpha\n")
    assert outcome.exit_code == 0, outcome.output
    # alpha installs from a wheel: notes about its page's other files wait for -vv
    assert "note: alpha on" not in outcome.stdout
    outcome = cli(server, tmp_path, "--no-deps", "-vv", text="alpha\n", quiet=False)
    assert "pure" in outcome.stdout
    notes = [line for line in outcome.stdout.splitlines() if line.startswith("note: alpha on")]
    assert len(notes) == 2, outcome.stdout
    unparsable, other = notes
    assert server.index_url in unparsable
    assert "skipped files whose names do not parse" in unparsable
    assert "alpha-1.0-py3-none.whl" in unparsable and "alpha.tar.gz" in unparsable
    assert "named for another project: beta-1.0-py3-none-any.whl" in other


def test_files_pip_skips_on_a_flagged_package_get_one_short_line_until_vv(
    server: FaultServer, tmp_path: Path
) -> None:
    # syncer on PyPI: only an sdist, and old bdist_dumb archives whose names do not parse.
    files = ["alpha-1.0.tar.gz", "alpha-0.1.linux-x86_64.tar.gz"]
    serve_alpha_files(server, files)
    outcome = cli(server, tmp_path, "--no-deps", "--no-advice", text="alpha\n")
    assert "source" in outcome.stdout, outcome.stdout
    assert "alpha-0.1.linux-x86_64.tar.gz" not in outcome.stdout
    assert "note: the index page of alpha lists files pip skips (-vv: which)" in outcome.stdout
    outcome = cli(server, tmp_path, "--no-deps", "--no-advice", "-vv", text="alpha\n", quiet=False)
    (note,) = messages(outcome.stdout, "note: alpha on")
    assert "skipped files whose names do not parse: alpha-0.1.linux-x86_64.tar.gz" in note
    assert "pip skips (-vv: which)" not in outcome.stdout


def test_a_page_listing_only_another_projects_file_is_not_said_to_list_its_own(
    server: FaultServer, tmp_path: Path
) -> None:
    files = ["alpha-1.0.tar.gz", "beta-1.0-py3-none-any.whl"]
    serve_alpha_files(server, files)
    outcome = cli(server, tmp_path, "--no-deps", "--no-advice", text="alpha\n")
    assert "note: the index page of alpha lists files pip skips (-vv: which)" in outcome.stdout
    assert "files of alpha" not in outcome.stdout


def test_a_package_with_nothing_to_install_keeps_its_skipped_files_note_whole(
    server: FaultServer, tmp_path: Path
) -> None:
    # Every file's name is malformed: the skipped names are why nothing installs.
    files = ["alpha-1.0-py3-none.whl", "alpha.tar.gz"]
    serve_alpha_files(server, files)
    outcome = cli(server, tmp_path, "--no-deps", "--no-advice", text="alpha\n")
    assert outcome.exit_code == 1 and "missing" in outcome.stdout, outcome.stdout
    (note,) = messages(outcome.stdout, "note: alpha on")
    assert "skipped files whose names do not parse: alpha-1.0-py3-none.whl, alpha.tar.gz" in note
    assert "pip skips (-vv: which)" not in outcome.stdout


def test_html_page_without_links_means_nothing_to_install(
    server: FaultServer, tmp_path: Path
) -> None:
    page = b"<html><body><a>no href</a><a href=''>empty</a><<<>>></body></html>"
    server.inject(server.page_path("alpha"), serve(page, "text/html"), permanent=True)
    outcome = cli(server, tmp_path, "--no-deps", text="alpha\n")
    assert outcome.exit_code == 1  # missing everywhere: a finding, not a crash
    assert "Traceback" not in outcome.output
    assert "missing" in outcome.stdout


def test_oversized_page_is_not_a_crash(server: FaultServer, tmp_path: Path) -> None:
    # 40 MB of one JSON page: the client may refuse it (size cap) or read it; never a crash.
    filler = "x" * (40 * 1024 * 1024)
    body = json.dumps({"meta": {"api-version": "1.1"}, "files": [], "junk": filler}).encode()
    server.inject(server.page_path("alpha"), serve(body, JSON_TYPE), permanent=True)
    outcome = cli(server, tmp_path, "--no-deps", text="alpha\n")
    assert "Traceback" not in outcome.output
    assert outcome.exit_code in (1, 3)
    if outcome.exit_code == 3:
        assert "alpha" in outcome.stdout and "error" in outcome.stdout


# -- hostile names: no escape sequences reach the terminal ----------------------------------


def test_escape_sequences_from_the_index_never_reach_the_terminal(
    server: FaultServer, tmp_path: Path
) -> None:
    clear_screen, hyperlink = (
        "\x1b[2J\x1b[H",
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    )
    files = [
        {  # a pinned yanked release: the reason is shown verbatim by pip, here made printable
            "filename": "alpha-1.0.tar.gz",
            "url": f"{server.url}/files/alpha-1.0.tar.gz",
            "hashes": {},
            "yanked": f"bad{clear_screen}{hyperlink}",
        },
        {  # a wheel for some other platform, whose tag is quoted in the reason
            "filename": f"alpha-1.0-cp312-cp312-win{clear_screen}amd64.whl",
            "url": f"{server.url}/files/x.whl",
            "hashes": {},
        },
        {  # unparsable: quoted in the warning
            "filename": f"alpha{hyperlink}.whl",
            "url": f"{server.url}/files/y.whl",
            "hashes": {},
        },
    ]
    document = {"meta": {"api-version": "1.1"}, "files": files}
    server.inject(
        server.page_path("alpha"), serve(json.dumps(document).encode(), JSON_TYPE), permanent=True
    )
    outcome = cli(server, tmp_path, "--no-deps", "--fail-on", "never", text="alpha==1.0\n")
    assert outcome.exit_code == 0, outcome.output
    assert "\x1b" not in outcome.output
    assert "\x07" not in outcome.output
    assert "yanked" in outcome.stdout and "bad?" in outcome.stdout  # shown, defused
    assert "alpha" in outcome.stdout and "source" in outcome.stdout

    # On a real terminal rich adds its own colours, but none of the page's sequences.
    report = run(server, "alpha==1.0", no_deps=True)

    stream = io.StringIO()
    write_report(report, Format.TABLE, stream, color=True)
    shown = stream.getvalue()
    assert "yanked" in shown
    assert "\x1b[2J" not in shown and "\x1b]8;;" not in shown
    assert verdicts(report)["alpha"] == Verdict.SOURCE.value


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/alpha-1.0-py3-none-any.whl",
        "javascript:alert(1)",
        "http://127.0.0.1:99999/alpha-1.0-py3-none-any.whl",
    ],
    ids=["ftp", "javascript", "bad-port"],
)
def test_file_url_the_client_cannot_use_is_an_error_not_a_crash(
    server: FaultServer, tmp_path: Path, url: str
) -> None:
    document = {
        "meta": {"api-version": "1.1"},
        "files": [{"filename": "alpha-1.0-py3-none-any.whl", "url": url, "hashes": {}}],
    }
    server.inject(
        server.page_path("alpha"), serve(json.dumps(document).encode(), JSON_TYPE), permanent=True
    )
    outcome = CliRunner().invoke(
        main,
        ["check", "-", "-i", server.index_url, "-t", "python:3.12-slim", "-a", "amd64", "-q"],
        input="alpha\n",
    )
    assert isinstance(outcome.exception, SystemExit), outcome.exc_info
    assert outcome.exit_code == 3
    assert "dependency tree incomplete" in outcome.stdout


def test_a_page_nested_too_deeply_is_a_malformed_page(server: FaultServer, tmp_path: Path) -> None:
    # Found in review: json.loads raised RecursionError on 100,000 nested arrays (exit 1).
    body = b"[" * 100_000 + b"]" * 100_000
    server.inject(server.page_path("alpha"), serve(body, JSON_TYPE), permanent=True)
    outcome = cli(server, tmp_path, text="alpha\n")
    assert outcome.exit_code == 3, outcome.output
    assert "Traceback" not in outcome.output
    assert "invalid JSON (nested too deeply)" in outcome.stdout
