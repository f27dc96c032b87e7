"""The README's two commands are the ones that work: CI runs the test command verbatim, and the
quick start builds an example that exists."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command() -> None:
    tests = _commands()[1]
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_builds_a_bundled_example() -> None:
    quick = _commands()[0]
    example = re.search(r"scc build (examples/\S+)", quick)
    assert example and (ROOT / example.group(1)).is_file()


def test_the_command_list_names_every_option() -> None:
    """The README's command list (the block under `## Commands`) shows every option of every
    command, so a new option cannot ship undocumented (`--split` once did)."""
    import typer.main

    from scc.cli import app

    section = README[README.index("## Commands"):]
    block = section[section.index("```\n") + 4:]
    block = block[:block.index("```")]

    def commands(command: Any) -> list[Any]:  # typer's own (vendored) click: a group has `commands`
        if not hasattr(command, "commands"):
            return [command]
        return [c for sub in command.commands.values() for c in commands(sub)]

    found = commands(typer.main.get_command(app))
    assert len(found) >= 10
    options = [(command.name, option.opts + option.secondary_opts) for command in found
               for option in command.params if option.param_type_name == "option"
               and option.name not in ("help", "version")]
    assert any(flags == ["--split"] for _, flags in options)
    missing = [(name, flags) for name, flags in options
               if not any(re.search(re.escape(flag) + r"(?![\w-])", block) for flag in flags)]
    assert missing == []
