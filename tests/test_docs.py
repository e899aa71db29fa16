"""Generated documentation: docs/rules/ and the vocabulary section of docs/rule-language.md are
current, and `antitrust rules docs` writes what it should and refuses what it should not.

When rules change, regenerate with:
    antitrust rules docs rules --output docs/rules --language-doc docs/rule-language.md
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust import expr as ex
from antitrust.cli import app
from antitrust.docsgen import _Words, plain_lines, render_docs, vocabulary_markdown, with_vocabulary
from antitrust.rulebook import Rulebook, load_rulebook
from antitrust.vocabulary import FACT_TYPES, FIGURE_JURISDICTIONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
REGENERATE = "antitrust rules docs rules --output docs/rules --language-doc docs/rule-language.md"


@pytest.fixture(scope="module")
def generated(monkeypatch_module: pytest.MonkeyPatch) -> dict[str, str]:
    # Paths in the docs ("Defined in rules/us/hsr.yaml:6") are relative to the repository.
    monkeypatch_module.chdir(ROOT)
    return render_docs(load_rulebook(Path("rules")))


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    yield mp  # type: ignore[misc]
    mp.undo()


def test_committed_rule_docs_are_current(generated: dict[str, str]) -> None:
    committed = {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8")
                 for p in DOCS.rglob("*") if p.is_file()}
    stale = sorted(k for k in generated if committed.get(k) != generated[k])
    extra = sorted(set(committed) - set(generated))
    assert not stale and not extra, f"docs/rules is out of date ({stale + extra}); run: {REGENERATE}"


def test_rule_language_vocabulary_is_current() -> None:
    text = (ROOT / "docs" / "rule-language.md").read_text(encoding="utf-8")
    assert with_vocabulary(text) == text, f"docs/rule-language.md is out of date; run: {REGENERATE}"


def test_vocabulary_lists_every_field() -> None:
    text = vocabulary_markdown()
    common = FACT_TYPES["world"]
    for fact, fields in FACT_TYPES.items():
        for name in fields:
            shown = "<j>" if fact in FIGURE_JURISDICTIONS and name in common else fact
            assert f"`{shown}.{name}`" in text


def test_every_rule_and_its_parameters_are_documented(generated: dict[str, str]) -> None:
    book = load_rulebook(ROOT / "rules")
    pages = "\n".join(v for k, v in generated.items() if k.endswith(".md"))
    for rule in book.rules:
        assert f"## {rule.id}\n" in pages
        assert rule.spec.basis.url in pages
        for p in ex.params(rule.condition):
            assert f"`{p.name}`: " in pages
            for v in book.parameters[p.name].values:
                assert f"| {v.from_.isoformat()} |" in pages
        for t in rule.spec.tests:
            assert t.name.replace("|", "\\|") in pages


def test_pages_are_per_jurisdiction_and_theory(generated: dict[str, str]) -> None:
    assert "index.md" in generated
    assert "index.html" in generated
    assert "jurisdictions/de.md" in generated
    assert "jurisdictions/us.html" in generated
    assert any(k.startswith("theories/") for k in generated)
    assert "<script" not in generated["jurisdictions/us.html"]


@pytest.fixture(scope="module")
def tooling() -> Rulebook:
    return load_rulebook(ROOT / "tests" / "data" / "tooling")


@pytest.mark.parametrize(("condition", "expected"), [
    ('stake.holder_role == "acquirer" and stake.voting_acquired > 0',
     ["- The holder's role (`stake.holder_role`) is `acquirer`",
      "- Share of the votes acquired (`stake.voting_acquired`) is above 0%"]),
    ("not stake.solely_for_investment",
     ["- Not so: the stake is held solely for investment (`stake.solely_for_investment`)"]),
    ("not (stake.equity_after >= 25 or stake.voting_after >= 25)",
     ["- Share of the capital held after the deal (`stake.equity_after`) is below 25%",
      "- Share of the votes held after the deal (`stake.voting_after`) is below 25%"]),
    ("voting_stake and deal.consideration_eur > param.t.value",
     ["- *voting stake* holds (derived by T-VOTING)",
      ("- Value of the consideration (EUR) (`deal.consideration_eur`) is above the parameter `t.value` "
      "(latest value EUR 100m, from 2020-01-01)")]),
    ("governance.board_seats >= 1 or governance.board_observers >= 1",
     ["- any of:", "  - Board seats held (`governance.board_seats`) is at least 1",
      "  - Board observers (`governance.board_observers`) is at least 1"]),
])
def test_conditions_in_plain_words(tooling: Rulebook, condition: str, expected: list[str]) -> None:
    assert plain_lines(_Words(tooling).plain(ex.parse(condition))) == expected


def test_rules_docs_writes_markdown_and_html(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "data" / "tooling"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "index.html", "index.md", "jurisdictions/us.html", "jurisdictions/us.md", "style.css"]
    page = (out / "jurisdictions" / "us.md").read_text(encoding="utf-8")
    assert "## T-BIG" in page
    assert "| 2020-01-01 | next value | EUR 100m | verified |" in page
    assert "| EUR 200m for voting shares | fires |" in page
    assert "**Reason shown in the report:** Votes acquired for {deal.consideration_eur}" in page


def test_rules_docs_removes_pages_of_rules_that_are_gone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "jurisdictions").mkdir(parents=True)
    (out / "jurisdictions" / "xx.md").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "data" / "tooling"), "-o", str(out)])
    assert result.exit_code == 0
    assert not (out / "jurisdictions" / "xx.md").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_rules_docs_refuses_to_write_into_the_rulebook(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in (ROOT / "tests" / "data" / "tooling").glob("*.yaml"):
        (rules / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "docs", str(rules), "-o", str(rules / "docs")])
    assert result.exit_code == 2
    assert "refusing to write documentation inside the rulebook" in result.stderr
    assert not (rules / "docs").exists()


def test_rules_docs_needs_a_folder_and_a_valid_rulebook(tmp_path: Path) -> None:
    target = tmp_path / "file.md"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "data" / "tooling"), "-o", str(target)])
    assert (result.exit_code, result.stderr.strip()) == (2, f"{target}: --output must be a folder")
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "broken" / "rules" / "cycle.yaml"),
                                      "-o", str(tmp_path / "out")])
    # A rulebook that `rules check` rejects (here: a cycle) is refused by every command.
    assert result.exit_code == 2
    assert "derived facts form a cycle" in result.stderr
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "broken" / "rules" / "condition_typo.yaml"),
                                      "-o", str(tmp_path / "out2")])
    assert result.exit_code == 2
    assert "condition_typo.yaml:9:17:" in result.stderr


def test_language_doc_without_markers_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# no markers\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "docs", str(ROOT / "tests" / "data" / "tooling"), "-o",
                                      str(tmp_path / "out"), "--language-doc", str(page)])
    assert result.exit_code == 2
    assert page.read_text(encoding="utf-8") == "# no markers\n"
