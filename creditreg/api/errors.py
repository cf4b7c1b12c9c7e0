"""One error model: {"error": {"code": ..., "message": ...}} with a 4xx status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditreg.api.responses import JSON
from creditreg.domain.errors import DomainError


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def install(app: FastAPI) -> None:
    """Map every error a request can meet onto the one model."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSON:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSON(error_body(exc.code, exc.message, **exc.details), exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSON:
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSON(
            error_body("request.invalid", summary or "invalid request", problems=problems), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSON:
        codes = {404: "http.not_found", 405: "http.method_not_allowed", 413: "request.too_large"}
        return JSON(
            error_body(codes.get(exc.status_code, f"http.{exc.status_code}"), str(exc.detail)),
            exc.status_code,
        )
