"""Time the JSON work of a page set: stdlib json against orjson, on real PyPI pages.

Usage: python scripts/bench_json.py [--limit N] [REQUIREMENTS]

Fetches the PEP 691 pages of the projects pinned in REQUIREMENTS (default: the 1,161 pins
of scripts/bench-data/pinned-musl.txt; at most 8 connections), then, in this process and
with the network out of the way, times decoding every body and encoding every page's
rows as the cache stores them, with each library in turn (medians of 5). Prints seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
from packaging.requirements import Requirement

from wheelcheck._index.pages import PageSource, parse_json_page

HERE = Path(__file__).resolve().parent
ACCEPT = "application/vnd.pypi.simple.v1+json"


async def fetch(names: list[str]) -> list[tuple[str, bytes]]:
    limits = httpx.Limits(max_connections=8)
    async with httpx.AsyncClient(limits=limits, timeout=60, headers={"Accept": ACCEPT}) as http:
        gate = asyncio.Semaphore(8)

        async def one(name: str) -> tuple[str, bytes]:
            async with gate:
                response = await http.get(f"https://pypi.org/simple/{name}/")
                response.raise_for_status()
                return name, response.content

        return await asyncio.gather(*(one(n) for n in names))


def paired(
    a: Callable[[], object], b: Callable[[], object], rounds: int = 5
) -> tuple[float, float]:
    """Median seconds of `a` and of `b`, run in turn (a b a b ...): on a shared machine a
    drift in speed then hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for work, out in ((a, times[0]), (b, times[1])):
            start = time.perf_counter()
            work()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="?", default=HERE / "bench-data/pinned-musl.txt")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    lines = Path(args.requirements).read_text().splitlines()
    names = [Requirement(x).name for x in lines if x.strip() and not x.startswith("#")]
    pages = asyncio.run(fetch(names[: args.limit]))
    print(f"{len(pages)} pages, {sum(len(b) for _, b in pages) / 1e6:.0f} MB")
    bodies = [body for _, body in pages]
    parsed = [
        parse_json_page(
            body, PageSource(f"https://pypi.org/simple/{n}/", "https://pypi.org/simple", n)
        )
        for n, body in pages
    ]
    rows = [[list(g.rows) for g in page.groups] for page in parsed]
    compact = json.JSONEncoder(separators=(",", ":"))
    decode = paired(
        lambda: [json.loads(b) for b in bodies], lambda: [orjson.loads(b) for b in bodies]
    )
    encode = paired(
        lambda: [compact.encode(g).encode() for p in rows for g in p],
        lambda: [orjson.dumps(g) for p in rows for g in p],
    )
    print(f"decode bodies: json {decode[0]:.3f} s, orjson {decode[1]:.3f} s (medians of 5)")
    print(f"encode rows:   json {encode[0]:.3f} s, orjson {encode[1]:.3f} s (medians of 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
