"""Package-level promises: supported interpreters and a small public surface."""

from __future__ import annotations

import pytest

from antitrust import __version__, check_python


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 12, 1), (3, 13, 0)])
def test_supported_interpreters(version: tuple[int, ...]) -> None:
    check_python(version)


@pytest.mark.parametrize("version", [(3, 14, 0), (3, 10, 14), (4, 0, 0)])
def test_unsupported_interpreters_fail_early_with_a_reason(version: tuple[int, ...]) -> None:
    with pytest.raises(ImportError, match=r"needs Python 3\.11, 3\.12 or 3\.13 \(this is"):
        check_python(version)


def test_version_matches_the_project_metadata() -> None:
    from importlib.metadata import version

    assert __version__ == version("antitrust")
