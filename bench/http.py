"""Lookups over HTTP: `creditreg serve` beside the same uvicorn serving a bare raw lookup."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bench.subjects import Target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, path: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _drive(
    port: int, path: str, bodies: Sequence[bytes], headers: dict[str, str], threads: int
) -> float:
    """Requests/s from `threads` keep-alive clients sharing the bodies."""
    errors: list[str] = []
    parts = [bodies[i::threads] for i in range(threads)]

    def client(part: Sequence[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for body in part:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
        conn.close()

    workers = [threading.Thread(target=client, args=(p,)) for p in parts]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return len(bodies) / elapsed


def _serve(args: list[str], env: dict[str, str], port: int, probe: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(port, probe, proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=15)


def lookup_http(
    target: Target, sample: Sequence[str], token: str, threads: int
) -> tuple[float, int]:
    """Lookups/s through POST /api/v1/subjects/lookup on `creditreg serve`; server peak KiB."""
    port = _free_port()
    env = {"CREDITREG_DATABASE_URL": target.url}
    if target.schema:
        env["CREDITREG_DATABASE_SCHEMA"] = target.schema
    proc = _serve(["-m", "creditreg", "serve", "--port", str(port)], env, port, "/api/v1/health")
    try:
        bodies = [json.dumps({"id_type": "uscc", "id_number": c}).encode() for c in sample]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        rate = _drive(port, "/api/v1/subjects/lookup", bodies, headers, threads)
        return rate, _peak_kib(proc.pid)
    finally:
        _stop(proc)


def lookup_http_raw(target: Target, sample: Sequence[str], threads: int) -> tuple[float, int]:
    """The same requests against uvicorn serving bench.raw_app (raw lookup, no creditreg)."""
    port = _free_port()
    env = {
        "BENCH_BACKEND": target.backend,
        "BENCH_URL": target.url,
        "BENCH_SCHEMA": target.schema or "",
    }
    if target.path:
        env["BENCH_PATH"] = str(target.path)
    proc = _serve(
        [
            "-m",
            "uvicorn",
            "bench.raw_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
        port,
        "/health",
    )
    try:
        bodies = [json.dumps({"id_type": "uscc", "id_number": c}).encode() for c in sample]
        headers = {"Content-Type": "application/json"}
        rate = _drive(port, "/lookup", bodies, headers, threads)
        return rate, _peak_kib(proc.pid)
    finally:
        _stop(proc)
