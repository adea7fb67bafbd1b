"""Fetch the pinned file's project pages through three HTTP stacks, paired, in fresh processes.

Usage: python scripts/bench_transport.py [--runs 3] [--requirements FILE] [--connections 8]

What it answers: whether httpx's own transport (httpcore on anyio) limits wheelcheck's page
fetching, and what another transport would save. Each run starts a new interpreter per
stack, in turn (httpx, httpx over aiohttp, aiohttp), and measures its wall time and CPU
(user + system, from ``os.wait4``): every stack fetches the Simple API JSON page of every
project pinned in FILE (default: bench-data/pinned-musl.txt) from pypi.org with at most
`--connections` connections and as many requests in flight, reads each body whole and
counts the bytes. "httpx over aiohttp" is httpx's client with an ``httpx.AsyncBaseTransport``
that sends through an ``aiohttp.ClientSession``: what wheelcheck would need to swap the
transport and keep its httpx code (retries, streaming, range requests).

aiohttp is not a dependency of wheelcheck: run this with an interpreter that has both
httpx and aiohttp installed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# One stack's fetch, run in its own interpreter: argv = stack, names file, connections.
FETCH = r"""
import asyncio, sys
stack, names_file, connections = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = open(names_file).read().split()
ACCEPT = {"Accept": "application/vnd.pypi.simple.v1+json"}

async def with_httpx(transport=None):
    import httpx
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    gate = asyncio.Semaphore(connections)
    async with httpx.AsyncClient(
        limits=limits, headers=ACCEPT, timeout=60, transport=transport
    ) as client:
        async def one(name):
            async with gate:
                response = await client.get(f"https://pypi.org/simple/{name}/")
                response.raise_for_status()
                return len(response.content)
        return await asyncio.gather(*(one(n) for n in names))

async def with_aiohttp():
    import aiohttp
    gate = asyncio.Semaphore(connections)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=ACCEPT) as session:
        async def one(name):
            async with gate:
                async with session.get(f"https://pypi.org/simple/{name}/") as response:
                    response.raise_for_status()
                    return len(await response.read())
        return await asyncio.gather(*(one(n) for n in names))

async def with_httpx_over_aiohttp():
    import aiohttp, httpx

    class Body(httpx.AsyncByteStream):
        def __init__(self, response):
            self.response = response
        async def __aiter__(self):
            async for chunk in self.response.content.iter_chunked(65536):
                yield chunk
        async def aclose(self):
            self.response.release()

    class AiohttpTransport(httpx.AsyncBaseTransport):
        def __init__(self, session):
            self.session = session
        async def handle_async_request(self, request):
            response = await self.session.request(
                request.method, str(request.url), headers=request.headers.multi_items(),
                data=request.content or None, allow_redirects=False,
            )
            return httpx.Response(
                response.status, headers=list(response.raw_headers), stream=Body(response),
                request=request,
            )

    connector = aiohttp.TCPConnector(limit=connections)
    # httpx decodes Content-Encoding itself: aiohttp must hand over the bytes as sent.
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        return await with_httpx(AiohttpTransport(session))

run = {"httpx": with_httpx, "aiohttp": with_aiohttp, "httpx-over-aiohttp": with_httpx_over_aiohttp}
sizes = asyncio.run(run[stack]())
print(len(sizes), sum(sizes))
"""

STACKS = ("httpx", "httpx-over-aiohttp", "aiohttp")


def measure(stack: str, names: Path, connections: int) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, its output) of one stack's fetch in a new interpreter."""
    start = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", FETCH, stack, str(names), str(connections)],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{stack} failed: {out}")
    return wall, usage.ru_utime + usage.ru_stime, out.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--requirements", type=Path, default=HERE / "bench-data" / "pinned-musl.txt"
    )
    args = parser.parse_args()
    lines = args.requirements.read_text().splitlines()
    names = sorted({line.split("==")[0].strip().lower() for line in lines if "==" in line})
    names_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-transport-{os.getpid()}.txt"
    names_file.write_text("\n".join(names))
    figures: dict[str, list[tuple[float, float]]] = {stack: [] for stack in STACKS}
    try:
        for run in range(args.runs):
            for stack in STACKS:
                wall, cpu, out = measure(stack, names_file, args.connections)
                figures[stack].append((wall, cpu))
                print(f"run {run + 1} {stack:20} {wall:6.2f} s wall {cpu:6.2f} s cpu ({out})")
    finally:
        names_file.unlink(missing_ok=True)
    print(f"\n{len(names)} pages, {args.connections} connections, medians of {args.runs}:")
    base = figures["httpx"]
    print("| stack | wall s | cpu s | wall / httpx, each run | cpu / httpx, each run |")
    print("|---|---|---|---|---|")
    for stack, rows in figures.items():
        walls = ", ".join(f"{w / b[0]:.2f}" for (w, _), b in zip(rows, base, strict=True))
        cpus = ", ".join(f"{c / b[1]:.2f}" for (_, c), b in zip(rows, base, strict=True))
        wall = statistics.median(w for w, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        print(f"| {stack} | {wall:.2f} | {cpu:.2f} | {walls} | {cpus} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
