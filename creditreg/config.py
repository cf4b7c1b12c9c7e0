"""Settings read from the environment (prefix CREDITREG_); the default database is SQLite."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the process needs to start; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="CREDITREG_", extra="ignore")

    database_url: str = "sqlite:///var/creditreg.db"
    # PostgreSQL only: run in this schema (search_path). Lets tests and tenants share a server.
    database_schema: str | None = None
    # A fixed clock for demonstrations and acceptance tests ("2026-03-02T09:00").
    clock: datetime | None = None
    # Lets an operator move the clock through the API. Never on in production.
    test_clock: bool = False
    # Fixed and test clocks are refused unless this is also set: two switches, on purpose.
    allow_clock_override: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # Upper bound on a request body; larger uploads are refused before they are read.
    max_upload_bytes: int = 64 * 1024 * 1024
    # DIS-2: "regulations" (Art 19, the default) or "national" (minor/general/serious).
    disclosure_policy: str = "regulations"
    # ING-5: a punishment counts as untrustworthy once these have passed (or it was upheld).
    reconsideration_days: int = Field(default=60, ge=0, le=3660)
    litigation_months: int = Field(default=6, ge=0, le=120)
    # DIS-4: removal and correction notices stay published this long (seeds are silent).
    notice_months: int = Field(default=3, ge=1, le=60)
    # Failed logins per account and per address within the window before 429.
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    login_window_minutes: int = Field(default=15, ge=1, le=1440)
    # Issue 10: days an activation code stays valid, and hours a subject's session lasts.
    activation_days: int = Field(default=30, ge=1, le=365)
    subject_session_hours: int = Field(default=12, ge=1, le=720)
    # `creditreg serve` runs the timers itself (the embedded default), so windows close and
    # entries expire without a second command. Production runs `creditreg worker` and sets
    # this to false (or passes --no-worker).
    embedded_worker: bool = True
    # Seconds between two sweep passes of the embedded worker.
    sweep_interval: float = Field(default=60.0, gt=0, le=86_400)
    # RST-7, Art 43: months a record of each class is displayed before it may be restored
    # (the seeds leave it open).
    restoration_months_minor: int = Field(default=0, ge=0, le=60)
    restoration_months_general: int = Field(default=3, ge=0, le=60)
    restoration_months_serious: int = Field(default=12, ge=0, le=60)
    # SQLite: how long a write waits for another writer's lock before the caller gets a
    # 503 `db.busy` with Retry-After (issue 9: no writer waits 30 s behind an ingest).
    sqlite_busy_timeout_ms: int = Field(default=2000, ge=50, le=60000)
    # Rows an ingest stores per staging transaction (issue 9: each commits quickly), and
    # the minutes after which the sweep discards a staging batch whose ingest stopped.
    ingest_chunk_rows: int = Field(default=2000, ge=1, le=100000)
    staging_timeout_minutes: int = Field(default=30, ge=1, le=10080)
    # OBJ-1, Art 41: an objection's materials, each at most this many bytes, at most this
    # many per objection (PDF, JPEG or PNG, recognised by their content).
    objection_attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 << 20)
    objection_attachment_max_files: int = Field(default=5, ge=1, le=20)
    # OBJ-3, Op(22): the provincial department's time to reconsider an objection's outcome,
    # in working days from the application (the seeds leave it open).
    reconsideration_working_days: int = Field(default=15, ge=1, le=120)

    # SEC-3: the audit chain's key (HMAC-SHA256), at least 32 characters, e.g. from
    # `openssl rand -hex 32`. It must live outside the database. When unset, the key is read
    # from `audit_key_file`, which the first run creates with a random key (mode 0600).
    # Never a default: a key every install shared would protect none of them.
    audit_key: SecretStr | None = None
    audit_key_file: Path = Path("var/audit.key")
    # SEC-3: the append-only copy of the audit checkpoints outside the database (JSON lines).
    # Best on storage the database's host cannot rewrite (another machine, a log shipper).
    audit_checkpoint_file: Path = Path("var/audit-checkpoints.jsonl")

    # RIG-2: the credit reports' Ed25519 signing key, outside the database like the audit
    # key: PEM (PKCS#8) here, else the file, which the first run creates (mode 0600). Back
    # it up: reports signed with a lost key can no longer be checked against it.
    report_key: SecretStr | None = None
    report_key_file: Path = Path("var/report-key.pem")
    # Art 40: free reports per subject, calendar year and kind; the fee of a further one
    # (fen, 1/100 yuan; the seeds name none).
    report_free_per_year: int = Field(default=2, ge=2, le=100)
    report_fee_fen: int = Field(default=1000, ge=0, le=10_000_000)
    # RIG-2: the TrueType CJK font PDF reports embed (Debian's fonts-wqy-zenhei).
    report_font_file: Path = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

    # Issue 11 (MEA-5, LST-9): hosts a webhook URL may name besides public ones, comma-
    # separated ("127.0.0.1,hooks.intranet"). Loopback, private and link-local addresses
    # and `localhost` are refused unless listed here. Seconds a receiver has to answer.
    webhook_allowed_hosts: str = ""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    @field_validator("audit_key")
    @classmethod
    def _key_is_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("an audit key has at least 32 characters (openssl rand -hex 32)")
        return value

    @field_validator("database_schema")
    @classmethod
    def _schema_is_identifier(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("_", "").isalnum():
            raise ValueError("database_schema must be letters, digits and underscores")
        return value
