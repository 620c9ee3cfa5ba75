"""serve picks uvloop when the ``uvloop`` extra is installed, plain asyncio otherwise."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from wxo_mcp.commands.serve import event_loop_options


def test_uvloop_is_used_when_importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if importlib.util.find_spec("uvloop") is None:
        assert event_loop_options() == {}
        (tmp_path / "uvloop").mkdir()
        (tmp_path / "uvloop" / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(tmp_path))
        importlib.invalidate_caches()
    assert event_loop_options() == {"use_uvloop": True}
