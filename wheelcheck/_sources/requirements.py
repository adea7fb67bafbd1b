"""Requirements files read the way pip reads them, into one `RequirementSet`.

pip-requirements-parser supplies pip's line machinery (continuation lines and comments,
splitting a line into requirement and options, pip's option parser, URL and editable
helpers). This module drives the files itself: it decodes bytes with pip's rules, expands
``${VAR}``, follows ``-r``/``-c`` relative to the including file (with cycle detection), and
re-checks every requirement with `packaging`, so every problem of every file is collected
and raised once as `InvalidInputFiles`.
"""

from __future__ import annotations

import codecs
import copy
import functools
import locale
import os
import re
import shlex
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

import pip_requirements_parser as prp
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from wheelcheck._limits import (
    MAX_LINE_CHARS,
    MAX_REQUIREMENTS_BYTES,
    clip,
    long_line,
    over_file_cap,
)
from wheelcheck._sources.markers import marker_problem
from wheelcheck._urls import (
    index_url_problem,
    is_local_index,
    quote_url,
    redact_text,
    redact_url,
)
from wheelcheck.errors import InputProblem, InvalidInputFiles
from wheelcheck.models import DeclaredRequirement, Origin, RequirementSet

if TYPE_CHECKING:
    from collections.abc import Sequence
    from optparse import OptionParser, Values

__all__ = ["parse_requirement_text", "read_requirement_files"]

STDIN = "-"

# pip's rule: only ${NAME} with uppercase letters, digits and underscores is expanded.
_ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")
# Any scheme://... run inside a requirement text, so credentials can be masked. The scheme
# starts where a run of scheme characters starts: tried from every letter of a long word,
# the search took minutes for a line of one 1 MB word.
# pip's comment rule (pip-requirements-parser's COMMENT_RE: a "#" at the start or after
# whitespace), with the whitespace run tried from its start only: pip-requirements-parser's
# own pattern tries it from every position, seconds for a line of 20,000 spaces.
_COMMENT_RE = re.compile(r"(^|(?<!\s)\s+)(#.*)$")
# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_STRONG_HASHES = ("sha256", "sha384", "sha512")
# Options pip no longer accepts in requirements files (pip-requirements-parser still parses
# them); pip fails on them, so they are errors here too.
_REJECTED_DESTS: tuple[str, ...] = (*prp.LEGACY_OPTIONS_DEST, "install_options")


class _FileError(Exception):
    """A file could not be opened or read; the message is one line for the user."""


class _Undecodable(Exception):
    """The file's bytes are not text in any encoding pip would try."""


class _TooLarge(Exception):
    """The file goes on past MAX_REQUIREMENTS_BYTES: a problem at `line`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def read_requirement_files(paths: Sequence[str], *, stdin: TextIO | None = None) -> RequirementSet:
    """Read requirements files (``-`` is standard input) and everything they include.

    Returns a `RequirementSet` with requirements in file order (an included file's
    requirements at the place of its ``-r`` line), requirements of ``-c`` files in
    `constraints`, the last ``-i/--index-url`` (credentials kept, for authentication), the
    ``--extra-index-url`` values in first-seen order, ``--pre``, and every file read.
    Relative ``-r``/``-c`` paths are joined to the including file's folder (the current
    directory for stdin), as pip does.

    Raises `InvalidInputFiles` listing every problem found in every file: unreadable or
    missing files, undecodable or binary content, include cycles, unknown options and
    invalid requirements. No other exception escapes for bad input.

    >>> read_requirement_files(["requirements.txt"]).requirements[0].name  # doctest: +SKIP
    'numpy'
    """
    reader = _Reader(stdin=stdin)
    for path in paths:
        reader.load(str(path), constraint=False, chain=(), included_from=None)
    return reader.result()


def parse_requirement_text(text: str, *, file_name: str = "<string>") -> RequirementSet:
    """Parse requirements-file content given as a string; `file_name` names it in origins.

    Returns and raises as `read_requirement_files`; relative ``-r``/``-c`` paths are
    joined to the folder of `file_name` (the current directory by default).

    >>> parse_requirement_text("numpy==2.1.0").requirements[0].origin.line
    1
    """
    reader = _Reader(stdin=None)
    if len(text) > MAX_REQUIREMENTS_BYTES:
        data = text[: MAX_REQUIREMENTS_BYTES + 1].encode("utf-8", "replace")
        reader.problem(file_name, *over_file_cap(data, MAX_REQUIREMENTS_BYTES, _WHAT))
        return reader.result()
    reader.parse_content(text, file_name, constraint=False, chain=((file_name, file_name),))
    return reader.result()


@dataclass
class _Reader:
    """The state of one read: what was found so far, and every problem."""

    stdin: TextIO | None
    problems: list[InputProblem] = field(default_factory=list)
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    constraints: list[DeclaredRequirement] = field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    pre: bool = False
    files: list[str] = field(default_factory=list)
    # (file key, read as constraint): a file included twice without a cycle is read once.
    seen: set[tuple[str, bool]] = field(default_factory=set)

    def result(self) -> RequirementSet:
        if self.problems:
            raise InvalidInputFiles(self.problems)
        return RequirementSet(
            requirements=tuple(self.requirements),
            constraints=tuple(self.constraints),
            index_url=self.index_url,
            extra_index_urls=tuple(self.extra_index_urls),
            pre=self.pre,
            files=tuple(self.files),
        )

    def problem(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(InputProblem(file, line, message))

    # -- files -----------------------------------------------------------------------

    def load(
        self,
        path: str,
        *,
        constraint: bool,
        chain: tuple[tuple[str, str], ...],
        included_from: Origin | None,
    ) -> None:
        """Read one file and what it includes; `chain` is the (key, name) include stack."""
        is_stdin = path == STDIN and included_from is None
        key = STDIN if is_stdin else _file_key(path)
        if any(key == k for k, _ in chain):
            assert included_from is not None  # a top-level file has an empty chain
            names = " -> ".join([*(name for _, name in chain), path])
            self.problem(included_from.file, included_from.line, f"include cycle: {names}")
            return
        if (key, constraint) in self.seen:
            return
        self.seen.add((key, constraint))
        try:
            text = self._read_stdin() if is_stdin else _decode(_read_bytes(path))
        except _FileError as e:
            if included_from is None:
                self.problem(path, None, f"cannot open file: {e}")
            else:
                self.problem(
                    included_from.file,
                    included_from.line,
                    f"cannot open included file '{clip(path)}': {e}",
                )
            return
        except _Undecodable as e:
            self.problem(path, None, str(e))
            return
        except _TooLarge as e:
            self.problem(path, e.line, str(e))
            return
        self.files.append(path)
        self.parse_content(text, path, constraint=constraint, chain=(*chain, (key, path)))

    def _read_stdin(self) -> str:
        stream = self.stdin if self.stdin is not None else sys.stdin
        try:
            buffer = getattr(stream, "buffer", None)
            if buffer is not None:
                return _decode(_capped(buffer.read(MAX_REQUIREMENTS_BYTES + 1)))
            text = stream.read(MAX_REQUIREMENTS_BYTES + 1)
            if len(text) > MAX_REQUIREMENTS_BYTES:
                _capped(text.encode("utf-8", "replace"))
        except UnicodeDecodeError as e:
            raise _Undecodable(f"not a text file: {e.reason}") from e
        except OSError as e:
            raise _FileError(e.strerror or str(e)) from e
        if "\x00" in text:
            raise _Undecodable("not a text file: it contains NUL bytes")
        return text

    def parse_content(
        self, text: str, file: str, *, constraint: bool, chain: tuple[tuple[str, str], ...]
    ) -> None:
        """Parse the content of one file, following its includes."""
        physical = text.splitlines()  # pip's line numbers
        if len(text) > MAX_LINE_CHARS:  # else no line can be over the cap
            for index, line in enumerate(physical):
                if len(line) > MAX_LINE_CHARS:
                    self.problem(file, index + 1, long_line(len(line), line))
                    physical[index] = ""  # the line numbers of the others stay
        try:
            # Continuation lines joined (numbered by their first line), comments split off.
            lines = _text_lines(physical)
        except Exception as e:  # pip-requirements-parser's own "cannot happen" errors
            self.problem(file, None, f"cannot split into lines: {_first_line(e)}")
            return
        for number, raw in lines:
            if len(raw) > MAX_LINE_CHARS:  # continuation lines joined: a new long line
                self.problem(file, number, long_line(len(raw), raw))
                continue
            try:
                self._parse_line(raw, file, number, constraint=constraint, chain=chain)
            except Exception as e:  # never a traceback for one odd line
                self.problem(file, number, f"cannot parse line: {_first_line(e)}")

    # -- lines -----------------------------------------------------------------------

    def _parse_line(
        self,
        raw: str,
        file: str,
        number: int,
        *,
        constraint: bool,
        chain: tuple[tuple[str, str], ...],
    ) -> None:
        line = _expand_env(raw)
        spec, options_text = (part.strip() for part in _break_args_options(line))
        opts = self._parse_options(options_text, raw, file, number)
        if opts is None:
            return
        hashes = self._hashes(opts, file, number)
        if hashes is None:
            return
        origin = Origin(file, number)
        if spec:
            raw_spec = _break_args_options(raw)[0].strip()
            declared = self._requirement(spec, redact_text(raw_spec), origin, hashes)
        elif opts.editables:
            declared = self._editable(str(opts.editables[0]), _editable_text(raw), origin)
        else:
            self._option_line(opts, file, number, chain)
            return
        if declared is None:
            return
        if constraint:
            message = _constraint_problem(declared)
            if message is not None:
                self.problem(file, number, message)
                return
            self.constraints.append(declared)
        else:
            self.requirements.append(declared)

    def _parse_options(self, options_text: str, raw: str, file: str, number: int) -> Values | None:
        if not options_text:  # most lines: the defaults, copied (lists must not be shared)
            return copy.deepcopy(_default_options())
        try:
            tokens = shlex.split(options_text)
        except ValueError as e:
            # Quote the options as written: an expanded ${VAR} may hold a secret.
            written = redact_text(_break_args_options(raw)[1].strip())
            self.problem(file, number, f"cannot split options '{clip(written)}': {e}")
            return None
        parser = _build_parser()  # a fresh parser per line: optparse shares list defaults
        try:
            opts, _ignored_args = parser.parse_args(tokens, parser.get_default_values())
        except prp.OptionParsingError as e:
            message = str(e.msg).strip()
            message = message.split("error: ", 1)[-1]  # drop optparse's "prog: error: "
            self.problem(file, number, clip(redact_text(message)))
            return None
        rejected = [
            str(prp.OPT_BY_OPTIONS_DEST.get(dest, dest))
            for dest in _REJECTED_DESTS
            if getattr(opts, dest, None)
        ]
        if rejected:
            self.problem(file, number, f"option {', '.join(rejected)} is not supported by pip")
            return None
        return opts

    def _hashes(self, opts: Values, file: str, number: int) -> tuple[str, ...] | None:
        hashes: list[str] = []
        for value in opts.hashes or []:
            algorithm, sep, digest = str(value).partition(":")
            if not sep or not digest:
                self.problem(
                    file,
                    number,
                    f"invalid --hash '{clip(str(value))}': expected a hash name and a value, "
                    "like --hash=sha256:abcde...",
                )
                return None
            if algorithm not in _STRONG_HASHES:
                self.problem(
                    file,
                    number,
                    f"invalid --hash '{clip(str(value))}': allowed hash algorithms are "
                    + ", ".join(_STRONG_HASHES),
                )
                return None
            if value not in hashes:
                hashes.append(str(value))
        return tuple(hashes)

    def _option_line(
        self, opts: Values, file: str, number: int, chain: tuple[tuple[str, str], ...]
    ) -> None:
        if opts.requirements or opts.constraints:
            # As pip: one include per line, and -r wins over -c; the rest of the line is
            # ignored. A -r inside a -c file reads requirements (pip does the same).
            target = str(opts.requirements[0] if opts.requirements else opts.constraints[0])
            nested_constraint = not opts.requirements
            path = self._include_path(target, file, number)
            if path is not None:
                self.load(
                    path,
                    constraint=nested_constraint,
                    chain=chain,
                    included_from=Origin(file, number),
                )
            return
        if opts.index_url is not None and self._usable_index(str(opts.index_url), file, number):
            self.index_url = str(opts.index_url)  # last one wins, as in pip
        for url in opts.extra_index_urls or []:
            usable = self._usable_index(str(url), file, number, extra=True)
            if usable and url not in self.extra_index_urls:
                self.extra_index_urls.append(str(url))
        if opts.pre:
            self.pre = True

    def _usable_index(self, url: str, file: str, number: int, *, extra: bool = False) -> bool:
        """False, with a problem at this line, for what is neither an http(s) URL with a host
        nor a local index (a local one is pip's to read: the index selection skips it)."""
        problem = index_url_problem(url)
        if problem is None or is_local_index(url):
            return True
        option = "--extra-index-url" if extra else "--index-url"
        self.problem(file, number, f"{option} {quote_url(url)} {problem}")
        return False

    def _include_path(self, target: str, file: str, number: int) -> str | None:
        scheme = _scheme(target)
        if scheme == "file":
            try:
                return str(prp.url_to_path(target))
            except ValueError as e:
                self.problem(file, number, f"cannot open included file '{clip(target)}': {e}")
                return None
        if scheme:
            self.problem(
                file,
                number,
                f"cannot open included file '{clip(redact_url(target))}': "
                "remote requirements files are not supported",
            )
            return None
        return str(PurePath(file).parent / target)

    # -- requirements ------------------------------------------------------------------

    def _requirement(
        self, spec: str, text: str, origin: Origin, hashes: tuple[str, ...]
    ) -> DeclaredRequirement | None:
        """A requirement line: a PEP 508 requirement, a URL, or a local path (as pip)."""
        marker_sep = "; " if prp.is_url(spec) else ";"
        base, _, marker_text = spec.partition(marker_sep)
        base, marker_text = base.strip(), marker_text.strip()
        if prp.is_url(base):
            return self._direct(base, set(), marker_text, text, origin, hashes)
        path, extras_text = (str(p or "") for p in prp._strip_extras(base))
        if prp.is_archive_file(path) and not _is_name_at_url(base):
            return self._direct(path, extras_text, marker_text, text, origin, hashes)
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as e:
            if prp._looks_like_path(base) and "://" not in base:
                return self._direct(path, extras_text, marker_text, text, origin, hashes)
            self.problem(
                origin.file, origin.line, f"invalid requirement '{clip(text)}': {_first_line(e)}"
            )
            return None
        if (problem := marker_problem(requirement.marker)) is not None:
            self.problem(origin.file, origin.line, problem)
            return None
        reference = None
        if requirement.url is not None:
            requirement.url = reference = redact_url(requirement.url)
        return DeclaredRequirement(
            text=text,
            origin=origin,
            name=canonicalize_name(requirement.name),
            requirement=requirement,
            direct_reference=reference,
            hashes=hashes,
        )

    def _direct(
        self,
        location: str,
        extras: set[str] | str,
        marker_text: str,
        text: str,
        origin: Origin,
        hashes: tuple[str, ...],
    ) -> DeclaredRequirement | None:
        """A URL or a path; named by its wheel file name or ``#egg=`` fragment if any."""
        try:
            extra_names = (
                set(extras) if isinstance(extras, set) else set(prp.convert_extras(extras))
            )
            marker = Marker(marker_text) if marker_text else None
            name = _reference_name(location)
        except (InvalidRequirement, InvalidMarker, InvalidWheelFilename, ValueError) as e:
            self.problem(
                origin.file, origin.line, f"invalid requirement '{clip(text)}': {_first_line(e)}"
            )
            return None
        return _from_reference(text, origin, name, location, extra_names, marker, hashes=hashes)

    def _editable(self, value: str, text: str, origin: Origin) -> DeclaredRequirement | None:
        """``-e PATH[extras]`` or ``-e VCS-URL#egg=name``, checked as pip checks them."""
        location, extras_text = (str(p or "") for p in prp._strip_extras(value))
        scheme = _scheme(location)
        try:
            if not scheme or scheme == "file":
                extras: set[str] = set(prp.convert_extras(extras_text))
                # A local project: the folder may exist only in the build context.
                name = _egg_name(location)
            else:
                extras, location = set(), value
                if scheme in prp.vcs:
                    location = f"{scheme}+{location}"  # git://... means git+git://...
                if not prp.Link(location).is_vcs:
                    raise ValueError(
                        "not a valid editable requirement: it should be a path to a local "
                        "project or a VCS URL (git+https://..., hg+..., svn+..., bzr+...)"
                    )
                name = _egg_name(location)
                if name is None:
                    raise ValueError("cannot tell the project name; add #egg=<name> to the URL")
        except (InvalidRequirement, ValueError) as e:
            self.problem(
                origin.file,
                origin.line,
                f"invalid editable requirement '{clip(text)}': {_first_line(e)}",
            )
            return None
        return _from_reference(text, origin, name, location, extras, None, editable=True)


def _read_bytes(path: str) -> bytes:
    file = Path(path)
    try:
        mode = file.stat().st_mode
        if stat.S_ISDIR(mode):
            raise _FileError("Is a directory")
        # Regular files and pipes (`<(...)`); never devices such as /dev/zero.
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise _FileError("not a regular file")
        with file.open("rb") as stream:
            data = stream.read(MAX_REQUIREMENTS_BYTES + 1)
    except OSError as e:
        raise _FileError(e.strerror or str(e)) from e
    except ValueError as e:  # e.g. a NUL character in the name
        raise _FileError(f"invalid file name: {e}") from e
    return _capped(data)


_WHAT = "a requirements file"


def _capped(data: bytes) -> bytes:
    """`data` (read up to one byte past the cap), or _TooLarge when it is past the cap."""
    if len(data) > MAX_REQUIREMENTS_BYTES:
        raise _TooLarge(*over_file_cap(data, MAX_REQUIREMENTS_BYTES, _WHAT))
    return data


def _text_lines(physical: list[str]) -> list[tuple[int, str]]:
    """pip-requirements-parser's `preprocess` of the lines: continuation lines joined
    (numbered by their first line), comments and empty lines dropped; its comment pattern
    replaced by the equivalent `_COMMENT_RE` that takes linear time."""
    found: list[tuple[int, str]] = []
    for number, line in prp.join_lines(enumerate(physical, start=1)):
        parts = [p.strip() for p in _COMMENT_RE.split(line) if p.strip()]
        if len(parts) > 2:  # as pip-requirements-parser: "cannot happen"
            raise ValueError(f"invalid line/comment: {clip(line)!r}")
        if parts and not parts[0].startswith("#"):
            found.append((int(number), parts[0]))
    return found


def _break_args_options(line: str) -> tuple[str, str]:
    """pip's split of a line into its requirement and its options (the first word that
    starts with "-" and the rest), as pip-requirements-parser's `break_args_options`,
    which takes quadratic time in the number of words."""
    words = line.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]), " ".join(words[index:])
    return line, ""


def _decode(data: bytes) -> str:
    """Decode as pip does: a BOM, a PEP 263 coding line, else UTF-8, else the locale's."""
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_as(data[len(bom) :], encoding, f"with a {encoding} byte order mark")
            break
    else:
        for line in data.split(b"\n")[:2]:
            match = prp.ENCODING_RE.search(line)
            if line[:1] == b"#" and match is not None:
                encoding = bytes(match.group(1)).decode("ascii")
                try:
                    codecs.lookup(encoding)
                except LookupError:
                    raise _Undecodable(
                        f"unknown encoding '{encoding}' in the coding line"
                    ) from None
                text = _decode_as(data, encoding, f"declared as {encoding}")
                break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            fallback = locale.getpreferredencoding(False) or sys.getdefaultencoding()
            tried = "UTF-8" if codecs.lookup(fallback).name == "utf-8" else f"UTF-8 nor {fallback}"
            try:
                text = data.decode(fallback)
            except UnicodeDecodeError:
                raise _Undecodable(
                    f"not a text file: byte 0x{data[e.start]:02x} at offset {e.start} is "
                    f"{'not' if tried == 'UTF-8' else 'neither'} {tried}; declare the encoding "
                    "with a first line '# -*- coding: <name> -*-'"
                ) from None
    if "\x00" in text:
        raise _Undecodable("not a text file: it contains NUL bytes")
    return text


def _decode_as(data: bytes, encoding: str, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise _Undecodable(
            f"not a text file: cannot decode {why}: byte 0x{data[e.start]:02x} at offset {e.start}"
        ) from None
    except (LookupError, UnicodeError, ValueError) as e:  # e.g. "rot13 is not a text encoding"
        raise _Undecodable(f"cannot decode {why}: {_first_line(e)}") from None


@functools.cache
def _default_options() -> Values:
    """The option values of a line without options (building a parser costs 0.1 ms)."""
    return _build_parser().get_default_values()


def _build_parser() -> OptionParser:
    """pip-requirements-parser's option parser, made to accept what pip accepts."""
    parser: OptionParser = prp.build_parser()
    # pip accepts -C/--config-settings on requirement lines; pip-requirements-parser lacks it.
    parser.add_option("-C", "--config-settings", dest="config_settings", action="append")
    # pip has no "--requirements" (pip-requirements-parser adds it as an alias of -r).
    option = parser.get_option("--requirement")
    if option is not None and "--requirements" in option._long_opts:
        option._long_opts.remove("--requirements")
        parser._long_opt.pop("--requirements", None)
    return parser


def _expand_env(line: str) -> str:
    """Replace ``${NAME}`` by the variable's value when it is set and not empty (as pip)."""

    def value(match: re.Match[str]) -> str:
        return os.environ.get(match.group(1)) or match.group(0)

    return _ENV_VAR_RE.sub(value, line)


def _editable_text(raw_line: str) -> str:
    """``-e VALUE`` as written (before ``${VAR}`` expansion), credentials masked."""
    value = None
    try:
        opts, _ = _build_parser().parse_args(shlex.split(raw_line))
        if opts.editables:
            value = str(opts.editables[0])
    except (ValueError, prp.OptionParsingError):
        value = None
    if value is None:
        value = raw_line.split(None, 1)[-1]
    return f"-e {redact_text(value)}"


def _scheme(location: str) -> str:
    """The URL scheme of `location`, or "" for a path (a Windows drive is no scheme)."""
    try:
        scheme = urlsplit(location).scheme
    except ValueError:
        return ""
    return scheme.lower() if len(scheme) > 1 else ""


def _is_name_at_url(base: str) -> bool:
    # pip: "name @ url" when the part before "@" does not look like a path.
    before, at, _ = base.partition("@")
    return bool(at) and not prp._looks_like_path(before)


def _egg_name(location: str) -> str | None:
    egg = prp.Link(location).egg_fragment
    if not egg:
        return None
    return Requirement(str(egg)).name  # InvalidRequirement for a bad fragment


def _reference_name(location: str) -> str | None:
    """The project name of a URL or path: from a wheel file name, else ``#egg=``."""
    link = prp.Link(location)
    if link.is_wheel:
        name, _version, _build, _tags = parse_wheel_filename(str(link.filename))
        return str(name)
    return _egg_name(location)


def _from_reference(
    text: str,
    origin: Origin,
    name: str | None,
    location: str,
    extras: set[str],
    marker: Marker | None,
    *,
    hashes: tuple[str, ...] = (),
    editable: bool = False,
) -> DeclaredRequirement:
    """A requirement installed from `location` (a URL or a path, kept redacted); it has a
    Requirement only when the project's `name` is known."""
    reference = redact_url(location)
    requirement = None
    if name is not None:
        requirement = Requirement(name)
        requirement.extras |= extras
        requirement.url = reference
        requirement.marker = marker
    return DeclaredRequirement(
        text=text,
        origin=origin,
        name=None if name is None else canonicalize_name(name),
        requirement=requirement,
        direct_reference=reference,
        editable=editable,
        hashes=hashes,
    )


def _constraint_problem(declared: DeclaredRequirement) -> str | None:
    """pip's rules for constraints: named, not editable, without extras."""
    if declared.editable:
        return f"editable requirements are not allowed as constraints: '{clip(declared.text)}'"
    if declared.requirement is None:
        return f"unnamed requirements are not allowed as constraints: '{clip(declared.text)}'"
    if declared.requirement.extras:
        return f"constraints cannot have extras: '{clip(declared.text)}'"
    return None


def _file_key(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(path)  # noqa: PTH100 - resolve() failed (e.g. a symlink loop)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return clip(lines[0]) if lines else type(error).__name__
