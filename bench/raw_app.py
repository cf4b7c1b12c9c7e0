"""Bare ASGI apps: the HTTP baselines with no creditreg code.

- `/lookup`: the raw indexed subject lookup (the subjects bench);
- `/check`: the check's work with the DB-API driver alone (the check bench): in one
  transaction, the subject by key, its links in force, the entries in force of it and of
  the linked subjects (with the designating unit and the open-objection mark), its Art 32
  records, the measures the memoranda in force oblige the unit to apply and the green
  channel, then the register INSERT; COMMIT; then the JSON answer;
- `/constant`: a constant JSON body (the server's ceiling).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import orjson
import psycopg

BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
P = "?" if BACKEND == "sqlite" else "%s"
SQL = (
    "SELECT id, kind, id_type, id_number, name, lei, region FROM subject "
    "WHERE id_type = {p} AND id_number = {p}"
)
_conn: Any = None


def _connection() -> Any:
    global _conn
    if _conn is None:
        if BACKEND == "sqlite":
            _conn = sqlite3.connect(
                os.environ["BENCH_PATH"], check_same_thread=False, isolation_level=None
            )
            _conn.execute("PRAGMA journal_mode=WAL")
            _conn.execute("PRAGMA synchronous=NORMAL")
            _conn.execute("PRAGMA busy_timeout=2000")
        else:
            dsn = os.environ["BENCH_URL"].replace("postgresql+psycopg://", "postgresql://")
            _conn = psycopg.connect(
                dsn, options=f"-csearch_path={os.environ['BENCH_SCHEMA']}", autocommit=True
            )
    return _conn


# The check's statements (one each, as creditreg's reads do).
CHECK_SUBJECT = (
    f"SELECT id, kind, id_type, id_number, name FROM subject WHERE id_type = {P} "
    f"AND id_number = {P}"
)
CHECK_LINKS = (
    "SELECT l.role, o.id, o.kind, o.id_type, o.id_number, o.name FROM subject_link l "
    f"JOIN subject o ON o.id = l.person_id WHERE l.organization_id = {P} "
    f"AND l.valid_from <= {P} AND (l.valid_to IS NULL OR l.valid_to >= {P}) "
    "UNION ALL "
    "SELECT l.role, o.id, o.kind, o.id_type, o.id_number, o.name FROM subject_link l "
    f"JOIN subject o ON o.id = l.organization_id WHERE l.person_id = {P} "
    f"AND l.valid_from <= {P} AND (l.valid_to IS NULL OR l.valid_to >= {P})"
)
_OPEN = "('received', 'accepted', 'verifying', 'answered')"
CHECK_ENTRIES = (
    "SELECT e.id, e.subject_id, e.list_type, e.status, e.field, e.severity, e.standard_code, "
    "e.designating_unit_id, u.name, e.facts, e.basis, e.designated_on, e.valid_until, "
    "EXISTS (SELECT 1 FROM objection o WHERE o.target_type = 'list_entry' "
    f"AND o.target_id = e.id AND o.status IN {_OPEN}) "
    "FROM list_entry e LEFT JOIN unit u ON u.id = e.designating_unit_id "
    "WHERE e.subject_id IN ({ids}) AND (e.status = 'designated' OR "
    "(e.status = 'objected' AND e.suspended_from = 'designated')) "
    f"AND e.designated_on <= {P} AND (e.valid_until IS NULL OR e.valid_until >= {P}) "
    "ORDER BY e.subject_id, e.id"
)
CHECK_RECORDS = (
    "SELECT r.id, r.untrustworthy_class, r.serious_class, r.severity, r.decision_date, "
    "r.display_until, c.code, c.name, c.field, "
    "EXISTS (SELECT 1 FROM objection o WHERE o.target_type = 'record' "
    f"AND o.target_id = r.id AND o.status IN {_OPEN}) "
    "FROM record r JOIN catalog_item c ON c.id = r.catalog_item_id "
    f"WHERE r.subject_id = {P} AND r.status = 'verified' "
    "AND r.untrustworthy_class IS NOT NULL AND r.discipline_block IS NULL ORDER BY r.id"
)
_IN_FORCE = (
    f"mo.status = 'in_force' AND mo.effective_from <= {P} "
    f"AND (mo.effective_until IS NULL OR mo.effective_until >= {P})"
)
CHECK_DUE = (
    "SELECT m.code, m.kind, m.content, m.legal_basis, m.min_severity, mo.code, mo.version, "
    "i.trigger, i.field FROM memorandum_item i "
    "JOIN memorandum mo ON mo.id = i.memorandum_id JOIN measure m ON m.id = i.measure_id "
    "WHERE i.unit_id = {p} AND i.trigger IN ({triggers}) AND m.status = 'active' AND "
    + _IN_FORCE
    + " ORDER BY mo.code, i.id"
)
CHECK_GREEN = (
    "SELECT m.code, m.kind, m.content, m.legal_basis, "
    "(SELECT mo.code FROM memorandum_item i JOIN memorandum mo ON mo.id = i.memorandum_id "
    f"WHERE i.measure_id = m.id AND i.trigger = 'red_list' AND {_IN_FORCE} "
    "ORDER BY mo.code, i.id LIMIT 1) FROM measure m WHERE m.facilitation = {true} "
    "AND m.status = 'active' AND m.trigger = 'red_list' ORDER BY m.code"
)
CHECK_REGISTER = (
    "INSERT INTO query_register (at, unit_id, actor, subject_id, purpose, note, what, "
    f"object_id, returned, answer_digest) VALUES ({P}, {P}, 'bench-raw', {P}, 'check', {P}, "
    f"'check', {P}, {P}, {P}) RETURNING id"
)
TRIGGERS = {
    "red_list": ("red_list",),
    "blacklist": ("blacklist", "untrustworthy_record"),
    "key_scrutiny": ("key_scrutiny", "untrustworthy_record"),
}
RANK = {"general": 0, "serious": 1, "especially_serious": 2}
UNIT_ID = int(os.environ.get("BENCH_UNIT_ID", "4"))


def _run(cur: Any, sql: str, args: tuple[Any, ...]) -> list[Any]:
    if BACKEND == "sqlite":
        return list(cur.execute(sql, args).fetchall())
    cur.execute(sql, args, prepare=True)
    return list(cur.fetchall())


def _check(cur: Any, id_type: str, number: str, note: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = now.date()
    day: Any = today.isoformat() if BACKEND == "sqlite" else today
    found = _run(cur, CHECK_SUBJECT, (id_type, number))
    answer: dict[str, Any] = {"found": bool(found), "as_of": now.isoformat(), "day": str(today)}
    if not found:
        answer.update(clean=True, subject=None, entries=[], linked=[], records=[], measures=[])
        subject_id = None
        object_id: str | None = hashlib.sha256(f"{id_type}:{number}".encode()).hexdigest()
    else:
        sid, kind, _, _, name = found[0]
        subject_id, object_id = sid, None
        links = _run(cur, CHECK_LINKS, (sid, day, day, sid, day, day))
        ids = [sid, *(link[1] for link in links)]
        entries = _run(
            cur,
            CHECK_ENTRIES.replace("{ids}", ", ".join([P] * len(ids))),
            (*ids, day, day),
        )
        records = _run(cur, CHECK_RECORDS, (sid,))
        own = [e for e in entries if e[1] == sid]
        facts = [
            (trigger, e[4], e[5], e[0])
            for e in own
            if e[3] == "designated"
            for trigger in TRIGGERS.get(e[2], ())
        ]
        facts += [("untrustworthy_record", r[8], r[3] or "general", r[0]) for r in records]
        measures: list[dict[str, Any]] = []
        green: list[dict[str, Any]] = []
        if facts:
            triggers = sorted({f[0] for f in facts})
            rows = _run(
                cur,
                CHECK_DUE.replace("{p}", P).replace("{triggers}", ", ".join([P] * len(triggers))),
                (UNIT_ID, *triggers, day, day),
            )
            for trigger, field, severity, fact_id in facts:
                for r in rows:
                    if r[7] == trigger and r[8] in (None, field) and RANK[severity] >= RANK[r[4]]:
                        measures.append(
                            {"code": r[0], "kind": r[1], "content": r[2], "legal_basis": r[3],
                             "memorandum_code": r[5], "memorandum_version": r[6],
                             "trigger": trigger, "field": field, "fact": fact_id}
                        )  # fmt: skip
            red = [f for f in facts if f[0] == "red_list"]
            if red:
                true = "1" if BACKEND == "sqlite" else "true"
                rows = _run(cur, CHECK_GREEN.replace("{true}", true), (day, day))
                green = [
                    {"code": r[0], "kind": r[1], "content": r[2], "legal_basis": r[3],
                     "memorandum_code": r[4] or "", "entry_id": f[3]}
                    for f in red
                    for r in rows
                ]  # fmt: skip
        answer.update(
            clean=not (entries or records),
            subject={"id": sid, "kind": kind, "name": name, "id_type": id_type,
                     "id_number": number},
            entries=[list(e) for e in own],
            linked=[list(link) for link in links],
            records=[list(r) for r in records],
            measures=measures,
            green_channel=green,
        )  # fmt: skip
    blob = orjson.dumps(answer, default=str)
    digest = hashlib.sha256(blob).hexdigest()
    returned = orjson.dumps(
        {
            "entries": [e[0] for e in answer["entries"]],
            "measures": sorted({m["code"] for m in answer["measures"]}),
        }
    ).decode()
    at: Any = now.replace(tzinfo=None).isoformat(" ") if BACKEND == "sqlite" else now
    (check_id,) = _run(
        cur, CHECK_REGISTER, (at, UNIT_ID, subject_id, note, object_id, returned, digest)
    )[0]
    answer["check_id"] = check_id
    answer["answer_digest"] = digest
    return answer


def check(request: dict[str, Any]) -> dict[str, Any]:
    """One check in one transaction, committed before the answer is returned."""
    conn = _connection()
    args = (request["id_type"], request["id_number"].strip().upper(), request["purpose"])
    if BACKEND == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
        try:
            answer = _check(conn, *args)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return answer
    with conn.transaction(), conn.cursor() as cur:
        return _check(cur, *args)


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value))


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path in ("/health", "/constant"):
        data = b'{"ok":true}'
    elif path == "/check":
        data = orjson.dumps(check(orjson.loads(body)), default=_default)
    else:
        request = json.loads(body)
        conn = _connection()
        if BACKEND == "sqlite":
            row = conn.execute(
                SQL.format(p="?"), (request["id_type"], request["id_number"])
            ).fetchone()
        else:
            with conn.cursor() as cur:
                cur.execute(
                    SQL.format(p="%s"), (request["id_type"], request["id_number"]), prepare=True
                )
                row = cur.fetchone()
        keys = ("id", "kind", "id_type", "id_number", "name", "lei", "region")
        data = json.dumps(dict(zip(keys, row, strict=True))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
