"""A bare ASGI app doing the raw indexed lookup: the HTTP baseline with no creditreg code."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

import psycopg

BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
SQL = (
    "SELECT id, kind, id_type, id_number, name, lei, region FROM subject "
    "WHERE id_type = {p} AND id_number = {p}"
)
_conn: Any = None


def _connection() -> Any:
    global _conn
    if _conn is None:
        if BACKEND == "sqlite":
            _conn = sqlite3.connect(os.environ["BENCH_PATH"], check_same_thread=False)
        else:
            dsn = os.environ["BENCH_URL"].replace("postgresql+psycopg://", "postgresql://")
            _conn = psycopg.connect(
                dsn, options=f"-csearch_path={os.environ['BENCH_SCHEMA']}", autocommit=True
            )
    return _conn


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/health":
        payload: Any = {"ok": True}
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
        payload = dict(zip(keys, row, strict=True))
    data = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})
