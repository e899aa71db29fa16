"""The one Jinja2 set-up behind every template: reports (``render/``) and rule docs (``templates/``).

Undefined names fail loudly (``StrictUndefined``), block tags leave no stray blank lines, and
HTML output is autoescaped: strings from deal and rule files are never marked safe here."""

from __future__ import annotations

import jinja2


def markdown_cell(text: object) -> str:
    """Text that stays inside one Markdown table cell: pipes escaped, line breaks folded."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def environment(folder: str, *, autoescape: bool) -> jinja2.Environment:
    """A new environment loading the package's templates from ``antitrust/<folder>``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("antitrust", folder),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = markdown_cell
    return env
