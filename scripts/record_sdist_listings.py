"""Record the member lists (and top-level build files) of real sdists, for tests/test_native.py.

Usage: python scripts/record_sdist_listings.py NAME[==VERSION] ... [--out tests/data/sdists]

For each project it asks PyPI's JSON API for the release (the latest unless pinned), downloads
its sdist in memory (capped at 64 MB), lists it with wheelcheck._metadata.sdist and writes
``<out>/<name>.json``: the file name, sha256, the member names and the text of the top-level
pyproject.toml / setup.cfg / setup.py. Whole sdists are never stored. The host's pip
configuration plays no part: only pypi.org and files.pythonhosted.org are contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from pathlib import Path

import httpx

from wheelcheck._metadata.sdist import sdist_dependencies

MAX_BYTES = 64 * 1024 * 1024
KEPT = ("pyproject.toml", "setup.cfg", "setup.py")


async def record(client: httpx.AsyncClient, spec: str, out: Path) -> str:
    name, _, version = spec.partition("==")
    url = (
        f"https://pypi.org/pypi/{name}/{version}/json"
        if version
        else (f"https://pypi.org/pypi/{name}/json")
    )
    response = (await client.get(url)).raise_for_status()
    info = response.json()
    sdists = [f for f in info["urls"] if f["packagetype"] == "sdist"]
    if not sdists:
        return f"{spec}: no sdist"
    sdist = sdists[0]
    if sdist["size"] > MAX_BYTES:
        return f"{spec}: sdist of {sdist['size']} bytes is over the cap"
    # Some mirrors of the JSON API give file URLs relative to the page.
    file_url = str(response.url.join(sdist["url"]))
    body = (await client.get(file_url)).raise_for_status().content
    digest = hashlib.sha256(body).hexdigest()
    if digest != sdist["digests"]["sha256"]:
        return f"{spec}: sha256 mismatch"
    listing = sdist_dependencies(body, filename=sdist["filename"])
    document = {
        "project": info["info"]["name"],
        "version": info["info"]["version"],
        "filename": sdist["filename"],
        "sha256": digest,
        "wheels": sorted(f["filename"] for f in info["urls"] if f["packagetype"] != "sdist"),
        "members": list(listing.members),
        "files": {
            key: value.decode("utf-8", "replace") for key, value in listing.files if key in KEPT
        },
    }
    path = out / f"{name.lower()}.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return f"{spec}: {len(listing.members)} members -> {path}"


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
                except (httpx.HTTPError, ValueError) as error:
                    print(f"{spec}: failed: {error}")

        await asyncio.gather(*(one(spec) for spec in args.specs))


if __name__ == "__main__":
    asyncio.run(main())
