"""The HTML report in a real browser: headless Chromium renders the page, and the screenshot
shows the matrix in the verdicts' colours; the DOM it read has the answer and the matrix.

Skipped, with the reason, where no Chromium is installed (Debian: ``apt-get install
chromium``; .ci/run installs it when it can). The screenshot is decoded with zlib (PNG,
8-bit RGB or RGBA, not interlaced), so no imaging library is needed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from htmltree import Node
from test_report_formats import POLICY, sample

from wheelcheck._report.html import VERDICT_COLOR, render_html
from wheelcheck.models import Verdict

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a profile of its own; its stdout."""
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,  # a hung browser fails the test instead of the whole run
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _unfilter(kind: int, line: bytearray, prior: bytes, bpp: int) -> None:
    """Undo one PNG scanline filter in place (PNG spec, 9.2)."""
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(len(line)):
            line[i] = (line[i] + prior[i]) & 0xFF
    elif kind == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (left + prior[i]) // 2) & 0xFF
    elif kind == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prior[i], prior[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF


def png_colors(data: bytes) -> Counter[str]:
    """How many pixels of each colour (``#rrggbb``) a PNG has."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        content = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = content
        elif kind == b"IDAT":
            chunks.append(content)
        position += 12 + length
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color_type in (2, 6) and interlace == 0, "an unexpected PNG kind"
    bpp = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    prior = bytes(stride)
    counts: Counter[str] = Counter()
    for row in range(height):
        start = row * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, prior, bpp)
        pixels = zip(line[0::bpp], line[1::bpp], line[2::bpp], strict=True)
        counts.update(f"#{r:02x}{g:02x}{b:02x}" for r, g, b in pixels)
        prior = bytes(line)
    return counts


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(sample(), POLICY), encoding="utf-8")
    return path


def test_the_screenshot_shows_the_matrix_in_the_verdicts_colours(
    page: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    colors = png_colors(shot.read_bytes())
    # the sample's verdicts: every cell of a verdict is a block of its colour, far more
    # pixels than its key alone (about 1,500)
    for verdict in (Verdict.BINARY, Verdict.PURE, Verdict.SOURCE, Verdict.MISSING):
        assert colors[VERDICT_COLOR[verdict]] > 5_000, verdict
    assert colors[VERDICT_COLOR[Verdict.NOT_FOUND]] > 1_000
    # verdicts the sample does not have are nowhere on the page
    for verdict in (Verdict.ERROR, Verdict.UNCHECKED, Verdict.SKIPPED):
        assert colors[VERDICT_COLOR[verdict]] == 0, verdict


def test_the_browser_reads_the_answer_and_the_matrix(page: Path, tmp_path: Path) -> None:
    dom = Node.parse(chromium(tmp_path, "--dump-dom", page.as_uri()))
    body = dom.first("body")
    assert body.elements()[0].text == "Recommendation: python:3.12-slim"
    matrix = body.first("table")
    names = [row.elements()[0].text for row in matrix.first("tbody").find_all("tr")]
    assert names[0] == "matplotlib" and "pywin32 (ignored)" in names
    cells = matrix.first("tbody").first("tr").elements()[2:]
    assert [c.text for c in cells] == ["binary", "source", "binary", "binary"]
