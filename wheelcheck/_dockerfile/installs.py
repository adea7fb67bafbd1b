"""What a Dockerfile installs: pip/uv commands in its RUN steps, mapped to build-context files.

Each RUN (shell form, JSON form or heredoc script) is split into simple commands. A command
that runs ``pip install`` (``pip``, ``pip3``, ``pip3.12``, ``python -m pip``, ``python3 -m
pip``, ``uv pip install``/``sync``, also ``pip wheel``/``download``) becomes a `PipInstall`
with its requirement files, inline specs, index options and cache behaviour. A requirement
file named by its path inside the image is traced back through ``WORKDIR``, ``COPY``/``ADD``
and ``RUN --mount=type=bind`` to a file of the build context. ``apt-get``/``apk`` lines are
kept too (`SystemPackages`), for the build-tool rules.
"""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wheelcheck._dockerfile.parse import Dockerfile, Instruction, Stage, expand

__all__ = [
    "BUILD_TOOLS",
    "CopyStep",
    "Installs",
    "PipInstall",
    "RequirementFile",
    "RunStep",
    "SystemPackages",
    "find_installs",
]

# Packages that upgrade the installer itself, not the app.
TOOL_PACKAGES = frozenset({"pip", "setuptools", "wheel", "uv"})
# Compilers and build drivers: what a native build needs and a runtime image does not.
BUILD_TOOLS = frozenset(
    {
        "build-essential",
        "build-base",
        "gcc",
        "g++",
        "clang",
        "make",
        "cmake",
        "cargo",
        "rust",
        "rustc",
        "gfortran",
        "musl-dev",
        "libc6-dev",
        "libc-dev",
    }
)
PIP_CACHE_DIRS = ("/root/.cache/pip", "/root/.cache", "~/.cache/pip", "$HOME/.cache/pip")
UV_CACHE_DIRS = ("/root/.cache/uv", "/root/.cache", "~/.cache/uv")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/bin/ash"})
_PREFIXES = frozenset({"sudo", "exec", "command", "time", "nice", "then", "do", "else", "!"})
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "{", "}"})
# Options of pip/uv install that take a value (the next word unless written with =).
_VALUE_OPTIONS = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
        "--prefix", "--root", "--platform", "--python-version", "--implementation", "--abi",
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--src",
        "--upgrade-strategy", "--progress-bar", "--trusted-host", "--cache-dir", "--log",
        "--timeout", "--retries", "--proxy", "--cert", "--client-cert", "--only-binary",
        "--no-binary", "-C", "--config-settings", "--global-option", "--install-option",
        "--report", "--root-user-action", "--exists-action", "--python", "-p",
        "--keyring-provider", "--use-feature", "--use-deprecated", "--group", "-w",
        "--wheel-dir", "-d", "--dest", "--default-index", "--index", "--index-strategy",
        "--resolution", "--prerelease", "--extra", "--override", "--build-constraint",
        "-o", "--output-file", "--overrides", "--exclude-newer", "--link-mode", "--compile",
    }
)  # fmt: skip
_ATTACHED = ("-r", "-c", "-i", "-e", "-t", "-f")  # pip accepts -rFILE, -iURL, ...
_PIP_GLOBAL_VALUE_OPTIONS = frozenset(
    {"--cache-dir", "--log", "--proxy", "--timeout", "--retries", "--cert", "--client-cert",
     "--trusted-host", "--exists-action", "--python", "--keyring-provider", "--use-feature",
     "--use-deprecated", "--progress-bar", "--root-user-action"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RequirementFile:
    """A ``-r``/``-c`` file: its path in the image and where it comes from.

    `context_path` is the build-context file it was copied from (None when untraced);
    `text` is set instead for a file written by a ``COPY <<EOF`` heredoc.
    """

    image_path: str
    context_path: Path | None = None
    text: str | None = None
    problem: str | None = None  # why it could not be traced, if so


@dataclass(frozen=True, slots=True)
class PipInstall:
    """One pip (or uv pip) install command in a RUN step."""

    line: int  # the RUN instruction's first line
    stage: int
    tool: str  # "pip", "pip3", "python3 -m pip", "uv pip"
    subcommand: str  # install, wheel, download, sync
    command: str  # the command as written (expanded), for messages
    requirement_files: tuple[RequirementFile, ...] = ()
    constraint_files: tuple[RequirementFile, ...] = ()
    specs: tuple[str, ...] = ()  # inline requirement strings
    local: tuple[str, ...] = ()  # paths, URLs, VCS references: not looked up
    index_url: str | None = None  # -i / --index-url / uv --default-index
    index_source: str | None = None  # where index_url came from, for the report
    extra_index_urls: tuple[str, ...] = ()
    # Where each index URL was written, for messages: (line, "pip install -i" or
    # "ENV PIP_INDEX_URL"); `extra_index_sources` runs parallel to `extra_index_urls`.
    index_origin: tuple[int, str] | None = None
    extra_index_sources: tuple[tuple[int, str], ...] = ()
    no_cache: bool = False  # --no-cache-dir, PIP_NO_CACHE_DIR, uv --no-cache, UV_NO_CACHE
    cache_mount: bool = False  # RUN --mount=type=cache on pip's/uv's cache directory
    upgrade: bool = False
    no_index: bool = False
    break_system_packages: bool = False
    env: Mapping[str, str] = field(default_factory=dict)  # PIP_*/UV_* in effect

    @property
    def is_uv(self) -> bool:
        return self.tool.startswith("uv")

    @property
    def tools_only(self) -> bool:
        """True when it installs only pip/setuptools/wheel (an installer upgrade)."""
        if self.requirement_files or self.local or not self.specs:
            return False
        return all(_spec_name(s) in TOOL_PACKAGES for s in self.specs)

    @property
    def cache_kept(self) -> bool:
        """True when the download cache ends up in the layer."""
        return not (self.no_cache or self.cache_mount)

    @property
    def app_specs(self) -> tuple[str, ...]:
        """Inline specs other than the installer's own packages."""
        return tuple(s for s in self.specs if _spec_name(s) not in TOOL_PACKAGES)


@dataclass(frozen=True, slots=True)
class SystemPackages:
    """An ``apt-get install``/``apk add`` (or a removal) inside a RUN step."""

    manager: str  # apt | apk
    action: str  # add | remove
    packages: tuple[str, ...]
    virtual: str | None = None  # apk add --virtual NAME


@dataclass(frozen=True, slots=True)
class RunStep:
    """One RUN instruction and what it installs or removes."""

    instruction: Instruction
    pips: tuple[PipInstall, ...]
    system: tuple[SystemPackages, ...]
    creates_venv: bool = False

    @property
    def line(self) -> int:
        return self.instruction.line

    @property
    def stage(self) -> int:
        return self.instruction.stage

    @property
    def build_tools_added(self) -> tuple[str, ...]:
        added = [p for s in self.system if s.action == "add" for p in s.packages]
        return tuple(p for p in added if p in BUILD_TOOLS)

    @property
    def build_tools_kept(self) -> tuple[str, ...]:
        """Build tools this step adds and does not remove again."""
        removed = {p for s in self.system if s.action == "remove" for p in s.packages}
        kept = []
        for sys in self.system:
            if sys.action != "add":
                continue
            if sys.virtual and sys.virtual in removed:
                continue
            kept += [p for p in sys.packages if p in BUILD_TOOLS and p not in removed]
        return tuple(dict.fromkeys(kept))


@dataclass(frozen=True, slots=True)
class CopyStep:
    """A COPY or ADD: sources, destination in the image, and whether it copies everything."""

    instruction: Instruction
    sources: tuple[str, ...]
    dest: str  # absolute in the image
    from_stage: str | None
    copies_context: bool  # ``COPY . .`` and the like: the whole build context

    @property
    def line(self) -> int:
        return self.instruction.line


@dataclass(frozen=True, slots=True)
class Installs:
    """Everything `find_installs` learnt, in Dockerfile order."""

    runs: tuple[RunStep, ...]
    copies: tuple[CopyStep, ...]
    context: Path
    notes: tuple[str, ...] = ()

    @property
    def pips(self) -> tuple[PipInstall, ...]:
        return tuple(p for r in self.runs for p in r.pips)


# --- the image's file system, as far as COPY tells --------------------------------------------


@dataclass
class _Files:
    """Which image paths come from which build-context paths (later entries win)."""

    workdir: str = "/"
    dirs: set[str] = field(default_factory=lambda: {"/"})
    # (image path, kind, source): kind "file" or "dir" (source: context-relative path) or
    # "text" (source: the heredoc's content).
    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def copy(self) -> _Files:
        return _Files(self.workdir, set(self.dirs), list(self.entries))

    def absolute(self, path: str) -> str:
        if path.startswith("/"):
            return posixpath.normpath(path)
        return posixpath.normpath(posixpath.join(self.workdir, path))

    def lookup(self, image_path: str) -> tuple[str, str] | None:
        """(kind, source) for an image path: ("file", context path) or ("text", content)."""
        for path, kind, source in reversed(self.entries):
            if kind in ("file", "text") and path == image_path:
                return kind, source
            if kind == "dir" and (
                image_path == path or image_path.startswith(path.rstrip("/") + "/")
            ):
                rest = image_path[len(path) :].lstrip("/")
                return "file", posixpath.normpath(posixpath.join(source, rest))
        return None


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _copy_step(instruction: Instruction, files: _Files, context: Path) -> CopyStep | None:
    words = list(instruction.json_args or _split_words(instruction.args))
    if instruction.heredocs:
        heredoc_names = {f"<<{d.name}" for d in instruction.heredocs} | {
            f"<<-{d.name}" for d in instruction.heredocs
        }
        words = [w for w in words if w.strip("\"'") not in heredoc_names]
    if not words:
        return None
    dest_word = words[-1]
    sources = words[:-1]
    dest = files.absolute(dest_word)
    from_stage = instruction.flag("from")
    if instruction.heredocs and not sources:
        for doc in instruction.heredocs:
            target = dest if not dest_word.endswith("/") else posixpath.join(dest, doc.name)
            files.entries.append((target, "text", doc.body))
        return CopyStep(instruction, (), dest, from_stage, False)
    copies_context = from_stage is None and any(
        posixpath.normpath(s) in (".", "*") or s in ("./", "./*") for s in sources
    )
    if from_stage is not None:
        return CopyStep(instruction, tuple(sources), dest, from_stage, False)
    dest_is_dir = (
        dest_word.endswith("/")
        or dest_word in (".", "./")
        or len(sources) > 1
        or any(_is_glob(s) for s in sources)
        or dest in files.dirs
    )
    for source in sources:
        if "://" in source:  # ADD of a URL
            continue
        matches = _expand_glob(source, context) if _is_glob(source) else [source]
        for match in matches:
            rel = posixpath.normpath(match.lstrip("/"))
            if rel in ("", "."):
                rel = "."
            is_dir = (context / rel).is_dir() if context.is_dir() else match.endswith("/")
            if is_dir or rel == ".":
                files.entries.append((dest, "dir", rel))
                files.dirs.add(dest)
            elif dest_is_dir:
                files.entries.append((posixpath.join(dest, posixpath.basename(rel)), "file", rel))
                files.dirs.add(dest)
            else:
                files.entries.append((dest, "file", rel))
    return CopyStep(instruction, tuple(sources), dest, from_stage, copies_context)


def _expand_glob(pattern: str, context: Path) -> list[str]:
    if not context.is_dir():
        return []
    directory, _, name = pattern.rstrip("/").rpartition("/")
    base = context / directory if directory else context
    if not base.is_dir():
        return []
    return sorted(
        posixpath.join(directory, p.name) if directory else p.name
        for p in base.iterdir()
        if fnmatch.fnmatchcase(p.name, name)
    )


# --- shell commands ------------------------------------------------------------------------


def _split_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _commands(script: str) -> list[list[str]]:
    """Simple commands of a shell script: words, split at ``&&``, ``;``, ``|``, newlines."""
    out: list[list[str]] = []
    for raw_line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(raw_line, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        current: list[str] = []
        skip_next = False
        try:
            tokens = list(lexer)
        except ValueError:
            tokens = raw_line.split()
        for token in tokens:
            if skip_next:
                skip_next = False
                continue
            if token in _SEPARATORS:
                if current:
                    out.append(current)
                current = []
            elif token and set(token) <= set("<>&") and token not in ("&",):
                skip_next = True  # a redirect: drop its target
            else:
                current.append(token)
        if current:
            out.append(current)
    return out


def _scripts(instruction: Instruction) -> list[str]:
    """The shell text a RUN executes: its command, or its heredoc script when it runs one."""
    if instruction.json_args is not None:
        args = list(instruction.json_args)
        if len(args) >= 3 and args[0] in _SHELLS and args[1] == "-c":
            return [args[2]]
        return [shlex.join(args)]
    scripts = []
    head = instruction.args
    for doc in instruction.heredocs:
        head = head.replace(f"<<-{doc.name}", "").replace(f"<<{doc.name}", "")
        head = head.replace(f'<<"{doc.name}"', "").replace(f"<<'{doc.name}'", "")
        runner = head.split()
        body = doc.body
        shebang = body.splitlines()[0] if body.strip() else ""
        is_shell_script = (not runner or runner[0] in _SHELLS) and not (
            shebang.startswith("#!") and "python" in shebang
        )
        if is_shell_script:
            scripts.append(body)
        elif runner and runner[0] == "cat":
            continue
    if head.strip():
        scripts.insert(0, head)
    return scripts


def _strip_prefixes(words: list[str], env: dict[str, str]) -> list[str]:
    """Drop ``VAR=value`` assignments (kept in `env`), ``env``, ``sudo`` and the like."""
    i = 0
    while i < len(words):
        word = words[i]
        name, sep, value = word.partition("=")
        if sep and name.isidentifier():
            env[name] = value
        elif (word in _PREFIXES or word == "env") or (
            word.startswith("-") and i > 0 and words[i - 1] in ("env", "sudo")
        ):
            pass
        else:
            break
        i += 1
    return words[i:]


def _invocation(words: list[str]) -> tuple[str, list[str]] | None:
    """(tool, arguments after the tool) when `words` run pip or uv pip, else None."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    if (program.startswith("pip") and program[3:].replace(".", "").isdigit()) or program == "pip":
        return program, words[1:]
    if program.startswith("python") and (
        program[6:].replace(".", "").isdigit() or program[6:] == ""
    ):
        for j in range(1, len(words) - 1):
            if words[j] == "-m":
                if words[j + 1] == "pip":
                    return f"{program} -m pip", words[j + 2 :]
                if words[j + 1] == "uv" and len(words) > j + 2 and words[j + 2] == "pip":
                    return "uv pip", words[j + 3 :]
                return None
            if not words[j].startswith("-"):
                return None
    if program == "uv" and len(words) > 1 and words[1] == "pip":
        return "uv pip", words[2:]
    return None


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _spec_name(spec: str) -> str:
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return spec


def _is_local(word: str) -> bool:
    if "://" in word or word.startswith(("git+", "hg+", "svn+", "bzr+")):
        return True
    if word.startswith((".", "/", "~", "$")) or word.endswith((".whl", ".tar.gz", ".zip")):
        return True
    return "/" in word and "@" not in word


@dataclass
class _Options:
    subcommand: str = ""
    reqs: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    specs: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    index_url: str | None = None
    extra: list[str] = field(default_factory=list)
    extra_flags: list[str] = field(default_factory=list)  # the option that gave each extra
    index_flag: str = "-i"
    no_cache: bool = False
    upgrade: bool = False
    no_index: bool = False
    break_system: bool = False

    def add_positional(self, word: str, uv: bool) -> None:
        """A requirement spec, a local path, or (``uv pip sync``) a requirements file."""
        if self.subcommand == "sync" and uv:
            self.reqs.append(word)
        elif _is_local(word):
            self.local.append(word)
        else:
            self.specs.append(word)

    def apply(self, key: str, value: str) -> None:
        """One option and its value (build constraints and overrides are not read)."""
        if key in ("-r", "--requirement"):
            self.reqs.append(value)
        elif key in ("-c", "--constraint"):
            self.constraints.append(value)
        elif key in ("-e", "--editable"):
            self.local.append(value)
        elif key in ("-i", "--index-url", "--default-index"):
            self.index_url, self.index_flag = value, key
        elif key in ("--extra-index-url", "--index"):
            self.extra.append(value)
            self.extra_flags.append(key)
        elif key in _SWITCHES:
            setattr(self, _SWITCHES[key], True)


# Switches of pip install / uv pip install that wheelcheck reads, by the _Options field.
_SWITCHES = {
    "--no-cache-dir": "no_cache",
    "--no-cache": "no_cache",
    "-n": "no_cache",
    "-U": "upgrade",
    "--upgrade": "upgrade",
    "--no-index": "no_index",
    "--break-system-packages": "break_system",
}


def _parse_install(args: list[str], uv: bool) -> _Options | None:
    """What an install command's arguments say (after ``pip``/``uv pip``), or None when
    the subcommand installs nothing."""
    opts = _Options()
    start = _subcommand(args, opts)
    if start is None:
        return None
    rest = args[start + 1 :]
    j = 0
    while j < len(rest):
        word = rest[j]
        if not word.startswith("-") or word == "-":
            opts.add_positional(word, uv)
            j += 1
            continue
        key, value, j = _option_at(rest, j)
        opts.apply(key, value)
    return opts


def _subcommand(args: list[str], opts: _Options) -> int | None:
    """The index of the install subcommand, past pip's general options (which may come
    first), with `opts.subcommand` set; None when there is none."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        if args[i] in ("--no-cache-dir", "--no-cache"):
            opts.no_cache = True
        i += 2 if args[i] in _PIP_GLOBAL_VALUE_OPTIONS else 1
    if i >= len(args) or args[i] not in ("install", "wheel", "download", "sync"):
        return None
    opts.subcommand = args[i]
    return i


def _option_at(rest: list[str], j: int) -> tuple[str, str, int]:
    """The option at ``rest[j]`` as (name, value, index of the next word): ``--opt=v``,
    ``--opt v``, and short options with the value attached (``-rreq.txt``)."""
    word = rest[j]
    key, has_value, value = word.partition("=")
    if not has_value and key not in _VALUE_OPTIONS:
        attached = next((p for p in _ATTACHED if word.startswith(p) and len(word) > 2), None)
        if attached and not word.startswith("--"):
            key, value, has_value = attached, word[2:], "="
    if key in _VALUE_OPTIONS and not has_value:
        return key, (rest[j + 1] if j + 1 < len(rest) else ""), j + 2
    return key, value, j + 1


def _mount_targets(instruction: Instruction, kind: str) -> list[dict[str, str]]:
    mounts = []
    for spec in instruction.flag_values("mount"):
        fields: dict[str, str] = {}
        for part in spec.split(","):
            key, _, value = part.partition("=")
            if key:
                fields[key.strip()] = value.strip()
        if fields.get("type", "bind") == kind:
            mounts.append(fields)
    return mounts


def _has_cache_mount(instruction: Instruction, env: Mapping[str, str], uv: bool) -> bool:
    cache_dirs = set(UV_CACHE_DIRS if uv else PIP_CACHE_DIRS)
    custom = env.get("UV_CACHE_DIR" if uv else "PIP_CACHE_DIR")
    if custom:
        cache_dirs.add(custom.rstrip("/"))
    for mount in _mount_targets(instruction, "cache"):
        target = mount.get("target") or mount.get("dst") or mount.get("destination") or ""
        if target.rstrip("/") in cache_dirs:
            return True
    return False


def _trace(
    path: str, files: _Files, context: Path, binds: list[tuple[str, str]]
) -> RequirementFile:
    image_path = files.absolute(path)
    for target, source in binds:
        if image_path == target:
            return _context_file(image_path, source, context)
        if image_path.startswith(target.rstrip("/") + "/"):
            rel = posixpath.join(source, image_path[len(target) :].lstrip("/"))
            return _context_file(image_path, rel, context)
    found = files.lookup(image_path)
    if found is None:
        return RequirementFile(
            image_path, problem="no COPY, ADD or bind mount brings it from the build context"
        )
    kind, source = found
    if kind == "text":
        return RequirementFile(image_path, text=source)
    return _context_file(image_path, source, context)


def _context_file(image_path: str, rel: str, context: Path) -> RequirementFile:
    local = context / posixpath.normpath(rel)
    if not local.is_file():
        return RequirementFile(
            image_path, local, problem=f"{local} is not in the build context {context}"
        )
    return RequirementFile(image_path, local)


def _system(words: list[str]) -> SystemPackages | None:
    if not words:
        return None
    program = posixpath.basename(words[0])
    args = words[1:]
    if program in ("apt-get", "apt", "aptitude"):
        action_word = next((w for w in args if not w.startswith("-")), "")
        action = {"install": "add", "remove": "remove", "purge": "remove"}.get(action_word)
        if action is None:
            return None
        names = [
            w.split("=")[0] for w in args[args.index(action_word) + 1 :] if not w.startswith("-")
        ]
        return SystemPackages("apt", action, tuple(names))
    if program == "apk":
        action_word = next((w for w in args if not w.startswith("-")), "")
        action = {"add": "add", "del": "remove"}.get(action_word)
        if action is None:
            return None
        after = args[args.index(action_word) + 1 :]
        names, virtual, k = [], None, 0
        while k < len(after):
            word = after[k]
            if word in ("-t", "--virtual"):
                virtual = after[k + 1] if k + 1 < len(after) else None
                k += 2
                continue
            if word.startswith("--virtual="):
                virtual = word.split("=", 1)[1]
            elif not word.startswith("-"):
                names.append(word.split("=")[0].split("~")[0])
            k += 1
        return SystemPackages("apk", action, tuple(names), virtual)
    return None


def _index_from_env(env: Mapping[str, str], uv: bool) -> str | None:
    keys: tuple[str, ...] = ("UV_DEFAULT_INDEX", "UV_INDEX_URL") if uv else ()
    for key in (*keys, "PIP_INDEX_URL"):
        if env.get(key):
            return key
    return None


def _env_origin(
    key: str, set_here: Mapping[str, str], line: int, env_lines: Mapping[str, int]
) -> tuple[int, str]:
    """Where the variable `key` was set: (line, "ENV KEY"), or this RUN's `line` for a
    variable set inline or exported in it (`set_here`)."""
    if key in set_here:
        return line, f"inline {key}"
    return env_lines.get(key, line), f"ENV {key}"


def _run_step(
    instruction: Instruction, files: _Files, context: Path, env_lines: Mapping[str, int]
) -> RunStep:
    binds = _bind_mounts(instruction, files)
    pips: list[PipInstall] = []
    system: list[SystemPackages] = []
    creates_venv = False
    exported: dict[str, str] = {}
    for script in _scripts(instruction):
        for raw in _commands(script):
            words = [expand(w, {**instruction.env, **exported}) for w in raw]
            if words and words[0] == "export":
                for name, sep, value in (w.partition("=") for w in words[1:]):
                    if sep:
                        exported[name] = value
                continue
            if words and words[0] == "cd" and len(words) > 1:
                files.workdir = files.absolute(words[1])
                continue
            inline: dict[str, str] = {}
            words = _strip_prefixes(words, inline)
            if "venv" in words and ("-m" in words or words[0] in ("virtualenv", "uv")):
                creates_venv = True
            packages = _system(words)
            if packages is not None:
                system.append(packages)
                continue
            call = _invocation(words)
            opts = _parse_install(call[1], call[0] == "uv pip") if call is not None else None
            if call is None or opts is None:
                continue
            shell = _Shell(instruction, exported, inline, env_lines)
            install = _pip_install(shell, words, call[0], opts)
            pips.append(_traced(install, opts, files, context, binds))
    return RunStep(instruction, tuple(pips), tuple(system), creates_venv)


def _bind_mounts(instruction: Instruction, files: _Files) -> list[tuple[str, str]]:
    """(absolute target, source) of each ``RUN --mount=type=bind`` from the build context."""
    binds: list[tuple[str, str]] = []
    for mount in _mount_targets(instruction, "bind"):
        if mount.get("from"):
            continue
        target = mount.get("target") or mount.get("dst") or mount.get("destination")
        if target:
            binds.append((files.absolute(target), mount.get("source") or mount.get("src") or "."))
    return binds


@dataclass(frozen=True, slots=True)
class _Shell:
    """The environment one command of a RUN sees, and where each variable was set."""

    instruction: Instruction
    exported: Mapping[str, str]  # by `export` earlier in the same RUN
    inline: Mapping[str, str]  # ``NAME=value pip install ...``
    env_lines: Mapping[str, int]  # ENV name -> its Dockerfile line

    @property
    def env(self) -> dict[str, str]:
        return {**self.instruction.env, **self.exported, **self.inline}

    def origin(self, key: str) -> tuple[int, str]:
        set_here = {**self.inline, **self.exported}
        return _env_origin(key, set_here, self.instruction.line, self.env_lines)


def _pip_install(shell: _Shell, words: list[str], tool: str, opts: _Options) -> PipInstall:
    """The PipInstall of one ``pip install`` / ``uv pip install`` command (files untraced)."""
    uv = tool == "uv pip"
    env = shell.env
    line = shell.instruction.line
    index_origin: tuple[int, str] | None = None
    index_url = opts.index_url
    if index_url:
        index_origin = (line, f"{tool} {opts.subcommand} {opts.index_flag}")
    elif (key := _index_from_env(env, uv)) is not None:
        index_url = env[key]
        index_origin = shell.origin(key)
    extra = list(opts.extra)
    extra_origins = [(line, f"{tool} {opts.subcommand} {flag}") for flag in opts.extra_flags]
    for key in ("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX"):
        if env.get(key) and (uv or key.startswith("PIP_")):
            urls = env[key].split()
            extra.extend(urls)
            extra_origins += [shell.origin(key)] * len(urls)
    no_cache_env = env.get("UV_NO_CACHE") if uv else env.get("PIP_NO_CACHE_DIR")
    return PipInstall(
        line=line,
        stage=shell.instruction.stage,
        tool=tool,
        subcommand=opts.subcommand,
        command=shlex.join(words),
        specs=tuple(opts.specs),
        local=tuple(opts.local),
        index_url=index_url,
        index_source=None if index_origin is None else "line {}: {}".format(*index_origin),
        extra_index_urls=tuple(extra),
        index_origin=index_origin,
        extra_index_sources=tuple(extra_origins),
        no_cache=opts.no_cache or _truthy(no_cache_env),
        cache_mount=_has_cache_mount(shell.instruction, env, uv),
        upgrade=opts.upgrade,
        no_index=opts.no_index,
        break_system_packages=opts.break_system or _truthy(env.get("PIP_BREAK_SYSTEM_PACKAGES")),
        env={k: v for k, v in env.items() if k.startswith(("PIP_", "UV_"))},
    )


def _traced(
    install: PipInstall,
    opts: _Options,
    files: _Files,
    context: Path,
    binds: list[tuple[str, str]],
) -> PipInstall:
    """`install` with its -r and -c files traced back to the build context."""
    return replace(
        install,
        requirement_files=tuple(_trace(r, files, context, binds) for r in opts.reqs),
        constraint_files=tuple(_trace(c, files, context, binds) for c in opts.constraints),
    )


def find_installs(dockerfile: Dockerfile, context: str | Path | None = None) -> Installs:
    """Every RUN and COPY/ADD of `dockerfile`, with pip installs traced to context files.

    `context` is the build context directory (default: the Dockerfile's folder). Returns
    Installs; never raises for odd commands (what cannot be understood is skipped).
    """
    context_dir = Path(context) if context is not None else Path(dockerfile.path).parent
    states: dict[int, _Files] = {}
    runs: list[RunStep] = []
    copies: list[CopyStep] = []
    for stage in dockerfile.stages:
        files = states[stage.parent].copy() if stage.parent is not None else _Files()
        states[stage.index] = files
        env_lines = _env_lines(dockerfile, stage)
        for instruction in stage.instructions:
            if instruction.keyword == "WORKDIR":
                files.workdir = files.absolute(expand(instruction.args.strip(), instruction.env))
                files.dirs.add(files.workdir)
            elif instruction.keyword in ("COPY", "ADD"):
                step = _copy_step(instruction, files, context_dir)
                if step is not None:
                    copies.append(step)
            elif instruction.keyword == "RUN":
                saved = files.workdir  # `cd` inside a RUN lasts for that RUN only
                runs.append(_run_step(instruction, files, context_dir, env_lines))
                files.workdir = saved
    return Installs(tuple(runs), tuple(copies), context_dir)


def _env_lines(dockerfile: Dockerfile, stage: Stage) -> dict[str, int]:
    """For each ENV/ARG name, the line that last set it in `stage` or its parents."""
    lines: dict[str, int] = {}
    for member in reversed(dockerfile.lineage(stage)):
        for instruction in member.instructions:
            if instruction.keyword in ("ENV", "ARG"):
                for word in _split_words(instruction.args):
                    name = word.split("=", 1)[0]
                    if name.isidentifier():
                        lines[name] = instruction.line
    return lines


def requirement_line_origins(pips: Sequence[PipInstall]) -> dict[str, int]:
    """The Dockerfile line (of the RUN that installs it) of each requirement line that
    `requirement_sources` returns, the first one for a line installed twice."""
    origins: dict[str, int] = {}
    for pip in pips:
        for req in pip.requirement_files:
            if req.text is not None:
                for line in req.text.splitlines():
                    origins.setdefault(line, pip.line)
        for spec in pip.app_specs:
            origins.setdefault(spec, pip.line)
    return origins


def requirement_sources(pips: Sequence[PipInstall]) -> tuple[list[Path], list[str]]:
    """The context files and inline requirement lines to check for these installs.

    Files written by ``COPY <<EOF`` become requirement lines; installer upgrades (pip,
    setuptools, wheel) and untraced files are left out.
    """
    files: list[Path] = []
    lines: list[str] = []
    for pip in pips:
        for req in pip.requirement_files:
            if req.text is not None:
                lines += [x for x in req.text.splitlines() if x.strip() and not x.startswith("#")]
            elif req.problem is None and req.context_path is not None:
                files.append(req.context_path)
        lines += list(pip.app_specs)
    return list(dict.fromkeys(files)), list(dict.fromkeys(lines))
