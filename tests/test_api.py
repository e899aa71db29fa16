"""The Python API (antitrust.api): the same report from a path, a mapping or a Deal; the README's
examples run as written; errors carry path, line and field."""

from __future__ import annotations

import hashlib
import json
import re
import runpy
from pathlib import Path

import pytest

from antitrust import api
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.reporting import build_report

from .conftest import ROOT, TODAY

CASE = ROOT / "cases" / "meta-scale-ai.yaml"


@pytest.fixture(scope="module")
def rules() -> api.Rules:
    return api.load_rules(ROOT / "rules")


def _without_audit(report: api.Report) -> dict[str, object]:
    data = report.model_dump(mode="json")
    for key in ("input_sha256", "rulebook_source", "versions"):
        data["meta"].pop(key)
    return data


def test_a_path_a_mapping_and_a_deal_give_the_same_report(rules: api.Rules) -> None:
    from_path = api.evaluate_deal(CASE, rules, today=TODAY)
    mapping = load_deal(CASE).model_dump(mode="json", exclude_none=True)
    from_mapping = api.evaluate_deal(mapping, rules, today=TODAY)
    from_deal = api.evaluate_deal(api.load_deal_input(CASE), rules, today=TODAY)
    assert _without_audit(from_path) == _without_audit(from_mapping) == _without_audit(from_deal)
    assert from_path.jurisdictions[0].code and from_path.meta.deal_id == "meta-scale-ai"


def test_the_report_is_the_engine_report_plus_audit_fields(rules: api.Rules) -> None:
    report = api.evaluate_deal(CASE, rules, today=TODAY)
    plain = build_report(evaluate(load_deal(CASE), rules.book, today=TODAY), today=TODAY)
    assert _without_audit(report) == _without_audit(plain)
    assert report.meta.input_sha256 == hashlib.sha256(CASE.read_bytes()).hexdigest()
    assert report.meta.rulebook_source == str(ROOT / "rules")
    assert report.meta.rulebook_hash == rules.hash
    assert set(report.meta.versions) == {"antitrust", "durable-rules", "python"}


def test_the_bundled_rulebook_is_the_repository_rulebook(rules: api.Rules) -> None:
    bundled = api.load_rules()
    assert bundled.source == "bundled" and bundled.hash == rules.hash
    assert api.load_rules() is bundled  # loaded once per process
    assert api.evaluate_deal(CASE, today=TODAY).meta.rulebook_source == "bundled"


def test_a_mapping_hashes_the_same_in_any_key_order(rules: api.Rules) -> None:
    data = load_deal(CASE).model_dump(mode="json", exclude_none=True)
    shuffled = dict(reversed(list(data.items())))
    a = api.evaluate_deal(data, rules, today=TODAY).meta.input_sha256
    b = api.evaluate_deal(shuffled, rules, today=TODAY).meta.input_sha256
    assert a == b and a is not None and len(a) == 64


def test_render_report_knows_every_renderer(rules: api.Rules) -> None:
    report = api.evaluate_deal(CASE, rules, today=TODAY)
    assert {"text", "json", "markdown"} <= set(api.render_formats())
    assert json.loads(api.render_report(report))["meta"]["deal_id"] == "meta-scale-ai"
    assert "Meta" in api.render_report(report, "markdown")
    with pytest.raises(api.UsageError, match="unknown report format 'pdf'"):
        api.render_report(report, "pdf")


def test_what_if_takes_a_mapping_or_set_strings(rules: api.Rules) -> None:
    by_mapping = api.what_if(CASE, {"stakes[0].voting_after": 49, "stakes[0].share_class": "voting"}, rules,
                             today=TODAY)
    by_strings = api.what_if(CASE, ["stakes[0].voting_after=49", "stakes[0].share_class=voting"], rules,
                             today=TODAY)
    assert by_mapping == by_strings
    us = next(v for v in by_mapping.verdicts if v.code == "US")
    assert us.before != us.after
    with pytest.raises(api.UsageError):
        api.what_if(CASE, "stakes[0].voting_after=49", rules)


def test_explain_deal_gives_the_proof_tree(rules: api.Rules) -> None:
    explanation = api.explain_deal(CASE, "DE", rules, today=TODAY)
    data = explanation.as_dict()
    assert data["subject"] == "verdict DE" and data["proofs"]


def test_bad_input_raises_one_hierarchy_with_location(rules: api.Rules, tmp_path: Path) -> None:
    data = load_deal(CASE).model_dump(mode="json", exclude_none=True)
    data["stakes"][0]["equity_after"] = "half"
    with pytest.raises(api.InputError) as info:
        api.evaluate_deal(data, rules)
    assert isinstance(info.value, api.AntitrustError)
    assert info.value.location.path == "<deal>" and info.value.location.line > 0
    assert info.value.field == "stakes.0.equity_after"
    data["stakes"][0]["equity_aftr"] = data["stakes"][0].pop("equity_after")
    with pytest.raises(api.InputErrors) as several:
        api.evaluate_deal(data, rules)
    assert any("did you mean 'equity_after'" in e.message for e in several.value.errors)
    assert several.value.location == several.value.errors[0].location and several.value.location.line > 0

    missing = tmp_path / "missing.yaml"
    with pytest.raises(api.InputError, match=r"missing\.yaml: cannot read the deal file"):
        api.evaluate_deal(missing, rules)
    with pytest.raises(api.UsageError):
        api.evaluate_deal(42, rules)  # type: ignore[arg-type]
    with pytest.raises(api.InputError):
        api.load_rules(tmp_path)  # no rule files


def test_the_public_names_are_those_in_all() -> None:
    assert all(hasattr(api, name) for name in api.__all__)
    defined_here = {n for n, v in vars(api).items()
                    if not n.startswith("_") and getattr(v, "__module__", None) == "antitrust.api"}
    assert defined_here <= set(api.__all__)


def _readme_python_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.mark.parametrize("index", range(3))
def test_readme_python_examples_run(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    examples = _readme_python_examples()
    assert len(examples) == 3, "the README's Python API section has three examples"
    script = tmp_path / f"readme_example_{index + 1}.py"
    script.write_text(examples[index], encoding="utf-8")
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_control_characters_are_input_errors_not_crashes(rules: api.Rules) -> None:
    data = load_deal(CASE).model_dump(mode="json", exclude_none=True)
    data["title"] = "Meta\x88Scale"
    with pytest.raises(api.InputError, match=r"<deal>:\d+:\d+: control character U\+0088 is not allowed"):
        api.evaluate_deal(data, rules)


def test_threads_sharing_a_fresh_process_build_each_model_once_and_agree(tmp_path: Path) -> None:
    # Models build their validators on first use (defer_build): eight threads that all validate
    # and report at once in a new process must get the same, complete reports.
    import subprocess
    import sys

    script = f"""
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from antitrust.api import evaluate_deal, load_rules, render_report
rules = load_rules({str(ROOT / "rules")!r})
def one(_):
    r = evaluate_deal({str(CASE)!r}, rules, today=date(2026, 11, 23))
    return render_report(r, "json") + render_report(r, "text")
with ThreadPoolExecutor(8) as pool:
    out = list(pool.map(one, range(8)))
print(json.dumps([len(set(out)), len(out[0])]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    distinct, size = json.loads(done.stdout)
    assert distinct == 1 and size > 1000
