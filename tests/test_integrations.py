"""The GitHub Action, the pre-commit hooks and the documented CI examples, run as CI runs them.

The action's `run:` steps are executed with bash exactly as a GitHub runner does
(``bash --noprofile --norc -eo pipefail``), with the variables a runner sets and the step's
`env:` expressions evaluated from the inputs; the `uses:` steps (actions/setup-python) cannot
run here, and the install step (pip install from the network) is replaced by this test's own
installation. YAML is validated against the schemastore schemas that check-jsonschema ships.
Everything talks to the local index server only.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from wheelcheck._cli import main

if TYPE_CHECKING:
    from indexserver import IndexServer

ROOT = Path(__file__).parent.parent
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOCS = (ROOT / "docs" / "ci.md", ROOT / "README.md")
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
HAS_DOCKERFILE_COMMAND = "dockerfile" in getattr(main, "commands", {})


def load_yaml(text: str) -> Any:
    # YAML 1.2, as GitHub and GitLab read it ("on:" stays a string key)
    return YAML(typ="safe", pure=True).load(text)


def vendored_schema(name: str) -> dict[str, Any]:
    text = (resources.files("check_jsonschema.builtin_schemas.vendor") / f"{name}.json").read_text(
        encoding="utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def assert_valid(document: Any, schema: dict[str, Any]) -> None:
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """`wheelcheck` and `python` on PATH, as after `pip install wheelcheck` in CI."""
    folder = tmp_path / "bin"
    folder.mkdir()
    shim = folder / "wheelcheck"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wheelcheck "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    (folder / "python").symlink_to(sys.executable)
    return folder


def runner_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment like a CI machine's: nothing from this host's pip configuration."""
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "CI": "true",
        # the default test run stays offline in subprocesses too: only loopback is direct
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,127.0.0.2,localhost",
        **extra,
    }


def bash(
    script: str, cwd: Path, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"step-{abs(hash(script))}.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository: psycopg2 builds from source everywhere (line 2), pywin32 has
    nothing for Linux (line 3)."""
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "requirements.txt").write_text("six\npsycopg2==2.9.13\npywin32\n", encoding="utf-8")
    return folder


# -- action.yml ----------------------------------------------------------------------------


def action() -> dict[str, Any]:
    document: dict[str, Any] = load_yaml(ACTION.read_text(encoding="utf-8"))
    return document


def test_action_metadata_is_valid() -> None:
    assert_valid(action(), vendored_schema("github-actions"))
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert {"files", "dockerfile", "targets", "fail-on", "index-url", "format"} <= set(
        spec["inputs"]
    )
    assert {"recommended-image", "report-path"} <= set(spec["outputs"])


def test_action_scripts_never_interpolate_inputs_and_parse() -> None:
    for step in action()["runs"]["steps"]:
        if "run" in step:
            # ${{ }} inside a script is a script-injection hole: inputs go through env
            assert "${{" not in step["run"], step.get("id")
            assert step["shell"] == "bash"
            checked = subprocess.run(["bash", "-n"], input=step["run"], text=True, check=False)
            assert checked.returncode == 0, step.get("id")


def run_action(
    inputs: dict[str, str], workspace: Path, tmp_path: Path, bin_dir: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    """Run the action's steps as a runner would; return the check step's process, the
    step outputs and the step summary file."""
    spec = action()
    values = {name: str(i.get("default", "")) for name, i in spec["inputs"].items()}
    values.update(inputs)
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    summary = tmp_path / "step-summary.md"
    summary.touch()
    outputs: dict[str, dict[str, str]] = {"python": {"python-path": sys.executable}}
    last: subprocess.CompletedProcess[str] | None = None

    def evaluate(expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs":
            return values[parts[1]]
        if parts[0] == "steps" and parts[2] == "outputs":
            return outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"expression the test does not know: {expression}")

    for step in spec["runs"]["steps"]:
        if "uses" in step:
            continue  # actions/setup-python: its output is this interpreter
        if step["id"] == "install":
            # pip install "$GITHUB_ACTION_PATH" needs the network: use this installation
            outputs["install"] = {"python": sys.executable}
            continue
        output_file = tmp_path / f"output-{step['id']}"
        output_file.touch()
        env = runner_env(
            bin_dir,
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(ROOT),
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(summary),
            RUNNER_TEMP=str(temp),
        )
        for name, value in step.get("env", {}).items():
            env[name] = EXPRESSION.sub(lambda m: evaluate(m.group(1)), str(value))
        last = bash(step["run"], workspace, env, tmp_path)
        outputs[step["id"]] = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
    assert last is not None
    return last, outputs["check"], summary


def test_action_annotates_writes_summary_and_outputs(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    inputs = {
        "index-url": f"{index_server.url}/simple/",
        "fail-on": "source\nalpine=never",
        "ignore": "pywin32: windows only",
        "format": "sarif",
    }
    step, outputs, summary = run_action(inputs, workspace, tmp_path, bin_dir)
    # psycopg2 builds from source on slim: fails under "source"
    assert step.returncode == 1, step.stderr
    assert outputs["exit-code"] == "1"
    assert outputs["recommended-image"] == "python:3.12-slim"
    annotations = step.stdout.splitlines()
    assert any(
        line.startswith(
            "::error file=requirements.txt,line=2,title=WC001 source-build%3A psycopg2::"
        )
        and "python:3.12-slim/amd64" in line
        for line in annotations
    )
    assert any(
        line.startswith("::warning file=requirements.txt,line=2,") for line in annotations
    )  # alpine=never
    findings = [line for line in annotations if line.startswith(("::error file", "::warning file"))]
    assert not any("pywin32" in line for line in findings)  # ignored: no annotation
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### wheelcheck: ❌ fail · use `python:3.12-slim`")
    assert "pywin32 *(ignored)*" in text
    report = Path(outputs["report-path"])
    assert report.suffix == ".sarif"
    document = json.loads(report.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert_valid(document, schema)
    assert {r["ruleId"] for r in document["runs"][0]["results"]} == {"WC001", "WC002"}


def test_action_writes_an_html_report_to_upload_as_an_artifact(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    inputs = {"index-url": f"{index_server.url}/simple/", "format": "html"}
    step, outputs, _ = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode == int(outputs["exit-code"]), step.stderr
    report = Path(outputs["report-path"])
    assert report.suffix == ".html"
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<h1>Recommendation: {outputs['recommended-image']}</h1>" in page


def test_action_defaults_pass_when_nothing_is_missing(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    (workspace / "requirements.txt").write_text("six\n", encoding="utf-8")
    inputs = {"index-url": f"{index_server.url}/simple/"}
    step, outputs, summary = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode == 0, step.stderr
    assert outputs["exit-code"] == "0"
    assert outputs["recommended-image"] == "python:3.12-alpine"
    report = json.loads(Path(outputs["report-path"]).read_text(encoding="utf-8"))
    assert report["packages"][0]["name"] == "six"
    assert "✅ pass" in summary.read_text(encoding="utf-8")


def test_action_recommends_no_image_when_the_index_cannot_be_reached(
    workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inputs = {"index-url": f"http://127.0.0.1:{port}/simple/"}
    step, outputs, summary = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode == 3, step.stderr
    assert outputs["exit-code"] == "3"
    assert outputs["recommended-image"] == ""
    assert "::notice" not in step.stdout
    assert "no recommendation (incomplete" in summary.read_text(encoding="utf-8")
    report = json.loads(Path(outputs["report-path"]).read_text(encoding="utf-8"))
    assert report["recommendation"]["image"] is None and report["errors"]


def test_action_reads_the_repository_configuration_and_globs(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    (workspace / "pyproject.toml").write_text(
        '[tool.wheelcheck]\nfail-on = "never"\ntargets = ["python:3.12-slim"]\n', encoding="utf-8"
    )
    (workspace / "requirements").mkdir()
    (workspace / "requirements" / "extra.txt").write_text("numpy==2.3.5\n", encoding="utf-8")
    inputs = {
        "index-url": f"{index_server.url}/simple/",
        "files": "requirements.txt requirements/*.txt",
    }
    step, outputs, _ = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode == 0, step.stderr  # fail-on never from pyproject.toml
    report = json.loads(Path(outputs["report-path"]).read_text(encoding="utf-8"))
    assert {t["image"] for t in report["targets"]} == {"python:3.12-slim"}
    assert "numpy" in {p["name"] for p in report["packages"]}


def test_action_bad_input_is_exit_2(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    inputs = {"index-url": f"{index_server.url}/simple/", "targets": "python:3.12-alpnie"}
    step, outputs, _ = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode == 2
    assert outputs["exit-code"] == "2" and outputs["recommended-image"] == ""
    assert "did you mean" in step.stderr
    step, _, _ = run_action({"format": "xml"}, workspace, tmp_path, bin_dir)
    assert step.returncode == 2 and "format must be" in step.stdout


@pytest.mark.skipif(not HAS_DOCKERFILE_COMMAND, reason="wheelcheck dockerfile is not built yet")
def test_action_runs_the_dockerfile_check_too(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    (workspace / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n",
        encoding="utf-8",
    )
    inputs = {
        "index-url": f"{index_server.url}/simple/",
        "files": "",
        "dockerfile": "Dockerfile",
        "fail-on": "never",
    }
    step, outputs, _ = run_action(inputs, workspace, tmp_path, bin_dir)
    assert step.returncode in (0, 1), step.stderr
    assert outputs["exit-code"] == str(step.returncode)


# -- pre-commit ------------------------------------------------------------------------


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in load_yaml(HOOKS.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(
    ("path", "hook"),
    [
        ("requirements.txt", "wheelcheck"),
        ("requirements-dev.txt", "wheelcheck"),
        ("requirements.in", "wheelcheck"),
        ("services/api/requirements/prod.txt", "wheelcheck"),
        ("pylock.toml", "wheelcheck"),
        ("pylock.dev.toml", "wheelcheck"),
        ("uv.lock", "wheelcheck"),
        ("poetry.lock", "wheelcheck"),
        ("pdm.lock", "wheelcheck"),
        ("app/Pipfile", "wheelcheck"),
        ("Pipfile.lock", "wheelcheck"),
        ("pixi.lock", "wheelcheck"),
        ("Pipfile.md", None),
        ("Dockerfile", "wheelcheck-dockerfile"),
        ("docker/api.Dockerfile", "wheelcheck-dockerfile"),
        ("Dockerfile.prod", "wheelcheck-dockerfile"),
        ("README.md", None),
        ("src/requirements.py", None),
        ("pyproject.toml", None),
        ("docs/Dockerfile.md", None),
    ],
)
def test_hooks_run_on_requirements_lockfiles_and_dockerfiles(path: str, hook: str | None) -> None:
    # pre-commit matches `files` with Python's re.search
    matched = [i for i, h in hooks().items() if re.search(h["files"], path)]
    assert matched == ([hook] if hook else [])


def run_hook(
    hook: dict[str, Any], files: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """As pre-commit runs a hook: entry (shell-split) + args + the staged file names."""
    argv = [*shlex.split(hook["entry"]), *hook.get("args", []), *files]
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_requirements_hook_fails_the_commit_on_a_missing_package(
    index_server: IndexServer, workspace: Path, bin_dir: Path
) -> None:
    hook = hooks()["wheelcheck"]
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    env = runner_env(bin_dir, WHEELCHECK_INDEX_URL=f"{index_server.url}/simple/")
    failed = run_hook(hook, ["requirements.txt"], workspace, env)
    assert failed.returncode == 1, failed.stderr
    assert "pywin32" in failed.stdout and "missing" in failed.stdout
    (workspace / "requirements-ok.txt").write_text("six\nnumpy==2.3.5\n", encoding="utf-8")
    passed = run_hook(hook, ["requirements-ok.txt"], workspace, env)
    assert passed.returncode == 0, passed.stderr


@pytest.mark.skipif(not HAS_DOCKERFILE_COMMAND, reason="wheelcheck dockerfile is not built yet")
def test_dockerfile_hook_runs(index_server: IndexServer, workspace: Path, bin_dir: Path) -> None:
    (workspace / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        encoding="utf-8",
    )
    hook = {
        **hooks()["wheelcheck-dockerfile"],
        "args": ["--index-url", f"{index_server.url}/simple/"],
    }
    done = run_hook(hook, ["Dockerfile"], workspace, runner_env(bin_dir))
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not HAS_DOCKERFILE_COMMAND, reason="wheelcheck dockerfile is not built yet")
def test_dockerfile_hook_runs_on_several_staged_dockerfiles(
    index_server: IndexServer, workspace: Path, bin_dir: Path
) -> None:
    """pre-commit passes every staged Dockerfile at once: one report, the worst exit code."""
    (workspace / "Dockerfile").write_text(
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir six\n", encoding="utf-8"
    )
    (workspace / "docker").mkdir()
    # pip into Debian's own Python without a venv: WCD013, an error (PEP 668)
    (workspace / "docker" / "api.Dockerfile").write_text(
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y python3-pip\n"
        "RUN pip3 install --no-cache-dir six\n",
        encoding="utf-8",
    )
    hook = {
        **hooks()["wheelcheck-dockerfile"],
        "args": ["--index-url", f"{index_server.url}/simple/", "--no-deps"],
    }
    assert hook["pass_filenames"] is True
    env = runner_env(bin_dir)
    both = run_hook(hook, ["Dockerfile", "docker/api.Dockerfile"], workspace, env)
    assert both.returncode == 1, both.stderr  # the error in the second file fails the commit
    assert "Got unexpected extra argument" not in both.stderr
    # each file's section in the order given, its findings hadolint-style
    assert both.stdout.startswith("Dockerfile")
    assert "\ndocker/api.Dockerfile:3 WCD013 error: " in both.stdout
    alone = run_hook(hook, ["Dockerfile"], workspace, env)
    assert alone.returncode == 0, alone.stderr


# -- the documented examples -------------------------------------------------------------


KIND_KEY = {"github": "jobs", "gitlab": "wheelcheck", "pre-commit": "repos"}


def documented(kind: str) -> list[dict[str, Any]]:
    """The YAML examples of docs/ci.md and README.md of one kind, told apart by a top key."""
    blocks = [load_yaml(block) for path in DOCS for block in yaml_blocks(path)]
    return [b for b in blocks if isinstance(b, dict) and KIND_KEY[kind] in b]


def uses_the_action(workflow: dict[str, Any]) -> bool:
    steps = workflow["jobs"]["wheelcheck"]["steps"]
    return any(str(s.get("uses", "")).startswith("OWNER/") for s in steps)


def test_documented_github_workflows_are_valid_and_use_real_inputs() -> None:
    workflows = documented("github")
    assert len(workflows) >= 3  # docs: with the action, without; README: with the action
    inputs = set(action()["inputs"])
    outputs = set(action()["outputs"])
    schema = vendored_schema("github-workflows")
    used_action = 0
    for workflow in workflows:
        assert_valid(workflow, schema)
        for step in workflow["jobs"]["wheelcheck"]["steps"]:
            if str(step.get("uses", "")).startswith("OWNER/wheelcheck@"):
                used_action += 1
                assert set(step.get("with", {})) <= inputs
            for text in map(str, [*step.get("with", {}).values(), *step.get("env", {}).values()]):
                for expression in EXPRESSION.findall(text):
                    if expression.startswith("steps.wheelcheck.outputs."):
                        assert expression.rsplit(".", 1)[1] in outputs
    assert used_action >= 2


def test_documented_github_run_steps_work(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    (workspace / "requirements.txt").write_text("six\npsycopg2==2.9.13\n", encoding="utf-8")
    plain = [w for w in documented("github") if not uses_the_action(w)]
    assert plain
    env = runner_env(
        bin_dir, GITHUB_ACTIONS="true", WHEELCHECK_INDEX_URL=f"{index_server.url}/simple/",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
    )  # fmt: skip
    for step in plain[0]["jobs"]["wheelcheck"]["steps"]:
        if "run" not in step or "pip install" in step["run"]:
            continue  # uses: steps, and the install (network) done by this test
        done = bash(step["run"], workspace, env, tmp_path)
        assert done.returncode == 0, done.stderr
        assert (
            "::warning file=requirements.txt,line=2,title=WC001 source-build%3A psycopg2::"
            in done.stdout
        )
    assert "### wheelcheck" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_documented_gitlab_job_is_valid_and_writes_a_code_quality_report(
    index_server: IndexServer, workspace: Path, tmp_path: Path, bin_dir: Path
) -> None:
    (jobs,) = documented("gitlab")
    assert_valid(jobs, vendored_schema("gitlab-ci"))
    job = jobs["wheelcheck"]
    assert all("pip install" in line for line in job["before_script"])  # network: skipped
    env = runner_env(bin_dir, GITLAB_CI="true", WHEELCHECK_INDEX_URL=f"{index_server.url}/simple/")
    done = bash("\n".join(job["script"]), workspace, env, tmp_path)
    assert done.returncode == 1, done.stderr  # pywin32 is missing: the job fails
    assert done.stdout.startswith("### wheelcheck: ❌ fail")  # the Markdown report in the log
    for artifact in job["artifacts"]["paths"]:
        assert (workspace / artifact).is_file()
    issues = json.loads((workspace / job["artifacts"]["reports"]["codequality"]).read_text())
    by_name = {issue["check_name"]: issue for issue in issues}
    assert by_name["WC002"]["location"] == {"path": "requirements.txt", "lines": {"begin": 3}}
    assert by_name["WC002"]["severity"] == "major"
    assert by_name["WC001"]["location"]["lines"]["begin"] == 2
    assert by_name["WC001"]["severity"] == "minor"  # source builds only warn by default


def test_documented_pre_commit_configurations(
    index_server: IndexServer, workspace: Path, bin_dir: Path
) -> None:
    configs = documented("pre-commit")
    assert len(configs) == 2
    ids = set(hooks())
    remote = [r for c in configs for r in c["repos"] if r["repo"] != "local"]
    assert remote and all(h["id"] in ids for r in remote for h in r["hooks"])
    local = [h for c in configs for r in c["repos"] if r["repo"] == "local" for h in r["hooks"]]
    env = runner_env(bin_dir, WHEELCHECK_INDEX_URL=f"{index_server.url}/simple/")
    for hook in local:
        assert re.search(hook["files"], "requirements.txt")
        done = run_hook(hook, ["requirements.txt"], workspace, env)
        assert done.returncode == 1 and "pywin32" in done.stdout, done.stderr
