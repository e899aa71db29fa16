"""``antitrust serve``: the engine over HTTP (FastAPI on uvicorn).

Endpoints (all JSON unless asked otherwise; errors are problem details, RFC 9457):

    POST /v1/evaluate          a deal (JSON or YAML) in; the report out (JSON, or Markdown, HTML,
                               text by ``Accept`` or ``?format=``)
    POST /v1/what-if           {"deal": ..., "set": {...}}: what changes and which rule decides it
    POST /v1/explain           {"deal": ..., "subject": "DE"}: the proof tree
    GET  /v1/rules[/{id}]      the rulebook
    GET  /v1/schemas/{name}    JSON Schema of deal files or reports
    POST /v1/reload            load the rulebook again (also on SIGHUP), without dropping requests
    GET  /healthz              liveness, rulebook hash, versions

Evaluations run in a pool of worker processes (antitrust/workers.py); the server process only
parses HTTP, serves the rulebook and appends the audit trail.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from antitrust import __version__
from antitrust.api import Rules
from antitrust.audit import AuditLog, versions
from antitrust.bundled import choose_rules
from antitrust.errors import InputError, InputErrors
from antitrust.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemDetails,
    ProblemError,
    problem_from,
    problem_response,
    problem_responses,
)
from antitrust.workers import (
    MEDIA_TYPES,
    Outcome,
    WorkerPool,
    evaluate_job,
    explain_job,
    problems_of,
    what_if_job,
)

API_KEY_HEADER = "X-API-Key"
#: Default seconds a request may run in a worker (a deal takes milliseconds; flips up to 10 s).
DEFAULT_TIMEOUT = 60.0
ReportFormat = Literal["json", "markdown", "html", "text"]
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class ServerConfig:
    rules: Path | None = None
    workers: int | None = None
    audit_log: Path = Path("antitrust-audit.jsonl")
    max_body: int = 1_000_000
    api_key: str | None = None
    #: Seconds a request may take in its worker before it is answered 504 (None: no limit).
    timeout: float | None = DEFAULT_TIMEOUT
    today: date | None = None
    #: Presumptions and defaults off for every request (a request may also ask for it).
    strict: bool = False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WhatIfRequest(_Strict):
    deal: dict[str, Any] = Field(description="The deal, as in a JSON deal file.")
    set: dict[str, Any] | list[str] = Field(
        default_factory=dict, description="Changes: {path: value} or ['path=value', ...], as `what-if --set`.")
    as_of: date | None = Field(None, description="Apply the law of this date to the changed deal.")
    today: date | None = None
    strict: bool = Field(False, description="Presumptions and the deal format's defaults off, as `what-if --strict`.")


class ExplainRequest(_Strict):
    deal: dict[str, Any] = Field(description="The deal, as in a JSON deal file.")
    subject: str | None = Field(None, description="A jurisdiction, finding id, theory or rule id; none: everything.")
    as_of: date | None = None
    today: date | None = None
    band: float = Field(0.10, ge=0, le=10, description="How close counts as a near miss.")
    near_misses: bool = True


class RuleSummary(BaseModel):
    id: str
    title: str
    jurisdiction: str | None
    theory: str | None
    citation: str
    url: str | None
    status: str
    file: str
    line: int


class Health(BaseModel):
    status: Literal["ok"]
    rulebook_hash: str
    rulebook_source: str
    rules: int
    workers: int
    versions: dict[str, str]


class Reloaded(BaseModel):
    rulebook_hash: str
    previous_hash: str
    rules: int


_KEY_HEADER = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                           description="Required when the server was started with an API key.")


class _State:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.rules = _load(config.rules)
        self.audit = AuditLog(config.audit_log)
        self.pool: WorkerPool | None = None
        self.reload_lock = asyncio.Lock()

    def workers(self) -> WorkerPool:
        if self.pool is None:  # pragma: no cover - the lifespan starts it before any request
            raise ProblemError(503, "The service is starting")
        return self.pool


def _load(option: Path | None) -> Rules:
    from antitrust.rulebook import load_rulebook

    choice = choose_rules(option)
    return Rules(load_rulebook(choice.path), choice.source, choice.path)


def _rules_arg(config: ServerConfig) -> str | None:
    return str(config.rules) if config.rules is not None else None


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413), by Content-Length or while reading."""

    def __init__(self, app: Callable[..., Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limit):
                response = problem_response(413, "Request body too large", f"the limit is {self.limit} bytes")
                await response(scope, receive, send)
                return
            seen = 0

            async def limited() -> Any:
                nonlocal seen
                message = await receive()
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise StarletteHTTPException(413, f"the limit is {self.limit} bytes")
                return message

            await self.app(scope, limited, send)
            return
        await self.app(scope, receive, send)


def create_app(config: ServerConfig) -> FastAPI:
    """The ASGI application. The worker pool starts with the app's lifespan."""
    state = _State(config)

    async def reload() -> Reloaded:
        async with state.reload_lock:
            previous = state.rules
            fresh = await asyncio.to_thread(_load, config.rules)
            await asyncio.to_thread(state.workers().swap, _rules_arg(config))
            state.rules = fresh
            return Reloaded(rulebook_hash=fresh.hash, previous_hash=previous.hash, rules=len(fresh.book.rules))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.pool = await asyncio.to_thread(WorkerPool, _rules_arg(config), config.workers)
        loop = asyncio.get_running_loop()
        pending: set[asyncio.Task[None]] = set()

        def on_hangup() -> None:
            async def safe_reload() -> None:
                with contextlib.suppress(InputError, InputErrors):  # a broken rulebook keeps the old one
                    await reload()

            task = loop.create_task(safe_reload())
            pending.add(task)
            task.add_done_callback(pending.discard)

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, on_hangup)
        try:
            yield
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signal.SIGHUP)
            await asyncio.to_thread(state.workers().close)

    app = FastAPI(
        title="antitrust", version=__version__, lifespan=lifespan,
        description="Merger-control risk engine: where a deal must be notified, who can still reach it, "
                    "and which theories of harm it raises. Errors are problem details (RFC 9457).",
    )
    app.add_middleware(BodyLimit, limit=config.max_body)

    async def require_key(key: Annotated[str | None, Depends(_KEY_HEADER)]) -> None:
        expected = config.api_key
        if expected and not (key and hmac.compare_digest(key.encode(), expected.encode())):
            raise ProblemError(401, "Missing or wrong API key", f"send the key in the {API_KEY_HEADER} header",
                               headers={"WWW-Authenticate": API_KEY_HEADER})

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem_from(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed", 413: "Request body too large"}.get(
            exc.status_code, "Bad request")
        return problem_response(exc.status_code, title, str(exc.detail),
                                headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()))
            errors.append({"message": str(e.get("msg", "invalid")), "detail": f"{where}: {e.get('msg', '')}",
                           "location": where, "field": where})
        return problem_response(422, "Invalid request", "\n".join(x["detail"] for x in errors), errors)

    def answer(outcome: Outcome) -> Response:
        if outcome.problems:
            return problem_response(outcome.status, outcome.title,
                                    "\n".join(p["detail"] for p in outcome.problems), outcome.problems)
        return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type)

    # Without a key the document declares no security scheme: it describes the server as it runs.
    protected = [Depends(require_key)] if config.api_key else []
    deal_ref = {"$ref": "#/components/schemas/Deal"}

    @app.post(
        "/v1/evaluate", dependencies=protected, summary="Evaluate a deal",
        response_class=Response,
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": deal_ref},
            "application/yaml": {"schema": {"type": "string"}}}}},
        responses={200: {"description": "The report", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
            "text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}}}},
            **problem_responses(400, 401, 413, 422, 500, 504)},
    )
    async def evaluate(
        request: Request,
        format: Annotated[ReportFormat | None, Query(description="Report format; default by Accept, else json.")] = None,
        as_of: Annotated[date | None, Query(description="Apply the law in force on this date.")] = None,
        today: Annotated[date | None, Query(description="Date to check parameter review dates against.")] = None,
        strict: Annotated[bool, Query(description="Presumptions and the deal format's defaults off, as "
                                      "`evaluate --strict`.")] = False,
    ) -> Response:
        """A deal, as a JSON (or YAML) deal file, in; its report out. Problems with the deal come back
        as problem details listing each message with its line, column and field, as the CLI prints them."""
        fmt = format or _negotiate(request.headers.get("accept", ""))
        if fmt not in _formats():
            raise ProblemError(422, "Unsupported format", f"this server renders {', '.join(_formats())}")
        text = await _body_text(request)
        outcome = await state.workers().run(evaluate_job, text, "body", fmt, as_of, today or config.today,
                                            strict or config.strict, timeout=config.timeout)
        if outcome.audit is not None:
            await asyncio.to_thread(state.audit.append, outcome.audit)
        return answer(outcome)

    @app.post("/v1/what-if", dependencies=protected, summary="Compare a deal as given and as changed",
              response_class=Response,
              responses={200: {"description": "What changed", "content": {"application/json": {"schema": {}}}},
                         **problem_responses(400, 401, 413, 422, 500, 504)})
    async def what_if(body: WhatIfRequest) -> Response:
        text = _deal_text(body.deal)
        outcome = await state.workers().run(what_if_job, text, "body.deal", body.set, body.as_of,
                                            body.today or config.today, body.strict or config.strict,
                                            timeout=config.timeout)
        return answer(outcome)

    @app.post("/v1/explain", dependencies=protected, summary="Explain a verdict, band, finding or rule",
              response_class=Response,
              responses={200: {"description": "The proof tree", "content": {"application/json": {"schema": {}}}},
                         **problem_responses(400, 401, 413, 422, 500, 504)})
    async def explain(body: ExplainRequest) -> Response:
        text = _deal_text(body.deal)
        outcome = await state.workers().run(explain_job, text, "body.deal", body.subject, body.as_of,
                                            body.today or config.today, body.band, body.near_misses,
                                            timeout=config.timeout)
        return answer(outcome)

    @app.get("/v1/rules", dependencies=protected, summary="The rules of the loaded rulebook",
             responses=problem_responses(401))
    async def rules(jurisdiction: str | None = None, theory: str | None = None) -> list[RuleSummary]:
        return [_summary(r, state.rules) for r in state.rules.book.rules
                if (jurisdiction is None or r.spec.jurisdiction == jurisdiction)
                and (theory is None or r.spec.theory == theory)]

    @app.get("/v1/rules/{rule_id}", dependencies=protected, summary="One rule, as written",
             responses=problem_responses(401, 404))
    async def rule(rule_id: str) -> dict[str, Any]:
        found = next((r for r in state.rules.book.rules if r.id == rule_id), None)
        if found is None:
            raise ProblemError(404, "No such rule", f"no rule has id {rule_id!r}")
        return {**found.spec.model_dump(mode="json", exclude_none=True),
                "location": str(found.location).removeprefix(str(state.rules.path) + os.sep)}

    @app.get("/v1/schemas/{name}", dependencies=protected, summary="JSON Schema of deal files or reports",
             responses=problem_responses(401))
    async def schemas(name: Literal["deal", "report"]) -> dict[str, Any]:
        from antitrust.schemas import schema_for

        return schema_for(name)

    @app.post("/v1/reload", dependencies=protected, summary="Load the rulebook again",
              responses=problem_responses(401, 422))
    async def reload_endpoint() -> Reloaded:
        """Load the rulebook from its folder again and swap it in. Requests already accepted finish
        on the old rulebook; a rulebook with errors is refused and the old one stays."""
        try:
            return await reload()
        except (InputError, InputErrors) as exc:
            problems = problems_of(exc)
            raise ProblemError(422, "The rulebook has errors; the old one stays",
                               "\n".join(p["detail"] for p in problems), problems) from None

    @app.get("/healthz", summary="Liveness and the loaded rulebook")
    async def healthz() -> Health:
        return Health(status="ok", rulebook_hash=state.rules.hash, rulebook_source=state.rules.source,
                      rules=len(state.rules.book.rules), workers=state.workers().workers, versions=versions())

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _formats() -> tuple[str, ...]:
    from antitrust.api import render_formats

    return tuple(f for f in render_formats() if f in MEDIA_TYPES)


def _negotiate(accept: str) -> str:
    """The report format an Accept header asks for (the first one this server renders), else json."""
    by_type = {"application/json": "json", "text/markdown": "markdown", "text/html": "html", "text/plain": "text"}
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                with contextlib.suppress(ValueError):
                    q = float(v)
        ranked.append((-q, i, media.strip().lower()))
    for _q, _i, media in sorted(ranked):
        fmt = by_type.get(media)
        if fmt is not None and fmt in _formats():
            return fmt
    return "json"


async def _body_text(request: Request) -> str:
    data = await request.body()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, "The body is not UTF-8", f"body: byte {exc.start} is not UTF-8") from None


def _deal_text(deal: dict[str, Any]) -> str:
    import json

    return json.dumps(deal, indent=2, ensure_ascii=False)


def _summary(r: Any, rules: Rules) -> RuleSummary:
    spec = r.spec
    path = Path(r.location.path)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(rules.path.resolve())
    return RuleSummary(id=r.id, title=spec.title, jurisdiction=spec.jurisdiction, theory=spec.theory,
                       citation=spec.basis.citation, url=spec.basis.url, status=spec.basis.status,
                       file=path.as_posix(), line=r.location.line)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the deal and report schemas the raw-body endpoint refers to."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    from antitrust.schemas import schema_for

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, title in (("deal", "Deal"), ("report", "Report")):
        schema = _rebase(schema_for(name), title)
        for key, definition in schema.pop("$defs", {}).items():
            components[f"{title}_{key}"] = definition
        schema.pop("$schema", None)
        schema.pop("$id", None)
        components[title] = schema
    components.setdefault("ProblemDetails", ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}"))
    app.openapi_schema = doc
    return doc


def _rebase(node: Any, prefix: str) -> Any:
    """Point a JSON Schema's local references (#/$defs/X) at OpenAPI components named prefix_X."""
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", f"#/components/schemas/{prefix}_") if k == "$ref" and isinstance(v, str)
                    else _rebase(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v, prefix) for v in node]
    return node


__all__ = ["API_KEY_HEADER", "PROBLEM_MEDIA_TYPE", "ServerConfig", "create_app"]
