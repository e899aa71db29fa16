"""Problem details (RFC 9457) for the HTTP service: one JSON shape for every error.

A problem carries the CLI's one-line diagnostics in ``detail`` and, for input problems, each of
them split into path, line, column, field and message in ``errors``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InputProblem(BaseModel):
    message: str
    detail: str = Field(description="The line the CLI prints: 'path:line:col: message'.")
    location: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None


class ProblemDetails(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[InputProblem] = Field(default_factory=list)


class ProblemError(Exception):
    """Raised by an endpoint to answer with a problem."""

    def __init__(self, status: int, title: str, detail: str = "", errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers


def problem_response(status: int, title: str, detail: str = "", errors: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body = ProblemDetails(title=title, status=status, detail=detail,
                          errors=[InputProblem.model_validate(e) for e in errors or []])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=headers)


def problem_from(exc: ProblemError) -> JSONResponse:
    return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.headers)


#: OpenAPI description of problem responses, for the statuses an endpoint can answer with.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "Malformed request", 401: "Missing or wrong API key", 404: "Not found",
            413: "Request body too large", 422: "Invalid deal or request", 500: "Engine failure",
            504: "The request ran past the server's --timeout; its worker was restarted"}
    return {s: {"description": text.get(s, "Problem"), "model": ProblemDetails,
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
            for s in statuses}
