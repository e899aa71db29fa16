"""Shared fixtures. Golden files are regenerated only with ``pytest --update-golden``."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from antitrust.rulebook import Rulebook, load_rulebook

# Tests assert no wall-clock limits: a property example that runs slowly on a loaded machine is
# not a failure (hypothesis' default deadline of 200 ms per example is one).
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

ROOT = Path(__file__).resolve().parent.parent
#: The fixed "today" of every golden report, so parameter review warnings do not drift.
TODAY = date(2026, 11, 23)


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line in-process as the ``antitrust`` script does: (exit code, stdout, stderr)."""
    from antitrust.cli import main

    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture(autouse=True)
def _unfreeze_the_heap() -> Iterator[None]:
    """The command line settles the heap (``gc.freeze``, see antitrust.screening.settle_heap and
    antitrust.cli): the tests after it start with every object collectable, and collecting."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    gc.enable()


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook(ROOT / "rules")


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``golden(path, text)`` compares text with tests/golden/<path> (or rewrites it)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = ROOT / "tests" / "golden" / name
        if update or not path.exists():
            if not update and not path.exists():
                pytest.fail(f"golden file {path} is missing; run pytest --update-golden to create it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path}; if the change is intended, run pytest --update-golden"

    return check
