"""Stage load: spec file -> plain data plus a path -> (line, col) map. Refuses duplicate keys,
unknown tags and documents that expand past a node budget."""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from scc.codes import SCC001, SCC002, SCC003, SCC004, SCC005, SCC006, SCC009, SCC010, SCC011, Code, problem
from scc.diagnostics import Diagnostic, Path, printable

MAX_BYTES = 2 * 1024 * 1024
# Nodes of the document once aliases are expanded; a spec of 1,000 services stays far below.
MAX_NODES = 500_000
# Levels of nesting, aliases expanded: a spec with overrides needs about a dozen.
MAX_DEPTH = 64

if TYPE_CHECKING:
    # The two loaders share the resolver and composer API used here; the stubs declare
    # CSafeLoader unconditionally, but it exists only where PyYAML was built with libyaml.
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """YAML 1.2 core schema, as editors read the file: `yes`, `on` and `12:30` are text, `010` is
    ten. PyYAML's YAML 1.1 rules would silently read them as true, true, 750 and eight."""


# Its own table, empty: the YAML 1.1 resolvers of the base class are not inherited.
_Loader.yaml_implicit_resolvers = {}
_CORE: dict[str, re.Pattern[str]] = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^<<$", "<"),  # merge keys are not YAML 1.2, but people use them
):
    _CORE[_tag] = re.compile(_pattern.replace("$", "\\Z"))
    _Loader.add_implicit_resolver(_tag, _CORE[_tag], list(_first))
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
# CloudFormation's short-form functions, accepted inside `overrides` and nowhere else.
CFN_TAGS = {"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub",
            "!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!If": "Fn::If",
            "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or",
            "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!GetAZs": "Fn::GetAZs",
            "!ImportValue": "Fn::ImportValue", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString"}


def editor_custom_tags() -> list[str]:
    """The tags as yaml-language-server's `yaml.customTags` setting declares them (each in the
    node kinds CloudFormation takes), so editors do not flag them in `overrides`."""
    kinds = {"Ref": ["scalar"], "Condition": ["scalar"], "Fn::GetAtt": ["scalar", "sequence"],
             "Fn::Sub": ["scalar", "sequence"], "Fn::Base64": ["scalar", "mapping"],
             "Fn::GetAZs": ["scalar"], "Fn::ImportValue": ["scalar", "mapping"],
             "Fn::ToJsonString": ["mapping", "sequence"]}
    return [f"{tag} {kind}" for tag, name in CFN_TAGS.items() for kind in kinds.get(name, ["sequence"])]


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass
class Source:
    """A loaded spec: its data and where every node came from."""

    file: str
    data: Any = None
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    # The source text of every number, for values that are text to the user (`010` is not 8).
    numbers: dict[Path, str] = field(default_factory=dict)
    # For one environment of the spec: its name and the paths its overrides write.
    environment: str | None = None
    overrides: frozenset[Path] = frozenset()
    # An environment's own `overrides` (and its services' and jobs'), applied after the base's.
    layer: dict[str, Any] = field(default_factory=dict)

    def locate(self, path: Path, at_key: bool = False) -> tuple[int, int]:
        """Line and column of a path; a path that does not exist (a missing key, a default)
        falls back to its closest existing ancestor."""
        probe = tuple(path)
        exact = True
        while True:
            # For a path that is not written (a default), the nearest written key says more than
            # the first line of that key's value.
            if (at_key or not exact) and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]
            exact = False

    def exists(self, path: Path) -> bool:
        return tuple(path) in self.values

    def place(self, diag: Diagnostic) -> Diagnostic:
        line, col = self.locate(diag.path, diag.at_key)
        return Diagnostic(code=diag.code, severity=diag.severity, message=diag.message, file=self.file,
                          line=line, col=col, path=diag.path, hint=diag.hint, at_key=diag.at_key)


class _Budget(Exception):
    pass


class _Recursive(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("recursive alias")
        self.mark = mark


class _Refused(Exception):
    def __init__(self, diag: Diagnostic, mark: yaml.Mark) -> None:
        super().__init__(diag.message)
        self.diag = diag
        self.mark = mark


def _refusal(path: str, code: Code, msg: str, line: int = 1, col: int = 1, hint: str = "") -> Diagnostic:
    d = problem(code, msg, hint=hint)
    return Diagnostic(d.code, d.severity, d.message, file=printable(path), line=line, col=col, hint=hint or d.hint)


def read_text(path: str) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a located SCC001 saying why it cannot be read. Only a regular file is
    opened (a FIFO would block, /dev/zero never ends), and never more than MAX_BYTES of it is read."""

    def fail(msg: str, hint: str = "") -> tuple[None, Diagnostic]:
        return None, _refusal(path, SCC001, msg, hint=hint)

    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path and os.path.islink(path):
            return fail("is a symbolic link to a file that does not exist")
        return fail("no such file")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        return fail(f"cannot be read: {getattr(exc, 'strerror', None) or exc}")
    if stat.S_ISDIR(info.st_mode):
        return fail("is a directory, not a spec file")
    if not stat.S_ISREG(info.st_mode):
        return fail("is not a regular file (a pipe, socket or device): scc reads spec files only",
                    "save the spec to a file and pass its path")
    if info.st_size > MAX_BYTES:
        return fail(f"is {info.st_size} bytes; a spec may be at most {MAX_BYTES} bytes")
    try:
        # O_NONBLOCK: should the path become a FIFO after the stat, opening it does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return fail(f"cannot be read: {exc.strerror or exc}")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return fail("is not a regular file (a pipe, socket or device): scc reads spec files only")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return fail(f"cannot be read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if size > MAX_BYTES:  # it grew after the stat (or is a /proc file that reports size 0)
        return fail(f"is larger than {MAX_BYTES} bytes, the most a spec may have")
    raw = b"".join(chunks)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(f"is not UTF-8 text (byte {exc.start})", "save the file as UTF-8")
    return text, None


# What YAML refuses in a stream (C0 controls but tab and line breaks, DEL, the C1 controls, and
# the two non-characters), and what YAML 1.1 reads as a line break where editors (YAML 1.2) see
# none: refused up front, at their own place, instead of at 1:1 or with later lines off by one.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_BREAKS_IN_11 = re.compile("[\x85\u2028\u2029]")


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index, counting only \\n, \\r\\n and \\r as breaks."""
    before = text[:index]
    line = before.count("\n") + before.count("\r") - before.count("\r\n") + 1
    start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, index - start + 1


def _characters(path: str, text: str) -> Diagnostic | None:
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, col = position(text, bad.start())
        if bad.group() == "\x00":
            return _refusal(path, SCC001, "is binary, not YAML text (a NUL byte)", line, col)
        return _refusal(path, SCC002, f"control character U+{ord(bad.group()):04X} is not allowed in YAML", line,
                        col, hint="remove it; in a double-quoted string it can be written as an escape (\\t, \\x1b)")
    brk = _BREAKS_IN_11.search(text)
    if brk is not None:
        line, col = position(text, brk.start())
        return _refusal(path, SCC011, f"raw U+{ord(brk.group()):04X}: the YAML parser reads it as a line break, "
                        "editors do not", line, col, hint="remove it, or write it as an escape (\\u2028) in a "
                        "double-quoted string")
    return None


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where the file nests deeper than MAX_DEPTH, found on the parser's event stream, which
    needs no recursion (composing a node tree does: libyaml's composer crashes the process near
    100,000 levels). Stops at the first level too many, so a hostile file costs little."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing it reports the syntax error, with its place
    return None


def load(path: str, text: str | None = None) -> tuple[Source, list[Diagnostic]]:
    src = Source(file=printable(path))
    if text is None:
        text, err = read_text(path)
        if err:
            return src, [err]
        assert text is not None
    bad = _characters(path, text)
    if bad is not None:
        return src, [bad]
    src.lines = text.splitlines()
    where = _too_deep(text)
    if where is not None:
        return src, [_refusal(path, SCC009, f"the document nests more than {MAX_DEPTH} levels deep", *where,
                              hint="flatten the structure")]
    path = src.file
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        hint = ""
        if "\t" in msg or "tab" in msg.lower():
            hint = "indent with spaces; YAML does not allow tabs"
        elif "mapping values are not allowed" in msg:
            hint = "quote a value that contains ': ' or ends with ':', such as a secret ARN with a JSON key"
        d = problem(SCC002, msg, hint=hint)
        return src, [Diagnostic(d.code, d.severity, d.message, path, line, col, hint=hint)]
    except yaml.YAMLError as exc:
        d = problem(SCC002, str(exc).splitlines()[0] if str(exc) else "invalid YAML")
        return src, [Diagnostic(d.code, d.severity, d.message, path, 1, 1)]
    if node is None:
        d = problem(SCC004, "the file is empty", hint="start with `version: 1`, `name:` and `services:`")
        return src, [Diagnostic(d.code, d.severity, d.message, path, 1, 1, hint=d.hint)]
    if node.tag != _MAP or not isinstance(node, yaml.MappingNode):
        d = problem(SCC004, "the spec must be a YAML mapping of keys such as `version`, `name` and `services`")
        return src, [Diagnostic(d.code, d.severity, d.message, path, node.start_mark.line + 1,
                                node.start_mark.column + 1)]
    try:
        too_big, deepest = _expanded_size(node)
    except _Recursive as exc:
        d = problem(SCC006, "an alias refers to the node that contains it, which expands forever",
                    hint="remove the alias, or point it at a node outside itself")
        return src, [Diagnostic(d.code, d.severity, d.message, path, exc.mark.line + 1, exc.mark.column + 1,
                                hint=d.hint)]
    if too_big:
        d = problem(SCC006, f"the document expands to more than {MAX_NODES} nodes through aliases",
                    hint="remove the nested anchors and aliases")
        return src, [Diagnostic(d.code, d.severity, d.message, path, 1, 1, hint=d.hint)]
    if deepest is not None:
        d = problem(SCC009, f"the document nests more than {MAX_DEPTH} levels deep once aliases are expanded",
                    hint="flatten the structure, or use fewer aliases inside aliased nodes")
        return src, [Diagnostic(d.code, d.severity, d.message, path, *_pos(deepest), hint=d.hint)]
    budget = [MAX_NODES]
    try:
        src.data = _build(node, (), src, budget)
    except _Refused as exc:
        d = exc.diag
        return src, [Diagnostic(d.code, d.severity, d.message, path, exc.mark.line + 1, exc.mark.column + 1,
                                d.path, d.hint)]
    except _Budget:
        d = problem(SCC006, f"the document expands to more than {MAX_NODES} nodes through aliases",
                    hint="remove the nested anchors and aliases")
        return src, [Diagnostic(d.code, d.severity, d.message, path, 1, 1, hint=d.hint)]
    return src, src.problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _expanded_size(root: yaml.Node) -> tuple[bool, yaml.Node | None]:
    """Whether the document has more than MAX_NODES nodes once aliases are expanded, and the
    first node deeper than MAX_DEPTH, if any. Computed on the shared node graph in linear time
    (an alias is the same node object, so each is counted once and multiplied, never walked),
    with an explicit stack: no recursion, whatever the input."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = min(1 + sum(size[id(k)] for k in kids), MAX_NODES + 1)
            # Levels of collections, as the event stream counts them: a scalar adds none.
            depth[key] = 0 if isinstance(node, yaml.ScalarNode) else 1 + max((depth[id(k)] for k in kids), default=0)
            continue
        if key in size:
            continue
        if key in on_path:
            raise _Recursive(node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in on_path:
                raise _Recursive(kid.start_mark)
            if id(kid) not in size:
                stack.append((kid, False))
    deepest: yaml.Node | None = None
    if depth[id(root)] > MAX_DEPTH:
        deepest = root
        for _ in range(MAX_DEPTH):  # down the deepest chain, to the first level too many
            deepest = max(_children(deepest), key=lambda k: depth[id(k)])
    return size[id(root)] > MAX_NODES, deepest


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def in_overrides(path: Path) -> bool:
    """Inside `overrides` (top level, a service's or job's, or an environment's)."""
    rel = path[2:] if path[:1] == ("environments",) else path
    return (rel[:1] == ("overrides",) or rel[:2] == ("defaults", "overrides")
            or (len(rel) > 2 and rel[0] in ("services", "jobs") and rel[2] == "overrides"))


def _function(node: yaml.Node, path: Path, src: Source, budget: list[int]) -> dict[str, Any]:
    """`!GetAtt Api.Arn` -> {"Fn::GetAtt": ["Api", "Arn"]}; the other tags wrap their value."""
    name = CFN_TAGS[str(node.tag)]
    inner_path = (*path, name)
    src.values.setdefault(inner_path, _pos(node))
    inner: Any
    if isinstance(node, yaml.ScalarNode):
        inner = node.value
        if name == "Fn::GetAtt":
            inner = inner.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        inner = [_build(item, (*inner_path, i), src, budget) for i, item in enumerate(node.value)]
    else:
        assert isinstance(node, yaml.MappingNode)
        inner = _build_map(node, inner_path, src, budget)
    return {name: inner}


def _build(node: yaml.Node, path: Path, src: Source, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Budget
    src.values.setdefault(path, _pos(node))
    if node.tag in CFN_TAGS and in_overrides(path):
        return _function(node, path, src, budget)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _Refused(problem(SCC005, f"tag {node.tag!r} is not allowed in a spec", path), node.start_mark)
        return _build_map(node, path, src, budget)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Refused(problem(SCC005, f"tag {node.tag!r} is not allowed in a spec", path), node.start_mark)
        return [_build(item, (*path, i), src, budget) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)  # the composer makes no other kind of node
    if node.tag == _TIMESTAMP:
        return node.value  # a date is just text in a spec
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        src.numbers[path] = node.value
    if node.tag not in _PLAIN_TAGS:
        raise _Refused(problem(SCC005, f"tag {node.tag!r} is not allowed in a spec", path,
                               hint="write plain values; CloudFormation functions are generated by scc (and "
                               "allowed under `overrides`, for raw CloudFormation)"),
                       node.start_mark)
    return _scalar(node, path)


def _scalar(node: yaml.ScalarNode, path: Path) -> Any:
    """A scalar by the YAML 1.2 core schema. An explicit tag (`!!bool yes`, `!!int ٣`) must be
    given a value of the core schema's form: Python's own parsers would read `yes` as false and
    Arabic-Indic digits as a number."""
    text, tag = node.value, node.tag
    core = _CORE.get(tag)
    if core is not None and not core.match(text):
        kind = tag.rsplit(":", 1)[1]
        hint = {"bool": "specs are YAML 1.2: a boolean is true or false",
                "null": "write null or ~, or leave the value empty"}.get(
            kind, f"write the {kind} with ASCII digits (`1_000` and `١٢` are text, not numbers)")
        raise _Refused(problem(SCC002, f"{text!r} is not a valid {kind}", path, hint=hint), node.start_mark)
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:int":
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)
    if tag == "tag:yaml.org,2002:float":
        low = text.lower()
        # NaN passes every range check (it compares false) and neither reaches a template: refused,
        # as is a literal too large for a float (1e999 is infinity).
        value = float("nan") if low.endswith(".nan") else float(low.replace(".inf", "inf"))
        if not math.isfinite(value):
            raise _Refused(problem(SCC010, f"{text} is not a finite number", path,
                                   hint="write a number such as 70 or 0.5"), node.start_mark)
        return value
    if "\x00" in text:
        raise _Refused(problem(SCC011, "a NUL character (\\0) in text: no template value can hold it", path,
                               hint="remove the \\0 or \\x00 escape"), node.start_mark)
    return text


def _pairs(node: yaml.MappingNode, budget: list[int]) -> list[tuple[yaml.Node, yaml.Node]]:
    """Key/value node pairs with YAML merge keys (`<<: *anchor`) expanded; own keys win."""
    own: list[tuple[yaml.Node, yaml.Node]] = []
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in node.value:
        if key.tag == _MERGE:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for s in sources:
                if not isinstance(s, yaml.MappingNode):
                    # At the `<<`: an alias's own node is its anchor's, which is somewhere else.
                    raise _Refused(problem(SCC002, "a merge key (<<) must refer to a mapping"), key.start_mark)
                budget[0] -= len(s.value)
                if budget[0] < 0:
                    raise _Budget
                merged.extend(_pairs(s, budget))
        else:
            own.append((key, value))
    names = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
    return own + [(k, v) for k, v in merged if not (isinstance(k, yaml.ScalarNode) and k.value in names)]


def _build_map(node: yaml.MappingNode, path: Path, src: Source, budget: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    seen: dict[str, yaml.Node] = {}
    for key, value in _pairs(node, budget):
        if not isinstance(key, yaml.ScalarNode):
            raise _Refused(problem(SCC004, "a key must be a plain name, not a list or mapping", path),
                           key.start_mark)
        if key.tag not in _PLAIN_TAGS:
            raise _Refused(problem(SCC005, f"tag {key.tag!r} on a key is not allowed in a spec", path,
                                   hint="write the key as a plain name"), key.start_mark)
        # Keys are names in this language: `on:` or `1:` mean the text, never a bool or int.
        name = key.value
        if "\x00" in name:
            raise _Refused(problem(SCC011, "a NUL character (\\0) in a key", path), key.start_mark)
        if name in seen:
            first = seen[name].start_mark.line + 1
            d = problem(SCC003, f"key {name!r} appears twice in this mapping (first on line {first})",
                        (*path, name), hint="remove one of them; YAML would silently keep the last")
            line, col = _pos(key)
            src.problems.append(Diagnostic(d.code, d.severity, d.message, src.file, line, col, d.path, d.hint))
            continue
        seen[name] = key
        child = (*path, name)
        src.keys[child] = _pos(key)
        out[name] = _build(value, child, src, budget)
    return out
