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


def test_the_distribution_has_a_name_of_its_own() -> None:
    """`pip install scc` installs an unrelated package: every place that installs scc by name uses
    the distribution's own name, and the license it declares is shipped."""
    import tomllib
    from importlib.metadata import distribution

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = project["name"]
    assert name != "scc" and project["scripts"] == {"scc": "scc.cli:app"}
    installs = re.findall(r"pip install (?!git\+)([a-z][\w.-]*)", README)
    assert installs and set(installs) == {name}, installs
    assert distribution(name).entry_points.select(group="console_scripts", name="scc")
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]


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
