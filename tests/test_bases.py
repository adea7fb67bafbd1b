"""Bases beyond the alpine/slim defaults, end to end through the CLI over the recorded index.

Python 3.8 and 3.9 images (every tag the official images published), distroless, the AWS
Lambda Python images, UBI 9, Chainguard (Wolfi), and the 32-bit, POWER and s390x platforms:
for each, the wheel file pip would install (or the verdict when there is none), what the
report says about the base, and the one-line exit-2 error for an image the table does not
know. Also the known "cannot build on this Python" cases (numpy 1.21.0 on 3.12).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from wheelcheck._cli import main
from wheelcheck._judge.targets import parse_targets, target_tags
from wheelcheck.errors import UnknownTarget

if TYPE_CHECKING:
    from indexserver import IndexServer


def check(index_server: IndexServer, tmp_path: Path, requirements: str, *args: str) -> Any:
    """`wheelcheck check --format json` over the recorded index: (exit code, report, stderr)."""
    req = tmp_path / "requirements.txt"
    req.write_text(requirements, encoding="utf-8")
    argv = ["check", "--index-url", f"{index_server.url}/simple/", "--retries", "1"]
    argv += ["--no-deps", "--format", "json", *args, str(req)]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    report = json.loads(result.stdout) if result.exit_code in (0, 1) else None
    return result.exit_code, report, result.stderr


def results(report: Any, package: str) -> dict[str, Any]:
    (found,) = [p for p in report["packages"] if p["name"] == package]
    return dict(found["results"])


def chosen(report: Any, package: str) -> dict[str, tuple[str, str | None]]:
    """target id -> (verdict, file) for `package`."""
    return {t: (r["verdict"], r.get("file")) for t, r in results(report, package).items()}


# --- Python 3.8 and 3.9 ------------------------------------------------------------------------


def test_python_39_defaults_pick_armv7l_wheels(index_server: IndexServer, tmp_path: Path) -> None:
    code, report, _ = check(
        index_server, tmp_path, "pydantic-core==2.46.5\n", "--python", "3.9", "--arch", "arm/v7"
    )
    assert code == 0
    targets = {t["id"]: t for t in report["targets"]}
    assert targets["python:3.9-slim/arm/v7"]["distro"] == "Debian 13 (trixie)"
    assert targets["python:3.9-alpine/arm/v7"]["python_full_version"] == "3.9.25"
    assert chosen(report, "pydantic-core") == {
        "python:3.9-alpine/arm/v7": (
            "binary",
            "pydantic_core-2.46.5-cp39-cp39-musllinux_1_1_armv7l.whl",
        ),
        "python:3.9-slim/arm/v7": (
            "binary",
            "pydantic_core-2.46.5-cp39-cp39-manylinux_2_17_armv7l.manylinux2014_armv7l.whl",
        ),
    }


def test_python_38_slim_bookworm_on_386_takes_the_i686_wheel(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "numpy==1.21.0\n",
        "--target",
        "python:3.8-slim-bookworm",
        "--arch",
        "386",
        "--arch",
        "amd64",
    )
    assert code == 0
    (target, _) = report["targets"]
    assert (target["python_full_version"], target["distro"]) == ("3.8.20", "Debian 12 (bookworm)")
    assert chosen(report, "numpy") == {
        "python:3.8-slim-bookworm/386": (
            "binary",
            "numpy-1.21.0-cp38-cp38-manylinux_2_12_i686.manylinux2010_i686.whl",
        ),
        "python:3.8-slim-bookworm/amd64": (
            "binary",
            "numpy-1.21.0-cp38-cp38-manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
        ),
    }


def test_ppc64le_and_s390x_take_manylinux2014_and_alpine_builds(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "pydantic-core==2.46.5\n",
        *("--target", "python:3.9-slim-bookworm", "--target", "python:3.9-alpine"),
        *("--arch", "ppc64le", "--arch", "s390x"),
    )
    assert code == 0
    found = chosen(report, "pydantic-core")
    assert found["python:3.9-slim-bookworm/ppc64le"] == (
        "binary",
        "pydantic_core-2.46.5-cp39-cp39-manylinux_2_17_ppc64le.manylinux2014_ppc64le.whl",
    )
    assert found["python:3.9-slim-bookworm/s390x"][1] == (
        "pydantic_core-2.46.5-cp39-cp39-manylinux_2_17_s390x.manylinux2014_s390x.whl"
    )
    # No musllinux wheel for these arches: pip builds the sdist on alpine.
    assert found["python:3.9-alpine/s390x"] == ("source", "pydantic_core-2.46.5.tar.gz")
    assert found["python:3.9-alpine/ppc64le"][0] == "source"


def test_cp39_abi3_wheel_where_no_cp39_wheel_exists(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "cryptography==50.0.2\npydantic-core==2.46.5\n",
        *("--target", "python:3.9-slim", "--arch", "amd64"),
    )
    assert code == 0
    assert chosen(report, "cryptography")["python:3.9-slim/amd64"] == (
        "binary",
        "cryptography-50.0.2-cp39-abi3-manylinux_2_34_x86_64.whl",
    )
    assert chosen(report, "pydantic-core")["python:3.9-slim/amd64"][1] == (
        "pydantic_core-2.46.5-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )


def test_an_old_patch_lands_on_its_old_distribution() -> None:
    # 3.8.5 was last built on Alpine 3.12 (musl 1.1): musllinux_1_2 wheels do not install.
    (target,) = parse_targets(["python:3.8.5-alpine"], ["amd64"])
    assert (target.distro, target.libc_version) == ("Alpine 3.12", (1, 1))
    tags = {str(t) for t in target_tags(target)}
    assert "cp38-cp38-musllinux_1_1_x86_64" in tags
    assert "cp38-cp38-musllinux_1_2_x86_64" not in tags
    (buster,) = parse_targets(["python:3.9.2-slim"], ["amd64"])
    assert (buster.distro, buster.libc_version) == ("Debian 10 (buster)", (2, 28))


def test_old_variants_carry_every_minor_they_were_published_with() -> None:
    # buster had 3.10 until 3.10.12; 3.10.5-alpine was last built on Alpine 3.16.
    (buster,) = parse_targets(["python:3.10-slim-buster"], ["amd64"])
    assert (buster.python_full_version, buster.libc_version) == ("3.10.12", (2, 28))
    (alpine,) = parse_targets(["python:3.10.5-alpine"], ["amd64"])
    assert alpine.distro == "Alpine 3.16"


def test_arches_per_python_minor() -> None:
    # python:3.8-slim-bookworm had s390x; python:3.10-slim-bookworm never did.
    assert parse_targets(["python:3.8-slim-bookworm"], ["s390x"])[0].arch == "s390x"
    with pytest.raises(UnknownTarget, match="no s390x image; it offers amd64, arm/v7"):
        parse_targets(["python:3.10-slim-bookworm"], ["s390x"])
    assert parse_targets(["python:3.9-slim-buster"], ["arm/v7"])[0].arch == "armv7l"


def test_target_ids_of_other_images_read_back() -> None:
    specs = (
        "gcr.io/distroless/python3-debian13/riscv64",
        "public.ecr.aws/lambda/python:3.12",
        "cgr.dev/chainguard/python:latest-dev/arm64",
    )
    for spec in specs:
        for target in parse_targets([spec]):
            assert parse_targets([target.id]) == (target,)


# --- distroless, Lambda, UBI -------------------------------------------------------------------


def test_distroless_debian12_is_python_311_on_glibc_236_without_pip(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "openshell==0.0.99\ntorch==2.15.0\n",
        "--target",
        "gcr.io/distroless/python3-debian12",
    )
    assert code == 1  # openshell has nothing installable there
    ids = [t["id"] for t in report["targets"]]
    assert ids == [
        "gcr.io/distroless/python3-debian12/amd64",
        "gcr.io/distroless/python3-debian12/arm64",
    ]
    assert {t["python_full_version"] for t in report["targets"]} == {"3.11.2"}
    # manylinux_2_39 needs a newer glibc than bookworm's 2.36; manylinux_2_28 installs.
    assert {v for v, _ in chosen(report, "openshell").values()} == {"missing"}
    assert chosen(report, "torch")["gcr.io/distroless/python3-debian12/amd64"] == (
        "binary",
        "torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl",
    )
    (note,) = [n for n in report["notes"] if n.startswith("gcr.io/distroless")]
    assert "has no pip" in note and "python:3.11-slim-bookworm" in note
    assert "no longer rebuilt" in note
    # The size table has no distroless rows: no size estimate is made up for it.
    assert all("distroless" not in c["image"] for c in report["recommendation"]["candidates"])


def test_lambda_311_is_amazon_linux_2_and_312_amazon_linux_2023(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "torch==2.15.0\ncryptography==50.0.2\n",
        *("--target", "public.ecr.aws/lambda/python:3.11"),
        *("--target", "public.ecr.aws/lambda/python:3.12", "--arch", "amd64"),
    )
    assert code == 1
    torch = chosen(report, "torch")
    assert torch["public.ecr.aws/lambda/python:3.11/amd64"] == ("missing", None)
    assert torch["public.ecr.aws/lambda/python:3.12/amd64"][0] == "binary"
    crypto = chosen(report, "cryptography")
    assert crypto["public.ecr.aws/lambda/python:3.11/amd64"][1] == (
        "cryptography-50.0.2-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
    )
    assert crypto["public.ecr.aws/lambda/python:3.12/amd64"][1] == (
        "cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl"
    )
    assert (
        "public.ecr.aws/lambda/python:3.11 runs Python 3.11 on Amazon Linux 2, glibc 2.26 "
        "(its patch release is not recorded: judged as 3.11.16)"
    ) in report["notes"]
    targets = {t["id"]: t for t in report["targets"]}
    assert targets["public.ecr.aws/lambda/python:3.12/amd64"]["python_full_version"] == "3.12.14"


def test_an_image_missing_a_default_arch_is_judged_on_the_others() -> None:
    # The table records amd64 only for UBI 9: the default arm64 is dropped, an asked one is not.
    targets = parse_targets(["registry.access.redhat.com/ubi9/python-312"])
    assert [(t.arch, t.distro, t.libc_version) for t in targets] == [
        ("x86_64", "RHEL 9 (UBI 9)", (2, 34))
    ]


def test_a_ubi_target_says_its_other_architectures_are_not_known(
    index_server: IndexServer, tmp_path: Path
) -> None:
    target = "registry.access.redhat.com/ubi9/python-312"
    code, report, _ = check(index_server, tmp_path, "six\n", "--target", target)
    assert code == 0 and report is not None
    assert [t["arch"] for t in report["targets"]] == ["x86_64"]
    (note,) = [n for n in report["notes"] if n.startswith(target)]
    assert note.endswith(
        "; its other architectures are not known: only its amd64 image was verified; whether "
        "arm64, ppc64le and s390x images exist, and which Python and glibc they carry, is not "
        "recorded (see https://github.com/sclorg/s2i-python-container)"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("quay.io/example/app:1", "unknown image 'quay.io/example/app:1'"),
        ("public.ecr.aws/lambda/python:3.7", "tags 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14"),
        ("gcr.io/distroless/python3-debain12", "did you mean gcr.io/distroless/python3-debian12"),
        ("python:3.7-slim", "Python 3.7 is not in the table"),
        (
            "registry.access.redhat.com/ubi9/python-312/arm64",
            "registry.access.redhat.com/ubi9/python-312 on arm64 is not known: only its amd64 "
            "image was verified; whether arm64, ppc64le and s390x images exist, and which "
            "Python and glibc they carry, is not recorded "
            "(see https://github.com/sclorg/s2i-python-container); to judge it anyway, give a "
            "tag spec with its Python and glibc version, such as --target "
            "cp312-manylinux_2_NN_aarch64",
        ),
        (
            "registry.access.redhat.com/ubi9/python-39/s390x",
            "python-39 on s390x is not known: only its amd64 image was verified",
        ),
        (
            "cgr.dev/chainguard/python:latest-dev/arm/v7",
            "has no arm/v7 image in the table; it has amd64, arm64",
        ),
        (
            "cgr.dev/chainguard/python:3.12",
            "the table has cgr.dev/chainguard/python tags latest, latest-dev; tag '3.12' is not "
            "known: its versioned tags (such as 3.12 and 3.12-dev) need a Chainguard "
            "subscription, and their Python and glibc are not recorded (see https://www."
            "chainguard.dev/unchained/a-guide-on-how-to-use-chainguard-images-for-public-"
            "catalog-tier-users)",
        ),
    ],
)
def test_unknown_image_is_exit_2_on_one_line(
    index_server: IndexServer, tmp_path: Path, target: str, message: str
) -> None:
    code, report, stderr = check(index_server, tmp_path, "six\n", "--target", target)
    assert code == 2 and report is None
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr


# --- Chainguard (Wolfi) -----------------------------------------------------------------------

CHAINGUARD = "cgr.dev/chainguard/python"
ROLLING = "Python 3.14.7 and glibc 2.43 are as of 2026-08-22, re-check them"


def test_chainguard_latest_dev_takes_manylinux_wheels_on_amd64_and_arm64(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server,
        tmp_path,
        "openshell==0.0.99\ncryptography==50.0.2\n",
        *("--target", f"{CHAINGUARD}:latest-dev"),
    )
    assert code == 0
    targets = {t["id"]: t for t in report["targets"]}
    assert list(targets) == [f"{CHAINGUARD}:latest-dev/amd64", f"{CHAINGUARD}:latest-dev/arm64"]
    assert {t["python_full_version"] for t in targets.values()} == {"3.14.7"}
    # glibc 2.43 takes the manylinux_2_39 wheels that distroless (glibc 2.36) cannot.
    assert chosen(report, "openshell") == {
        f"{CHAINGUARD}:latest-dev/amd64": (
            "binary",
            "openshell-0.0.99-py3-none-manylinux_2_39_x86_64.whl",
        ),
        f"{CHAINGUARD}:latest-dev/arm64": (
            "binary",
            "openshell-0.0.99-py3-none-manylinux_2_39_aarch64.whl",
        ),
    }
    assert chosen(report, "cryptography")[f"{CHAINGUARD}:latest-dev/arm64"] == (
        "binary",
        "cryptography-50.0.2-cp311-abi3-manylinux_2_34_aarch64.whl",
    )
    (note,) = [n for n in report["notes"] if n.startswith(CHAINGUARD)]
    assert note.startswith(f"{CHAINGUARD}:latest-dev runs Python 3.14 on Wolfi (rolling), glibc")
    assert "has no pip" not in note
    assert ROLLING in note


def test_chainguard_latest_has_no_pip_and_names_the_dev_image_as_build_stage(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server, tmp_path, "openshell==0.0.99\n", "--target", f"{CHAINGUARD}:latest"
    )
    assert code == 0
    (note,) = [n for n in report["notes"] if n.startswith(CHAINGUARD)]
    assert "has no pip" in note
    assert f"build stage with the same Python 3.14 and libc such as {CHAINGUARD}:latest-dev" in note
    assert ROLLING in note
    # No size row for Chainguard: no estimate is made up for it.
    assert all("chainguard" not in c["image"] for c in report["recommendation"]["candidates"])


def test_chainguard_with_an_arch_it_lacks_is_exit_2(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, stderr = check(
        index_server, tmp_path, "six\n", "--target", CHAINGUARD, "--arch", "arm/v7"
    )
    assert (code, report) == (2, None)
    assert stderr.strip() == (
        f"wheelcheck: error: {CHAINGUARD} has no arm/v7 image in the table; it has amd64, arm64"
    )


# --- builds that cannot work on the target's Python --------------------------------------------


def test_numpy_121_on_312_cannot_build_and_names_the_release_that_installs(
    index_server: IndexServer, tmp_path: Path
) -> None:
    code, report, _ = check(
        index_server, tmp_path, "numpy==1.21.0\n", "--target", "python:3.12-slim", "--arch", "amd64"
    )
    assert code == 0  # a source verdict fails the check only with --fail-on source
    result = results(report, "numpy")["python:3.12-slim/amd64"]
    assert (result["verdict"], result["file"]) == ("source", "numpy-1.21.0.zip")
    build = result["build"]
    assert build["kind"] == "fails"
    assert "cannot build on Python 3.12" in build["evidence"]
    assert "1.26.0 is the first release that builds there" in build["evidence"]
    assert build["system_packages"] == []
    assert "https://peps.python.org/pep-0632/" in build["source"]
    assert result["remedy"]["newer"] == "1.26.1"  # the nearest release with a wheel here


def test_numpy_121_on_39_is_a_plain_wheel(index_server: IndexServer, tmp_path: Path) -> None:
    code, report, _ = check(
        index_server, tmp_path, "numpy==1.21.0\n", "--target", "python:3.9-slim-bookworm"
    )
    assert code == 0
    assert chosen(report, "numpy")["python:3.9-slim-bookworm/arm64"] == (
        "binary",
        "numpy-1.21.0-cp39-cp39-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    )


def test_table_says_the_build_cannot_work(index_server: IndexServer, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("numpy==1.21.0\n", encoding="utf-8")
    argv = ["check", "--index-url", f"{index_server.url}/simple/", "--retries", "1"]
    argv += ["--no-deps", "--target", "python:3.12-slim", "--arch", "amd64", str(req)]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.stdout.startswith("Use python:3.12-slim: slim cannot build numpy on amd64.")
    prose = " ".join(result.stdout.split())  # wrapped at 80 columns
    assert "build: the build fails: cannot build on Python 3.12: " in prose
    assert "needs g++" not in result.stdout and "apt-get install" not in result.stdout


# --- Dockerfiles -------------------------------------------------------------------------------


def dockerfile(
    index_server: IndexServer, tmp_path: Path, text: str, requirements: str = "torch==2.15.0\n"
) -> Any:
    (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    argv = ["dockerfile", str(tmp_path / "Dockerfile"), "--index-url"]
    argv += [f"{index_server.url}/simple/", "--no-deps", "--retries", "1", "-f", "json"]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


INSTALL = "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"


def test_dockerfile_from_python_39_slim_is_judged(
    index_server: IndexServer, tmp_path: Path
) -> None:
    text = "FROM python:3.9-slim\n" + INSTALL
    _, doc = dockerfile(index_server, tmp_path, text, "cryptography==50.0.2\n")
    (stage,) = doc["stages"]
    assert (stage["kind"], stage["python"]) == ("python", "3.9")
    assert chosen(doc["check"], "cryptography")["python:3.9-slim/amd64"] == (
        "binary",
        "cryptography-50.0.2-cp39-abi3-manylinux_2_34_x86_64.whl",
    )


def test_dockerfile_from_lambda_is_judged_on_amazon_linux_2(
    index_server: IndexServer, tmp_path: Path
) -> None:
    _, doc = dockerfile(
        index_server, tmp_path, "FROM public.ecr.aws/lambda/python:3.11\n" + INSTALL
    )
    (stage,) = doc["stages"]
    assert stage["kind"] == "other"
    assert "Amazon Linux 2, glibc 2.26" in stage["note"]
    torch = chosen(doc["check"], "torch")
    assert torch["public.ecr.aws/lambda/python:3.11/amd64"] == ("missing", None)
    assert torch["python:3.11-slim/amd64"][0] == "binary"  # the alternative it is compared with


def test_dockerfile_distroless_final_stage_says_what_the_build_stage_must_match(
    index_server: IndexServer, tmp_path: Path
) -> None:
    text = (
        "FROM python:3.11-slim-bookworm AS build\n"
        "COPY requirements.txt .\n"
        "RUN pip install --no-cache-dir --target /deps -r requirements.txt\n"
        "FROM gcr.io/distroless/python3-debian12\n"
        "COPY --from=build /deps /deps\n"
    )
    _, doc = dockerfile(index_server, tmp_path, text)
    final = doc["stages"][1]
    assert (final["kind"], final["python"]) == ("other", "3.11")
    assert "has no pip" in final["note"] and "python:3.11-slim-bookworm" in final["note"]


def test_dockerfile_from_amazonlinux_2023_uses_its_python_39(
    index_server: IndexServer, tmp_path: Path
) -> None:
    text = "FROM amazonlinux:2023\n" + INSTALL
    _, doc = dockerfile(index_server, tmp_path, text, "cryptography==50.0.2\ntorch==2.15.0\n")
    (stage,) = doc["stages"]
    assert (stage["kind"], stage["python"]) == ("distro", "3.9")
    found = chosen(doc["check"], "cryptography")
    assert found["amazonlinux:2023/amd64"] == (
        "binary",
        "cryptography-50.0.2-cp39-abi3-manylinux_2_34_x86_64.whl",
    )
    assert chosen(doc["check"], "torch")["amazonlinux:2023/amd64"] == ("missing", None)


@pytest.mark.parametrize(
    ("image", "why"),
    [
        ("public.ecr.aws/lambda/python:3.7", "tags 3.8, 3.9, 3.10, 3.11, 3.12, 3.13, 3.14"),
        # Versioned Chainguard tags are not public: only latest and latest-dev are in the table.
        ("cgr.dev/chainguard/python:3.12", "cgr.dev/chainguard/python tags latest, latest-dev"),
    ],
)
def test_dockerfile_from_a_tag_the_table_lacks_is_unknown_with_why(
    index_server: IndexServer, tmp_path: Path, image: str, why: str
) -> None:
    _, doc = dockerfile(index_server, tmp_path, f"FROM {image}\n" + INSTALL)
    (stage,) = doc["stages"]
    assert stage["kind"] == "unknown"
    assert why in stage["note"]
    assert [f["rule"] for f in doc["findings"] if f["rule"] == "WCD012"] == ["WCD012"]


def test_dockerfile_from_chainguard_dev_then_latest_is_judged(
    index_server: IndexServer, tmp_path: Path
) -> None:
    text = (
        f"FROM {CHAINGUARD}:latest-dev AS dev\n"
        "COPY requirements.txt .\n"
        "RUN python -m venv /app/venv && /app/venv/bin/pip install -r requirements.txt\n"
        f"FROM {CHAINGUARD}:latest\n"
        "COPY --from=dev /app/venv /app/venv\n"
    )
    _, doc = dockerfile(index_server, tmp_path, text, "openshell==0.0.99\n")
    dev, final = doc["stages"]
    assert (dev["kind"], dev["python"]) == ("other", "3.14")
    assert ROLLING in dev["note"]
    assert (final["kind"], final["python"]) == ("other", "3.14")
    assert "has no pip" in final["note"] and f"{CHAINGUARD}:latest-dev" in final["note"]
    assert chosen(doc["check"], "openshell")[f"{CHAINGUARD}:latest-dev/amd64"] == (
        "binary",
        "openshell-0.0.99-py3-none-manylinux_2_39_x86_64.whl",
    )
