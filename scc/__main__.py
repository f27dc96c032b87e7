"""`python -m scc` runs the command line."""

from scc.cli import app

app(prog_name="scc")
