"""Editing a spec in a real editor: the real yaml-language-server (the server behind VS Code's YAML
extension, Neovim's yamlls, Helix and Zed) offers what fits where a person types, shows the schema's
documentation on hover, flags mistakes where they are, and finds the examples, the golden specs and
the `scc init` starter clean. It flags a spec exactly when scc's own schema check does.

The server is installed by `npm ci` from tests/editor/package-lock.json (once: later runs find it
installed). Without node and npm these tests are skipped, with the reason; CI sets
SCC_REQUIRE_EDITOR_TESTS=1 to make that a failure. One server process serves the whole module."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from scc.diagnostics import Path as SpecPath
from scc.front.schema import pointer, schema, validate
from scc.front.spec import CFN_TAGS, load
from scc.tools.init import init
from tests.conftest import ROOT
from tests.editor.server import LanguageServer, ensure, uri

SCHEMA_FILE = ROOT / "schemas" / "scc.schema.json"
# Documents of these tests are opened in the server under this folder, never written to disk; their
# modeline resolves against it, as the examples' `../schemas/scc.schema.json` does against examples/.
DOCS = ROOT / "tests" / "editor"
MODELINE = "# yaml-language-server: $schema=../../schemas/scc.schema.json\n"
# The association an editor's settings make (VS Code `yaml.schemas`), for specs without a modeline.
GLOBS = ["*.scc.yaml", "tests/golden/*/spec.yaml", "tests/errors/*/spec.yaml"]
CORPUS = sorted([*(ROOT / "examples").glob("*.yaml"), *(ROOT / "tests" / "golden").glob("*/spec.yaml"),
                 *(ROOT / "tests" / "errors").glob("*/spec.yaml")])
SCHEMA_CODES = {f"SCC10{i}" for i in range(1, 8)}  # what scc reports from the JSON Schema itself

HEAD = "version: 1\nname: shop\nnamespace: local\n"
SERVICE = HEAD + "services:\n  api:\n    image: public.ecr.aws/nginx/nginx:1.27\n"
PORT = SERVICE + "    ports:\n      - port: 8080\n"
SCALING = SERVICE + "    scaling:\n      min: 1\n      max: 4\n"


@pytest.fixture(scope="module")
def server() -> Iterator[LanguageServer]:
    node, why = ensure()
    if node is None:
        if os.environ.get("SCC_REQUIRE_EDITOR_TESTS") == "1":
            pytest.fail(f"SCC_REQUIRE_EDITOR_TESTS=1 but {why}")
        pytest.skip(why)
    ls = LanguageServer(node, ROOT, schemas={uri(SCHEMA_FILE): GLOBS})
    yield ls
    ls.close()


def _defs() -> dict[str, Any]:
    return schema()["definitions"]


def merged(sub: dict[str, Any]) -> dict[str, Any]:
    """A subschema with its `$ref` merged in, the language server's way: the referring keys win."""
    while "$ref" in sub:
        sub = {**pointer(sub["$ref"]), **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


def node_at(pointer: str) -> dict[str, Any]:
    found: Any = schema()
    for part in [p for p in pointer.strip("#").split("/") if p]:
        found = found[int(part)] if isinstance(found, list) else found[part]
    return merged(found)


def props(pointer: str) -> set[str]:
    return set(node_at(pointer)["properties"])


def cursor(server: LanguageServer, name: str, text: str, modeline: str = MODELINE) -> tuple[str, int, int]:
    """Open a document with one `<|>` cursor in it: (uri, line, column) of the cursor."""
    before, _, after = (modeline + text).partition("<|>")
    line = before.count("\n")
    return server.open(DOCS / f"{name}.yaml", before + after), line, len(before) - before.rfind("\n") - 1


# -- completion ---------------------------------------------------------------------------------

KEYS = {
    "top-level": (HEAD + "<|>\n", "#", {"version", "name", "namespace"}),
    "service": (SERVICE + "    <|>\n", "#/definitions/serviceFields", {"image"}),
    "defaults": (HEAD + "defaults:\n  <|>\nservices:\n  api: {image: nginx}\n", "#/definitions/serviceFields", set()),
    "port": (SERVICE + "    ports:\n      - <|>\n", "#/definitions/port", set()),
    "scaling": (SCALING + "      <|>\n", "#/definitions/scaling", {"min", "max"}),
    "scaling-targets": (SCALING + "      targets:\n        <|>\n", "#/definitions/scaling/properties/targets", set()),
    "public": (SERVICE + "    public:\n      <|>\n", "#/definitions/public", set()),
    "call": (SERVICE + "    calls:\n      - service: backend\n        <|>\n", "#/definitions/call", {"service"}),
    "expose": (SERVICE + "    expose:\n      - loadBalancer: internal\n        <|>\n", "#/definitions/exposure",
               {"loadBalancer"}),
    "load-balancer": (HEAD + "loadBalancers:\n  internal:\n    <|>\nservices:\n  api: {image: nginx}\n",
                      "#/definitions/loadBalancer", set()),
    "deployment": (SERVICE + "    deployment:\n      <|>\n", "#/definitions/deployment", set()),
}


@pytest.mark.parametrize("case", KEYS, ids=list(KEYS))
def test_keys_are_offered_where_they_fit(server: LanguageServer, case: str) -> None:
    text, pointer, present = KEYS[case]
    doc, line, col = cursor(server, f"keys-{case}", text)
    items = server.complete(doc, line, col)
    offered = {i["label"] for i in items if i.get("kind") == 10}  # Property
    assert offered == props(pointer) - present
    # Each key comes with its documentation.
    for item in items:
        if item.get("kind") == 10:
            sub = merged(node_at(pointer)["properties"][item["label"]])
            assert item["documentation"] == sub["markdownDescription"], item["label"]


VALUES = {
    "role": (SERVICE + "    role: <|>\n", "#/definitions/serviceFields/properties/role"),
    "appProtocol": (PORT + "        appProtocol: <|>\n", "#/definitions/port/properties/appProtocol"),
    "platform": (SERVICE + "    platform: <|>\n", "#/definitions/serviceFields/properties/platform"),
    "cpu": (SERVICE + "    cpu: <|>\n", "#/definitions/serviceFields/properties/cpu"),
    "strategy": (SERVICE + "    deployment:\n      strategy: <|>\n", "#/definitions/deployment/properties/strategy"),
    "namespace-type": ("version: 1\nname: shop\nnamespace:\n  name: local\n  type: <|>\nservices: {}\n",
                       "#/definitions/namespace/properties/type"),
    "discovery-record": (SERVICE + "    discovery:\n      record: <|>\n", "#/definitions/discovery/properties/record"),
    "access-logs": (SERVICE + "    serviceConnect:\n      accessLogs: <|>\n",
                    "#/definitions/serviceFields/properties/serviceConnect/properties/accessLogs"),
}


@pytest.mark.parametrize("case", VALUES, ids=list(VALUES))
def test_values_are_offered_with_their_meaning(server: LanguageServer, case: str) -> None:
    text, pointer = VALUES[case]
    doc, line, col = cursor(server, f"values-{case}", text)
    # The server also offers every declared custom tag (yaml.customTags, for `overrides`) as a value.
    items = {i["label"]: i for i in server.complete(doc, line, col) if not i["label"].startswith("!")}
    sub = node_at(pointer)
    assert list(items) == [str(v) for v in sub["enum"]]
    for value, meaning in zip(sub["enum"], sub["markdownEnumDescriptions"], strict=True):
        assert items[str(value)]["documentation"] == meaning


SNIPPETS = [  # (label, where a person types, the schema that offers it)
    ("New service", HEAD + "services:\n  <|>\n", "#/properties/services"),
    ("Port", SERVICE + "    ports: <|>\n", "#/definitions/serviceFields/properties/ports"),
    ("Port", SERVICE + "    ports:\n      - <|>\n", "#/definitions/serviceFields/properties/ports"),
    ("Scaling", SERVICE + "    scaling: <|>\n", "#/definitions/scaling"),
    ("Scaling", SERVICE + "    scaling:\n      <|>\n", "#/definitions/scaling"),
]


def expand(snippet: str) -> str:
    """A snippet as inserted when every placeholder keeps its default (a choice: its first option)."""
    snippet = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", snippet)
    snippet = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", snippet)
    return re.sub(r"\$\d+", "", snippet)


@pytest.mark.parametrize(("label", "text", "pointer"), SNIPPETS,
                         ids=["service", "port-value", "port-item", "scaling-value", "scaling-keys"])
def test_snippets_are_offered_and_insert_a_valid_spec(server: LanguageServer, label: str, text: str,
                                                      pointer: str) -> None:
    doc, line, col = cursor(server, f"snippet-{len(server.texts)}", text)
    items = {i["label"]: i for i in server.complete(doc, line, col)}
    assert label in items, sorted(items)
    item = items[label]
    assert any(s["label"] == label for s in node_at(pointer)["defaultSnippets"])
    # Insert it as an editor does: later lines take the cursor line's indentation.
    lines = (MODELINE + text).split("\n")
    indent = re.match(r"\s*", lines[line]).group(0)  # type: ignore[union-attr]
    inserted = expand(item["insertText"]).replace("\n", "\n" + indent)
    spec = lines[line][:col] + inserted + lines[line][col + 3:]
    whole = "\n".join([*lines[:line], spec, *lines[line + 1:]])
    data = yaml.safe_load(whole)
    assert validate(data) == [], whole


# -- hover --------------------------------------------------------------------------------------

def _fits(sub: dict[str, Any], value: Any) -> bool:
    return Draft7Validator({"definitions": _defs(), **sub}).is_valid(value)


def documented(path: SpecPath, data: Any) -> tuple[str, str]:
    """The title and documentation hover shows for the key at `path`: the language server takes the
    first title and the first markdownDescription (else description) of the schemas matching the
    value, the matching `oneOf` branch before the property itself."""
    node, value = schema(), data
    chain: list[dict[str, Any]] = []
    for key in path:
        node = merged(node)
        if "oneOf" in node:
            node = merged(next(b for b in node["oneOf"] if _fits(b, value)))
        if isinstance(key, int):
            items = node["items"]
            node = (items[key] if key < len(items) else node["additionalItems"]) if isinstance(items, list) else items
        else:
            node = node.get("properties", {}).get(key) or node["additionalProperties"]
        value = value[key]
        chain = [merged(node)]
        if "oneOf" in chain[0]:
            chain.insert(0, merged(next(b for b in chain[0]["oneOf"] if _fits(b, value))))
    title = next(s["title"] for s in chain if "title" in s)
    text = next(s.get("markdownDescription") or s["description"] for s in chain
                if "markdownDescription" in s or "description" in s)
    return title, text


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_hover_documents_every_key_of_the_examples(server: LanguageServer, example: Path) -> None:
    src, problems = load(str(example))
    assert problems == []
    doc = server.open(example, example.read_text(encoding="utf-8"))
    assert len(src.keys) > 20
    for path, (line, col) in src.keys.items():
        title, text = documented(path, src.data)
        shown = server.hover(doc, line - 1, col).replace("\\", "")
        assert f"#### {title}\n" in shown, (path, shown)
        assert text.replace("\\", "") in shown, (path, shown)


# -- diagnostics --------------------------------------------------------------------------------

# Each spec has one mistake, marked [[like this]]; the server must flag exactly that text.
MISTAKES = {
    "unknown-service-key": (SERVICE + "    [[replicas]]: 2\n", "Property replicas is not allowed."),
    "unknown-top-level-key": ("[[region]]: us-east-1\n" + SERVICE, "Property region is not allowed."),
    "unknown-port-key": (PORT + "        [[hostPort]]: 8080\n", "Property hostPort is not allowed."),
    "unknown-scaling-target": (SCALING + "      targets:\n        [[rps]]: 50\n", "Property rps is not allowed."),
    "bad-role": (SERVICE + "    role: [[server]]\n",
                 'Value is not accepted. Valid values: "client-server", "client", "none".'),
    "bad-app-protocol": (PORT + "        appProtocol: [[https]]\n",
                         'Value is not accepted. Valid values: "http", "http2", "grpc".'),
    "bad-name": (HEAD.replace("name: shop", "name: [[My Shop]]") + "services:\n  api: {image: nginx}\n",
                 schema()["properties"]["name"]["patternErrorMessage"]),
    "bad-secret-arn": (SERVICE + "    secrets:\n      DB: [[arn:aws:s3:::bucket/db]]\n",
                       node_at("#/definitions/serviceFields/properties/secrets")["additionalProperties"]
                       ["patternErrorMessage"]),
    "stop-timeout-too-long": (SERVICE + "    stopTimeout: [[300]]\n", "Value is above the maximum of 120."),
    "quoted-number": (SERVICE + '    desiredCount: [["2"]]\n', 'Incorrect type. Expected "integer".'),
    "missing-image": (HEAD + "services:\n  [[api]]:\n    cpu: 512\n", 'Missing property "image".'),
}


def _marked(text: str) -> tuple[str, int, int, str]:
    """The text without its [[mark]], and the marked span's line, column and text."""
    start = text.index("[[")
    stop = text.index("]]")
    line = text[:start].count("\n")
    col = start - text.rfind("\n", 0, start) - 1
    return text[:start] + text[start + 2:stop] + text[stop + 2:], line, col, text[start + 2:stop]


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `scc init` writes: spec.yaml, and scc.schema.json beside it for the modeline."""
    return init(tmp_path_factory.mktemp("init"), name="shop").spec


@pytest.fixture(scope="module")
def published(server: LanguageServer, starter: Path) -> dict[str, list[dict[str, Any]]]:
    """Every document whose diagnostics a test reads, opened at once and awaited together."""
    docs = [server.open(starter, starter.read_text(encoding="utf-8"))]
    for name, (text, _) in MISTAKES.items():
        clean, *_ = _marked(MODELINE + text)
        docs.append(server.open(DOCS / f"mistake-{name}.yaml", clean))
    for spec in CORPUS:
        docs.append(server.open(spec, spec.read_text(encoding="utf-8")))
    docs.append(server.open(DOCS / "settings-association.scc.yaml", SERVICE + "    role: server\n"))
    return server.diagnostics(docs)


@pytest.mark.parametrize("case", MISTAKES, ids=list(MISTAKES))
def test_mistakes_are_flagged_where_they_are(server: LanguageServer, published: dict[str, Any], case: str) -> None:
    text, message = MISTAKES[case]
    clean, line, col, marked = _marked(MODELINE + text)
    found = published[uri(DOCS / f"mistake-{case}.yaml")]
    assert found, "not flagged"
    where = {(d["line"], d["character"], d["text"]) for d in found}
    assert where == {(line, col, marked)}
    assert any(message in d["message"] for d in found), [d["message"] for d in found]
    assert all(d["severity"] == 1 for d in found)
    # scc points at the same place.
    src, problems = load(str(DOCS / f"mistake-{case}.yaml"), clean)
    assert problems == []
    placed = {(d.line - 1, d.col - 1) for d in map(src.place, validate(src.data))}
    assert placed == {(line, col)}


def _value(data: Any, path: SpecPath) -> Any:
    for key in path:
        data = data[key] if isinstance(data, (dict, list)) else None
    return data


@pytest.mark.parametrize("spec", CORPUS, ids=lambda p: str(p.relative_to(ROOT).parent / p.stem))
def test_editor_and_scc_agree_on_every_spec(published: dict[str, Any], spec: Path) -> None:
    """The editor flags the lines scc's schema check flags, and only those: examples and golden
    specs are clean in both; a file scc refuses as YAML is flagged too. Three differences are by
    design, and only these are allowed:
    - scc refuses `512.0` where a whole number belongs; JSON Schema (so the editor) counts it an integer;
    - for a typo such as `imagee`, scc reports the unknown key with its did-you-mean and leaves out
      the missing `image`; the editor reports both;
    - a CloudFormation tag outside `overrides` is scc's to refuse (see below);
    - values no template can hold, which the editor's YAML reads without a word: NaN (SCC010), a NUL
      or a raw U+2028 (SCC011), a control character (SCC002) (issue 19)."""
    src, problems = load(str(spec))
    if problems and all(p.code in ("SCC010", "SCC011") or p.message.startswith("control character")
                        for p in problems):
        return
    if problems and all(p.code == "SCC005" and p.message.split("'")[1] in CFN_TAGS for p in problems):
        # A CloudFormation tag outside `overrides`: the editor's yaml.customTags, which let it read
        # them in `overrides`, cannot be scoped to part of a file, so only scc refuses it there.
        return
    if problems:  # refused as YAML (syntax, duplicate keys, tags, not a mapping): never clean in the editor
        assert published[uri(spec)] != []
        return
    ours = [d for d in validate(src.data) if d.code in SCHEMA_CODES]
    invisible = [d for d in ours if d.code == "SCC103" and isinstance(v := _value(src.data, d.path), float)
                 and v.is_integer()]
    typos = [str(d.path[-1]) for d in ours if d.code == "SCC101"]
    expected = {src.place(d).line - 1 for d in ours if d not in invisible}
    found = [d for d in published[uri(spec)]
             if not ((m := re.fullmatch(r'Missing property "(.+)"\.', d["message"]))
                     and difflib.get_close_matches(m.group(1), typos, n=1, cutoff=0.8))]
    assert {d["line"] for d in found} == expected, json.dumps(published[uri(spec)], indent=1)
    if spec.parent.name == "examples" or "golden" in spec.parts:
        assert published[uri(spec)] == []


def test_examples_and_golden_specs_are_associated(server: LanguageServer) -> None:
    """Zero diagnostics prove nothing without a schema: hover proves the association, by modeline
    (examples) and by the editor setting `yaml.schemas` (golden specs have no modeline)."""
    for spec in [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "tests" / "golden" / "minimal" / "spec.yaml"]:
        src, _ = load(str(spec))
        line, col = src.keys[("name",)]
        doc = uri(spec) if uri(spec) in server.texts else server.open(spec, spec.read_text(encoding="utf-8"))
        assert "#### Application name" in server.hover(doc, line - 1, col), spec


def test_settings_association_checks_and_completes(server: LanguageServer, published: dict[str, Any]) -> None:
    """`yaml.schemas: {".../scc.schema.json": "*.scc.yaml"}`, as docs/editors.md sets it up."""
    (found,) = published[uri(DOCS / "settings-association.scc.yaml")]
    assert found["text"] == "server" and "Value is not accepted" in found["message"]
    doc, line, col = cursor(server, "completion.scc", SERVICE + "    ro<|>\n", modeline="")
    assert "role" in {i["label"] for i in server.complete(doc, line, col)}


def test_scc_init_starter_is_clean_in_the_editor(server: LanguageServer, published: dict[str, Any],
                                                starter: Path) -> None:
    """`scc init` writes the schema next to the spec; its modeline finds it, offline."""
    assert published[uri(starter)] == []
    src, _ = load(str(starter))
    line, col = src.keys[("services", "backend", "ports", 0, "appProtocol")]
    assert "#### Application protocol" in server.hover(uri(starter), line - 1, col)
