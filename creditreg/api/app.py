"""The application factory: the API, its error model, and the portal."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from creditreg import __version__
from creditreg.api import errors
from creditreg.api.head import HeadAsGet
from creditreg.api.limits import BodySizeLimit
from creditreg.api.responses import JSON
from creditreg.api.routers import (
    accounts,
    audit,
    auth,
    authorizations,
    calendar,
    catalog,
    check,
    clock,
    corrections,
    declarations,
    events,
    feedback,
    health,
    lists,
    measure_feedback,
    measures,
    objections,
    query_register,
    records,
    reports,
    restorations,
    subjects,
    units,
    webhooks,
)
from creditreg.api.security_headers import SecurityHeaders
from creditreg.api.text_guard import TextGuard
from creditreg.config import Settings
from creditreg.domain.error_codes import markdown_table
from creditreg.services.context import Context
from creditreg.services.kernel.worker import Worker
from creditreg.web import report_pages
from creditreg.web import routes as web_routes

DESCRIPTION = f"""
creditreg: a credit-information sharing platform.

Every endpoint is either **public** or needs `Authorization: Bearer <token>` (an API token
of a unit, or the session token from `/api/v1/auth/login`) holding the permission it names.
A credit subject's account logs in at `/api/v1/accounts/sessions`; its session token holds
only `rights:self` and reaches only its own subject's data (403 `account.not_your_subject`).

Every error has one body, `ErrorBody`: `{{"error": {{"code": "...", "message": "...",
"details": ...}}}}` with a 4xx or 503 status. `code` is stable and machine-readable
(`<concept>.<reason>`, one prefix per concept); `message` is for people; `details` appears
only where there is more to say: the problems of a malformed request (`request.invalid`),
a rejected batch's rows (`record.batch_rejected`: row, field, code, message), or the facts
a rule names. Each operation lists the statuses it can answer: 401 and 403 where a token is
needed, 404 for an id in the path (or one in the body that names nothing), 413 for a body,
422 for any input, 409 for a state that does not allow the step, 503 when the database is
busy or unreachable.

A code has one status wherever it is raised: `<thing>.not_found` is always a 404, whether
the id came in the path, the query or the body. The CLI prints the same codes
(`error: <message> [<code>]`) with the exit code below. Every code:

{markdown_table()}
"""


def create_app(
    ctx: Context, settings: Settings | None = None, worker: Worker | None = None
) -> FastAPI:
    """The ASGI app over one service context; with `worker`, the timers run beside it
    (started with the app, stopped when it shuts down)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                # Off the event loop: the current pass finishes its chunk first.
                await asyncio.to_thread(worker.stop)

    # FastAPIOffline serves the Swagger UI assets itself: no CDN is needed. ReDoc is not
    # served: its bundle fetches its logo from a CDN, and the page hung without one.
    app = FastAPIOffline(
        title="creditreg",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=JSON,
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.ctx = ctx
    errors.install(app)
    # The check first: a request is matched against the routes in order, and matching
    # every route of the routers before it was a quarter of a check's time over HTTP
    # (README "Benchmarks"). Its paths clash with no other route's.
    for module in (
        check,
        health,
        auth,
        units,
        subjects,
        calendar,
        audit,
        clock,
        events,
        catalog,
        records,
        lists,
        objections,
        feedback,
        accounts,
        reports,
        authorizations,
        restorations,
        declarations,
        corrections,
        query_register,
        measure_feedback,
        measures,
        webhooks,
    ):
        app.include_router(module.router)
    app.include_router(web_routes.router)
    app.include_router(report_pages.router)
    # The check's routes answered on the ASGI layer (LeanCheck's docstring), inside the
    # body-size limit below (the middleware added last is the outermost).
    app.add_middleware(check.LeanCheck)
    # A NUL or an unpaired surrogate, refused before any route (TextGuard's docstring).
    app.add_middleware(TextGuard)
    # Not FastAPI's max_body_size: Starlette answers that one in plain text, outside the
    # error model. This one refuses with 413 `request.too_large` before reading the body.
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    # HEAD wherever GET is served, as HTTP requires (HeadAsGet's docstring).
    app.add_middleware(HeadAsGet)
    # What a browser may do with a page, and no-store for credentialed answers (its
    # docstring); outermost, so that every refusal above carries them too.
    app.add_middleware(SecurityHeaders)
    return app


def settle() -> None:
    """For a server process about to serve: what it built at start (the app, its routes and
    models, the compiled statements) lives as long as the process, so it leaves the cyclic
    collector's passes, which otherwise walked it again and again (about a tenth of a
    check batch's time, README "Benchmarks"). Garbage is collected first, never frozen."""
    gc.collect()
    gc.freeze()
