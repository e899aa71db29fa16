"""The HTML report in a real browser (headless Chromium): it renders, the DOM holds the verdicts,
a screenshot is not blank, nothing overflows the page, it prints, and names that contain markup
are shown as text. Skipped, with the reason, only where no Chromium is installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.render import render_html
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .browser import Browser, ink_share
from .conftest import ROOT, TODAY

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    found = Browser.find(tmp_path_factory.mktemp("chromium"))
    if found is None:
        pytest.skip("no Chromium on PATH (Debian package 'chromium'; .ci/run installs it)")
    return found


@pytest.fixture(scope="module")
def seed(rulebook: Rulebook) -> Report:
    return build_report(evaluate(load_deal(ROOT / "cases" / "meta-scale-ai.yaml"), rulebook), today=TODAY)


def _page(tmp_path: Path, html: str, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_the_report_renders_with_its_verdicts(browser: Browser, seed: Report, tmp_path: Path) -> None:
    dom = browser.dom(_page(tmp_path, render_html(seed)))
    assert "<table id=\"verdicts\">" in dom
    for j in seed.jurisdictions:
        assert re.search(rf'data-codes="[^"]*\b{j.code}\b[^"]*" data-verdict="{j.filing}"', dom), j.code
    assert "filing undetermined" in dom and "no filing required" in dom
    assert dom.count("<details") >= len(seed.jurisdictions)


def test_a_screenshot_is_not_blank(browser: Browser, seed: Report, tmp_path: Path) -> None:
    shot = browser.screenshot(_page(tmp_path, render_html(seed)), tmp_path / "report.png")
    assert 0.01 < ink_share(shot) < 0.6, "text on a white page"


def test_nothing_overflows_the_page_with_every_detail_open(browser: Browser, seed: Report, tmp_path: Path) -> None:
    # A copy of the page that may run one measuring script (the report itself allows none).
    html = render_html(seed).replace("default-src 'none'; style-src 'unsafe-inline'",
                                     "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
    probe = """<script>
for (const d of document.querySelectorAll('details')) d.open = true;
const de = document.documentElement;
const over = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > de.clientWidth + 1)
  .map(e => e.tagName + '#' + e.id).slice(0, 5);
document.body.setAttribute('data-layout', JSON.stringify({scroll: de.scrollWidth, client: de.clientWidth, over}));
</script></body>"""
    for width in (1280, 800):
        dom = browser.dom(_page(tmp_path, html.replace("</body>", probe), f"probe-{width}.html"), width=width)
        found = re.search(r"data-layout=\"([^\"]*)\"", dom)
        assert found, "the measuring script ran"
        layout = json.loads(found.group(1).replace("&quot;", '"'))
        assert layout["scroll"] <= layout["client"] and not layout["over"], (width, layout)


def test_the_report_prints_to_pdf(browser: Browser, seed: Report, tmp_path: Path) -> None:
    pdf = browser.pdf(_page(tmp_path, render_html(seed)), tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 2 <= pages <= 120, "the print view opens every section"


def test_markup_in_deal_names_is_shown_as_text(browser: Browser, rulebook: Rulebook, tmp_path: Path) -> None:
    data = load_deal(ROOT / "cases" / "meta-scale-ai.yaml").model_dump(mode="json", exclude_none=True)
    data["title"] = f"Evil {SCRIPT} deal {IMG}"
    data["parties"][0]["name"] = f"Acquirer {SCRIPT}"
    data["parties"][1]["name"] = f"Target {IMG}"
    from antitrust.deal import Deal

    report = build_report(evaluate(Deal.model_validate(data), rulebook), today=TODAY)
    html = render_html(report)
    assert SCRIPT not in html and "<img" not in html
    dom = browser.dom(_page(tmp_path, html))
    body = dom.split("<body", 1)[1]
    assert "<script" not in body and "<img" not in body, "no element was injected"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, "the names are shown as text"
    assert "onerror=alert(2)" in body
