"""Lockfiles and hashed requirements judged as their installer reads them (issue 19).

Each test runs ``wheelcheck check`` as a user would, on a real public lockfile or hashed
requirements file (tests/data/lockfiles/README.md names each source), against the recorded
index on 127.0.0.1, and asserts what the user sees: the exit code, the verdict and file in
the JSON report, the message, the rule id.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from wheelcheck._cli import main

REAL = Path(__file__).parent / "data" / "lockfiles" / "real"
SLIM = "python:3.12-slim/amd64"
ALPINE = "python:3.12-alpine/amd64"


def run(tmp_path: Path, source: Path, index_url: str, *args: str) -> tuple[Result, dict[str, Any]]:
    """``wheelcheck check SOURCE`` on amd64 with a JSON report beside the table."""
    document = tmp_path / "report.json"
    argv = ["check", str(source), "-i", index_url, "-a", "amd64", "--no-advice"]
    argv += ["--report", f"json={document}", *args]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return result, (json.loads(document.read_text()) if document.exists() else {})


def cell(document: dict[str, Any], package: str, target: str) -> dict[str, Any]:
    row = next(p for p in document["packages"] if p["name"] == package)
    result: dict[str, Any] = row["results"][target]
    return result


def closed_port_url() -> str:
    """An index on 127.0.0.1 that nothing listens on: any request to it fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


# -- a lock's own files and per-package index ---------------------------------------------


def test_a_uv_lock_takes_torch_from_the_pytorch_index_it_names(tmp_path: Path) -> None:
    """uv sync installs the listed manylinux_2_28 wheel of torch 2.12.1+cpu from the CPU
    index; the configured index is never asked for it (it is unreachable here)."""
    lock = REAL / "uv-torch-cpu" / "uv.lock"
    outcome, document = run(
        tmp_path, lock, closed_port_url(), "--group", "cpu", "-t", "python:3.12-slim"
    )
    assert outcome.exit_code == 0, outcome.output
    torch = cell(document, "torch", SLIM)
    assert torch["verdict"] == "binary"
    assert torch["file"] == "torch-2.12.1+cpu-cp312-cp312-manylinux_2_28_x86_64.whl"
    assert torch["index_url"] == "https://download.pytorch.org/whl/cpu"
    assert document["errors"] == []


def test_a_lock_whose_files_fit_no_target_installs_nothing_there(tmp_path: Path) -> None:
    """The lock lists no musllinux wheel of torch: nothing installs from it on alpine."""
    lock = REAL / "uv-torch-cpu" / "uv.lock"
    outcome, document = run(
        tmp_path,
        lock,
        closed_port_url(),
        "--group",
        "cpu",
        "-t",
        "python:3.12-alpine",
    )
    assert outcome.exit_code == 1
    torch = cell(document, "torch", ALPINE)
    assert torch["verdict"] == "missing"
    assert torch["file"] is None
    assert torch["reason"].startswith(
        "nothing installable from this lock on this target: the lock lists no file of torch "
        "2.12.1+cpu for Python 3.12 on musllinux on x86_64"
    )
    assert "regenerate it on or for this target" in torch["reason"]


def test_a_pylock_written_on_windows_installs_nothing_on_linux(
    tmp_path: Path, index_server: Any
) -> None:
    """pip lock on Windows listed only cffi's win_amd64 wheel: a Linux installer has
    nothing to install even though the index has a manylinux wheel; the report says so."""
    index = f"{index_server.url}/simple/"
    outcome, document = run(tmp_path, REAL / "pylock.windows.toml", index, "-t", "python:3.12-slim")
    assert outcome.exit_code == 1
    cffi = cell(document, "cffi", SLIM)
    assert cffi["verdict"] == "missing"
    assert cffi["reason"] == (
        "nothing installable from this lock on this target: the lock lists only win wheels "
        "for cffi 2.1.1; regenerate it on or for linux; "
        f"{index} has one (cffi-2.1.1-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64"
        ".whl), but the lock's installer reads only the lock's files"
    )
    attrs = cell(document, "attrs", SLIM)
    assert (attrs["verdict"], attrs["file"]) == ("pure", "attrs-26.1.0-py3-none-any.whl")


def test_the_index_note_is_left_out_when_the_index_cannot_say(tmp_path: Path) -> None:
    """The verdict comes from the lock alone; an unreachable index only loses the note."""
    outcome, document = run(
        tmp_path, REAL / "pylock.windows.toml", closed_port_url(), "-t", "python:3.12-slim"
    )
    assert outcome.exit_code == 1
    cffi = cell(document, "cffi", SLIM)
    assert cffi["verdict"] == "missing"
    assert cffi["reason"].endswith("regenerate it on or for linux")


# -- requires-python -------------------------------------------------------------------------


def test_a_lock_for_python_313_admits_none_of_the_default_targets(tmp_path: Path) -> None:
    lock = REAL / "poetry-py313" / "poetry.lock"
    outcome, document = run(tmp_path, lock, closed_port_url())
    assert outcome.exit_code == 2
    assert document == {}
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"{lock}:45: requires-python >=3.13, <3.14 admits none of the targets (Python 3.12."
    )
    assert lines[0].endswith("; check a Python it admits, e.g. --python 3.13")
    assert "Traceback" not in outcome.output


def test_targets_outside_the_lock_range_are_not_judged(tmp_path: Path) -> None:
    lock = REAL / "poetry-py313" / "poetry.lock"
    outcome, document = run(
        tmp_path, lock, closed_port_url(), "-t", "python:3.12-slim", "-t", "python:3.13-slim"
    )
    assert outcome.exit_code == 0, outcome.output
    assert [t["id"] for t in document["targets"]] == ["python:3.13-slim/amd64"]
    assert (
        f"{lock}: requires-python >=3.13, <3.14 excludes python:3.12-slim/amd64: not judged "
        "(its installer refuses that Python)"
    ) in document["notes"]
    click = cell(document, "click", "python:3.13-slim/amd64")
    assert (click["verdict"], click["file"]) == ("pure", "click-8.2.1-py3-none-any.whl")


def test_python_inside_the_range_judges_the_lock(tmp_path: Path) -> None:
    lock = REAL / "poetry-py313" / "poetry.lock"
    outcome, document = run(tmp_path, lock, closed_port_url(), "--python", "3.13")
    assert outcome.exit_code == 0, outcome.output
    assert {t["python"] for t in document["targets"]} == {"3.13"}


# -- hashed requirements ---------------------------------------------------------------------


def test_hashes_choose_the_file_in_the_tree_too(tmp_path: Path, index_server: Any) -> None:
    """Only idna's sdist is hashed: pip in hash mode builds it although a wheel exists,
    and the resolved tree (anyio needs idna) keeps that file."""
    index = f"{index_server.url}/simple/"
    source = REAL / "hashed" / "lint-sdist-hash.txt"
    outcome, document = run(tmp_path, source, index, "-t", "python:3.12-slim")
    assert outcome.exit_code == 0, outcome.output
    assert document["scope"] == "tree"
    idna = cell(document, "idna", SLIM)
    assert (idna["verdict"], idna["file"]) == ("source", "idna-3.20.tar.gz")
    assert idna["reason"].endswith(
        "its --hash values allow this file, not idna-3.20-py3-none-any.whl"
    )


def test_a_file_compiled_for_312_is_refused_on_310_in_hash_mode(
    tmp_path: Path, index_server: Any
) -> None:
    """anyio needs exceptiongroup below Python 3.11, and the file (compiled for 3.12) does
    not pin it: pip's hash mode stops the install there, an error finding WC005."""
    index = f"{index_server.url}/simple/"
    source = REAL / "hashed" / "lint.txt"
    outcome, document = run(
        tmp_path,
        source,
        index,
        "-t",
        "python:3.10-slim",
        "-t",
        "python:3.12-slim",
        "--format",
        "github",
    )
    assert outcome.exit_code == 1
    group = next(p for p in document["packages"] if p["name"] == "exceptiongroup")
    assert group["via"] == ["anyio > exceptiongroup"]
    on_310 = group["results"]["python:3.10-slim/amd64"]
    assert on_310["verdict"] == "missing"
    assert on_310["reason"] == (
        "hash mode: this target needs exceptiongroup, and the file does not pin it with "
        "--hash; pip stops the whole install (all requirements must be pinned with hashes)"
    )
    assert group["results"][SLIM]["verdict"] == "skipped"
    annotation = next(line for line in outcome.output.splitlines() if "WC005" in line)
    assert annotation.startswith("::error file=")
    assert "lockfiles/real/hashed/lint.txt,line=1,title=WC005 unhashed-pin" in annotation
    assert "exceptiongroup is refused in pip's hash mode on python:3.10-slim/amd64" in annotation
    assert "(dependency via anyio > exceptiongroup)" in annotation


# -- conflict messages -----------------------------------------------------------------------


def test_a_conflict_names_its_cause_in_one_line(tmp_path: Path, index_server: Any) -> None:
    """openai-whisper needs torch, which has no musllinux file at all."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("openai-whisper==20250625\n", encoding="utf-8")
    index = f"{index_server.url}/simple/"
    outcome, document = run(tmp_path, requirements, index, "-t", "python:3.12-alpine")
    assert outcome.exit_code == 1
    assert document["conflicts"] == {
        ALPINE: "torch has no file for musllinux on x86_64 (needed by openai-whisper 20250625)"
    }


# -- rules shown on small hand-written files (no real lock lists no files) -------------------


def test_a_package_from_an_unreachable_named_index_fails_alone(
    tmp_path: Path, index_server: Any
) -> None:
    """A lock that lists no files for its packages: each is asked of the index the lock
    names for it, so one failing index makes only its package an error."""
    private = closed_port_url()
    lock = tmp_path / "uv.lock"
    lock.write_text(
        "version = 1\n"
        'requires-python = ">=3.10"\n\n'
        "[[package]]\n"
        'name = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "six" }, { name = "idna" }]\n\n'
        "[[package]]\n"
        f'name = "six"\nversion = "1.17.0"\nsource = {{ registry = "{private}" }}\n\n'
        "[[package]]\n"
        'name = "idna"\nversion = "3.20"\nsource = { registry = "https://pypi.org/simple" }\n',
        encoding="utf-8",
    )
    index = f"{index_server.url}/simple/"
    outcome, document = run(
        tmp_path, lock, index, "-t", "python:3.12-slim", "--timeout", "0.5", "--retries", "0"
    )
    assert outcome.exit_code == 3
    six = cell(document, "six", SLIM)
    assert six["verdict"] == "error"
    assert six["index_url"] == private
    idna = cell(document, "idna", SLIM)
    assert (idna["verdict"], idna["file"]) == ("pure", "idna-3.20-py3-none-any.whl")
    assert idna["index_url"] == index
    assert document["recommendation"]["image"] is None


def test_a_requirement_without_a_hash_is_refused_in_hash_mode(index_server: Any) -> None:
    """pip -r lint.txt six==1.17.0: once any requirement has --hash, every one needs one."""
    from wheelcheck import check
    from wheelcheck._findings import Policy, findings

    report = check(
        [REAL / "hashed" / "lint.txt"],
        ["six==1.17.0"],
        index_url=f"{index_server.url}/simple/",
        targets=["python:3.12-slim"],
        arches=["amd64"],
        advice=False,
        environ={},
        pip_config_files=[],
    )
    six = next(p for p in report.packages if p.name == "six").results[SLIM]
    assert six.reason == (
        "hash mode: other requirements have --hash, so pip requires one on every requirement, "
        "and this one has none"
    )
    found = [f for f in findings(report, Policy()) if f.subject and f.subject.name == "six"]
    assert [(f.rule.id, f.severity.value) for f in found] == [("WC005", "error")]


def test_a_pyproject_range_that_admits_no_target_stops_the_check(tmp_path: Path) -> None:
    project = Path(__file__).parent / "data" / "lockfiles" / "uv" / "pyproject.toml"
    outcome, _document = run(
        tmp_path, project, closed_port_url(), "-t", "cp39-manylinux_2_36_x86_64"
    )
    assert outcome.exit_code == 2
    line = outcome.output.strip()
    assert line.startswith(
        f"{project}:4: requires-python >=3.10 admits none of the targets (Python 3.9."
    )
    assert line.endswith("); check a Python it admits, e.g. --python 3.10")
    assert "\n" not in line


def test_a_range_that_cannot_be_read_leaves_every_target_judged(tmp_path: Path) -> None:
    """A Poetry constraint wheelcheck cannot read holds nothing back, and says so."""
    text = (REAL / "poetry-py313" / "poetry.lock").read_text(encoding="utf-8")
    lock = tmp_path / "poetry.lock"
    lock.write_text(text.replace('">=3.13, <3.14"', '">=3.13, <three"'), encoding="utf-8")
    outcome, document = run(tmp_path, lock, closed_port_url(), "-t", "python:3.12-slim")
    assert outcome.exit_code == 0, outcome.output
    assert [t["id"] for t in document["targets"]] == [SLIM]
    assert (
        f"{lock}: requires-python '>=3.13, <three' could not be read; no target is left out for it"
    ) in document["notes"]


# -- one name and version locked from several registries -----------------------------------

TORCH_REGISTRIES = REAL / "uv-torch-registries" / "uv.lock"


def test_the_cu124_registry_torch_has_no_x86_64_file_though_pypi_has_one(tmp_path: Path) -> None:
    """torch 2.5.1 is locked from PyPI, the CPU index and the cu124 index (three entries of
    one name and version); with the cu124 extra, uv installs the cu124 entry, whose lock
    lists only linux_aarch64 wheels, so nothing installs on amd64 (uv sync fails there)."""
    outcome, document = run(
        tmp_path, TORCH_REGISTRIES, closed_port_url(), "--extra", "cu124", "-t", "python:3.12-slim"
    )
    assert outcome.exit_code == 1, outcome.output
    torch = cell(document, "torch", SLIM)
    assert (torch["verdict"], torch["file"]) == ("missing", None)
    assert torch["reason"] == (
        "nothing installable from this lock on this target: the lock lists no file of torch "
        "2.5.1 for Python 3.12 on manylinux on x86_64 (it lists wheels for linux; no sdist); "
        "regenerate it on or for this target"
    )


def test_each_registry_entry_of_one_version_keeps_its_own_files(tmp_path: Path) -> None:
    """On arm64 the cpu extra installs the CPU index's torch 2.5.1, no extra PyPI's."""
    arm64 = "python:3.12-slim/arm64"
    argv = ["-a", "arm64", "-t", "python:3.12-slim"]
    cpu, document = run(tmp_path, TORCH_REGISTRIES, closed_port_url(), "--extra", "cpu", *argv)
    assert cpu.exit_code == 0, cpu.output
    torch = cell(document, "torch", arm64)
    assert (
        torch["file"] == "torch-2.5.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
    )
    assert torch["index_url"] == "https://download.pytorch.org/whl/cpu"
    plain, document = run(tmp_path, TORCH_REGISTRIES, closed_port_url(), *argv)
    assert plain.exit_code == 0, plain.output
    torch = cell(document, "torch", arm64)
    assert torch["file"] == "torch-2.5.1-cp312-cp312-manylinux2014_aarch64.whl"
    assert torch["index_url"] == "https://pypi.org/simple"


# -- a Pipfile.lock's named source, a pixi.lock environment's index --------------------------

PIPFILE_TWO_SOURCES = REAL.parent / "pipfile_lock" / "two-sources" / "Pipfile.lock"
PRIVATE_SOURCE = "https://${PRIVATE_INDEX_USER}:${PRIVATE_INDEX_TOKEN}@pypi.example.org/simple"
PY311_SLIM = "python:3.11-slim/amd64"


def pipfile_lock_with_private(tmp_path: Path, url: str, monkeypatch: Any) -> Path:
    """The two-source Pipfile.lock with its 'private' source at `url` (its ${VAR}s kept: the
    credentials come from the environment, as pipenv reads them)."""
    monkeypatch.setenv("PRIVATE_INDEX_USER", "alice")
    monkeypatch.setenv("PRIVATE_INDEX_TOKEN", "s3cr%25t")
    lock = tmp_path / "Pipfile.lock"
    text = PIPFILE_TWO_SOURCES.read_text(encoding="utf-8")
    assert PRIVATE_SOURCE in text
    lock.write_text(text.replace(PRIVATE_SOURCE, url), encoding="utf-8")
    return lock


def project_pages_asked(server: Any) -> list[str]:
    return [path for path, _headers in server.requests if "/simple/" in path]


def test_a_pipfile_lock_package_is_asked_of_the_source_its_index_names(
    tmp_path: Path, index_server: Any, monkeypatch: Any
) -> None:
    """pytest names the 'private' source (the test index's login-only /auth/simple): only
    that index is asked for it, with the credentials its ${VAR}s expand to, which the
    report never shows; pluggy names no index and is asked of the configured one."""
    host = index_server.url.removeprefix("http://")
    url = f"http://${{PRIVATE_INDEX_USER}}:${{PRIVATE_INDEX_TOKEN}}@{host}/auth/simple"
    lock = pipfile_lock_with_private(tmp_path, url, monkeypatch)
    index = f"{index_server.url}/simple/"
    index_server.reset()
    outcome, document = run(tmp_path, lock, index, "--dev", "-t", "python:3.11-slim")
    assert outcome.exit_code == 0, outcome.output
    pytest_cell = cell(document, "pytest", PY311_SLIM)
    assert (pytest_cell["verdict"], pytest_cell["file"]) == (
        "pure",
        "pytest-9.0.3-py3-none-any.whl",
    )
    assert pytest_cell["index_url"] == f"http://alice:****@{host}/auth/simple"
    pluggy = cell(document, "pluggy", PY311_SLIM)
    assert (pluggy["verdict"], pluggy["file"]) == ("pure", "pluggy-1.6.0-py3-none-any.whl")
    assert pluggy["index_url"] == index
    asked = project_pages_asked(index_server)
    assert [p for p in asked if "pytest" in p] == ["/auth/simple/pytest/"]
    assert [p for p in asked if "pluggy" in p] == ["/simple/pluggy/"]
    assert document["errors"] == []
    assert document["recommendation"]["image"] == "python:3.11-slim"
    assert "s3cr" not in outcome.output + json.dumps(document)


def test_an_unreachable_pipfile_source_fails_only_its_package(
    tmp_path: Path, index_server: Any, monkeypatch: Any
) -> None:
    """The private source does not answer: pytest is an error row (exit 3, no image), pluggy
    from the configured index is still judged, and the credentials stay out of the report."""
    private = closed_port_url().removeprefix("http://")
    url = f"http://${{PRIVATE_INDEX_USER}}:${{PRIVATE_INDEX_TOKEN}}@{private}"
    lock = pipfile_lock_with_private(tmp_path, url, monkeypatch)
    index = f"{index_server.url}/simple/"
    outcome, document = run(
        tmp_path,
        lock,
        index,
        "--dev",
        "-t",
        "python:3.11-slim",
        "--timeout",
        "0.5",
        "--retries",
        "0",
    )
    assert outcome.exit_code == 3, outcome.output
    pytest_cell = cell(document, "pytest", PY311_SLIM)
    assert pytest_cell["verdict"] == "error"
    assert pytest_cell["index_url"] == f"http://alice:****@{private}"
    pluggy = cell(document, "pluggy", PY311_SLIM)
    assert (pluggy["verdict"], pluggy["file"]) == ("pure", "pluggy-1.6.0-py3-none-any.whl")
    shown = f"http://alice:****@{private}"
    assert pytest_cell["reason"].startswith("connection failed: ")
    assert document["errors"] == [f"pytest: {pytest_cell['reason']}"]
    assert shown in pytest_cell["reason"]
    assert "No recommendation (incomplete: some lookups failed)" in outcome.output
    assert document["recommendation"]["image"] is None
    assert "s3cr" not in outcome.output + json.dumps(document)


PIXI_CUSTOM_REGISTRY = REAL.parent / "pixi" / "pypi-custom-registry" / "pixi.lock"
TUNA = "https://pypi.tuna.tsinghua.edu.cn/simple/"


def test_a_pixi_environment_shows_the_index_it_names_and_asks_none(
    tmp_path: Path, index_server: Any
) -> None:
    """The 'alternative' environment takes its PyPI packages from the Tsinghua mirror: they
    are judged from the files the lock lists (no index is asked; the tests cannot reach the
    mirror) and shown as coming from it; the default environment's come from PyPI."""
    index = f"{index_server.url}/simple/"
    index_server.reset()
    outcome, document = run(
        tmp_path,
        PIXI_CUSTOM_REGISTRY,
        index,
        "--environment",
        "alternative",
        "-t",
        "python:3.12-slim",
    )
    assert outcome.exit_code == 0, outcome.output
    markupsafe = cell(document, "markupsafe", SLIM)
    assert (markupsafe["verdict"], markupsafe["file"]) == (
        "binary",
        "MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    )
    assert markupsafe["index_url"] == TUNA
    assert cell(document, "flask", SLIM)["index_url"] == TUNA
    assert project_pages_asked(index_server) == []
    assert document["errors"] == []
    _outcome, default = run(tmp_path, PIXI_CUSTOM_REGISTRY, index, "-t", "python:3.12-slim")
    assert cell(default, "markupsafe", SLIM)["index_url"] == "https://pypi.org/simple"


def test_a_pixi_index_with_credentials_is_shown_redacted(tmp_path: Path) -> None:
    """An environment index with a login (as a private mirror has) is never printed whole."""
    text = PIXI_CUSTOM_REGISTRY.read_text(encoding="utf-8")
    lock = tmp_path / "pixi.lock"
    lock.write_text(
        text.replace("- https://pypi.tuna", "- https://alice:s3cr3t@pypi.tuna", 1),
        encoding="utf-8",
    )
    outcome, document = run(
        tmp_path,
        lock,
        closed_port_url(),
        "--environment",
        "alternative",
        "-t",
        "python:3.12-slim",
    )
    assert outcome.exit_code == 0, outcome.output
    shown = cell(document, "flask", SLIM)["index_url"]
    assert shown == "https://alice:****@pypi.tuna.tsinghua.edu.cn/simple/"
    assert "s3cr3t" not in outcome.output + json.dumps(document)


# -- a pylock.toml's environments ------------------------------------------------------------

PYLOCK_PY313 = REAL / "pylock.maximal.toml"


def test_a_pylock_for_other_environments_admits_none_of_the_targets(tmp_path: Path) -> None:
    """ldlite's lock lists environments = ['python_version >= "3.13"']: pip refuses it on
    Python 3.12 ("Provided environment does not satisfy any of the environments specified
    in the lock file"), so nothing is judged: exit 2, the line and the range named."""
    outcome, _document = run(tmp_path, PYLOCK_PY313, closed_port_url(), "-t", "python:3.12-slim")
    assert outcome.exit_code == 2, outcome.output
    line = outcome.output.strip()
    assert line == (
        f"{PYLOCK_PY313}:5: environments 'python_version >= \"3.13\"' admits none of the "
        "targets (python:3.12-slim/amd64); check a target it admits or regenerate the lock "
        "for these"
    )


def test_targets_outside_the_pylock_environments_are_not_judged(tmp_path: Path) -> None:
    outcome, document = run(
        tmp_path,
        PYLOCK_PY313,
        closed_port_url(),
        "-t",
        "python:3.12-slim",
        "-t",
        "python:3.13-slim",
    )
    assert outcome.exit_code == 0, outcome.output
    assert [t["id"] for t in document["targets"]] == ["python:3.13-slim/amd64"]
    assert (
        f"{PYLOCK_PY313}: environments 'python_version >= \"3.13\"' excludes "
        "python:3.12-slim/amd64: not judged (its installer refuses that environment)"
    ) in document["notes"]
    duckdb = cell(document, "duckdb", "python:3.13-slim/amd64")
    assert duckdb["verdict"] == "binary"
