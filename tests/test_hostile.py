"""Hostile inputs and file-system faults (issue 19): each ends in a located error, a warning or a
safe result; never a traceback, a hang, or a change to the output directory short of a complete
build. The classes: anchored patterns (trailing newlines, control characters), the write path,
crashes and hangs (nesting, odd files, lint cache), silent acceptances, wrong places."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from scc.diagnostics import Diagnostic
from scc.pipeline import build, validate
from scc.synth import lint, lintcache, write
from tests.conftest import ROOT

HEAD = "version: 1\nname: shop\nnamespace: local\n"
API = """services:
  api:
    image: public.ecr.aws/nginx/nginx:1.27
    cpu: 512
    memory: 1024
    ports: [{ name: http, port: 8080, appProtocol: http }]
"""
BASE = HEAD + API


def _located(diags: list[Diagnostic]) -> None:
    assert all(d.line > 0 and d.col > 0 and d.code.startswith("SCC") for d in diags), diags


def _run(path: Path, tmp: Path) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """validate and build (no lint: the stages before it are what hostile input attacks) of one spec."""
    start = time.monotonic()
    checked = validate([str(path)]).diagnostics
    out = tmp / "out"
    built = build([str(path)], out, lint=False)
    assert time.monotonic() - start < 5, "took longer than 5 s"
    _located(checked)
    _located(built.diagnostics)
    if not built.ok:
        assert not out.exists(), "a failed build wrote something"
    return checked, built.diagnostics


# --- 1. patterns anchored for real: a value with a trailing newline, CR LF, or control character ---
# field -> a valid value; SPEC has an @field@ placeholder where each goes (always double-quoted).
FIELDS: dict[str, str] = {
    "name": "shop",
    "namespace": "local",
    "cluster": "shop",
    "port-name": "http",
    "image": "public.ecr.aws/nginx/nginx:1.27",
    "secret-arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    "allow-from": "10.0.0.0/8",
    "vpc": "vpc-0123456789abcdef0",
    "subnet": "subnet-0123456789abcdef0",
    "tag-key": "team",
    "tag-value": "payments",
    "health-path": "/healthz",
    "kms-key": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "cron": "0 3 ? * MON-FRI *",
    "timezone": "Asia/Tokyo",
    "host": "api.example.com",
    "variable-name": "LOG_LEVEL",
    "managed-policy": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "action": "s3:GetObject",
    "service-key": "api",
}
SPEC = """version: 1
name: "@name@"
namespace: "@namespace@"
cluster: "@cluster@"
tags: { "@tag-key@": "@tag-value@" }
network: { vpc: "@vpc@", subnets: ["@subnet@"] }
services:
  "@service-key@":
    image: "@image@"
    cpu: 512
    memory: 1024
    ports: [{ name: "@port-name@", port: 8080, appProtocol: http }]
    environment: { "@variable-name@": info }
    secrets: { DB: "@secret-arn@" }
    logs: { kmsKey: "@kms-key@" }
    taskRole:
      managedPolicies: ["@managed-policy@"]
      policies: [{ actions: ["@action@"], resources: ["arn:aws:s3:::b/*"] }]
    public: { port: 80, host: "@host@", allowFrom: ["@allow-from@"], healthCheck: { path: "@health-path@" } }
    scaling:
      min: 1
      max: 2
      targets: { cpu: 70 }
      schedule: [{ name: night, cron: "@cron@", timezone: "@timezone@", min: 1 }]
"""
SUFFIXES = {"newline": "\\n", "crlf": "\\r\\n", "escape": "\\e[31m", "tab": "\\t", "nel": "\\x85",
            "ls": "\\u2028"}


def _with(field: str, value: str) -> str:
    text = SPEC.replace(f"@{field}@", value)
    for other, plain in FIELDS.items():
        text = text.replace(f"@{other}@", plain)
    return text


def test_the_spec_of_the_pattern_cases_is_valid(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    for field, plain in FIELDS.items():
        spec.write_text(_with(field, plain), encoding="utf-8")
        checked, _ = _run(spec, tmp_path / field)
        assert [d for d in checked if d.severity == "error"] == [], (field, checked)


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("field", FIELDS)
def test_no_field_takes_a_line_break_or_control_character(tmp_path: Path, field: str, suffix: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_with(field, FIELDS[field] + SUFFIXES[suffix]), encoding="utf-8")
    checked, _ = _run(spec, tmp_path)
    errors = [d for d in checked if d.severity == "error"]
    assert errors, f"{field} accepted a value ending in {suffix}"
    assert {d.code for d in errors} <= {"SCC106", "SCC606", "SCC608", "SCC101", "SCC002"}, errors


def test_block_scalar_name_never_names_a_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE.replace("name: shop", "name: |\n  shop"), encoding="utf-8")
    _, built = _run(spec, tmp_path)
    assert [d.code for d in built] == ["SCC106"] and (built[0].line, built[0].col) == (2, 7)


# --- 2. YAML structure and values: crashes, hangs, silent acceptances, wrong places ---
def _deep(n: int) -> str:
    return BASE + "    command: " + "[" * n + "]" * n + "\n"


def _aliases(levels: int, width: int) -> str:
    rows = "".join(f"  l{i}: &l{i} {'[' * width}{f'*l{i - 1}' if i else 'x'}{']' * width}\n"
                   for i in range(levels))
    return HEAD + "x:\n" + rows + API


YAML_CASES: dict[str, tuple[str, str, tuple[int, int] | None]] = {
    # name -> (spec text, expected code, expected (line, col) or None)
    "flow-10k-deep": (_deep(10_000), "SCC009", (10, 75)),
    "flow-100k-deep": (_deep(100_000), "SCC009", (10, 75)),
    "flow-mappings-deep": (BASE + "    dockerLabels: " + "{a: " * 5000 + "b" + "}" * 5000 + "\n", "SCC009", None),
    "block-deep": (HEAD + "x:\n" + "".join(" " * i + "a:\n" for i in range(1, 200)) + API, "SCC009", None),
    "sequence-dashes-deep": (BASE + "    command:\n      " + "- " * 100 + "x\n", "SCC009", None),
    "alias-chain-deep": (_aliases(10, 9), "SCC009", None),
    "alias-recursive": (HEAD + "x: &a [*a]\n" + API, "SCC006", None),
    "alias-bomb-wide": (HEAD + "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &b{i} [{', '.join(['*' + ('a' if i == 0 else f'b{i - 1}')] * 10)}]\n" for i in range(7)) + API,
        "SCC006", None),
    "bool-tag-yes": (BASE + "    exec: !!bool yes\n", "SCC002", (10, 11)),
    "bool-tag-on": (BASE + "    exec: !!bool on\n", "SCC002", (10, 11)),
    "bool-tag-1": (BASE + "    exec: !!bool 1\n", "SCC002", (10, 11)),
    "int-tag-arabic": (BASE.replace("cpu: 512", "cpu: !!int ٥١٢"), "SCC002", (7, 10)),
    "int-tag-underscore": (BASE.replace("cpu: 512", "cpu: !!int 5_12"), "SCC002", (7, 10)),
    "int-tag-space": (BASE.replace("cpu: 512", "cpu: !!int ' 512'"), "SCC002", (7, 10)),
    "float-tag-word": (BASE + "    scaling: { min: 1, max: 2, targets: { cpu: !!float seventy } }\n", "SCC002", None),
    "null-tag-word": (BASE + "    user: !!null nobody\n", "SCC002", (10, 11)),
    "key-tag-custom": (BASE.replace("    cpu: 512", "    !x cpu: 512"), "SCC005", (7, 5)),
    "key-tag-binary": (BASE.replace("    cpu: 512", "    !!binary Y3B1: 512"), "SCC005", (7, 5)),
    "key-tag-ref": (BASE.replace("    cpu: 512", "    !Ref cpu: 512"), "SCC005", (7, 5)),
    "nan": (BASE + "    scaling: { min: 1, max: 2, targets: { cpu: .nan } }\n", "SCC010", (10, 48)),
    "nan-capital": (BASE + "    scaling: { min: 1, max: 2, targets: { cpu: .NaN } }\n", "SCC010", (10, 48)),
    "inf": (BASE + "    scaling: { min: 1, max: 2, targets: { cpu: .inf } }\n", "SCC010", (10, 48)),
    "minus-inf": (BASE + "    stopTimeout: -.Inf\n", "SCC010", (10, 18)),
    "overflow-float": (BASE + "    scaling: { min: 1, max: 2, targets: { cpu: 1e999 } }\n", "SCC010", (10, 48)),
    "float-tag-inf": (BASE + "    stopTimeout: !!float .inf\n", "SCC010", (10, 18)),
    "nan-in-overrides": (BASE + "overrides:\n  resources:\n    X: { Type: AWS::SNS::Topic, Properties: { A: .nan } }\n",
                         "SCC010", None),
    "nul-environment": (BASE + '    environment: { A: "a\\0b" }\n', "SCC011", (10, 23)),
    "nul-hex-command": (BASE + '    command: ["a\\x00"]\n', "SCC011", (10, 15)),
    "nul-in-key": (BASE + '    environment: { "A\\0": b }\n', "SCC011", None),
    "nul-raw": (BASE + "    user: a\x00b\n", "SCC001", (10, 12)),
    "nel-in-comment": (HEAD + "# a\x85b\n" + API, "SCC011", (4, 4)),
    "ls-in-comment": (HEAD + "# a\u2028b\n" + API, "SCC011", (4, 4)),
    "ps-in-value": (BASE + "    user: a\u2029b\n", "SCC011", (10, 12)),
    "bell-in-value": (BASE + "    user: a\x07b\n", "SCC002", (10, 12)),
    "escape-in-comment": (HEAD + "# \x1b[2J\n" + API, "SCC002", (4, 3)),
    "del-in-key": (BASE.replace("    cpu: 512", "    c\x7fpu: 512"), "SCC002", (7, 6)),
    "c1-control": (BASE + "    user: a\x9bb\n", "SCC002", (10, 12)),
    "vertical-tab": (BASE + "    user: a\x0bb\n", "SCC002", (10, 12)),
    "form-feed-line": (HEAD + "\x0c\n" + API, "SCC002", (4, 1)),
    "non-character": (BASE + "    user: a\uffffb\n", "SCC002", (10, 12)),
    "control-after-crlf": (BASE.replace("\n", "\r\n") + "    user: a\x01\r\n", "SCC002", (10, 12)),
    "control-after-cr-only": ((BASE + "    user: a\x01\n").replace("\n", "\r"), "SCC002", (10, 12)),
    "merge-scalar-alias": (HEAD + "s: &s hello\n" + API.replace("    cpu: 512", "    <<: *s\n    cpu: 512"),
                           "SCC002", (8, 5)),
    "merge-list-with-scalar": (HEAD + "s: &s hello\nm: &m {cpu: 512}\n" + API.replace(
        "    cpu: 512", "    <<: [*m, *s]\n    cpu: 512"), "SCC002", (9, 5)),
    "merge-inline-scalar": (BASE.replace("    cpu: 512", "    <<: hello\n    cpu: 512"), "SCC002", (7, 5)),
    "utf16-file": ("", "SCC001", (1, 1)),  # written as UTF-16 below
    "invalid-utf8": ("", "SCC001", (1, 1)),
    "empty": ("", "SCC004", (1, 1)),
    "only-comment": ("# nothing\n", "SCC004", (1, 1)),
    "a-list": ("- a\n- b\n", "SCC004", (1, 1)),
    "a-scalar": ("hello\n", "SCC004", (1, 1)),
    "two-documents": (BASE + "---\n" + BASE, "SCC002", None),
    "unterminated-flow": (BASE + "    command: [a, b\n", "SCC002", None),
    "python-tag": (BASE + "    user: !!python/object:os.system x\n", "SCC005", (10, 11)),
    "tab-indent": (BASE + "\tuser: x\n", "SCC002", None),
    "duplicate-key-case": (BASE.replace("    cpu: 512", "    cpu: 512\n    cpu: 1024"), "SCC003", (8, 5)),
}


@pytest.mark.parametrize("case", YAML_CASES)
def test_hostile_yaml(tmp_path: Path, case: str) -> None:
    text, code, where = YAML_CASES[case]
    spec = tmp_path / "spec.yaml"
    if case == "utf16-file":
        spec.write_bytes(BASE.encode("utf-16"))
    elif case == "invalid-utf8":
        spec.write_bytes(BASE.encode() + b"    user: \xff\xfe\n")
    else:
        spec.write_text(text, encoding="utf-8", newline="")
    checked, built = _run(spec, tmp_path)
    assert code in {d.code for d in checked}, checked
    assert code in {d.code for d in built}, built
    if where is not None:
        first = next(d for d in checked if d.code == code)
        assert (first.line, first.col) == where, first.render()


# --- 3. silent acceptances: now a rule with a code ---
SVC2 = "  web:\n    image: public.ecr.aws/nginx/nginx:1.27\n    cpu: 512\n    memory: 1024\n"
RULE_CASES: dict[str, tuple[str, str]] = {
    "secret-star": (BASE + '    secrets: { A: "arn:aws:secretsmanager:us-east-1:123456789012:secret:*" }\n', "SCC805"),
    "secret-star-middle": (BASE + '    secrets: { A: "arn:aws:secretsmanager:us-east-1:123456789012:secret:d*b" }\n',
                           "SCC805"),
    "ssm-question-mark": (BASE + '    secrets: { A: "arn:aws:ssm:us-east-1:123456789012:parameter/a?" }\n', "SCC805"),
    "ssm-star-path": (BASE + '    secrets: { A: "arn:aws:ssm:us-east-1:123456789012:parameter/app/*" }\n', "SCC805"),
    "sidecar-secret-star": (BASE + "    containers:\n      exporter:\n        image: x/y:1\n        secrets: "
                            '{ A: "arn:aws:secretsmanager:us-east-1:123456789012:secret:*" }\n', "SCC805"),
    "defaults-secret-star": (HEAD + 'defaults: { secrets: { A: "arn:aws:secretsmanager:us-east-1:123456789012:'
                             'secret:*" } }\n' + API, "SCC805"),
    "registry-star": (BASE + '    registryCredentials: "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"\n',
                      "SCC805"),
    "admin": (BASE + "    taskRole: { managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess] }\n", "SCC806"),
    "admin-gov": (BASE + "    taskRole: { managedPolicies: [arn:aws-us-gov:iam::aws:policy/AdministratorAccess] }\n",
                  "SCC806"),
    "admin-china": (BASE + "    taskRole: { managedPolicies: [arn:aws-cn:iam::aws:policy/AdministratorAccess] }\n",
                    "SCC806"),
    "service-star-on-star": (BASE + '    taskRole: { policies: [{ actions: ["iam:*"], resources: ["*"] }] }\n',
                             "SCC806"),
    "slash-zero-host": (BASE + "    public: { port: 80, allowFrom: [10.1.2.3/0] }\n", "SCC807"),
    "slash-one-host": (BASE + "    public: { port: 80, allowFrom: [192.168.1.1/1] }\n", "SCC807"),
    "slash-eight-host": (BASE + "    public: { port: 80, allowFrom: [10.1.2.3/8] }\n", "SCC807"),
    "expose-slash-zero": (BASE + "    expose: [{ loadBalancer: internal, port: 8080, allowFrom: [10.9.9.9/0] }]\n",
                          "SCC807"),
    "host-case-same-service": (BASE + "    expose:\n      - { loadBalancer: public, port: 80, host: a.example.com }\n"
                               "      - { loadBalancer: public, port: 80, host: A.EXAMPLE.COM }\n", "SCC701"),
    "host-same-same-service": (BASE + "    expose:\n      - { loadBalancer: public, port: 80, host: a.example.com }\n"
                               "      - { loadBalancer: public, port: 80, host: a.example.com }\n", "SCC701"),
    "host-case-two-services": (BASE + "    public: { port: 80, host: A.example.com }\n" + SVC2 + "    ports: [{ name: "
                               "w, port: 80, appProtocol: http }]\n    public: { port: 80, host: a.example.com }\n",
                               "SCC701"),
    "env-misspelled-service": (BASE + "environments:\n  prod:\n    services:\n"
                               "      apii: { cpu: 1024, memory: 2048 }\n",
                               "SCC013"),
    "env-misspelled-with-image": (BASE + "environments:\n  prod:\n    services:\n      apii: { image: a/b:1 }\n",
                                  "SCC013"),
    "env-misspelled-job": (BASE + "jobs:\n  migrate: { image: a/b:1 }\nenvironments:\n  prod:\n    jobs:\n"
                           "      migrat: { cpu: 1024, memory: 2048 }\n", "SCC013"),
    "tag-key-upper-aws": (HEAD + "tags: { 'AWS:x': y }\n" + API, "SCC106"),
    "tag-key-mixed-aws": (HEAD + "tags: { 'aWs:x': y }\n" + API, "SCC106"),
    "tag-value-newline": (HEAD + 'tags: { a: "b\\nc" }\n' + API, "SCC106"),
    "cron-superscript": (BASE + "    scaling:\n      min: 1\n      max: 2\n      targets: { cpu: 70 }\n      schedule: "
                         "[{ name: a, cron: '0 ² ? * MON *', min: 1 }]\n", "SCC606"),
    "cron-fullwidth": (BASE + "    scaling:\n      min: 1\n      max: 2\n      targets: { cpu: 70 }\n      schedule: "
                       "[{ name: a, cron: '0 ３ ? * MON *', min: 1 }]\n", "SCC606"),
    "cron-ideographic-space": (BASE + "    scaling:\n      min: 1\n      max: 2\n      targets: { cpu: 70 }\n"
                               "      schedule: [{ name: a, cron: '0\u30003 ? * MON *', min: 1 }]\n", "SCC606"),
    "rate-arabic": (BASE + "    scaling:\n      min: 1\n      max: 2\n      targets: { cpu: 70 }\n      schedule: "
                    "[{ name: a, rate: '٦ hours', min: 1 }]\n", "SCC606"),
    "at-arabic": (BASE + "    scaling:\n      min: 1\n      max: 2\n      targets: { cpu: 70 }\n      schedule: "
                  "[{ name: a, at: '٢٠٢٦-01-01T00:00:00', min: 1 }]\n", "SCC606"),
    "job-cron-superscript": (BASE + "jobs:\n  nightly:\n    image: a/b:1\n    schedule: { cron: '0 ² * * ? *' }\n",
                             "SCC606"),
    "ingress-collision": ((ROOT / "tests/errors/ingress-id-collision-across-services/spec.yaml").read_text(),
                          "SCC308"),
    "egress-collision": ((ROOT / "tests/errors/egress-id-collision-across-services/spec.yaml").read_text(),
                         "SCC308"),
}


@pytest.mark.parametrize("case", RULE_CASES)
def test_silent_acceptance_is_now_a_rule(tmp_path: Path, case: str) -> None:
    text, code = RULE_CASES[case]
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    checked, _ = _run(spec, tmp_path)
    assert code in {d.code for d in checked}, [d.render() for d in checked]
    assert all(d.hint for d in checked if d.code == code)


# --- 4. what is passed as a spec: not a regular file, too large, odd names ---
def _special(tmp: Path, kind: str) -> tuple[str, str]:
    """(path to pass, expected code)"""
    if kind == "fifo":
        os.mkfifo(tmp / "fifo.yaml")
        return str(tmp / "fifo.yaml"), "SCC001"
    if kind == "dev-zero":
        return "/dev/zero", "SCC001"
    if kind == "dev-null":
        return "/dev/null", "SCC001"
    if kind == "directory":
        return str(tmp), "SCC001"
    if kind == "dangling-symlink":
        (tmp / "link.yaml").symlink_to(tmp / "nowhere.yaml")
        return str(tmp / "link.yaml"), "SCC001"
    if kind == "symlink-loop":
        (tmp / "a.yaml").symlink_to(tmp / "b.yaml")
        (tmp / "b.yaml").symlink_to(tmp / "a.yaml")
        return str(tmp / "a.yaml"), "SCC001"
    if kind == "too-large":
        (tmp / "big.yaml").write_bytes(b"#" * (2 * 1024 * 1024 + 1))
        return str(tmp / "big.yaml"), "SCC001"
    if kind == "empty-path":
        return "", "SCC001"
    if kind == "nul-in-path":
        return "a\x00b.yaml", "SCC001"
    if kind == "long-name":
        return str(tmp / ("a" * 300 + ".yaml")), "SCC001"
    if kind == "file-as-folder":
        (tmp / "f").write_text("x")
        return str(tmp / "f" / "spec.yaml"), "SCC001"
    if kind == "proc-file":
        return "/proc/self/status", "SCC106"  # a regular file of text, read bounded: a schema error
    raise AssertionError(kind)


SPECIALS = ["fifo", "dev-zero", "dev-null", "directory", "dangling-symlink", "symlink-loop", "too-large",
            "empty-path", "nul-in-path", "long-name", "file-as-folder"]


@pytest.mark.parametrize("kind", SPECIALS)
def test_not_a_spec_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path, code = _special(tmp_path, kind)
    start = time.monotonic()
    found = validate([path]).diagnostics
    assert time.monotonic() - start < 5
    assert [d.code for d in found] == [code], found
    assert "\x00" not in found[0].file and "\n" not in found[0].file
    assert build([path], tmp_path / "out", lint=False).diagnostics == found


@pytest.mark.parametrize("name", [b"a\nb.yaml", b"h\xffx.yaml", b"\x1b[31mred.yaml", "a\u202eb.yaml".encode(),
                                  b"tab\there.yaml"])
def test_file_names_of_any_bytes_are_printed_safely(tmp_path: Path, name: bytes) -> None:
    spec = tmp_path / os.fsdecode(name)
    spec.write_text(BASE, encoding="utf-8")
    bad = tmp_path / os.fsdecode(b"bad-" + name)
    bad.write_text(BASE.replace("cpu: 512", "cpu: 513"), encoding="utf-8")
    result = build([str(spec)], tmp_path / "out", lint=False)
    assert result.ok
    header = (tmp_path / "out" / "shop.yaml").read_text(encoding="utf-8").splitlines()[:2]
    assert all(line.startswith("# ") and line.isprintable() for line in header), header
    found = validate([str(bad)]).diagnostics
    assert found and all(d.file.isprintable() and d.file.encode("utf-8") for d in found)
    done = subprocess.run([sys.executable, "-m", "scc", "validate", os.fsencode(bad)], capture_output=True,
                          timeout=60)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert b"\x1b" not in done.stderr and b"error SCC104" in done.stderr


# --- 5. the write path: located errors, nothing changed, all or nothing ---
SPLIT = BASE + SVC2 + "    calls: [api]\n"


def _state(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} \
        if folder.is_dir() else {}


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A spec and an output folder holding an earlier nested-stack build of it."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPLIT.replace("cpu: 512", "cpu: 1024\n    memory: 2048", 1).replace(
        "    memory: 1024\n    ports", "    ports", 1), encoding="utf-8")
    out = tmp_path / "out"
    assert build([str(spec)], out, lint=False, force_split=True).ok
    spec.write_text(SPLIT, encoding="utf-8")
    before = _state(out)
    assert len(before) >= 2 and any("/" in k for k in before)
    return spec, out, before


def _write_fails(spec: Path, out: Path, words: str) -> None:
    result = build([str(spec)], out, lint=False, force_split=True)
    assert not result.ok and [d.code for d in result.diagnostics] == ["SCC012"], result.diagnostics
    d = result.diagnostics[0]
    assert (d.line, d.col) == (2, 1) and words in d.message and d.hint, d.render()


def _no_temp_files(folder: Path) -> None:
    assert [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".old")) or p.name == write.JOURNAL] == []


@pytest.mark.parametrize("fault", ["out-dir-is-a-file", "parent-is-a-file", "dangling-symlink",
                                   "folder-where-template-goes", "file-where-stack-folder-goes"])
def test_the_way_blocked(tmp_path: Path, fault: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPLIT, encoding="utf-8")
    out = tmp_path / "out"
    if fault == "out-dir-is-a-file":
        out.write_text("x")
    elif fault == "parent-is-a-file":
        (tmp_path / "p").write_text("x")
        out = tmp_path / "p" / "out"
    elif fault == "dangling-symlink":
        out.symlink_to(tmp_path / "gone")
    elif fault == "folder-where-template-goes":
        (out / "shop.yaml").mkdir(parents=True)
    else:
        out.mkdir()
        (out / "shop").write_text("x")
    before = {str(p): p.is_file() for p in tmp_path.rglob("*")}
    words = {"dangling-symlink": "symbolic link", "folder-where-template-goes": "folder stands"}.get(
        fault, "file stands")
    _write_fails(spec, out, words)
    assert {str(p): p.is_file() for p in tmp_path.rglob("*")} == before


@pytest.mark.parametrize("err,call", [(errno.ENOSPC, "fsync"), (errno.EROFS, "mkstemp"), (errno.EACCES, "mkstemp"),
                                      (errno.EDQUOT, "fsync"), (errno.EIO, "replace"), (errno.EPERM, "link"),
                                      (errno.ENOSPC, "replace")])
def test_file_system_errors_change_nothing(previous: tuple[Path, Path, dict[str, bytes]],
                                           monkeypatch: pytest.MonkeyPatch, err: int, call: str) -> None:
    spec, out, before = previous
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] >= 2 or call in ("mkstemp",):
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    module = write.tempfile if call == "mkstemp" else write.os
    real = getattr(module, call)
    monkeypatch.setattr(module, call, failing)
    _write_fails(spec, out, os.strerror(err).lower()[:10])
    monkeypatch.undo()
    assert _state(out) == before
    _no_temp_files(out)


@pytest.mark.parametrize("at", [0, 1, 2])
def test_a_signal_between_renames_keeps_the_previous_set(previous: tuple[Path, Path, dict[str, bytes]],
                                                         monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    spec, out, before = previous
    real, calls = write.os.replace, {"n": 0}

    def interrupted(a: Any, b: Any) -> None:
        if not Path(b).resolve().is_relative_to(out.resolve()):  # os.replace is global: a cache's own
            real(a, b)
            return
        calls["n"] += 1
        if calls["n"] == at + 1:  # the first replace is the journal's, then the root's, then a child's
            os.kill(os.getpid(), signal.SIGTERM)  # a real signal, turned into Interrupted by the handler
        real(a, b)

    monkeypatch.setattr(write.os, "replace", interrupted)
    with pytest.raises(write.Interrupted):
        build([str(spec)], out, lint=False, force_split=True)
    monkeypatch.undo()
    assert _state(out) == before
    _no_temp_files(out)


def test_sigterm_after_the_first_write_leaves_no_temp_file(tmp_path: Path) -> None:
    """The real command, killed by SIGTERM while writing: exit 143, no traceback, nothing left."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPLIT, encoding="utf-8")
    code = ("import os, signal, sys\n"
            "from scc.synth import write\n"
            "real = write.os.fsync\n"
            "def once(fd):\n"
            "    real(fd)\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "write.os.fsync = once\n"
            "from scc.cli import app\n"
            "sys.argv = ['scc', 'build', '--no-lint', '--split', '-o', 'out', 'spec.yaml']\n"
            "app()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert "Traceback" not in done.stderr and "interrupted by SIGTERM" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_killed_build_is_rolled_back_by_the_next(previous: tuple[Path, Path, dict[str, bytes]],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL after the root was replaced, before its children: no handler runs, the journal stays;
    the next build in that folder first puts the previous set back whole."""
    spec, out, before = previous
    real, calls = write.os.replace, {"n": 0}

    def killed(a: Any, b: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemError("killed")  # stands for SIGKILL: nothing below runs
        real(a, b)

    monkeypatch.setattr(write.os, "replace", killed)
    monkeypatch.setattr(write, "_rollback", lambda *a: None)
    with pytest.raises(SystemError):
        build([str(spec)], out, lint=False, force_split=True)
    monkeypatch.undo()
    assert (out / write.JOURNAL).exists() and _state(out) != before
    write.recover(out)
    assert _state(out) == before
    _no_temp_files(out)
    assert build([str(spec)], out, lint=False, force_split=True).ok
    _no_temp_files(out)


def test_a_foreign_journal_touches_nothing_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / write.JOURNAL).write_text(json.dumps([{"tmp": str(tmp_path / ".x.tmp"), "target": str(victim),
                                                  "backup": None}, "junk", {"target": 3}]))
    write.recover(out)
    assert victim.read_text() == "keep" and not (out / write.JOURNAL).exists()
    (out / write.JOURNAL).write_text("{not json")
    write.recover(out)


def test_empty_out_dir_is_a_usage_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scc", "build", "--no-lint", "-o", "", "spec.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--out-dir" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


@pytest.mark.parametrize("root,child", [(b"\xff\xfe: [", b"x: 1\n"), (b"Resources: {}\n", b"\xff"),
                                        (b"- a list\n", b"x: 1\n"), (b"Resources: [1]\n", b"x: 1\n"),
                                        (b"a: !Bad [\n", b"x: 1\n")])
def test_a_damaged_previous_template_does_not_crash(tmp_path: Path, root: bytes, child: bytes) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "shop.yaml").write_bytes(root)
    (out / "shop").mkdir()
    (out / "shop" / "Stack1.yaml").write_bytes(child)
    before = _state(out)
    result = build([str(spec)], out, lint=False)
    _located(result.diagnostics)
    assert [d.code for d in result.diagnostics] == ["SCC012"] and _state(out) == before


# --- 6. the lint cache: a malformed or foreign entry is a miss ---
JOB = lint.Job("Resources: {}\n", ("us-east-1",), (), {})
GOOD = [["E3001", "error", "bad", ["Resources", "X"], 3]]
F = lintcache.FORMAT


def _entry(findings: object, key: str | None = None, digest: str | None = None, fmt: str = F) -> str:
    key = JOB.key if key is None else key
    sealed = {"findings": findings, "digest": digest if digest is not None else lintcache._digest(key, findings)}
    return json.dumps({"format": fmt, "key": key, "entry": sealed})


@pytest.mark.parametrize("entry", ["[]", "{}", "null", "42", '"x"', "{not json", json.dumps({"findings": []}),
                                   json.dumps({"key": JOB.key, "findings": []}),  # the format before seals
                                   _entry([], fmt="scc-lint-cache/1"), _entry([], key="other"),
                                   _entry([], digest="0" * 64), _entry({}),
                                   _entry([["E1", "error", "m", "path", 1]]), _entry([["E1", "error", "m", [], "1"]]),
                                   _entry([["E1", "error", "m", [None], 1]]), _entry([["E1", "error"]]),
                                   _entry([[1, 2, 3, 4, 5]]), _entry([["E1", "error", "m", [], True]]),
                                   _entry(GOOD)[:-5]])
def test_a_malformed_cache_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path))
    (tmp_path / f"{JOB.key}.json").write_text(entry)
    assert lintcache.template(JOB.key) is None


def test_a_well_formed_cache_entry_is_a_hit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCC_CACHE_DIR", str(tmp_path))
    lintcache.store_template(JOB.key, [tuple(f) for f in GOOD])  # type: ignore[misc]
    assert lintcache.template(JOB.key) == [tuple(f) for f in GOOD]
    lintcache.store_template(JOB.key, [])
    assert lintcache.template(JOB.key) == []
    assert [p.name for p in tmp_path.iterdir()] == [f"{JOB.key}.json"]
