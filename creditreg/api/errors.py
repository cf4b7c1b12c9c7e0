"""One error model: {"error": {"code": ..., "message": ..., "details"?: ...}} with a 4xx status.

Every error the API answers is built here from `schemas.common.ErrorBody`, so the body an
integrating unit receives is the one the OpenAPI document describes.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

import psycopg
import sqlalchemy as sa
from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from creditreg.api.responses import JSON, json_media_type
from creditreg.api.schemas.errors import Error, ErrorFacts, Problem, ValidationDetails
from creditreg.api.schemas.records import BatchResult
from creditreg.domain.errors import DomainError
from creditreg.services.access import access
from creditreg.web.not_found import page_wanted, render_not_found

log = logging.getLogger("creditreg")

Details = ValidationDetails | BatchResult | ErrorFacts


def error_body(code: str, message: str, details: Details | None = None) -> dict[str, Any]:
    """The one error body (`ErrorBody`) as JSON-ready data; `details` only when there are."""
    error = Error(code=code, message=message, details=details)
    out: dict[str, Any] = {"code": error.code, "message": error.message}
    if details is not None:
        # exclude_unset: the facts a domain error named, nothing it did not.
        out["details"] = details.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return {"error": out}


def error_response(
    status: int,
    code: str,
    message: str,
    details: Details | None = None,
    headers: dict[str, str] | None = None,
) -> JSON:
    return JSON(error_body(code, message, details), status, headers=headers)


def _domain_details(exc: DomainError) -> Details | None:
    """The facts a domain error names. Only documented keys reach the body (a test checks
    that every key raised in the code is documented in `ErrorFacts`)."""
    known = {k: v for k, v in exc.details.items() if k in ErrorFacts.model_fields}
    return ErrorFacts.model_validate(known) if known else None


RETRY_AFTER = 2  # seconds


def _database_errors() -> tuple[type[Exception], ...]:
    """Connection and lock failures, as SQLAlchemy and the drivers (fast paths) raise them."""
    return (
        sa.exc.OperationalError,
        sa.exc.InterfaceError,
        sqlite3.OperationalError,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )


async def _register_refusal(request: Request, code: str) -> None:
    """SEC-3, issue 9: every refused call leaves a trace (counted per caller and minute)."""
    principal = getattr(request.state, "principal", None)
    host = request.client.host if request.client else "unknown"
    await register_refusal(
        getattr(request.app.state, "ctx", None), principal, host, code, request.url.path
    )


async def register_refusal(ctx: Any, principal: Any, host: str, code: str, path: str) -> None:
    """A refused call (401/403) counted for its caller: the principal, or its address."""
    if ctx is None:
        return
    caller = principal.actor if principal is not None else f"address:{host}"
    try:
        await run_in_threadpool(access.register_refusal, ctx, caller, code, path)
    except Exception:  # the register must never turn a refusal into a 500
        log.warning("could not register a refused call of %s (%s)", caller, code, exc_info=True)


def domain_error_response(exc: DomainError) -> JSON:
    """A domain error as the one error body, with its status and headers."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if exc.status == 429 and "retry_after" in exc.details:
        headers = {"Retry-After": str(exc.details["retry_after"])}
    return error_response(exc.status, exc.code, exc.message, _domain_details(exc), headers)


def database_error_response(exc: Exception) -> JSON:
    """Issue 9: a lost connection or a database still busy after its wait is a 503 the
    caller can retry, never a stack trace or a bare 500."""
    text = str(getattr(exc, "orig", exc)).lower()
    busy = "locked" in text or "busy" in text or "lock timeout" in text
    return error_response(
        503,
        "db.busy" if busy else "db.unavailable",
        "the database is busy; retry shortly"
        if busy
        else "the database cannot be reached; retry shortly",
        None,
        {"Retry-After": str(RETRY_AFTER)},
    )


DATABASE_ERRORS = _database_errors()


def unreadable_body_response(detail: str) -> JSON:
    """FastAPI's own 400 for a body it cannot decode (not UTF-8, not JSON): an invalid
    input like any other, as the OpenAPI document says (422)."""
    return error_response(
        422,
        "request.invalid",
        "the body cannot be read: send UTF-8 JSON",
        ValidationDetails(problems=[Problem(field="body", message=detail)]),
    )


def validation_response(problems: list[Problem]) -> JSON:
    """422 `request.invalid` naming each problem of a malformed request."""
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    return error_response(
        422, "request.invalid", summary or "invalid request", ValidationDetails(problems=problems)
    )


def problem(error: Mapping[str, Any]) -> Problem:
    """One problem of a malformed request: the field at fault (`body` for the body as a
    whole) and what is wrong with it."""
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        # FastAPI puts the character offset where the field name goes: ('body', 33).
        offset = loc[1] if len(loc) > 1 else None
        reason = str(error.get("ctx", {}).get("error", "")) or str(error["msg"])
        where = f" (character {offset})" if isinstance(offset, int) else ""
        return Problem(field="body", message=f"the body is not valid JSON: {reason}{where}")
    field = ".".join(str(p) for p in loc if p != "body")
    return Problem(field=field or "body", message=error["msg"])


BAD_CHARACTER = "a value holds a NUL character (U+0000) or an unpaired surrogate"


def install(app: FastAPI) -> None:
    """Map every error a request can meet onto the one model."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSON:
        if exc.status in (401, 403):
            await _register_refusal(request, exc.code)
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSON:
        sent = request.headers.get("content-type", "")
        if (
            _takes_json(request)
            and not json_media_type(sent.encode("latin-1", "replace"))
            and any(
                tuple(e.get("loc", ()))[:1] == ("body",) and (sent or e.get("type") != "missing")
                for e in exc.errors()
            )
        ):
            # The body was not read as JSON at all (sent as another type, or with no type):
            # say so, not that its fields are missing.
            return not_json_response(sent)
        return validation_response([problem(e) for e in exc.errors()])

    async def _database(_: Request, exc: Exception) -> JSON:
        return database_error_response(exc)

    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, _database)

    @app.exception_handler(sa.exc.DataError)
    async def _data(_: Request, exc: sa.exc.DataError) -> JSON:
        # What a route let through to PostgreSQL that its column cannot hold (SQLite
        # stores it): rolled back with its transaction, refused as the caller's input.
        if "nul" in str(exc.orig).lower():
            return error_response(422, "request.bad_character", BAD_CHARACTER)
        return error_response(
            422, "request.out_of_range", "a value is too long or too large for what stores it"
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and page_wanted(request.scope):
            # A portal address that names nothing: a page a person can read, in the
            # portal's frame (the API's paths keep their JSON error).
            return HTMLResponse(render_not_found(request.url.path), status_code=404)
        if exc.status_code == 400:
            # FastAPI's own 400 for a body it cannot decode (not UTF-8, not JSON): an
            # invalid input like any other, as the OpenAPI document says (422).
            return unreadable_body_response(str(exc.detail))
        if exc.status_code == 404:
            return error_response(404, "http.not_found", str(exc.detail))
        if exc.status_code == 405:
            # RFC 9110: a 405 names the methods the resource allows, every route of the path
            # (Starlette names the first route's only), HEAD with GET (HeadAsGet).
            allowed = _methods_of(request)
            return error_response(
                405,
                "http.method_not_allowed",
                str(exc.detail),
                headers={"Allow": ", ".join(m for m in allowed if m)},
            )
        if exc.status_code == 413:
            return error_response(413, "request.too_large", str(exc.detail))
        # No other refusal of the framework is known; should one come, it is a 400 with a
        # code of the registry (domain/error_codes.py), never a status the API does not list.
        return error_response(400, "http.error", str(exc.detail))


def _takes_json(request: Request) -> bool:
    """Whether the route matched takes a JSON body (not a form or an upload)."""
    route = request.scope.get("route")
    body = getattr(route, "body_field", None)
    return body is not None and not isinstance(body.field_info, params.Form)


def not_json_response(content_type: str) -> JSON:
    """415: a JSON body sent with another Content-Type (named, cut short), or none."""
    sent = content_type.split(";")[0].strip()[:60]
    said = f"sent as {sent!r}" if sent else "sent with no Content-Type"
    return error_response(
        415,
        "request.unsupported_media_type",
        f"the body was {said}: send JSON with Content-Type: application/json",
    )


def _methods_of(request: Request) -> list[str]:
    """The methods some route serves at the request's path, in a stable order."""
    scope = {**request.scope, "method": "GET"}
    found: set[str] = set()
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        included = getattr(route, "original_router", None)  # an included router's own
        if included is not None:
            routes.extend(included.routes)
            continue
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            found |= set(getattr(route, "methods", None) or ())
    if "GET" in found:
        found.add("HEAD")
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return [m for m in order if m in found] + sorted(found - set(order))
