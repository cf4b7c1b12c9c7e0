"""What every `creditreg` command shares: the app, its groups, one-line errors, the
context and the operator principal."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import orjson
import typer
from pydantic import BaseModel, ValidationError

from creditreg.bootstrap import build_context
from creditreg.config import Settings
from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import DomainError
from creditreg.domain.kernel.calendar import WorkingCalendar
from creditreg.domain.kernel.ids import MAX_ID, MAX_VERSION
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import calendar as calendar_service
from creditreg.store import migrate

app = typer.Typer(
    help="creditreg: credit-information sharing platform.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _group(name: str, help_text: str) -> typer.Typer:
    """A command group under `creditreg NAME`."""
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


db_app = _group("db", "Database schema.")
demo_app = _group("demo", "Demo data.")
audit_app = _group("audit", "The tamper-evident audit log.")
calendar_app = _group("calendar", "Working-day calendar.")
subjects_app = _group("subjects", "Credit subjects.")
units_app = _group("units", "Units, users and API tokens.")
catalog_app = _group("catalog", "The credit-information catalog.")
records_app = _group("records", "Credit records: verification and withdrawal.")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def fail(code: str, message: str, exit_code: int = 1) -> NoReturn:
    """One readable line on stderr, and a non-zero exit."""
    typer.echo(f"error: {message} [{code}]", err=True)
    raise typer.Exit(exit_code)


def run(action: Callable[[], T]) -> T:
    """Run `action`, turning a domain error into one line and its exit code."""
    try:
        return action()
    except DomainError as exc:
        fail(exc.code, exc.message, exc.exit_code)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail("config.invalid", f"invalid setting: {problems}", 2)
    except UnicodeEncodeError:
        # An argument with bytes that are not UTF-8 (the shell hands them on as lone
        # surrogates): no database stores it; refused as the API refuses it, nothing kept.
        fail(
            "request.bad_character",
            "an argument holds bytes that are not UTF-8 text: type it again",
            2,
        )


def write_private(path: Path, data: bytes | str) -> None:
    """Write a file only its owner may read (a credit report, a notice with an activation
    code: personal information, Op(24)); an existing file is narrowed to the owner too."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(raw)
    finally:
        if fd != -1:
            os.close(fd)


def read_text(path: Path) -> str:
    """A file's UTF-8 text, or one line (`file.unreadable`) and exit 2."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        fail("file.unreadable", f"cannot read {path}: {reason}", 2)


def read_json_object(path: Path) -> dict[str, Any]:
    """A file holding one JSON object, or one line (`file.unreadable`, `file.bad_json`)."""
    text = read_text(path)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        fail("file.bad_json", f"{path} is not valid JSON: {exc}", 2)
    if not isinstance(value, dict):
        fail("file.bad_json", f"{path} holds {type(value).__name__}, not a JSON object", 2)
    return value


def read_model(model: type[M], path: Path) -> M:
    """A JSON file checked against the API's request model for the same use case, so that a
    file and a request body are held to one contract (`request.invalid`, as over HTTP)."""
    raw = read_json_object(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail("request.invalid", f"{path}: {problems}", 2)


_opened: list[Context] = []


def _close_all() -> None:
    while _opened:
        _opened.pop().db.dispose()


@app.callback()
def _root(cli: typer.Context) -> None:
    """creditreg: credit-information sharing platform."""
    # Every database a command opens is closed when the command ends, however it ends.
    cli.call_on_close(_close_all)


def context(settings: Settings | None = None, *, check_schema: bool = True) -> Context:
    """The service context for this command (closed when the command ends).

    Unless told otherwise, the database must be at the current schema (exit 7 if not).
    """
    built = run(lambda: build_context(settings))
    _opened.append(built)
    if check_schema:
        _need_schema(built)
    return built


def due(day: Any) -> str:
    """A due date as the CLI prints it: marked `(provisional)` in a year whose official
    schedule is not loaded yet (CAL-2: never a silent guess), as the API's deadlines say."""
    text = str(day)
    if not day or not _opened:
        return text
    if not _calendars:
        _calendars.append(calendar_service.current(_opened[-1]))
    try:
        provisional = _calendars[0].is_provisional_year(int(text[:4]))
    except ValueError:
        return text
    return f"{text} (provisional)" if provisional else text


_calendars: list[WorkingCalendar] = []


def operator() -> Principal:
    """The CLI acts as the platform, on the machine, under the operating-system user's name."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Principal(
        actor=f"cli:{who}",
        unit_id=None,
        unit_kind=None,
        region=SYSTEM.region,
        level=SYSTEM.level,
        fields=SYSTEM.fields,
        permissions=SYSTEM.permissions,
        roles=SYSTEM.roles,
    )


def _need_schema(ctx: Context) -> None:
    if migrate.current_revision(ctx.db.engine) != migrate.head_revision():
        fail(
            "db.not_migrated",
            "the database is not at the current schema: run 'creditreg db upgrade'",
            7,
        )


def id_argument(help: str | None = None) -> Any:
    """An id argument: 1 to 2^63-1 (a larger number names nothing; click refuses it, exit 2)."""
    return typer.Argument(min=1, max=MAX_ID, help=help)


def id_option(*names: str, help: str | None = None) -> Any:
    """An id option, bounded like `id_argument`."""
    return typer.Option(*names, min=1, max=MAX_ID, help=help)


Version = Annotated[
    int | None, typer.Option(min=1, max=MAX_VERSION, help="a version (default: the current)")
]
Unit = Annotated[
    int | None, id_option("--unit", help="act for this designating unit (its scope applies)")
]


def acting(ctx: Context, unit: int | None) -> Principal:
    me = operator()
    return me if unit is None else run(lambda: access.acting_for(ctx, me.actor, unit))


def show(value: Any) -> None:
    typer.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def said(entry: Mapping[str, Any]) -> None:
    parts = [f"entry {entry['id']}: {entry['list_type']} {entry['status']}"]
    if entry.get("window_due") and entry["status"] in ("notified", "announced"):
        parts.append(f"window open until {entry['window_due']}")
    if entry.get("valid_until") and entry["status"] == "designated":
        parts.append(f"valid until {entry['valid_until']}")
    if entry.get("removal_reason"):
        parts.append(f"removed: {entry['removal_reason']}")
    typer.echo("; ".join(parts))
