"""``antitrust serve``: run the HTTP service (antitrust/server.py) on uvicorn."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from antitrust.bundled import RULES_HELP, STRICT_HELP


def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    del rules_app

    @app.command("serve")
    def serve_command(
        host: Annotated[str, typer.Option(help="Address to bind (other machines reach it only if you say so).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8000,
        rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
        workers: Annotated[int | None, typer.Option(min=1, help="Worker processes that evaluate deals (default: one per core).", show_default=False)] = None,
        audit_log: Annotated[Path, typer.Option("--audit-log", help="Append one JSON line per decision here.")] = Path("antitrust-audit.jsonl"),
        max_body: Annotated[int, typer.Option(min=1, help="Largest request body accepted, in bytes (413 above).")] = 1_000_000,
        api_key_env: Annotated[str, typer.Option(help="Environment variable holding the API key; when it is set, every /v1 request needs the key in the X-API-Key header.")] = "ANTITRUST_API_KEY",
        timeout: Annotated[float, typer.Option(min=0, help="Seconds a request may run before it is answered 504 and its worker restarted (0: no limit).")] = 60.0,
        today: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date to check parameter review dates against (default: the day of each request).", show_default=False)] = None,
        strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP + " Applies to every request.")] = False,
    ) -> None:
        """Serve the engine over HTTP: POST /v1/evaluate, /v1/what-if, /v1/explain; GET /v1/rules,
        /v1/schemas/{deal|report}, /healthz; OpenAPI at /openapi.json. Reload the rulebook with
        SIGHUP or POST /v1/reload."""
        import uvicorn

        from antitrust.errors import InputError, InputErrors
        from antitrust.server import ServerConfig, create_app

        config = ServerConfig(rules=rules, workers=workers, audit_log=audit_log, max_body=max_body,
                              api_key=os.environ.get(api_key_env) or None, timeout=timeout or None,
                              today=today.date() if today else None, strict=strict)
        try:
            application = create_app(config)
        except (InputError, InputErrors) as exc:
            for e in exc.errors if isinstance(exc, InputErrors) else [exc]:
                typer.echo(str(e), err=True)
            raise typer.Exit(2) from None
        key = "API key required" if config.api_key else f"no API key (set {api_key_env} to require one)"
        typer.echo(f"antitrust serve: http://{host}:{port} ({key}; audit log {audit_log})", err=True)
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)
