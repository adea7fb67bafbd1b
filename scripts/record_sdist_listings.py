"""Record the member lists (and build files) of real sdists, for tests/test_native.py and
tests/test_legacy_sdist_vs_wheel.py.

Usage: python scripts/record_sdist_listings.py NAME[==VERSION] ... [--out tests/data/sdists]

For each project it reads PyPI's Simple API page (PEP 691 JSON; the per-version JSON API is
not needed) for the release (the newest final release with an sdist unless pinned), downloads
its sdist in memory (capped at 64 MB), checks its sha256, lists it with
wheelcheck._metadata.sdist and writes ``<out>/<name>.json``: the file name, sha256, the
member names and the text of the kept build files (top-level PKG-INFO, pyproject.toml,
setup.cfg, setup.py, and an egg-info's requires.txt and PKG-INFO). When the release has a
wheel, the wheel's METADATA is recorded too, from the ``<wheel url>.metadata`` file PyPI
serves beside it (PEP 658), checked against the page's hash when it gives one, else read out
of the wheel itself (downloaded in memory, capped, its sha256 checked). Whole sdists
are never stored. The host's pip configuration plays no part: only pypi.org and
files.pythonhosted.org are contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from wheelcheck._metadata.sdist import sdist_dependencies

MAX_BYTES = 64 * 1024 * 1024
SIMPLE = "https://pypi.org/simple/{}/"
ACCEPT = "application/vnd.pypi.simple.v1+json"


def _version(file: dict[str, Any]) -> Version | None:
    filename = file["filename"]
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (ValueError, InvalidVersion):
        return None  # .exe, .egg, .msi and odd names


def _release(page: dict[str, Any], pinned: str) -> tuple[Version, list[dict[str, Any]]] | None:
    """The release to record (pinned, or the newest final one with an sdist) and its files."""
    by_version: dict[Version, list[dict[str, Any]]] = {}
    for file in page["files"]:
        version = _version(file)
        if version is not None and not file.get("yanked"):
            by_version.setdefault(version, []).append(file)
    if pinned:
        wanted = Version(pinned)
        return (wanted, by_version[wanted]) if wanted in by_version else None
    finals = [
        v
        for v, files in by_version.items()
        if not v.is_prerelease and any(not f["filename"].endswith(".whl") for f in files)
    ]
    return (max(finals), by_version[max(finals)]) if finals else None


async def _wheel_metadata(
    client: httpx.AsyncClient, wheels: list[dict[str, Any]]
) -> dict[str, str] | None:
    """The METADATA of one wheel (a pure one if any), from its PEP 658 file."""
    if not wheels:
        return None
    wheel = min(wheels, key=lambda f: (not f["filename"].endswith("-none-any.whl"), f["filename"]))
    response = await client.get(wheel["url"].split("#", 1)[0] + ".metadata")
    if response.status_code == 404:  # PyPI did not extract it for some old wheels
        return await _metadata_in_wheel(client, wheel)
    if response.status_code != 200:
        return {"wheel": wheel["filename"], "error": f"HTTP {response.status_code}"}
    declared = wheel.get("core-metadata") or wheel.get("data-dist-info-metadata")
    expected = declared.get("sha256") if isinstance(declared, dict) else None
    if expected and hashlib.sha256(response.content).hexdigest() != expected:
        return {"wheel": wheel["filename"], "error": "sha256 mismatch"}
    return {"wheel": wheel["filename"], "METADATA": response.content.decode("utf-8", "replace")}


async def _metadata_in_wheel(client: httpx.AsyncClient, wheel: dict[str, Any]) -> dict[str, str]:
    """The METADATA read out of the wheel itself (capped, its sha256 checked), for a wheel
    without a PEP 658 file."""
    if (wheel.get("size") or 0) > MAX_BYTES:
        return {"wheel": wheel["filename"], "error": f"wheel of {wheel['size']} bytes"}
    body = (await client.get(wheel["url"])).raise_for_status().content
    if hashlib.sha256(body).hexdigest() != wheel["hashes"].get("sha256"):
        return {"wheel": wheel["filename"], "error": "sha256 mismatch"}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = [n for n in archive.namelist() if n.count("/") == 1]
        found = [
            n for n in names if n.split("/")[0].endswith(".dist-info") and n.endswith("/METADATA")
        ]
        if len(found) != 1:
            return {"wheel": wheel["filename"], "error": f"{len(found)} dist-info METADATA files"}
        text = archive.read(found[0]).decode("utf-8", "replace")
    return {"wheel": wheel["filename"], "METADATA": text, "from": "the wheel's " + found[0]}


async def record(client: httpx.AsyncClient, spec: str, out: Path) -> str:
    name, _, pinned = spec.partition("==")
    response = await client.get(SIMPLE.format(canonicalize_name(name)), headers={"Accept": ACCEPT})
    release = _release(response.raise_for_status().json(), pinned)
    if release is None:
        return f"{spec}: no such release with an sdist"
    version, files = release
    sdists = [f for f in files if not f["filename"].endswith(".whl")]
    wheels = [f for f in files if f["filename"].endswith(".whl")]
    if not sdists:
        return f"{spec}: no sdist"
    sdist = sdists[0]
    if (sdist.get("size") or 0) > MAX_BYTES:
        return f"{spec}: sdist of {sdist['size']} bytes is over the cap"
    body = (await client.get(sdist["url"])).raise_for_status().content
    digest = hashlib.sha256(body).hexdigest()
    if digest != sdist["hashes"]["sha256"]:
        return f"{spec}: sha256 mismatch"
    listing = sdist_dependencies(body, filename=sdist["filename"])
    document = {
        "project": listing.name or name,
        "version": str(version),
        "filename": sdist["filename"],
        "sha256": digest,
        "wheels": sorted(f["filename"] for f in wheels),
        "members": list(listing.members),
        "files": {key: value.decode("utf-8", "replace") for key, value in listing.files},
        "wheel_metadata": await _wheel_metadata(client, wheels),
    }
    path = out / f"{name.lower()}.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return f"{spec}: {version}, {len(listing.members)} members, {listing.provenance} -> {path}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--out", type=Path, default=Path("tests/data/sdists"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    semaphore = asyncio.Semaphore(6)
    async with httpx.AsyncClient(timeout=60, follow_redirects=True) as client:

        async def one(spec: str) -> None:
            async with semaphore:
                try:
                    print(await record(client, spec, args.out))
                except (httpx.HTTPError, ValueError, KeyError) as error:
                    print(f"{spec}: failed: {error!r}")

        await asyncio.gather(*(one(spec) for spec in args.specs))


if __name__ == "__main__":
    asyncio.run(main())
