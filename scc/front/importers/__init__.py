"""Importers: other tools' definitions (Compose files, Copilot manifests) in, a spec's text and a
report of what was not carried over out. They run before the pipeline: what they write is a spec
like any other, which `scc build` then checks."""
