"""``antitrust serve`` against a real uvicorn on the loopback address: the same report as the CLI,
problem details, content negotiation, limits, the audit trail, concurrent clients, and the
OpenAPI document checked by schemathesis (bounded so that it runs in CI)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.errors import InputErrors
from antitrust.loading import load_deal, parse_deal

from .conftest import ROOT

CASE = ROOT / "cases" / "meta-scale-ai.yaml"
TODAY = "2026-11-23"
STARTUP_S = 180  # spawning workers that each load the rulebook, on a loaded CI machine


@dataclass
class Server:
    url: str
    audit: Path
    process: subprocess.Popen[bytes]
    log: IO[bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    port = _free_port()
    audit = tmp / "audit.jsonl"
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "antitrust", "serve", "--port", str(port), "--workers", "2",
         "--audit-log", str(audit), "--today", TODAY, "--max-body", "200000", *args],
        cwd=tmp, env={**os.environ, **(env or {})}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"server exited: {(tmp / 'server.log').read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return Server(url, audit, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    process.wait()
    log.close()
    raise RuntimeError("server did not start")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover
        server.process.kill()
        server.process.wait()
    server.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(tmp_path_factory.mktemp("serve"))
    yield started
    stop_server(started)


@pytest.fixture(scope="module")
def deal_json() -> str:
    return json.dumps(load_deal(CASE).model_dump(mode="json", exclude_none=True), indent=1)


def _cli_json() -> dict[str, object]:
    result = CliRunner().invoke(app, ["evaluate", str(CASE), "--format", "json", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _without_audit(text: str) -> str:
    """The report text without the input hash (a deal file's bytes differ from the JSON sent)."""
    return "\n".join(line for line in text.splitlines() if '"input_sha256"' not in line)


def test_the_seed_case_over_http_is_the_cli_report_byte_for_byte(server: Server, deal_json: str) -> None:
    response = httpx.post(f"{server.url}/v1/evaluate", content=deal_json, timeout=120,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    cli = CliRunner().invoke(app, ["evaluate", str(CASE), "--format", "json", "--today", TODAY]).stdout
    assert _without_audit(response.text) == _without_audit(cli)
    assert json.loads(response.text)["meta"]["input_sha256"] != json.loads(cli)["meta"]["input_sha256"]


def test_a_yaml_deal_file_can_be_sent_as_it_is(server: Server) -> None:
    response = httpx.post(f"{server.url}/v1/evaluate", content=CASE.read_bytes(), timeout=120,
                          headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200
    assert json.loads(response.text)["jurisdictions"] == _cli_json()["jurisdictions"]


@pytest.mark.parametrize(("query", "accept", "media", "marker"), [
    ("?format=markdown", "", "text/markdown", "# "),
    ("", "text/markdown", "text/markdown", "# "),
    ("", "text/plain;q=0.5, application/json", "application/json", "{"),
    ("?format=text", "application/json", "text/plain", ""),
    ("", "text/html", "text/html", ""),
])
def test_format_by_query_or_accept(server: Server, deal_json: str, query: str, accept: str, media: str,
                                   marker: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.post(f"{server.url}/v1/evaluate{query}", content=deal_json, headers=headers, timeout=120)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.text.strip() and response.text.lstrip().startswith(marker)


def test_bad_deals_get_problem_details_with_the_cli_messages(server: Server) -> None:
    text = CASE.read_text(encoding="utf-8").replace("equity_after: {value: 49,", "equity_aftr: {value: 49,", 1)
    with pytest.raises(InputErrors) as expected:
        parse_deal(text, "body")
    response = httpx.post(f"{server.url}/v1/evaluate", content=text.encode(), timeout=120)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["detail"] == str(expected.value)
    first = problem["errors"][0]
    assert first["path"] == "body" and first["line"] > 0 and first["column"] > 0 and first["field"]


def test_not_json_and_too_large_bodies(server: Server) -> None:
    assert httpx.post(f"{server.url}/v1/evaluate", content=b"{", timeout=60).status_code == 422
    too_large = httpx.post(f"{server.url}/v1/evaluate", content=b" " * 200_001, timeout=60)
    assert too_large.status_code == 413 and too_large.json()["title"] == "Request body too large"


def test_what_if_and_explain(server: Server, deal_json: str) -> None:
    body = {"deal": json.loads(deal_json), "set": {"stakes[0].voting_after": 49, "stakes[0].share_class": "voting"}}
    change = httpx.post(f"{server.url}/v1/what-if", json=body, timeout=120)
    assert change.status_code == 200
    assert any(v["code"] == "US" and v["changed"] for v in change.json()["verdicts"])
    explained = httpx.post(f"{server.url}/v1/explain", json={"deal": json.loads(deal_json), "subject": "DE"},
                           timeout=120)
    assert explained.status_code == 200 and explained.json()["subject"] == "verdict DE"
    unknown = httpx.post(f"{server.url}/v1/explain", json={"deal": json.loads(deal_json), "subject": "XX-NOPE"},
                         timeout=120)
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"


def test_rules_schemas_and_health(server: Server) -> None:
    rules = httpx.get(f"{server.url}/v1/rules", params={"jurisdiction": "DE"}, timeout=60).json()
    assert rules and all(r["jurisdiction"] == "DE" for r in rules)
    one = httpx.get(f"{server.url}/v1/rules/{rules[0]['id']}", timeout=60).json()
    assert one["id"] == rules[0]["id"] and one["basis"]["citation"]
    assert httpx.get(f"{server.url}/v1/rules/NO-SUCH-RULE", timeout=60).status_code == 404
    assert httpx.get(f"{server.url}/v1/schemas/report", timeout=60).json()["title"] == "Report"
    health = httpx.get(f"{server.url}/healthz", timeout=60).json()
    assert health["status"] == "ok" and health["rulebook_source"] == "bundled" and health["workers"] == 2


def test_concurrent_clients_get_the_same_report_and_one_audit_record_each(server: Server, deal_json: str) -> None:
    before = len(server.audit.read_text(encoding="utf-8").splitlines()) if server.audit.exists() else 0

    def call(_: int) -> str:
        with httpx.Client(timeout=300) as client:
            response = client.post(f"{server.url}/v1/evaluate", content=deal_json)
            assert response.status_code == 200
            return response.text

    with ThreadPoolExecutor(16) as pool:
        bodies = list(pool.map(call, range(32)))
    assert len(set(bodies)) == 1
    records = [json.loads(line) for line in server.audit.read_text(encoding="utf-8").splitlines()]
    assert len(records) - before == 32
    assert {r["input_sha256"] for r in records[before:]} == {json.loads(bodies[0])["meta"]["input_sha256"]}


def test_reload_keeps_requests_in_flight(server: Server, deal_json: str) -> None:
    def call(_: int) -> int:
        return httpx.post(f"{server.url}/v1/evaluate", content=deal_json, timeout=300).status_code

    with ThreadPoolExecutor(8) as pool:
        calls = [pool.submit(call, i) for i in range(16)]
        reloaded = httpx.post(f"{server.url}/v1/reload", timeout=300)
        assert [c.result() for c in calls] == [200] * 16
    assert reloaded.status_code == 200
    assert reloaded.json()["rulebook_hash"] == reloaded.json()["previous_hash"]
    assert call(0) == 200


def test_api_key_broken_rulebook_reload_and_sighup(tmp_path: Path, deal_json: str) -> None:
    import shutil
    import signal

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    started = start_server(tmp_path, "--rules", str(rules), env={"ANTITRUST_API_KEY": "s3cret"})
    try:
        url = started.url
        assert httpx.post(f"{url}/v1/evaluate", content=deal_json, timeout=60).status_code == 401
        assert httpx.get(f"{url}/healthz", timeout=60).status_code == 200  # liveness needs no key
        key = {"X-API-Key": "s3cret"}
        assert httpx.post(f"{url}/v1/evaluate", content=deal_json, headers=key, timeout=120).status_code == 200
        old = httpx.get(f"{url}/healthz", timeout=60).json()["rulebook_hash"]

        rule_file = next(p for p in sorted(rules.rglob("*.yaml")) if "rules:" in p.read_text(encoding="utf-8"))
        original = rule_file.read_text(encoding="utf-8")
        rule_file.write_text(original.replace("rules:", "rulez:", 1), encoding="utf-8")
        broken = httpx.post(f"{url}/v1/reload", headers=key, timeout=300)
        assert broken.status_code == 422 and rule_file.name in broken.json()["detail"]
        assert httpx.get(f"{url}/healthz", timeout=60).json()["rulebook_hash"] == old

        rule_file.write_text(original + "\n# edited\n", encoding="utf-8")
        started.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + STARTUP_S
        while httpx.get(f"{url}/healthz", timeout=60).json()["rulebook_hash"] == old:
            assert time.monotonic() < deadline, "SIGHUP did not reload the rulebook"
            time.sleep(0.3)
        report = httpx.post(f"{url}/v1/evaluate", content=deal_json, headers=key, timeout=120).json()
        assert report["meta"]["rulebook_hash"] != old and report["meta"]["rulebook_source"] == str(rules)
    finally:
        stop_server(started)


# -- the OpenAPI document, checked by schemathesis --------------------------------------------------
def _operations(server: Server) -> list[schemathesis.APIOperation]:
    api = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    return [result.ok() for result in api.get_all_operations()]


def test_openapi_document_holds(server: Server) -> None:
    """Every operation, fed requests generated from the document, answers as the document says: no
    server error, a declared status and content type, a body valid against the declared schema."""
    operations = _operations(server)
    assert {op.label for op in operations} >= {"POST /v1/evaluate", "POST /v1/what-if", "POST /v1/explain",
                                               "GET /v1/rules", "GET /v1/rules/{rule_id}",
                                               "GET /v1/schemas/{name}", "GET /healthz"}
    for operation in operations:
        if operation.label == "POST /v1/reload":
            continue  # reloading is tested above; repeating it here only costs time

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            # A deal can be schema-valid and still wrong (two parties with one id, a stake held by
            # no party): the service rejects it with 422, as the CLI does with exit code 2.
            case.call_and_validate(base_url=server.url, timeout=120, excluded_checks=[positive_data_acceptance])

        check()
