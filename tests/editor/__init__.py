"""The real yaml-language-server for tests/test_editor.py: pinned here, installed and driven by server.py."""
