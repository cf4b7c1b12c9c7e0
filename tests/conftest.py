"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

The migrated databases are built once per test session, one empty and one with the demo
data (`creditreg.demo.dataset.load`), and each test gets a copy of one of them: the demo
copy when the test asks for the `demo_data` fixture (the HTTP `api` fixture does).
SQLite: each pytest process builds its two template files once and copies a file per test.
PostgreSQL (CREDITREG_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test): the
first xdist worker that needs them builds two template schemas for the whole run, under an
advisory lock the workers share; each test then gets its own schema, copied from a template
in one round trip by the SQL that pg_dump gives for the template's definitions (measured:
~0.5 s a copy against ~0.8 s for migrating, plus the demo load; a database per test from
`CREATE DATABASE ... TEMPLATE` costs a forced checkpoint on every DROP DATABASE, seconds
each on a busy shared server). The templates are rebuilt by every run, so they always match
the migrations and the demo data of the code under test; the run's controller drops them at
the end, and each worker drops its test schemas.
With CI=true a PostgreSQL or browser test that cannot run fails; elsewhere it is skipped
and the run ends with a loud warning.

Audit key (SEC-3): each run makes a random key (the controller's, handed to the xdist
workers, since they share the PostgreSQL templates signed under it); no constant key
exists that a production install could share. A test database comes with its own copy of
its template's checkpoint file, as a restored backup comes with the file's copy. Every
setting of the process points into a temporary directory, so that no test writes a key
or a checkpoint into the checkout's var/.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from creditreg.bootstrap import build_context
from creditreg.clock import CST, FixedClock
from creditreg.config import Settings
from creditreg.domain.kernel.audit import ChainKey
from creditreg.services.context import Context
from creditreg.services.kernel import checkpoints
from creditreg.store.engine import make_engine
from creditreg.store.migrate import upgrade

PG_URL = os.environ.get("CREDITREG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# This process's name for its test schemas; RUN names the templates of the whole run
# (the xdist controller hands its own to the workers).
SESSION = uuid.uuid4().hex[:8]
RUN = uuid.uuid4().hex[:8]
AUDIT_KEY = secrets.token_hex(32)
# The tests' default "now": a Monday, 09:00 China Standard Time.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
# Stands for the new schema's name in a template's copy script.
SCHEMA_MARK = "__creditreg_test_schema__"

_unavailable: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2's cheapest profile in tests: the same code path, a fraction of the cost."""
    from argon2 import PasswordHasher, profiles

    from creditreg.services.access import access

    default = access._hasher
    access._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    access._hasher = default


def unavailable(what: str) -> None:
    """Fail in CI; elsewhere skip, and remember to warn loudly at the end."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: this test must run)", pytrace=False)
    _unavailable.append(what)
    pytest.skip(what)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _unavailable:
        reasons = sorted(set(_unavailable))
        terminalreporter.write_sep("!", "TESTS SKIPPED BECAUSE SOMETHING IS MISSING", red=True)
        for reason in reasons:
            terminalreporter.write_line(f"  {reason}", red=True)
        terminalreporter.write_line(
            f"  {len(_unavailable)} test(s) did not run; with CI=true they fail.", red=True
        )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker builds or finds the templates under the controller's run name,
    signed under the controller's audit key."""
    node.workerinput["creditreg_test_run"] = RUN
    node.workerinput["creditreg_audit_key"] = AUDIT_KEY


def pytest_configure(config: pytest.Config) -> None:
    """The run's audit key, and a scratch directory for the files the settings name, in
    this process's environment: a command a test starts by hand gets them too."""
    workerinput = getattr(config, "workerinput", None)
    key = str(workerinput["creditreg_audit_key"]) if workerinput else AUDIT_KEY
    scratch = Path(tempfile.mkdtemp(prefix="creditreg-test-"))
    config.add_cleanup(lambda: shutil.rmtree(scratch, ignore_errors=True))
    os.environ["CREDITREG_AUDIT_KEY"] = key
    os.environ["CREDITREG_AUDIT_KEY_FILE"] = str(scratch / "audit.key")
    os.environ["CREDITREG_REPORT_KEY_FILE"] = str(scratch / "report-key.pem")
    os.environ["CREDITREG_AUDIT_CHECKPOINT_FILE"] = str(scratch / "audit-checkpoints.jsonl")


def audit_key() -> ChainKey:
    """The run's audit key."""
    return ChainKey(os.environ["CREDITREG_AUDIT_KEY"].encode())


def _run_name(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    return str(workerinput["creditreg_test_run"]) if workerinput else RUN


_pg_state: dict[str, Any] = {}


def pg_admin_engine() -> sa.Engine | None:
    if "engine" not in _pg_state:
        engine = make_engine(PG_URL)
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            _pg_state["engine"] = engine
        except sa.exc.OperationalError as exc:
            _pg_state["engine"] = None
            _pg_state["error"] = str(exc.orig).strip().splitlines()[0]
    engine = _pg_state["engine"]
    return engine if isinstance(engine, sa.Engine) else None


@pytest.fixture(scope="session", autouse=True)
def _drop_session_schemas() -> Iterator[None]:
    yield
    engine = _pg_state.get("engine")
    if isinstance(engine, sa.Engine):
        with engine.connect() as conn:
            names = list(
                conn.execute(
                    sa.text("select nspname from pg_namespace where nspname like :p"),
                    {"p": f"crt_{SESSION}_%"},
                ).scalars()
            )
        for name in names:  # leftovers only: each test drops its own schema
            _drop_schema(engine, name)
        engine.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The process that started the run (not an xdist worker) drops the run's templates."""
    if hasattr(session.config, "workerinput"):
        return
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as conn:
            names = list(
                conn.execute(
                    sa.text("select nspname from pg_namespace where nspname like :p"),
                    {"p": f"crt_tpl_{RUN}%"},
                ).scalars()
            )
        for name in names:
            _drop_schema(engine, name)
    except sa.exc.OperationalError:
        pass  # unreachable: nothing was built
    finally:
        engine.dispose()


def _drop_schema(engine: sa.Engine, name: str) -> None:
    # One transaction per schema: dropping them all at once runs out of lock slots.
    with engine.begin() as conn:
        conn.execute(sa.text(f'drop schema if exists "{name}" cascade'))


@dataclass(frozen=True)
class DbTarget:
    """Where a test's database lives, and its checkpoint file (SEC-3)."""

    backend: str
    url: str
    schema: str | None
    checkpoint_file: Path | None = None

    def settings(self, **extra: Any) -> Settings:
        files = {"audit_checkpoint_file": self.checkpoint_file} if self.checkpoint_file else {}
        return Settings(database_url=self.url, database_schema=self.schema, **{**files, **extra})

    def env(self) -> dict[str, str]:
        env = {
            "CREDITREG_DATABASE_URL": self.url,
            "CREDITREG_AUDIT_KEY": audit_key().secret.decode(),
        }
        if self.schema:
            env["CREDITREG_DATABASE_SCHEMA"] = self.schema
        if self.checkpoint_file:
            env["CREDITREG_AUDIT_CHECKPOINT_FILE"] = str(self.checkpoint_file)
        return env


def _load_demo(target: DbTarget) -> None:
    """The demo data set, loaded as a test would at T0."""
    from creditreg.demo import dataset as demo

    context = build_context(target.settings(), clock=FixedClock(T0))
    try:
        demo.load(context)
    finally:
        context.db.dispose()


def _sqlite_checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that copying the file copies everything."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _checkpoint_copy(database: Path) -> Path:
    """Where a template's checkpoint file lies: beside it."""
    return database.with_suffix(".checkpoints.jsonl")


def _copy_checkpoints(target: DbTarget) -> None:
    """Write the database's checkpoints (the start of the keyed chain) to its file, as
    `creditreg db upgrade` does after migrating."""
    context = build_context(target.settings(), clock=FixedClock(T0))
    try:
        copied = checkpoints.copy_to_file(context)
        assert copied.written, copied.error
    finally:
        context.db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file (and its checkpoint file), built once per process."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, audit_key=audit_key())
    engine.dispose()
    _copy_checkpoints(DbTarget("sqlite", f"sqlite:///{path}", None, _checkpoint_copy(path)))
    _sqlite_checkpoint(path)
    return path


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A migrated SQLite file with the demo data, built once per process."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    shutil.copy(sqlite_template, path)
    shutil.copy(_checkpoint_copy(sqlite_template), _checkpoint_copy(path))
    _load_demo(DbTarget("sqlite", f"sqlite:///{path}", None, _checkpoint_copy(path)))
    _sqlite_checkpoint(path)
    return path


# PostgreSQL templates: schemas crt_tpl_<run>_empty and crt_tpl_<run>_demo, and
# crt_tpl_<run>.copy_script holding, per template, the SQL that copies it.


def _template_schemas(run: str) -> tuple[str, str, str]:
    return f"crt_tpl_{run}", f"crt_tpl_{run}_empty", f"crt_tpl_{run}_demo"


def _drop_templates(engine: sa.Engine, run: str) -> None:
    for name in _template_schemas(run):
        _drop_schema(engine, name)


def pg_copy_script(config: pytest.Config, demo: bool, kind: str | None = None) -> str:
    """The SQL that copies the run's empty or demo template into schema SCHEMA_MARK (or,
    with kind="checkpoints", the templates' checkpoint file)."""
    if "template_error" in _pg_state:
        unavailable(_pg_state["template_error"])
    if "scripts" not in _pg_state:
        admin = pg_admin_engine()
        assert admin is not None
        try:
            _pg_state["scripts"] = _pg_templates(admin, _run_name(config))
        except TemplateUnavailable as exc:
            _pg_state["template_error"] = str(exc)
            unavailable(str(exc))
    return str(_pg_state["scripts"][kind or ("demo" if demo else "empty")])


def _pg_templates(admin: sa.Engine, run: str) -> dict[str, str]:
    """Read the run's copy scripts, building the templates first if no worker has."""
    meta = _template_schemas(run)[0]
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        # One builder per run: the other workers wait here, then read what it built.
        lock.execute(sa.text("select pg_advisory_lock(hashtext(:k))"), {"k": meta})
        try:
            built = lock.execute(sa.text("select to_regclass(:t)"), {"t": f"{meta}.copy_script"})
            if built.scalar() is None:
                _build_templates(admin, run)
            rows = lock.execute(sa.text(f"select kind, body from {meta}.copy_script"))
            return {kind: body for kind, body in rows}
        finally:
            lock.execute(sa.text("select pg_advisory_unlock(hashtext(:k))"), {"k": meta})


def _build_templates(admin: sa.Engine, run: str) -> None:
    meta, empty, demo = _template_schemas(run)
    _drop_templates(admin, run)  # what a builder that died half-way left
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{empty}"'))
    engine = make_engine(PG_URL, empty)
    try:
        upgrade(engine, audit_key=audit_key())
    finally:
        engine.dispose()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "checkpoints.jsonl"
        _copy_checkpoints(DbTarget("postgresql", PG_URL, empty, copy))
        # Both templates hold the one checkpoint the migration wrote.
        scripts = {"checkpoints": copy.read_text()}
    definitions = _pg_definitions(empty)
    scripts["empty"] = definitions.replace("__DATA__", _pg_data(admin, empty))
    _run_script(admin, scripts["empty"], demo)
    _load_demo(DbTarget("postgresql", PG_URL, demo))
    scripts["demo"] = definitions.replace("__DATA__", _pg_data(admin, demo))
    # Written last: its presence tells the other workers the templates are complete.
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{meta}"'))
        conn.execute(sa.text(f"create table {meta}.copy_script (kind text primary key, body text)"))
        for kind, body in scripts.items():
            conn.execute(
                sa.text(f"insert into {meta}.copy_script values (:k, :b)"), {"k": kind, "b": body}
            )


class TemplateUnavailable(Exception):
    """What the PostgreSQL templates need is missing."""


def _pg_definitions(schema: str) -> str:
    """pg_dump's DDL for `schema`, before and after a __DATA__ placeholder, renamed."""
    url = sa.make_url(PG_URL).set(drivername="postgresql")
    sections = []
    for section in ("pre-data", "post-data"):
        try:
            dumped = subprocess.run(
                [
                    "pg_dump",
                    "--dbname",
                    url.render_as_string(hide_password=False),
                    "--schema",
                    schema,
                    "--schema-only",
                    f"--section={section}",
                    "--no-owner",
                    "--no-privileges",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
        except FileNotFoundError as exc:
            raise TemplateUnavailable(
                "pg_dump not found (apt-get install postgresql-client)"
            ) from exc
        except subprocess.CalledProcessError as exc:
            raise TemplateUnavailable(f"pg_dump failed: {exc.stderr.strip()}") from exc
        # Session settings, psql meta-commands and comments are not DDL; the schema is
        # created by the copy itself.
        lines = [
            line
            for line in dumped.stdout.splitlines()
            if not line.startswith(("SET ", "SELECT pg_catalog.set_config", "\\", "--"))
            and line != f"CREATE SCHEMA {schema};"
        ]
        sections.append("\n".join(lines).replace(f"{schema}.", f"{SCHEMA_MARK}."))
    return f"CREATE SCHEMA {SCHEMA_MARK};\n{sections[0]}\n__DATA__\n{sections[1]}\n"


def _pg_data(admin: sa.Engine, schema: str) -> str:
    """Statements that copy `schema`'s rows and sequence positions into SCHEMA_MARK."""
    with admin.connect() as conn:
        tables = conn.execute(
            sa.text("select tablename from pg_tables where schemaname = :s order by tablename"),
            {"s": schema},
        ).scalars()
        copies = [
            f'INSERT INTO {SCHEMA_MARK}."{t}" SELECT * FROM "{schema}"."{t}";' for t in tables
        ]
        sequences = conn.execute(
            sa.text(
                "select sequencename, last_value from pg_sequences"
                " where schemaname = :s and last_value is not null"
            ),
            {"s": schema},
        ).all()
        positions = [f"SELECT setval('{SCHEMA_MARK}.\"{s}\"', {n});" for s, n in sequences]
    return "\n".join(copies + positions)


def _run_script(admin: sa.Engine, script: str, schema: str) -> None:
    raw = admin.raw_connection()
    try:
        with raw.cursor() as cur:
            # No parameters: the driver sends the script as it is, several statements at once.
            cur.execute(script.replace(SCHEMA_MARK, schema))
        raw.commit()
    finally:
        raw.close()


def _new_target(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> DbTarget:
    demo = "demo_data" in request.fixturenames
    checkpoint_file = tmp_path / "audit-checkpoints.jsonl"
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_demo_template" if demo else "sqlite_template")
        path = tmp_path / "creditreg.db"
        shutil.copy(template, path)
        shutil.copy(_checkpoint_copy(template), checkpoint_file)
        return DbTarget("sqlite", f"sqlite:///{path}", None, checkpoint_file)
    admin = pg_admin_engine()
    if admin is None:
        unavailable(f"PostgreSQL unreachable at {PG_URL}: {_pg_state.get('error')}")
    assert admin is not None
    schema = f"crt_{SESSION}_{uuid.uuid4().hex[:8]}"
    _run_script(admin, pg_copy_script(request.config, demo), schema)
    checkpoint_file.write_text(pg_copy_script(request.config, demo, kind="checkpoints"))
    return DbTarget("postgresql", PG_URL, schema, checkpoint_file)


@pytest.fixture
def demo_data() -> None:
    """Ask for the demo data: the test's database is then a copy of the demo template."""


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DbTarget]:
    """A migrated database, empty or with the demo data: each test runs on both databases."""
    target = _new_target(request, request.param, tmp_path)
    yield target
    admin = pg_admin_engine()
    if target.schema and admin is not None:
        _drop_schema(admin, target.schema)


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path) -> DbTarget:
    """A migrated SQLite database (for tests about SQLite itself)."""
    return _new_target(request, "sqlite", tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ctx(db: DbTarget, clock: FixedClock) -> Iterator[Context]:
    context = build_context(db.settings(), clock=clock)
    yield context
    context.db.dispose()


@pytest.fixture
def receiver() -> Iterator[Any]:
    """A webhook receiver on loopback (tests/webhook_receiver.py), stopped afterwards."""
    from tests.webhook_receiver import Receiver

    r = Receiver()
    yield r
    r.stop()
