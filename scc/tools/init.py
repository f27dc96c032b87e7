"""`scc init`: writes a starter spec whose `# yaml-language-server: $schema=` modeline points at a
copy of the schema written next to it, so editors complete and check the spec offline. Never
overwrites a file."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

SCHEMA_FILE = "scc.schema.json"
SPEC_FILE = "spec.yaml"

STARTER = """\
# yaml-language-server: $schema={schema}
# An scc spec: ECS services on Fargate that call each other through Service Connect.
# `scc build {spec}` compiles it to templates_out/{name}.yaml. In an editor with YAML support,
# hover over a key for its documentation and ask for completion to see what fits where.
version: 1
name: {name}
namespace: local               # Cloud Map namespace for Service Connect, created in the stack

services:
  backend:
    image: public.ecr.aws/nginx/nginx:1.27
    cpu: 512                   # the Service Connect proxy needs about 256 of these
    memory: 1024               # a Fargate size with cpu
    ports:
      - port: 80
        appProtocol: http      # leave out for plain tcp (no request metrics)
    # healthCheck: {{command: curl -f http://localhost/ || exit 1}}   # if the image has curl

  frontend:
    image: public.ecr.aws/nginx/nginx:1.27
    cpu: 512
    memory: 1024
    role: client               # calls other services, publishes nothing
    calls: [backend]           # created after backend; gets BACKEND_URL=http://backend
"""


class InitError(Exception):
    """A refusal, with the exit status: 1 for a file in the way, 2 for a usage error."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Written:
    spec: Path
    schema: Path | None  # None: the modeline points at --schema-url, or the copy was already there
    modeline: str


def _schema() -> tuple[str, str]:
    """The shipped schema's text and the pattern of an application name, read from the schema so
    the two never disagree."""
    from scc.front.schema import schema_text

    text = schema_text()
    return text, json.loads(text)["properties"]["name"]["pattern"]


def default_name(folder: Path) -> str:
    """An application name made from a folder name: `My_Shop` -> `my-shop`; `app` when nothing is left."""
    name = re.sub(r"[^a-z0-9-]+", "-", folder.resolve().name.lower())
    name = re.sub(r"-+", "-", name.lstrip("-0123456789"))[:31].strip("-")
    return name or "app"


def _reference(spec: Path, schema: Path) -> str:
    """How the modeline names the schema: relative to the spec's folder (the language server
    resolves it against the document's folder), or a file URI when no relative path exists."""
    try:
        rel = os.path.relpath(schema.resolve(), spec.resolve().parent)
    except ValueError:  # another drive on Windows
        return schema.resolve().as_uri()
    rel = rel.replace(os.sep, "/")
    return rel if rel.startswith("../") else f"./{rel}"


def init(path: str | Path = SPEC_FILE, name: str | None = None, schema_out: Path | None = None,
         schema_url: str | None = None) -> Written:
    """Write the starter spec at `path` (a folder, or a path ending in a slash, gets `spec.yaml`)."""
    if schema_out is not None and schema_url is not None:
        raise InitError("give --schema-out or --schema-url, not both", 2)
    folder = str(path).endswith(("/", os.sep)) or Path(path).is_dir()
    spec = Path(path) / SPEC_FILE if folder else Path(path)
    text, pattern = _schema()
    name = name if name is not None else default_name(spec.parent)
    if not re.fullmatch(pattern, name):
        raise InitError(f"--name {name!r}: use lowercase letters, digits and hyphens, starting with a letter, "
                        "at most 31 characters (e.g. `order-api`)", 2)
    if spec.exists():
        raise InitError(f"{spec} already exists; scc init never overwrites a file: give another PATH", 1)
    default_schema = schema_out or spec.parent / SCHEMA_FILE
    schema = None if schema_url is not None else default_schema
    fresh = schema is not None and not schema.exists()
    if schema is not None and not fresh and (not schema.is_file() or schema.read_text(encoding="utf-8") != text):
        raise InitError(f"{schema} already exists and is not this scc's schema; scc init never overwrites a "
                        f"file: refresh it with `scc schema > {schema}`, or give --schema-out", 1)
    modeline = schema_url if schema_url is not None else _reference(spec, default_schema)
    if any(c.isspace() for c in modeline):
        raise InitError(f"the schema reference {modeline!r} contains a space, which ends a modeline", 2)
    body = STARTER.format(schema=modeline, spec=spec.name, name=name)
    try:
        spec.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InitError(f"cannot create the folder {spec.parent}: {exc.strerror or exc}", 1) from None
    try:
        with open(spec, "x", encoding="utf-8") as out:  # "x": refuse a file created meanwhile
            out.write(body)
    except FileExistsError:
        raise InitError(f"{spec} already exists; scc init never overwrites a file: give another PATH", 1) from None
    except OSError as exc:
        raise InitError(f"cannot write {spec}: {exc.strerror or exc}", 1) from None
    if fresh:
        assert schema is not None
        try:
            schema.parent.mkdir(parents=True, exist_ok=True)
            with open(schema, "x", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:
            spec.unlink()
            raise InitError(f"cannot write {schema}: {exc.strerror or exc}", 1) from None
    return Written(spec, schema if fresh else None, modeline)
