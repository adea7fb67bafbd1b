"""Fit the model of ``.pyc`` bytes from ``.py`` bytes that the installed-size estimate uses.

Usage: python scripts/fit_pyc_model.py [--out data/pyc-model.json] [--downloads DIR]

Downloads the wheels named in WHEELS below from PyPI (each checked against its sha256),
compiles every module pip would compile with the Python running this script (``compile()``
of the source text, as ``py_compile`` does: nothing is imported or executed), and fits, per
module, ``pyc = per_source_byte * py + per_module`` by weighted least squares (the .py size
is in a wheel's zip central directory, so the product applies the fit without reading a
module; the deflated size as a second term gained nothing measurable). The fit is written
for this interpreter's minor version into `--out`, next to the fits of other minors already
there (run it under each Python to add one). The wheels are not the example apps'
(scripts/compare_sizes.py checks the estimate against those).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import marshal
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from wheelcheck._advise.size import compiled_member

# Pure wheels of varied styles (generated code, docstring-heavy, test-heavy, data modules).
WHEELS = [
    ("https://files.pythonhosted.org/packages/a2/09/77d55d46fd61b4a135c444fc97158ef34a095e5681d0a6c10b75bf356191/sympy-1.14.0-py3-none-any.whl", "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/7a/ee/9926603a1f7e88b41bc0d1e068e889fc84981553fb4e6037426d6b174da3/sqlalchemy-2.1.9-py3-none-any.whl", "449fed5c2caa3b278cc57499d09db001fb3f28dc7f18affc48142aee4dcc0cdf"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/ef/55/6dc6d6bb953bdfc52519a0059592c52b6e3b8ad51cf8256dffceb55b0610/setuptools-84.2.1-py3-none-any.whl", "ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/07/25/ee8c38ae72d66b844ce8eb9711ba905dba21ca1a8a0c960057c41cd23337/pip-26.3-py3-none-any.whl", "f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/7e/cd/fe58041e9011f307c490e3e17dd48cc516448f7c698a3f2d9d9d65d7e6a8/networkx-3.7-py3-none-any.whl", "e3fd2c13a7814cee3746340d8d7f8598a67f16a58bf47fb7f8793fab6efca1b0"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/71/46/17f022dd3e953bf20a04a028a21ec746d942f8d2af30fa0f124fa0e6a684/pygments-2.21.0-py3-none-any.whl", "2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/32/91/30151a39f7570f448ed84529390628a651d7f27c87d73c9b887f8189695e/docutils-0.23-py3-none-any.whl", "25d013af9bf23bc1c7b2b093dff4208166c53a94786c9e447808335ef1185fea"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/c4/28/a0c50761cd215b7042f4bc617a6bc5c0cd7be62f75bc908e169e28a4d21e/sphinx-9.2.0-py3-none-any.whl", "4c3ec13b612712c0d3ce4cbdd9e3eb91e68577e07a8e31f32f21cf178453578c"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/10/93/fdfa79229fdc19a6542086d46b5c5d424ee62a6408d25657e8690e0a745f/twisted-26.10.0-py3-none-any.whl", "3732f42af218925a0fe78d6668db55853f7fb532245a89a2669babe7d3000fa8"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/b4/89/5235509abac00f5c470d5d8edae908bcec79d1c09803485ce57c25ccbed1/pylint-4.1.4-py3-none-any.whl", "b39fcc762ec4a7fe385d01b8e170fd996847297cdc0e3850bdda1435c74cfd95"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/16/d4/f23c0ac6e6de33ba5686cb21c672c95e0c2d3d4c9351f16d3b5fed818652/astroid-4.3.4-py3-none-any.whl", "2bcd0d02648a443a4b818c952c3550091989daefac3c12d3b83b2289482e0818"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/01/f8/c151e196d4f397ed9436a071e52666c70a2f021138dea828b0a461e245db/hypothesis-6.155.7-py3-none-any.whl", "9f634bdb1f9e9b8ab6ba09431cf2deedb750c96978125a6fb3c5a0f6c6db4131"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/be/c7/71eb0d51cdcbb63b857c931aa4e9218b078b5d9f8ecd383b234f28fe7b0f/jedi-0.20.1-py2.py3-none-any.whl", "0fb16d86c4a4c73c37ba518c77419975e30fcc620658a8d14fbb5720cdd34142"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/38/bb/d215ee7c73b61497b28a5503f9f53523f294fcc936762b7caf90e0c1c2b5/pyparsing-3.3.3-py3-none-any.whl", "ece8c00a69cf01b45d0b1dedabb469c90d8caf996d4fda40f147627a122849a4"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/76/54/f1a9cf45b52014d221d8ef4b29f13df8e11fbd8dba854a075ac3f3b16dcf/faker-40.63.0-py3-none-any.whl", "36627c20b575b4138f54b6c21f8703e9ab122fd487aca11319beec2aa6ca7232"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/b1/28/9dd29175c1db777e6189e2a0bb5f37101adf19c3e509b236c8920f778d0b/black-26.10.1-py3-none-any.whl", "28842f9a8207cc1df6eb983a35a14c5a0dfcd603d214fe82d84bef552afd2e3a"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/d3/54/3fa521cbe5b1fdfce94ee45c87c7566bb7260d212ddde4a1260726d5da92/boto3-1.44.8-py3-none-any.whl", "099caf21553bbbfef118904aa02fadb8776a534704cf00bede0ed9f29a4da88e"),  # noqa: E501
    ("https://files.pythonhosted.org/packages/51/39/1f5d8c8877a0fa327db959c19341d4be61660de1ab6b7391f9eb805bcd67/pytest-9.2.0-py3-none-any.whl", "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588"),  # noqa: E501
]  # fmt: skip

# pip compiles in place, so each code object names the module's installed path.
SITE = f"/usr/local/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages/"


def download(url: str, sha256: str, where: Path) -> Path:
    """The wheel at `url`, fetched once into `where` and checked against `sha256`."""
    path = where / url.rsplit("/", 1)[1]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        with urllib.request.urlopen(url, timeout=120) as response:  # TLS verified by default
            data = response.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise SystemExit(f"{url}: sha256 mismatch")
        path.write_bytes(data)
    return path


def modules(wheel: Path) -> list[tuple[int, int]]:
    """(source bytes, .pyc bytes) of each module pip compiles in `wheel`."""
    rows = []
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or not compiled_member(info.filename):
                continue
            source = archive.read(info)
            try:  # compiling parses the text into a code object; nothing runs
                code = compile(source, SITE + info.filename, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                continue  # pip's compileall skips it too: no .pyc, left out of the fit
            pyc = 16 + len(marshal.dumps(code))  # PEP 552 header + the code object
            rows.append((info.file_size, pyc))
    return rows


def least_squares(rows: list[tuple[int, int]]) -> tuple[float, float]:
    """(a, c) minimising the sum of w * (a*py + c - pyc)^2 with w = 1/pyc: a module's error
    counts relative to its size's square root, so neither the few huge generated modules nor
    the many tiny ``__init__.py`` files decide the fit alone."""
    sw = sx = sy = sxx = sxy = 0.0
    for py, pyc in rows:
        w = 1.0 / pyc
        sw, sx, sy = sw + w, sx + w * py, sy + w * pyc
        sxx, sxy = sxx + w * py * py, sxy + w * py * pyc
    a = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
    return a, (sy - a * sx) / sw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/pyc-model.json"))
    parser.add_argument("--downloads", type=Path, default=None)
    args = parser.parse_args()
    where = args.downloads or Path(tempfile.mkdtemp(prefix="pyc-fit-"))
    where.mkdir(parents=True, exist_ok=True)
    per_wheel = {url: modules(download(url, sha, where)) for url, sha in WHEELS}
    rows = [row for found in per_wheel.values() for row in found]
    a, c = least_squares(rows)
    print(f"pyc = {a:.4f} * py + {c:.1f} over {len(rows)} modules")
    print(f"{'wheel':48} {'modules':>7} {'pyc real':>12} {'model':>12} {'error':>7}")
    worst = 0.0
    for url, found in per_wheel.items():
        real = sum(p for _, p in found)
        model = sum(a * s + c for s, _ in found)
        worst = max(worst, abs(model - real) / real)
        print(f"{url.rsplit('/', 1)[1][:48]:48} {len(found):7} {real:12,} {model:12,.0f} "
              f"{(model - real) / real:+7.1%}")  # fmt: skip
    print(f"worst .pyc error of one wheel: {worst:.1%}")
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    document = json.loads(args.out.read_text()) if args.out.exists() else {"fits": {}}
    document["schema_version"] = 1
    document["description"] = (
        "Bytes of the .pyc CPython writes for a module from the module's .py size (in the "
        "wheel's zip central directory): per_source_byte * py + per_module, fitted per Python "
        "minor version on the modules of the wheels in sources (their style varies the ratio: "
        "worst_wheel_error is the largest error of one wheel's .pyc total)."
    )
    document["method"] = "scripts/fit_pyc_model.py: weighted least squares over every module"
    document["fits"][minor] = {
        "python": sys.version.split()[0],
        "per_source_byte": round(a, 5),
        "per_module": round(c, 1),
        "modules": len(rows),
        "worst_wheel_error": round(worst, 4),
        "sources": [url for url, _ in WHEELS],
    }
    document["fits"] = dict(sorted(document["fits"].items()))
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out} ({minor})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
