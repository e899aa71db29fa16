"""The command as a process skips pydantic's plugin discovery; the library never does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from antitrust import console


def test_the_command_switches_plugin_discovery_off_unless_the_user_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import antitrust.cli

    calls: list[str | None] = []
    monkeypatch.setattr(antitrust.cli, "main", lambda: calls.append(os.environ.get("PYDANTIC_DISABLE_PLUGINS")))
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    console.main()
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")  # the user's own setting (here: load plugins) stands
    console.main()
    assert calls == ["__all__", ""]


def test_importing_the_library_leaves_the_environment_alone() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    code = "import os, antitrust.api, antitrust.cli; print('PYDANTIC_DISABLE_PLUGINS' in os.environ)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
