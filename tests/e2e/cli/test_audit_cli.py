"""Issue 9, defect 7: the audit chain cannot be rewritten unnoticed (SEC-3), through
`creditreg audit verify|checkpoint`, `creditreg sweep` and `creditreg db upgrade`, on SQLite
and PostgreSQL.

The attacker works on the database directly, as its owner could: drops the triggers
first, then deletes or rewrites. They do not hold the audit key, nor reach the checkpoint
file (README, "Security").
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.kernel.audit import GENESIS_HASH, AuditFields
from creditreg.store.engine import make_engine
from creditreg.store.migrate import downgrade, head_revision
from tests.conftest import DbTarget

runner = CliRunner()


def cli(db: DbTarget, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={**db.env(), **(env or {})})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def codes(err: str) -> set[str]:
    """The finding codes `audit verify` printed, one a line."""
    return set(re.findall(r"\[(audit\.[a-z_]+)\]$", err, re.MULTILINE))


def verified(db: DbTarget) -> str:
    code, out, err = cli(db, "audit", "verify")
    assert code == 0 and err == "", err
    assert out.startswith("audit chain intact")
    return out


def add_subject(db: DbTarget, n: int) -> None:
    uscc = demo_uscc(f"91410100MA{n:07d}")
    assert cli(db, "subjects", "add", "legal_person", "uscc", uscc, f"公司{n}")[0] == 0


@contextmanager
def attacker(db: DbTarget) -> Iterator[sa.Connection]:
    """A connection as the database's owner, outside creditreg."""
    engine = make_engine(db.url, db.schema)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def drop_guards(conn: sa.Connection) -> None:
    """What an attacker does first: the append-only triggers go."""
    if conn.dialect.name == "sqlite":
        for table in ("audit_event", "audit_checkpoint"):
            for verb in ("update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_{verb}")
    else:
        for table in ("audit_event", "audit_checkpoint"):
            for guard in ("no_change", "no_truncate"):
                conn.exec_driver_sql(f"DROP TRIGGER {table}_{guard} ON {table}")


def newest_seq(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar_one())


def test_deleting_newest_event_detected_by_checkpoint__SEC_3(db: DbTarget, demo_data: None) -> None:
    """The newest event is deleted after a checkpoint vouched for it: the chain alone still
    verifies (it just ends earlier), the checkpoint does not."""
    code, out, _ = cli(db, "audit", "checkpoint")
    assert code == 0 and out.startswith("checkpoint 2: event ")
    with attacker(db) as conn:
        drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": newest_seq(conn)})
    code, out, err = cli(db, "audit", "verify")
    assert code == 1 and out == ""
    assert codes(err) == {"audit.chain_truncated", "audit.trigger_missing"}
    assert "checkpoint 2 " in err and "was deleted" in err
    # Restoring the triggers does not hide what was done before.
    assert cli(db, "db", "upgrade")[0] == 0
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.chain_truncated"}


def test_deleting_events_and_their_checkpoints_shows_in_the_file__SEC_3(
    db: DbTarget, demo_data: None
) -> None:
    """The attacker also deletes the database's checkpoints that name the deleted events:
    the file outside the database still holds them."""
    assert cli(db, "audit", "checkpoint")[0] == 0  # checkpoint 2
    with attacker(db) as conn:
        kept = newest_seq(conn)
    for n in range(3):
        add_subject(db, 100 + n)
    assert cli(db, "audit", "checkpoint")[0] == 0  # checkpoint 3, over the new events
    with attacker(db) as conn:
        drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq > :s"), {"s": kept})
        conn.execute(sa.text("DELETE FROM audit_checkpoint WHERE number = 3"))
    code, _, err = cli(db, "audit", "verify")
    assert code == 1
    assert {"audit.checkpoint_missing", "audit.chain_truncated"} <= codes(err)
    assert f"checkpoint 3 (event {kept + 4}" in err and "but not in the database" in err


def test_editing_an_event_and_rehashing_forward_fails_under_the_key__SEC_3(
    db: DbTarget, demo_data: None
) -> None:
    """Issue 9, defect 7: edit event 5 and recompute the (formerly unkeyed) SHA-256 chain
    forward from it: every link is consistent, but not one hash is the key's."""
    with attacker(db) as conn:
        drop_guards(conn)
        rows = conn.execute(sa.text("SELECT * FROM audit_event ORDER BY seq")).mappings().all()
        prev = rows[3]["hash"]
        for row in rows[4:]:
            fields = AuditFields(
                seq=row["seq"],
                occurred_at=row["occurred_at"],
                actor="user:mallory" if row["seq"] == 5 else row["actor"],
                unit_id=row["unit_id"],
                action=row["action"],
                object_type=row["object_type"],
                object_id=row["object_id"],
                before_digest=row["before_digest"],
                after_digest=row["after_digest"],
                detail=orjson.loads(row["detail"]),
                prev_hash=prev,
            )
            prev = fields.hash(None)
            conn.execute(
                sa.text(
                    "UPDATE audit_event SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": fields.actor, "p": fields.prev_hash, "h": prev, "s": fields.seq},
            )
    code, _, err = cli(db, "audit", "verify")
    assert code == 1
    assert err.startswith("error: audit chain broken at event 5: its content does not match")
    assert "audit.chain_broken" in codes(err)


def test_dropped_or_disabled_trigger_is_reported_and_db_upgrade_restores_it__SEC_3(
    db: DbTarget,
) -> None:
    with attacker(db) as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
            # A trigger of the right name that never fires.
            conn.exec_driver_sql("DROP TRIGGER audit_checkpoint_no_update")
            conn.exec_driver_sql(
                "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint "
                "WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END"
            )
            expected = {"audit.trigger_missing", "audit.trigger_altered"}
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_truncate ON audit_event")
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
            # The triggers stay, their function no longer refuses.
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
            )
            expected = {"audit.trigger_missing", "audit.trigger_disabled", "audit.trigger_altered"}
    code, out, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == expected
    assert "run 'creditreg db upgrade' to restore it" in err
    code, out, _ = cli(db, "db", "upgrade")
    restored = re.findall(r"^restored the trigger (\w+)", out, re.MULTILINE)
    assert code == 0 and len(restored) == (2 if db.backend == "sqlite" else 4)
    verified(db)
    code, out, _ = cli(db, "db", "upgrade")  # idempotent: nothing more to restore
    assert code == 0 and "restored" not in out
    with pytest.raises(sa.exc.DatabaseError), attacker(db) as conn:
        conn.execute(sa.text("DELETE FROM audit_checkpoint"))
    with pytest.raises(sa.exc.DatabaseError), attacker(db) as conn:
        conn.execute(sa.text("UPDATE audit_checkpoint SET seq = 7"))


def test_checkpoint_file_cut_edited_or_deleted_is_found__SEC_3(
    db: DbTarget, demo_data: None
) -> None:
    """The file must say what the database says: a cut, an edit, a foreign line or its
    loss is a finding; the next checkpoint makes up what the file lacked."""
    path = db.checkpoint_file
    assert path is not None
    for _ in range(2):
        assert cli(db, "audit", "checkpoint")[0] == 0
    assert "checkpoint file" in verified(db) and "3 entries" in verified(db)
    lines = path.read_text().splitlines(keepends=True)
    assert len(lines) == 3

    path.write_text("".join(lines[:2]))  # cut
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.checkpoint_file_missing_entries"}
    assert "lacks checkpoint 3 of the database" in err
    assert cli(db, "audit", "checkpoint")[0] == 0  # copies 3, then writes 4
    verified(db)

    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([lines[0], lines[1].replace('"seq":', '"seq":1'), *lines[2:]]))
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.checkpoint_signature_invalid"}
    assert "checkpoint 2 (event 1" in err and "forged or edited" in err

    path.write_text("".join(lines) + "not a checkpoint\n")
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.checkpoint_file_invalid"}

    path.unlink()
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.checkpoint_file_missing"}
    assert str(path) in err and "CREDITREG_AUDIT_CHECKPOINT_FILE" in err

    path.mkdir()  # something that cannot be read as the file
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and codes(err) == {"audit.checkpoint_file_unreadable"}
    code, _, err = cli(db, "audit", "checkpoint")
    assert code == 1 and "[audit.checkpoint_file_unwritable]" in err
    assert "is in the database, but cannot append to the checkpoint file" in err


def test_a_checkpoint_with_a_moved_head_fails_its_signature__SEC_3(
    db: DbTarget, demo_data: None
) -> None:
    """The attacker deletes the newest events and moves the checkpoint with them: without
    the key the checkpoint no longer verifies."""
    assert cli(db, "audit", "checkpoint")[0] == 0
    with attacker(db) as conn:
        drop_guards(conn)
        newest = newest_seq(conn)
        head = conn.execute(
            sa.text("SELECT hash FROM audit_event WHERE seq = :s"), {"s": newest - 1}
        ).scalar_one()
        conn.execute(sa.text("DELETE FROM audit_event WHERE seq = :s"), {"s": newest})
        conn.execute(
            sa.text("UPDATE audit_checkpoint SET seq = :s, head_hash = :h WHERE number = 2"),
            {"s": newest - 1, "h": head},
        )
    code, _, err = cli(db, "audit", "verify")
    assert code == 1
    assert {"audit.checkpoint_signature_invalid", "audit.checkpoint_file_mismatch"} <= codes(err)


def test_the_sweep_writes_a_checkpoint_when_the_head_moved__SEC_3(db: DbTarget) -> None:
    env = {"CREDITREG_CLOCK": "2026-03-02T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    assert db.checkpoint_file is not None
    assert cli(db, "sweep", env=env)[0] == 0  # nothing written since the start
    assert len(db.checkpoint_file.read_text().splitlines()) == 1
    add_subject(db, 1)
    code, out, _ = cli(db, "sweep", env=env)
    # A checkpoint is no timer that fell due: the sweep's line stays as it was.
    assert code == 0 and out.strip() == "sweep at 2026-03-02: nothing due"
    lines = db.checkpoint_file.read_text().splitlines()
    assert len(lines) == 2 and '"kind":"sweep"' in lines[1] and '"seq":1' in lines[1]
    assert cli(db, "sweep", env=env)[0] == 0  # idempotent: the head did not move
    assert len(db.checkpoint_file.read_text().splitlines()) == 2
    assert "checkpoints: 2 in the database" in verified(db)


def legacy_events(conn: sa.Connection, n: int) -> None:
    """Events as creditreg wrote them before the chain was keyed (plain SHA-256)."""
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        fields = AuditFields(
            seq, f"2026-01-0{seq}T09:00:00+08:00", "system", None, "subject.register",
            "subject", str(seq), None, None, {}, prev,
        )  # fmt: skip
        prev = fields.hash(None)
        conn.execute(
            sa.text(
                "INSERT INTO audit_event (seq, occurred_at, actor, unit_id, action, object_type,"
                " object_id, before_digest, after_digest, detail, prev_hash, hash) VALUES"
                " (:seq, :at, 'system', NULL, 'subject.register', 'subject', :id, NULL, NULL,"
                " '{}', :prev, :hash)"
            ),
            {"seq": seq, "at": fields.occurred_at, "id": str(seq), "prev": fields.prev_hash,
             "hash": prev},
        )  # fmt: skip


def test_legacy_unkeyed_events_before_the_start_still_verify__SEC_3(db: DbTarget) -> None:
    """An install upgraded from revision 0011 keeps its unkeyed events: checkpoint 1 marks
    where they end, signed, so that the boundary cannot be moved."""
    engine = make_engine(db.url, db.schema)
    try:
        downgrade(engine, "0011")
        with engine.begin() as conn:
            legacy_events(conn, 4)
    finally:
        engine.dispose()
    assert db.checkpoint_file is not None
    db.checkpoint_file.unlink()  # the old install had no checkpoint file
    code, out, _ = cli(db, "db", "upgrade")
    assert code == 0 and f"revision {head_revision()} (was 0011)" in out
    add_subject(db, 1)  # event 5, keyed
    out = verified(db)
    assert "5 events verified; events 1..4 are the unkeyed chain from before the key" in out
    with attacker(db) as conn:
        drop_guards(conn)
        # Moving the boundary forward would let event 5 pass as unkeyed: it is signed.
        conn.execute(sa.text("UPDATE audit_checkpoint SET seq = 5 WHERE number = 1"))
    code, _, err = cli(db, "audit", "verify")
    assert code == 1 and "audit.checkpoint_signature_invalid" in codes(err)


def run_creditreg(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`creditreg` as an install without a configured key runs it: in its own directory,
    nothing in the environment about the key or the files (var/ is the default)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CREDITREG_AUDIT_")}
    base["CREDITREG_DATABASE_URL"] = f"sqlite:///{cwd}/var/creditreg.db"
    return subprocess.run(
        [sys.executable, "-m", "creditreg", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_install_without_a_key_makes_one_in_var_readable_by_its_owner_only__SEC_3(
    tmp_path: Path,
) -> None:
    first = run_creditreg(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", key)
    assert (tmp_path / "var" / "audit-checkpoints.jsonl").exists()
    # Every later run reuses it: what the first signed, the others verify.
    assert run_creditreg(tmp_path, "audit", "checkpoint").returncode == 0
    again = run_creditreg(tmp_path, "audit", "verify")
    assert again.returncode == 0 and "checkpoints: 2 in the database" in again.stdout
    assert key_file.read_text() == key

    key_file.chmod(0o644)
    loose = run_creditreg(tmp_path, "audit", "verify")
    assert loose.returncode == 2 and "[config.audit_key_file_permissions]" in loose.stderr
    assert "chmod 600" in loose.stderr and key.strip() not in loose.stderr
    key_file.chmod(0o600)
    key_file.write_text("f" * 64 + "\n")  # another install's key
    wrong = run_creditreg(tmp_path, "audit", "verify")
    assert wrong.returncode == 1
    assert wrong.stderr.count("\n") == 1 and "[audit.key_mismatch]" in wrong.stderr
    key_file.write_text("short\n")
    short = run_creditreg(tmp_path, "audit", "verify")
    assert short.returncode == 2 and "[config.audit_key_file]" in short.stderr
    short = run_creditreg(tmp_path, "audit", "verify", env={"CREDITREG_AUDIT_KEY": "short"})
    assert short.returncode == 2 and "at least 32 characters" in short.stderr
    assert "short" not in short.stderr  # a key, even a bad one, is never printed
