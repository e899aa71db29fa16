"""Build hooks; metadata, dependencies and package data are declared in pyproject.toml.

1. The top-level rulebook (``rules/``) is copied into wheels as ``antitrust/_rules``, so an
   installed ``antitrust`` works from any folder. The rule files stay at the top of the
   repository, where analysts edit them; an editable install reads them there
   (antitrust/bundled.py). The decided cases (``cases/``), which reports rank as nearest
   precedents, are copied the same way as ``antitrust/_cases``.
2. The engine is built from ``vendor/durable-rules`` on every supported Python: its C extension
   ``durable_rules_engine`` and its Python package ``durable`` (durable-rules 2.0.28 with the
   changes listed in vendor/README.md). All of its C sources go into one extension, compiled with
   the interpreter's own flags (optimised); the release's own ``setup.py``, which PyPI's
   durable-rules uses, compiles the engine's core as a separate library with no optimisation.
3. Wheels are always tagged for one interpreter (never ``py3-none-any``): the extension is built
   for the interpreter that builds the wheel.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules"
CASES = HERE / "cases"
VENDOR = "vendor/durable-rules"


class BuildWithRulebook(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, name in ((RULES, "_rules"), (CASES, "_cases")):
            target = Path(self.build_lib) / "antitrust" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


class AntitrustDistribution(Distribution):
    def parse_config_files(self, *args: Any, **kwargs: Any) -> None:
        super().parse_config_files(*args, **kwargs)
        # pyproject.toml finds antitrust's packages; add durable's
        self.packages = [*(self.packages or []), "durable"]
        self.package_dir = {**(self.package_dir or {}), "durable": f"{VENDOR}/libpy/durable"}

    def has_ext_modules(self) -> bool:
        return True


ext_modules = [Extension(
    "durable_rules_engine",
    sources=[f"{VENDOR}/src/rulespy/rules.c",
             *(f"{VENDOR}/src/rules/{name}.c" for name in ("json", "rete", "state", "events", "regex"))],
    include_dirs=[f"{VENDOR}/src/rules"],
    extra_compile_args=["-std=c99", "-D_GNU_SOURCE"],
)]

setup(distclass=AntitrustDistribution, cmdclass={"build_py": BuildWithRulebook}, ext_modules=ext_modules)
