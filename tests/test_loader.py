"""The loader keeps positions, refuses what YAML would silently accept, and stays fast on hostile input."""

from __future__ import annotations

import time

from scc.front.spec import MAX_BYTES, load


def codes(text: str) -> list[str]:
    return [d.code for d in load("t.yaml", text)[1]]


def test_positions_of_keys_and_values() -> None:
    src, diags = load("t.yaml", "version: 1\nservices:\n  web:\n    ports: [{port: 80}]\n")
    assert diags == []
    assert src.locate(("services", "web", "ports", 0, "port")) == (4, 20)
    assert src.locate(("services", "web"), at_key=True) == (3, 3)
    assert src.locate(("services", "web", "nope")) == (3, 3)  # a missing key falls back to its parent's key


def test_duplicate_keys_are_all_reported() -> None:
    _, diags = load("t.yaml", "a: 1\na: 2\nb: {c: 1, c: 2}\n")
    assert [(d.code, d.line, d.col) for d in diags] == [("SCC003", 2, 1), ("SCC003", 3, 11)]


def test_keys_are_text_even_when_yaml_1_1_reads_them_as_booleans() -> None:
    src, _ = load("t.yaml", "on: 1\nyes: 2\n")
    assert src.data == {"on": 1, "yes": 2}


def test_merge_keys_expand_and_own_keys_win() -> None:
    src, diags = load("t.yaml", "base: &b {cpu: 256, memory: 512}\nsvc:\n  <<: *b\n  cpu: 512\n")
    assert diags == [] and src.data["svc"] == {"cpu": 512, "memory": 512}


def test_unsafe_and_cloudformation_tags_are_refused() -> None:
    assert codes("a: !!python/object/apply:os.system [ls]\n") == ["SCC005"]
    assert codes("a: !Ref Foo\n") == ["SCC005"]


def test_alias_bomb_is_refused_fast() -> None:
    lines = ["l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    started = time.perf_counter()
    assert codes("\n".join(lines) + "\n") == ["SCC006"]
    assert time.perf_counter() - started < 1.0


def test_empty_and_non_mapping_documents() -> None:
    assert codes("") == ["SCC004"]
    assert codes("# only a comment\n") == ["SCC004"]
    assert codes("- a\n- b\n") == ["SCC004"]


def test_unreadable_inputs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    for path, words in ((binary, "UTF-8"), (big, "at most"), (tmp_path, "directory"), (tmp_path / "no", "no such")):
        (diag,) = load(str(path))[1]
        assert diag.code == "SCC001" and words in diag.message and (diag.line, diag.col) == (1, 1)


def test_a_long_call_chain_is_checked_without_recursion_limits() -> None:
    from scc import rules
    from scc.front.schema import validate
    from scc.model.build import build
    from scc.plan.build import build as plan

    n = 1500
    services = "".join(
        f"  s{i}:\n    image: nginx\n    cpu: 512\n    memory: 1024\n    ports: [{{port: 80}}]\n"
        + (f"    calls: [s{i + 1}]\n" if i < n - 1 else "    calls: [s0]\n")
        for i in range(n)
    )
    src, diags = load("t.yaml", f"version: 1\nname: chain\nnamespace: local\nservices:\n{services}")
    assert diags == [] and validate(src.data) == []
    found = rules.check(plan(build(src)))
    assert [d.code for d in found] == ["SCC204"]
    assert found[0].message.startswith("ordering cycle: s0 -> s1 -> s2")
