"""Routes that document their error statuses, so that none can be forgotten.

Every router of the API uses `DocumentedRoute`. From what a route declares it derives the
errors it can answer, each with the one error body (`ErrorBody`):

- an authenticated route (`require(...)`): 401 (no, unknown, revoked or expired token) and
  403 (missing permission, or outside the unit's scope);
- a path parameter: 404 (nothing has that id or code);
- a request body: 413 (larger than `CREDITREG_MAX_UPLOAD_BYTES`); a JSON one also 415 (sent
  with another Content-Type);
- any input (body, path or query): 422 (`request.invalid` with its problems, or a rule the
  input breaks), replacing FastAPI's own validation body, which the API never sends.

A route adds what only it knows (409 for a state it cannot leave, 404 for an id in its
body) with `responses=errors({409: "why"})`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field
from pydantic import BeforeValidator

from creditreg.api.deps import PUBLIC, access_of
from creditreg.api.schemas.errors import ErrorBody
from creditreg.domain.kernel.ids import MAX_ID as MAX_ID  # re-exported for the routers
from creditreg.domain.kernel.ids import MAX_VERSION

# Ids are 64-bit (BIGINT): a larger one names nothing and is refused as input (422), never
# handed to the database (where it overflowed into a 500).
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="an id")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="an id")]
QueryVersion = Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="a version")]


def _iso_day(value: Any) -> Any:
    """A day in a query is written YYYY-MM-DD (pydantic alone also reads "0" as 1970-01-01)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("a day written YYYY-MM-DD")
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A day given in a query (`as_of`, `since`, `until` ...).
Day = Annotated[date, BeforeValidator(_iso_day)]

UNAUTHENTICATED = "no token, or an unknown, revoked or expired one (`auth.*`)"
FORBIDDEN = "the token lacks the permission, or acts outside its unit's fields or region"
NOT_FOUND = "nothing has that id or code (`<thing>.not_found`)"
TOO_LARGE = "the body is larger than the configured limit (`request.too_large`)"
NOT_JSON = (
    "the body was sent as another media type: send JSON with `Content-Type: "
    "application/json` (`request.unsupported_media_type`)"
)
UNAVAILABLE = (
    "the database is busy or cannot be reached (`db.busy`, `db.unavailable`); retry after "
    "the `Retry-After` header's seconds"
)
INVALID = "the input is malformed (`request.invalid`, with its problems) or breaks a rule"


def errors(statuses: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for error statuses a route documents itself, each with the error body."""
    return {status: {"model": ErrorBody, "description": text} for status, text in statuses.items()}


def _access_labels(dependant: Dependant) -> list[str]:
    found: list[str] = []
    stack = [dependant]
    while stack:
        current = stack.pop()
        label = access_of(current.call)
        if label:
            found.append(label)
        stack.extend(current.dependencies)
    return found


def _takes_input(dependant: Dependant) -> bool:
    stack = [dependant]
    while stack:
        current = stack.pop()
        if (
            current.path_params
            or current.query_params
            or current.body_params
            or current.header_params
            or current.cookie_params
        ):
            return True
        stack.extend(current.dependencies)
    return False


def derived_errors(route: APIRoute) -> dict[int, str]:
    """The error statuses a route's declarations imply."""
    found: dict[int, str] = {}
    labels = _access_labels(route.dependant)
    if any(label != PUBLIC for label in labels):
        found[401] = UNAUTHENTICATED
        found[403] = FORBIDDEN
    if route.dependant.path_params:
        found[404] = NOT_FOUND
    if route.body_field is not None:
        found[413] = TOO_LARGE
        if not isinstance(route.body_field.field_info, params.Form):  # File is a Form
            found[415] = NOT_JSON
    if _takes_input(route.dependant):
        found[422] = INVALID
    if labels:  # every declared route reads the database (a token, or its data)
        found[503] = UNAVAILABLE
    return found


class DocumentedRoute(APIRoute):
    """An APIRoute whose OpenAPI operation lists the errors its declarations imply."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        for status, text in derived_errors(self).items():
            if status in self.responses or str(status) in self.responses:
                continue  # the route said it better itself
            self.responses[status] = {"model": ErrorBody, "description": text}
            self.response_fields[status] = create_model_field(
                name=f"Response_{status}_{self.unique_id}", type_=ErrorBody, mode="serialization"
            )
