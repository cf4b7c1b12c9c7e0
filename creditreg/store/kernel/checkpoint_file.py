"""The checkpoints' copy outside the database: an append-only file of JSON lines (SEC-3).

The operator chooses where it lives (CREDITREG_AUDIT_CHECKPOINT_FILE): best on another
machine's file system, or one shipped off the host (a log collector, WORM storage), so
that whoever can rewrite the database cannot also rewrite this. Each line is one
checkpoint, as the database holds it. Writers append under an exclusive lock (several
server and worker processes share the file); readers take a shared one, so they never
see half a line.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import orjson

from creditreg.domain.kernel.audit import canonical_json
from creditreg.domain.kernel.checkpoints import Checkpoint

# How much of the file's end `Appender.last_number` reads to find the last line.
_TAIL = 64 * 1024


def lines(path: Path) -> Generator[tuple[int, Checkpoint | None]]:
    """Each non-empty line of the file, numbered from 1: its checkpoint, or None when it is
    not one. Streamed under a shared lock (never half a line a writer is appending).
    FileNotFoundError when there is no file; any other OSError when it cannot be read."""
    with path.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, _parse(line)


def _parse(line: bytes) -> Checkpoint | None:
    try:
        value = orjson.loads(line)
        return Checkpoint.from_mapping(value) if isinstance(value, dict) else None
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None


class Appender:
    """The file, held under its exclusive lock: what it ends with, and appending to it."""

    def __init__(self, descriptor: int) -> None:
        self._fd = descriptor

    def last_number(self) -> int | None:
        """The number of the last checkpoint in the file (None if empty, or if its last
        line is not a checkpoint)."""
        size = os.fstat(self._fd).st_size
        start = max(0, size - _TAIL)
        tail = os.pread(self._fd, size - start, start)
        for line in reversed(tail.splitlines()):
            if line.strip():
                entry = _parse(line)
                return entry.number if entry else None
        return None

    def append(self, entries: Sequence[Checkpoint]) -> None:
        """Append `entries`, one line each, in one write, and flush them to disk."""
        if not entries:
            return
        data = b"".join(canonical_json(e.as_dict()) + b"\n" for e in entries)
        size = os.fstat(self._fd).st_size
        # A line cut off by a crash must not swallow the next one.
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        os.write(self._fd, data)
        os.fsync(self._fd)


@contextmanager
def appending(path: Path) -> Iterator[Appender]:
    """The file (created if missing, with its directory) under an exclusive lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield Appender(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock
