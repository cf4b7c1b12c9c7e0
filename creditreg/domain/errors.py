"""Domain errors carry a stable machine-readable code; adapters map them to HTTP / exit codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar


class DomainError(Exception):
    """Base of every error the platform reports to a caller."""

    # HTTP status the API uses for this kind of error.
    status = 400
    # Exit code the CLI uses for this kind of error.
    exit_code = 1

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidInput(DomainError):
    """The input breaks a rule (bad identifier, bad date, missing field)."""

    status = 422
    exit_code = 2


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    status = 404
    exit_code = 3


class Conflict(DomainError):
    """The input is valid but clashes with what is stored (duplicate, wrong state)."""

    status = 409
    exit_code = 4


class Unauthenticated(DomainError):
    """No valid credentials."""

    status = 401
    exit_code = 5


class TooManyAttempts(DomainError):
    """Too many failed attempts in a window: wait `retry_after` seconds."""

    status = 429
    exit_code = 6


class Forbidden(DomainError):
    """Valid credentials, but outside the caller's role or scope."""

    status = 403
    exit_code = 6


E = TypeVar("E", bound=StrEnum)


def quoted(raw: object, limit: int = 60) -> str:
    """`raw` quoted for a message, cut to `limit` characters (an error never echoes a
    hundred thousand characters back)."""
    text = str(raw)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_enum(enum: type[E], raw: str, code: str) -> E:
    """`raw` (any case, trimmed) as a member of `enum`, or InvalidInput naming the choices."""
    try:
        return enum(raw.strip().lower())
    except ValueError:
        names = ", ".join(m.value for m in enum)
        raise InvalidInput(code, f"{quoted(raw)} is not one of: {names}") from None
