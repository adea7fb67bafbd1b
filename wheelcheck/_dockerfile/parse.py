"""A Dockerfile as stages of instructions, each with its line numbers, flags and environment.

The parsing is dockerfile-parse's (pure Python, so wheelcheck itself installs on alpine and
arm64; the `dockerfile` package wraps BuildKit's Go parser but ships x86_64-only Linux wheels).
dockerfile-parse handles line continuations, comments, JSON and shell forms, ENV/ARG quoting and
ARG defaults substituted into FROM. Two thin layers are added here, each for a gap it has:

- heredocs (``RUN <<EOF`` ... ``EOF``, BuildKit syntax 1.4+): dockerfile-parse reads the body
  lines as instructions of their own. We blank each body in the text before parsing again
  (line numbers stay), and keep the body on its instruction.
- leading flags (``--mount=...``, ``--from=...``, ``--platform=...``): dockerfile-parse leaves
  them in the value; we split them off, as BuildKit does, into `Instruction.flags`.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dockerfile_parse import DockerfileParser

from wheelcheck._limits import MAX_DOCKERFILE_BYTES, MAX_LINE_CHARS, long_line, over_file_cap
from wheelcheck.errors import InputProblem, InvalidInputFiles

__all__ = [
    "Dockerfile",
    "Heredoc",
    "Instruction",
    "Stage",
    "expand",
    "parse_dockerfile",
    "read_dockerfile",
]

# <<EOF, <<-EOF, <<"EOF", <<'EOF' (BuildKit's heredoc markers); not <<< (a here-string).
_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_FLAG_KEYWORDS = frozenset({"FROM", "RUN", "COPY", "ADD"})
_VARIABLE = re.compile(
    r"\\?\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Heredoc:
    """One here-document of an instruction: its name and body (without the end marker)."""

    name: str
    body: str
    strip_tabs: bool = False


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction. `line`/`end_line` are 1-based and include continuations and heredocs.

    `args` is the text after the keyword and the leading flags, continuations joined;
    `json_args` is set for the JSON (exec) form; `env` holds the ENV and ARG values in effect
    before this instruction, in its stage (including what a parent stage set).
    """

    keyword: str
    line: int
    end_line: int
    args: str
    flags: tuple[str, ...] = ()
    json_args: tuple[str, ...] | None = None
    heredocs: tuple[Heredoc, ...] = ()
    original: str = ""
    env: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    stage: int = 0

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` among the flags (the last one wins), or None."""
        found = None
        for item in self.flags:
            key, sep, value = item.partition("=")
            if key == f"--{name}":
                found = value if sep else ""
        return found

    def flag_values(self, name: str) -> list[str]:
        """Every value of a repeatable flag such as ``--mount``."""
        out = []
        for item in self.flags:
            key, sep, value = item.partition("=")
            if key == f"--{name}" and sep:
                out.append(value)
        return out


@dataclass(frozen=True, slots=True)
class Stage:
    """One ``FROM`` and what follows it up to the next ``FROM``.

    `base` is the image after ARG substitution (``python:3.12-slim``); `parent` is the index of
    an earlier stage when `base` names one (``FROM build AS final``).
    """

    index: int
    name: str | None
    base: str
    base_raw: str
    platform: str | None
    line: int
    instructions: tuple[Instruction, ...]
    parent: int | None = None

    @property
    def label(self) -> str:
        return self.name or str(self.index)


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile: its text lines, global ARGs and stages (last one = the image)."""

    path: str
    lines: tuple[str, ...]
    stages: tuple[Stage, ...]
    global_args: Mapping[str, str]
    # Instructions before the first FROM (ARG, comments are dropped).
    preamble: tuple[Instruction, ...] = ()

    @property
    def final(self) -> Stage:
        """The stage that becomes the image (the last one)."""
        return self.stages[-1]

    def lineage(self, stage: Stage) -> list[Stage]:
        """`stage` and the stages it is built FROM, nearest first."""
        chain = [stage]
        while (parent := chain[-1].parent) is not None:
            chain.append(self.stages[parent])
        return chain


def expand(text: str, env: Mapping[str, str]) -> str:
    """`text` with ``$NAME``, ``${NAME}``, ``${NAME:-default}`` and ``${NAME:+alt}`` replaced
    from `env`, as the builder and the shell do; unknown variables are left as written."""

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole.startswith("\\"):
            return whole
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3)
        value = env.get(name)
        if operator in (":-", "-"):
            empty = value is None or (operator == ":-" and value == "")
            return expand(word or "", env) if empty else str(value)
        if operator in (":+", "+"):
            present = value is not None and (operator == "+" or value != "")
            return expand(word or "", env) if present else ""
        return whole if value is None else value

    return _VARIABLE.sub(one, text)


def read_dockerfile(path: str | Path, build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """Read and parse the Dockerfile at `path` (see `parse_dockerfile`): UTF-8, as the
    builder reads it (a UTF-8 byte order mark is skipped), at most MAX_DOCKERFILE_BYTES.

    Raises InvalidInputFiles (one ``FILE[:LINE]`` problem) if the file cannot be read, is
    not UTF-8 text, is over the cap, or is not a Dockerfile (see `parse_dockerfile`).
    """
    shown = str(path)
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_DOCKERFILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise _invalid(shown, None, f"cannot read Dockerfile: {reason}") from None
    except ValueError as error:  # a NUL character in the name
        raise _invalid(shown, None, f"cannot read Dockerfile: {error}") from None
    if len(data) > MAX_DOCKERFILE_BYTES:
        raise _invalid(shown, *over_file_cap(data, MAX_DOCKERFILE_BYTES, "a Dockerfile"))
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as error:
        where = error.start + skip
        message = f"not a text file: byte 0x{data[where]:02x} at offset {where} is not UTF-8"
        raise _invalid(shown, None, message) from None
    if "\x00" in text:
        raise _invalid(shown, None, "not a text file: it contains NUL bytes")
    return parse_dockerfile(text, path=shown, build_args=build_args)


def _invalid(path: str, line: int | None, message: str) -> InvalidInputFiles:
    return InvalidInputFiles([InputProblem(path, line, message)])


def parse_dockerfile(
    text: str, *, path: str = "Dockerfile", build_args: Mapping[str, str] | None = None
) -> Dockerfile:
    """Parse Dockerfile `text` into stages.

    `build_args` override ARG defaults (as ``docker build --build-arg``). Returns the
    Dockerfile; raises InvalidInputFiles (an InputError) when a line is over MAX_LINE_CHARS,
    it has no FROM, or a heredoc never ends.

    >>> parse_dockerfile("ARG V=3.12\\nFROM python:${V}-slim\\n").final.base
    'python:3.12-slim'
    """
    lines = tuple(text.splitlines())
    _check_line_lengths(text, lines, path)
    heredocs, blanked = _cut_heredocs(text, path)
    parser = DockerfileParser(fileobj=io.BytesIO(blanked.encode("utf-8")), env_replace=True)
    if build_args:
        parser.build_args = dict(build_args)
    try:
        structure = parser.structure
        contexts = parser.context_structure
    except ValueError as error:  # dockerfile-parse on a malformed ENV/ARG/LABEL pair
        raise _invalid(path, None, f"not a Dockerfile docker can build: {error}") from None
    stages = _Stages(path, lines, dict(build_args or {}), iter(parser.parent_images))
    for item, context in zip(structure, contexts, strict=True):
        keyword = str(item["instruction"]).upper()
        if keyword != "COMMENT":
            stages.add(keyword, item, context, heredocs)
    return stages.finish()


def _check_line_lengths(text: str, lines: Sequence[str], path: str) -> None:
    if len(text) <= MAX_LINE_CHARS:
        return  # no line can be over the cap
    long = [
        InputProblem(path, number, long_line(len(line), line))
        for number, line in enumerate(lines, start=1)
        if len(line) > MAX_LINE_CHARS
    ]
    if long:
        raise InvalidInputFiles(long)


@dataclass
class _Stages:
    """The stages of a Dockerfile as its instructions are read, in order."""

    path: str
    lines: tuple[str, ...]
    build_args: dict[str, str]
    parents: Iterator[str]  # dockerfile-parse's FROM images, ARGs expanded
    global_args: dict[str, str] = field(default_factory=dict)
    preamble: list[Instruction] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    current: list[Instruction] = field(default_factory=list)
    header: dict[str, object] | None = None  # the open stage's Stage fields
    env: dict[str, str] = field(default_factory=dict)

    def add(
        self,
        keyword: str,
        item: Mapping[str, Any],
        context: Any,
        heredocs: Mapping[int, tuple[Heredoc, ...]],
    ) -> None:
        start = int(item["startline"]) + 1
        end = int(item["endline"]) + 1
        value = str(item["value"])
        flags: tuple[str, ...] = ()
        if keyword in _FLAG_KEYWORDS:
            flags, value = _split_flags(value)
        if keyword == "FROM":
            self._open(value, flags, start)
            return
        docs = heredocs.get(start, ())
        if docs:
            end = max(end, _heredoc_end(self.lines, start, docs))
        instruction = Instruction(
            keyword=keyword,
            line=start,
            end_line=end,
            args=value,
            flags=flags,
            json_args=_json_form(value) if keyword not in ("ENV", "ARG", "LABEL") else None,
            heredocs=docs,
            original="\n".join(self.lines[start - 1 : end]),
            env=MappingProxyType(dict(self.env)),
            stage=len(self.stages),
        )
        if self.header is None:
            self._global(keyword, instruction, context)
        else:
            self._in_stage(keyword, instruction, context)

    def _open(self, value: str, flags: tuple[str, ...], line: int) -> None:
        """A FROM: close the open stage, open the next."""
        self._close()
        words = value.split()
        if not words:
            raise _invalid(self.path, line, "FROM names no image")
        base = next(self.parents, None) or words[0]
        platform = next((f.split("=", 1)[1] for f in flags if f.startswith("--platform=")), None)
        if platform is not None:
            platform = expand(platform, {**self.global_args, **self.build_args})
        parent = next(
            (s.index for s in self.stages if s.name and s.name.lower() == base.lower()), None
        )
        self.env = dict(_parent_env(self.stages, parent))
        self.header = {
            "index": len(self.stages),
            "name": words[2] if len(words) >= 3 and words[1].lower() == "as" else None,
            "base": base,
            "base_raw": words[0],
            "platform": platform,
            "line": line,
            "parent": parent,
        }
        self.current = []

    def _global(self, keyword: str, instruction: Instruction, context: Any) -> None:
        """An instruction before the first FROM: only ARGs there mean something."""
        if keyword == "ARG":
            self.global_args.update({k: str(v) for k, v in context.line_args.items()})
            self.global_args.update(
                {k: v for k, v in self.build_args.items() if k in context.line_args}
            )
        self.preamble.append(instruction)

    def _in_stage(self, keyword: str, instruction: Instruction, context: Any) -> None:
        self.current.append(instruction)
        if keyword == "ENV":
            self.env.update({k: str(v) for k, v in context.line_envs.items()})
        elif keyword == "ARG":
            for key, default in context.line_args.items():
                # A bare ARG in a stage re-imports the global default (or the build arg).
                supplied = self.build_args.get(key)
                if supplied is not None:
                    self.env[key] = supplied
                elif default not in (None, ""):
                    self.env[key] = str(default)
                elif key in self.global_args:
                    self.env[key] = self.global_args[key]

    def _close(self) -> None:
        if self.header is not None:
            self.stages.append(Stage(instructions=tuple(self.current), **self.header))  # type: ignore[arg-type]

    def finish(self) -> Dockerfile:
        self._close()
        if not self.stages:
            raise _invalid(self.path, None, "no FROM instruction: this is not a Dockerfile")
        return Dockerfile(
            path=self.path,
            lines=self.lines,
            stages=tuple(self.stages),
            global_args=MappingProxyType(self.global_args),
            preamble=tuple(self.preamble),
        )


def _parent_env(stages: list[Stage], parent: int | None) -> Mapping[str, str]:
    """The ENV a stage inherits from the stage it is built FROM (ARGs do not carry over)."""
    if parent is None:
        return {}
    stage = stages[parent]
    env: dict[str, str] = {}
    if stage.instructions:
        last = stage.instructions[-1]
        env.update(last.env)
        if last.keyword == "ENV":  # the last instruction's own ENV is not in its `env` yet
            env.update(_env_pairs(last.args))
    return env


def _env_pairs(args: str) -> dict[str, str]:
    parser = DockerfileParser(fileobj=io.BytesIO(f"FROM scratch\nENV {args}\n".encode()))
    try:
        return {k: str(v) for k, v in parser.envs.items()}
    except ValueError:  # a malformed pair: docker refuses it, so it sets nothing
        return {}


def _split_flags(value: str) -> tuple[tuple[str, ...], str]:
    """Leading ``--name[=value]`` words, and the rest of the text."""
    flags: list[str] = []
    rest = value.lstrip()
    while rest.startswith("--"):
        word, _, remainder = rest.partition(" ")
        if "=" not in word and word[2:] not in ("link", "parents", "keep-git-dir"):
            break  # not a flag BuildKit knows without a value: part of the command
        flags.append(word)
        rest = remainder.lstrip()
    return tuple(flags), rest


def _json_form(value: str) -> tuple[str, ...] | None:
    stripped = value.strip()
    if not stripped.startswith("["):
        return None
    try:
        parsed = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
        return tuple(parsed)
    return None


def _cut_heredocs(text: str, path: str) -> tuple[dict[int, tuple[Heredoc, ...]], str]:
    """Heredoc bodies by the 1-based line of their instruction, and `text` with the bodies
    (and end markers) blanked so dockerfile-parse does not read them as instructions."""
    lines = text.splitlines()
    found: dict[int, tuple[Heredoc, ...]] = {}
    while True:
        parser = DockerfileParser(fileobj=io.BytesIO("\n".join(lines).encode("utf-8")))
        target = None
        for item in parser.structure:
            start = int(item["startline"]) + 1
            keyword = str(item["instruction"]).upper()
            if keyword in _HEREDOC_KEYWORDS and start not in found:
                markers = _HEREDOC.findall(str(item["value"]))
                if markers:
                    target = (start, int(item["endline"]) + 1, markers)
                    break
        if target is None:
            return found, "\n".join(lines) + "\n"
        start, end, markers = target
        docs: list[Heredoc] = []
        cursor = end  # 0-based index of the first body line
        for dash, _quote, name in markers:
            body: list[str] = []
            while True:
                if cursor >= len(lines):
                    raise _invalid(path, start, f"heredoc <<{name} has no closing {name}")
                line = lines[cursor]
                lines[cursor] = ""
                cursor += 1
                if (line.lstrip("\t") if dash else line) == name:
                    break
                body.append(line.lstrip("\t") if dash else line)
            docs.append(Heredoc(name, "\n".join(body) + "\n", strip_tabs=bool(dash)))
        found[start] = tuple(docs)


def _heredoc_end(lines: tuple[str, ...], start: int, docs: tuple[Heredoc, ...]) -> int:
    """The 1-based line of the last heredoc's end marker, searching from `start`."""
    cursor = start  # 0-based index of the line after the instruction's first line
    for doc in docs:
        while cursor < len(lines):
            line = lines[cursor]
            cursor += 1
            if (line.lstrip("\t") if doc.strip_tabs else line) == doc.name:
                break
    return cursor
