"""Build hook: copy the top-level rulebook (``rules/``) into the package as ``antitrust/_rules``.

Everything else (metadata, dependencies, package data) is declared in pyproject.toml. The rule
files stay at the top of the repository, where analysts edit them; wheels carry a copy so an
installed ``antitrust`` works from any folder. An editable install reads ``rules/`` directly
(see antitrust/bundled.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RULES = Path(__file__).resolve().parent / "rules"


class BuildWithRulebook(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "antitrust" / "_rules"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithRulebook})
