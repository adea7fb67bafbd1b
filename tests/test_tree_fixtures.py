"""The local index serves what a dependency resolution needs, and the recorded trees are closed.

These tests check the test fixtures themselves (tests/indexserver.py over tests/data/index),
so that resolution tests can trust them: metadata files match the hash the page advertises,
synthetic wheels answer range requests with the right bytes, the ``no-range`` flavour sends
whole files, files of the ``auth`` flavour need the login, and every dependency of the
recorded scenarios (README.md) has a page with a kept version that satisfies it.
"""

from __future__ import annotations

import asyncio
import base64
import email.parser
import hashlib
import io
import json
import re
import tarfile
import zipfile
from typing import TYPE_CHECKING

import httpx
import pytest
from indexserver import AUTH_PASSWORD, AUTH_USER, JSON_TYPE, PADDING_BYTES, IndexServer
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import (
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from wheelcheck._index import IndexClient, IndexSettings
from wheelcheck._index.dependencies import DependencyReader

if TYPE_CHECKING:
    from collections.abc import Iterator

CHAINLIT_WHEEL = "chainlit-2.12.0-py3-none-any.whl"
WHISPER_SDIST = "openai_whisper-20250625.tar.gz"

# The scenarios of tests/data/index/README.md: their direct requirements.
SCENARIOS = {
    "a-diamond": ["requests", "responses"],
    "b-conflict": ["requests==2.29.0", "types-requests"],
    "c-cycle": ["dask[distributed]"],
    "d-platform-machine": ["cuda-toolkit[cudla,opencl]==13.2.2"],
    "e-native-extras": ["uvicorn[standard]", "psycopg[binary,c]"],
    "f-sdist-only": ["openai-whisper", "flash-attn"],
    "g-llm-app": ["chainlit", "langchain", "openai", "pandas", "psycopg2"],
    # examples/django-app/requirements.txt and examples/data-science/requirements.txt
    "h-django-app": [
        "django",
        "djangorestframework",
        "psycopg2-binary",
        "celery",
        "redis",
        "gunicorn",
        "pillow",
        "django-environ",
        "whitenoise",
        "sentry-sdk",
    ],
    "i-data-science": [
        "numpy",
        "pandas",
        "scipy",
        "scikit-learn",
        "matplotlib",
        "seaborn",
        "jupyterlab",
        "statsmodels",
        "polars",
        "pyarrow",
    ],
    # The LLM app on the Python of examples/llm-app/Dockerfile (FROM python:3.10.13).
    "j-llm-app-py310": ["chainlit", "langchain", "openai", "pandas", "psycopg2"],
}
# The Python each scenario is resolved for, where it is not 3.12.
PYTHONS = {"j-llm-app-py310": "3.10.13"}
MACHINES = ("x86_64", "aarch64")


@pytest.fixture(autouse=True)
def _clean(index_server: IndexServer) -> Iterator[None]:
    index_server.reset()
    yield
    index_server.reset()


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers=headers, timeout=10)


def json_page(server: IndexServer, name: str, flavour: str = "") -> dict[str, object]:
    prefix = f"/{flavour}" if flavour else ""
    response = get(f"{server.url}{prefix}/simple/{name}/", Accept=JSON_TYPE)
    assert response.headers["content-type"] == JSON_TYPE
    document: dict[str, object] = response.json()
    return document


def entry(document: dict[str, object], filename: str) -> dict[str, object]:
    files = document["files"]
    assert isinstance(files, list)
    found: dict[str, object] = next(f for f in files if f["filename"] == filename)
    return found


# -- metadata files -------------------------------------------------------------------------


def test_default_flavour_advertises_metadata_with_the_served_files_hash(
    index_server: IndexServer,
) -> None:
    wheel = entry(json_page(index_server, "chainlit"), CHAINLIT_WHEEL)
    assert wheel["url"] == f"{index_server.url}/files/{CHAINLIT_WHEEL}"
    metadata = get(f"{wheel['url']}.metadata")
    assert metadata.status_code == 200
    digest = hashlib.sha256(metadata.content).hexdigest()
    assert wheel["core-metadata"] == {"sha256": digest}
    assert wheel["dist-info-metadata"] == {"sha256": digest}
    assert b"Name: chainlit\nVersion: 2.12.0\n" in metadata.content
    # The recorded hash of the real file stays on the page.
    assert wheel["hashes"] == {
        "sha256": "17cbd2c408f775a123892984bf9170674b5c81a01f7a8af278912e2786253ffc"
    }

    page = get(f"{index_server.url}/simple/chainlit/", Accept="text/html").text
    anchor = next(a for a in re.findall(r"<a [^>]*>", page) if CHAINLIT_WHEEL in a)
    assert f'data-core-metadata="sha256={digest}"' in anchor
    assert f'data-dist-info-metadata="sha256={digest}"' in anchor
    assert f'href="{index_server.url}/files/{CHAINLIT_WHEEL}#sha256=' in anchor


def test_sdists_and_no_metadata_flavours_advertise_nothing(index_server: IndexServer) -> None:
    sdist = entry(json_page(index_server, "chainlit"), "chainlit-2.12.0.tar.gz")
    assert "core-metadata" not in sdist
    for flavour in ("no-metadata", "no-range"):
        document = json_page(index_server, "chainlit", flavour)
        wheel = entry(document, CHAINLIT_WHEEL)
        assert "core-metadata" not in wheel and "dist-info-metadata" not in wheel
        assert wheel["url"] == f"{index_server.url}/{flavour}/files/{CHAINLIT_WHEEL}"
        page = get(f"{index_server.url}/{flavour}/simple/chainlit/").text
        assert "data-core-metadata" not in page and "data-dist-info-metadata" not in page
        assert f"{index_server.url}/{flavour}/files/{CHAINLIT_WHEEL}#sha256=" in page


def test_missing_metadata_and_files_are_404(index_server: IndexServer) -> None:
    for name in (
        "nothing-1.0-py3-none-any.whl.metadata",
        "nothing-1.0-py3-none-any.whl",
        "nothing-1.0.tar.gz",
        "chainlit-2.12.0.tar.gz",  # has wheels: only sdist-only versions have sdist texts
    ):
        assert get(f"{index_server.url}/files/{name}").status_code == 404


def test_a_wheel_with_its_own_dependencies_gets_its_own_metadata(
    index_server: IndexServer,
) -> None:
    """Where wheels of one version differ in dependencies, each is served its own file."""
    data = index_server.root / "metadata"
    per_wheel = sorted(p.name.removesuffix(".metadata") for p in data.glob("*.whl.metadata"))
    for filename in per_wheel:
        name, version, _, _ = parse_wheel_filename(filename)
        own = (data / f"{filename}.metadata").read_bytes()
        assert index_server.metadata(filename) == own
        assert own != (data / f"{name}-{version}.metadata").read_bytes()


# -- synthetic wheels and sdists ------------------------------------------------------------


def test_wheel_range_requests_get_206_with_the_right_bytes(index_server: IndexServer) -> None:
    url = f"{index_server.url}/files/{CHAINLIT_WHEEL}"
    whole = index_server.wheel(CHAINLIT_WHEEL)
    assert whole is not None and len(whole) > PADDING_BYTES > 200_000
    size = len(whole)

    tail = get(url, Range="bytes=-100")
    assert tail.status_code == 206
    assert tail.headers["content-range"] == f"bytes {size - 100}-{size - 1}/{size}"
    assert tail.content == whole[-100:]
    middle = get(url, Range="bytes=10-19")
    assert (middle.status_code, middle.content) == (206, whole[10:20])
    beyond = get(url, Range=f"bytes={size}-")
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    assert index_server.count("wheel", status=206) == 2
    assert index_server.count("wheel", full=True) == 0

    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert archive.testzip() is None
        assert archive.read("chainlit-2.12.0.dist-info/METADATA") == index_server.metadata(
            CHAINLIT_WHEEL
        )
        assert "Tag: py3-none-any" in archive.read("chainlit-2.12.0.dist-info/WHEEL").decode()
        record = archive.read("chainlit-2.12.0.dist-info/RECORD").decode()
        assert "chainlit-2.12.0.dist-info/METADATA,sha256=" in record
    assert index_server.wheel(CHAINLIT_WHEEL) is whole  # built once, then cached


def test_no_range_flavour_answers_200_with_the_whole_file(index_server: IndexServer) -> None:
    response = get(f"{index_server.url}/no-range/files/{CHAINLIT_WHEEL}", Range="bytes=-100")
    assert response.status_code == 200
    assert response.headers["accept-ranges"] == "none"
    assert response.content == index_server.wheel(CHAINLIT_WHEEL)
    assert index_server.count("wheel", full=True) == 1


def test_sdist_only_release_is_served_from_its_recorded_texts(
    index_server: IndexServer,
) -> None:
    response = get(f"{index_server.url}/files/{WHISPER_SDIST}")
    assert response.status_code == 200
    recorded = index_server.root / "sdist" / WHISPER_SDIST
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        members = {m.name: m for m in archive.getmembers()}
        pkg_info = archive.extractfile(members["openai_whisper-20250625/PKG-INFO"])
        assert pkg_info is not None
        assert pkg_info.read() == (recorded / "PKG-INFO").read_bytes()
        assert "openai_whisper-20250625/pyproject.toml" in members
    assert index_server.count("sdist", full=True) == 1


def test_auth_is_required_on_files_too(index_server: IndexServer) -> None:
    base = f"{index_server.url}/auth"
    login = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
    assert get(f"{base}/simple/chainlit/").status_code == 401
    page = get(f"{base}/simple/chainlit/", Accept=JSON_TYPE, Authorization=f"Basic {login}")
    wheel = entry(page.json(), CHAINLIT_WHEEL)
    assert wheel["url"] == f"{base}/files/{CHAINLIT_WHEEL}"  # same host as the index
    for url in (str(wheel["url"]), f"{wheel['url']}.metadata"):
        refused = get(url)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert get(url, Authorization=f"Basic {login}").status_code == 200


def test_file_faults_are_injected_only_where_asked(index_server: IndexServer) -> None:
    index_server.fail("chainlit", (503,), kinds=("metadata",))
    metadata = f"{index_server.url}/files/{CHAINLIT_WHEEL}.metadata"
    assert get(f"{index_server.url}/simple/chainlit/").status_code == 200
    assert get(metadata).status_code == 503
    assert get(metadata).status_code == 200


@pytest.mark.parametrize(
    ("flavour", "evidence", "wheel_requests", "full_downloads"),
    [
        ("", "PEP 658 metadata", 0, 0),
        ("no-metadata", "wheel METADATA via 1 range requests", 1, 0),
        ("no-range", "wheel METADATA via a full download", 1, 1),
    ],
)
def test_wheelchecks_reader_gets_the_recorded_dependencies_in_each_flavour(
    index_server: IndexServer,
    flavour: str,
    evidence: str,
    wheel_requests: int,
    full_downloads: int,
) -> None:
    prefix = f"/{flavour}" if flavour else ""
    settings = IndexSettings(index_url=f"{index_server.url}{prefix}/simple", origin="test")

    async def read() -> list[str]:
        async with IndexClient(settings) as client:
            page = await client.get_project(NormalizedName("chainlit"))
            assert page is not None
            found = await DependencyReader(client).dependencies(page, Version("2.12.0"))
            assert found.known and found.evidence == evidence
            return [str(r) for r in found.requires_dist]

    requirements = asyncio.run(read())
    assert "literalai==0.1.201" in requirements
    assert index_server.count("wheel") == wheel_requests
    assert index_server.count("wheel", full=True) == full_downloads


# -- the recorded trees ---------------------------------------------------------------------


def environment(machine: str, python: str = "3.12.12") -> dict[str, str]:
    """Marker variables of CPython `python` on Linux (glibc and musl agree on all of them)."""
    return {
        "implementation_name": "cpython",
        "implementation_version": python,
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "sys_platform": "linux",
    }


def kept_versions(server: IndexServer, name: str) -> dict[Version, list[str]] | None:
    path = server.root / "json" / f"{name}.json"
    if not path.is_file():
        return None
    by_version: dict[Version, list[str]] = {}
    for file in json.loads(path.read_text(encoding="utf-8"))["files"]:
        filename = file["filename"]
        if filename.endswith(".whl"):
            version = parse_wheel_filename(filename)[1]
        else:
            version = parse_sdist_filename(filename)[1]
        by_version.setdefault(version, []).append(filename)
    return by_version


def release_requirements(
    server: IndexServer, files: list[str], machine: str
) -> list[Requirement] | None:
    """Requires-Dist of a release as served (None: an sdist whose dependencies are dynamic)."""
    wheels = [f for f in files if f.endswith(".whl")]
    linux = [f for f in wheels if "linux" in f or f.endswith("-any.whl")]
    native = [f for f in linux if machine in f] or linux or wheels
    if native:
        data = server.metadata(native[0])
        assert data is not None, f"no metadata recorded for {native[0]}"
    else:
        folder = server.root / "sdist" / files[0]
        assert folder.is_dir(), f"no sdist texts recorded for {files[0]}"
        data = (folder / "PKG-INFO").read_bytes()
    message = email.parser.BytesHeaderParser().parsebytes(data)
    if not native:
        version = Version(str(message["Metadata-Version"]))
        dynamic = {str(d).lower() for d in message.get_all("Dynamic") or []}
        if version < Version("2.2") or "requires-dist" in dynamic:
            return None
    return [Requirement(str(r)) for r in message.get_all("Requires-Dist") or []]


def walk(
    server: IndexServer, roots: list[str], machine: str, python: str = "3.12.12"
) -> tuple[set[str], list[str]]:
    """Every project a resolution may reach from `roots`, and what the recorded data misses.

    Follows every kept version that satisfies a requirement (not only the newest), with
    the requested extras, on CPython `python` Linux for `machine`.
    """
    env = environment(machine, python)
    queue = [(Requirement(root), "requirements") for root in roots]
    reached: set[str] = set()
    seen: set[tuple[str, Version, frozenset[str]]] = set()
    problems: list[str] = []
    while queue:
        requirement, parent = queue.pop()
        name = canonicalize_name(requirement.name)
        versions = kept_versions(server, name)
        if versions is None:
            problems.append(f"{parent} needs {requirement}: no page for {name}")
            continue
        reached.add(name)
        matching = list(requirement.specifier.filter(versions))
        if not matching:
            problems.append(f"{parent} needs {requirement}: kept {sorted(map(str, versions))}")
        extras = frozenset(canonicalize_name(e) for e in requirement.extras)
        for version in matching:
            if (name, version, extras) in seen:
                continue
            seen.add((name, version, extras))
            found = release_requirements(server, versions[version], machine)
            for dependency in found or []:
                marker = dependency.marker or Marker("python_version > '0'")
                if any(marker.evaluate({**env, "extra": e}) for e in ("", *extras)):
                    queue.append((dependency, f"{name} {version}"))
    return reached, problems


@pytest.mark.parametrize("machine", MACHINES)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_recorded_trees_are_closed(index_server: IndexServer, scenario: str, machine: str) -> None:
    python = PYTHONS.get(scenario, "3.12.12")
    reached, problems = walk(index_server, SCENARIOS[scenario], machine, python)
    assert problems == []
    assert len(reached) >= len(SCENARIOS[scenario])


def test_llm_app_tree_size_and_the_packages_behind_an_unknown_sdist(
    index_server: IndexServer,
) -> None:
    """literalai 0.1.201 is a setup.py-only sdist: what it would pull is not reachable."""
    reached, _ = walk(index_server, SCENARIOS["g-llm-app"], "x86_64")
    assert {"chainlit", "literalai", "pydantic-core", "numpy", "uvicorn"} <= reached
    assert "traceloop-sdk" not in reached  # only literalai's build would ask for it
    assert 80 <= len(reached) <= 100  # uv, which builds literalai, finds 154


def test_platform_machine_scenario_facts(index_server: IndexServer) -> None:
    amd64, _ = walk(index_server, SCENARIOS["d-platform-machine"], "x86_64")
    arm64, _ = walk(index_server, SCENARIOS["d-platform-machine"], "aarch64")
    assert amd64 == {"cuda-toolkit", "nvidia-cuda-opencl"}
    assert arm64 == {"cuda-toolkit", "nvidia-cudla"}


def test_conflict_scenario_facts(index_server: IndexServer) -> None:
    """requests 2.29.0 caps urllib3 below 2; the newest types-requests needs 2 or later."""

    def requires(name: str, version: str, dependency: str) -> SpecifierSet:
        files = (kept_versions(index_server, name) or {})[Version(version)]
        found = release_requirements(index_server, files, "x86_64") or []
        return next(r.specifier for r in found if canonicalize_name(r.name) == dependency)

    old_requests = requires("requests", "2.29.0", "urllib3")
    new_types = requires("types-requests", "2.33.0.20261030", "urllib3")
    urllib3 = kept_versions(index_server, "urllib3") or {}
    assert not any(v in old_requests and v in new_types for v in urllib3)
    assert Version("1.26.20") in old_requests and Version("2.8.0") in new_types
    older_types = release_requirements(
        index_server,
        (kept_versions(index_server, "types-requests") or {})[Version("2.31.0.6")],
        "x86_64",
    )
    assert [r.name for r in older_types or []] == ["types-urllib3"]  # the way out uv finds
