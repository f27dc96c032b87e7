"""The real yaml-language-server for the editor tests: installed from tests/editor/package-lock.json
with `npm ci` (only when node_modules/ does not already hold exactly the locked packages), and
driven over stdio as an editor drives it (LSP, JSON-RPC with Content-Length framing)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from scc.front.spec import editor_custom_tags

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
SERVER = HERE / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
NODE_MAJOR = 18  # yaml-language-server 1.25.0 runs on Node 18 and later (2.x needs Node 22)


def _missing() -> list[str]:
    """Locked packages that node_modules/ does not hold in the locked version."""
    packages = json.loads(LOCK.read_text(encoding="utf-8"))["packages"]
    out = []
    for where, meta in packages.items():
        if not where:
            continue
        manifest = HERE / where / "package.json"
        try:
            version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            version = None
        if version != meta.get("version"):
            out.append(f"{where}@{meta.get('version')}")
    return out


def ensure() -> tuple[str | None, str]:
    """(node, "") when the server is ready to start, else (None, the reason it is not)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None, "node and npm are needed to run the real yaml-language-server (see tests/editor/README.md)"
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None, "`node --version` failed"
    if major < NODE_MAJOR:
        return None, f"node {version} is too old for yaml-language-server 1.25.0 (needs {NODE_MAJOR} or later)"
    # One install at a time, also across concurrent test runs in this checkout.
    with open(LOCK, encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if _missing():
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=HERE,
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                return None, f"`npm ci` in tests/editor failed: {(done.stderr or done.stdout).strip()[-800:]}"
            if _missing():
                return None, "`npm ci` in tests/editor did not install: " + ", ".join(_missing()[:5])
    return node, ""


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def utf16(text: str) -> int:
    """LSP columns count UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class ServerError(Exception):
    pass


class LanguageServer:
    """One yaml-language-server process; many documents and queries per start (a start costs
    about 0.3 to 1 s, a query milliseconds)."""

    def __init__(self, node: str, root: Path, schemas: dict[str, list[str]] | None = None,
                 timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.settings = {
            "yaml": {
                "validate": True, "completion": True, "hover": True, "hoverSchemaSource": False,
                "format": {"enable": False},
                # Offline: never fetch the SchemaStore or Kubernetes catalogs.
                "schemaStore": {"enable": False, "url": ""}, "kubernetesCRDStore": {"enable": False},
                "schemas": schemas or {},
                # As docs/editors.md sets it up: CloudFormation's short tags, allowed in `overrides`.
                "customTags": editor_custom_tags(),
            },
            "http": {"proxy": "", "proxyStrictSSL": False},
            "[yaml]": {}, "editor": {"tabSize": 2, "detectIndentation": False},
        }
        self.texts: dict[str, list[str]] = {}
        self._next = 0
        self._cond = threading.Condition()
        self._responses: dict[int, dict[str, Any]] = {}
        self._published: dict[str, list[list[dict[str, Any]]]] = {}
        self._configured = threading.Event()
        self._closed = False
        self._stderr: list[str] = []
        self._write = threading.Lock()
        self.proc = subprocess.Popen([node, str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=root, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        folders = [{"uri": uri(root), "name": root.name}]
        self.settings["_folders"] = folders
        try:
            self.info = self.request("initialize", {
                "processId": os.getpid(), "rootUri": uri(root), "workspaceFolders": folders, "locale": "en",
                "capabilities": {
                    "workspace": {"configuration": True, "workspaceFolders": True,
                                  "didChangeConfiguration": {"dynamicRegistration": True}},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": True,
                                                          "documentationFormat": ["markdown", "plaintext"]}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {"relatedInformation": True},
                    },
                },
            }).get("serverInfo", {})
            self.notify("initialized", {})
            self.notify("workspace/didChangeConfiguration",
                        {"settings": {k: v for k, v in self.settings.items() if not k.startswith("_")}})
            # The server pulls the `yaml` settings; documents opened before the answer miss the schemas.
            if not self._configured.wait(self.timeout):
                raise ServerError("the server never asked for its settings")
        except BaseException:
            self.close()
            raise

    # -- wire ---------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        with self._write:
            try:
                self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)  # type: ignore[union-attr]
                self.proc.stdin.flush()  # type: ignore[union-attr]
            except (OSError, ValueError) as exc:
                raise ServerError(f"the server is gone: {exc}; stderr: {self._stderr[-5:]}") from None

    def _drain(self) -> None:
        for line in iter(self.proc.stderr.readline, b""):  # type: ignore[union-attr]
            self._stderr = [*self._stderr[-49:], line.decode("utf-8", "replace").rstrip()]

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if not line.strip():
                        if length is not None:
                            break
                        continue
                    key, _, value = line.decode("ascii").partition(":")
                    if key.strip().lower() == "content-length":
                        length = int(value)
                message = json.loads(stream.read(length))
                self._dispatch(message)
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method and "id" in message:  # a request from the server
            params = message.get("params") or {}
            result: Any = None
            if method == "workspace/configuration":
                result = [self._section(item.get("section")) for item in params.get("items", [])]
            elif method == "workspace/workspaceFolders":
                result = self.settings["_folders"]
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            if method == "workspace/configuration" and any(i.get("section") == "yaml" for i in params.get("items", [])):
                self._configured.set()
            return
        with self._cond:
            if method == "textDocument/publishDiagnostics":
                self._published.setdefault(message["params"]["uri"], []).append(message["params"]["diagnostics"])
            elif "id" in message:
                self._responses[message["id"]] = message
            self._cond.notify_all()

    def _section(self, section: str | None) -> Any:
        node: Any = {k: v for k, v in self.settings.items() if not k.startswith("_")}
        for part in (section or "").split(".") if section else []:
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float | None = None) -> Any:
        self._next += 1
        ident = self._next
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        end = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._responses:
                left = end - time.monotonic()
                if self._closed or left <= 0:
                    raise ServerError(f"no answer to {method}; stderr: {self._stderr[-5:]}")
                self._cond.wait(left)
            answer = self._responses.pop(ident)
        if "error" in answer:
            raise ServerError(f"{method} failed: {answer['error']}")
        return answer.get("result")

    # -- what an editor does ------------------------------------------------------------------
    def open(self, path: Path, text: str) -> str:
        """Open a document (it need not exist on disk: the server reads only its schema)."""
        doc = uri(path)
        if doc in self.texts:
            assert self.texts[doc] == text.split("\n"), f"{doc} is open with another text"
            return doc
        self.texts[doc] = text.split("\n")
        self.notify("textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "yaml", "version": 1,
                                                              "text": text}})
        return doc

    def _position(self, doc: str, line: int, col: int) -> dict[str, int]:
        """0-based line and code-point column -> an LSP position."""
        return {"line": line, "character": utf16(self.texts[doc][line][:col])}

    def complete(self, doc: str, line: int, col: int) -> list[dict[str, Any]]:
        result = self.request("textDocument/completion", {"textDocument": {"uri": doc},
                                                          "position": self._position(doc, line, col)})
        items = result.get("items", []) if isinstance(result, dict) else (result or [])
        for item in items:
            documentation = item.get("documentation")
            if isinstance(documentation, dict):
                item["documentation"] = documentation.get("value", "")
        return items

    def hover(self, doc: str, line: int, col: int) -> str:
        result = self.request("textDocument/hover", {"textDocument": {"uri": doc},
                                                     "position": self._position(doc, line, col)})
        if not result:
            return ""
        contents = result["contents"]
        return contents.get("value", "") if isinstance(contents, dict) else str(contents)

    def diagnostics(self, docs: list[str], settle: float = 0.5) -> dict[str, list[dict[str, Any]]]:
        """What the server last published for each document, once every document has a publication
        and the server has been quiet for `settle` seconds (a later publication replaces an earlier)."""
        end = time.monotonic() + self.timeout
        with self._cond:
            while True:
                waiting = [d for d in docs if d not in self._published]
                count = sum(len(v) for v in self._published.values())
                if not waiting:
                    self._cond.wait(settle)
                    if sum(len(v) for v in self._published.values()) == count:
                        break
                    continue
                left = end - time.monotonic()
                if self._closed or left <= 0:
                    raise ServerError(f"no diagnostics for {waiting[:3]}; stderr: {self._stderr[-5:]}")
                self._cond.wait(min(left, settle))
            found = {d: self._published[d][-1] for d in docs}
        out = {}
        for doc, diags in found.items():
            lines = self.texts[doc]
            out[doc] = []
            for d in diags:
                start, stop = d["range"]["start"], d["range"]["end"]
                text = lines[start["line"]] if start["line"] < len(lines) else ""
                out[doc].append({
                    "line": start["line"], "character": start["character"], "end_line": stop["line"],
                    "end_character": stop["character"], "message": d["message"],
                    "text": text[start["character"]:stop["character"]] if start["line"] == stop["line"] else text,
                    "severity": d.get("severity"),
                })
        return out

    def close(self) -> None:
        if self.proc.poll() is None and not self._closed:
            try:
                self.request("shutdown", None, timeout=2)
                self.notify("exit", None)
                self.proc.wait(timeout=2)
            except (ServerError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
