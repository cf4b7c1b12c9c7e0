"""Reading bulk files row by row (ING-1): CSV, JSON Lines, XLSX. Streaming: memory stays
flat whatever the file's size. A row that cannot be read becomes a Rejection, so the batch
reports it with the others; a file that cannot be read at all is an InvalidInput."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import InvalidInput
from creditreg.domain.kernel.codes import unstorable_text
from creditreg.domain.kernel.spreadsheet import safe_csv_cell
from creditreg.domain.records.templates import Template
from creditreg.services.context import Context
from creditreg.services.records import catalog, records
from creditreg.services.records.record_batches import BatchResult, Rejection

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
Row = Mapping[str, Any] | Rejection


def detect_format(filename: str) -> str:
    """The format named by a file's extension, or `file.unsupported_type`."""
    fmt = FORMATS.get(Path(filename).suffix.lower())
    if fmt is None:
        raise InvalidInput(
            "file.unsupported_type",
            f"{Path(filename).name!r}: send CSV (.csv), JSON Lines (.jsonl) or Excel (.xlsx)",
        )
    return fmt


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same file sent twice is recognised (ING-3)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_rows(path: Path, fmt: str, template: Template, name: str | None = None) -> Iterator[Row]:
    """The file's data rows as field -> value mappings (headers may be names or labels);
    `name` is the file's name as its sender knows it (errors name it)."""
    shown = Path(name or path.name).name
    if fmt == "csv":
        return _csv_rows(path, template, shown)
    if fmt == "jsonl":
        return _jsonl_rows(path, shown)
    if fmt == "xlsx":
        return _xlsx_rows(path, template, shown)
    raise InvalidInput("file.unsupported_type", f"unknown format {fmt!r}")


def _header(cells: list[Any], template: Template) -> list[str]:
    by_label = {f.label: f.name for f in template.fields}
    names = set(template.names)
    header = []
    for cell in cells:
        text = "" if cell is None else str(cell).strip().lstrip("\ufeff")
        name = text if text in names else by_label.get(text)
        if name is None:
            raise InvalidInput(
                "file.bad_header",
                f"column {text!r} is neither a field name nor a field label of the template",
            )
        header.append(name)
    if len(set(header)) != len(header):
        raise InvalidInput("file.bad_header", "a column appears twice in the header")
    return header


# How much of a CSV file tells its encoding: UTF-8 (with or without its BOM), UTF-16 with
# its BOM (what Excel's "Unicode text" writes), else GB 18030 (which includes GBK: what
# Excel writes for "CSV" on a Chinese Windows).
_SNIFF = 1 << 20


def csv_encoding(path: Path, shown: str) -> str:
    """The encoding a CSV file is written in, or `file.not_text`."""
    with path.open("rb") as f:
        head = f.read(_SNIFF)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise InvalidInput("file.not_text", f"{shown!r} is not a CSV text file")
    whole = len(head) < _SNIFF  # else a read cut mid-character: only whole ones judged
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=whole)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InvalidInput("file.not_text", f"{shown!r} is neither UTF-8 nor GB 18030 (GBK) text")


def _check_text(path: Path, shown: str) -> None:
    with path.open("rb") as f:
        head = f.read(8192)
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise InvalidInput("file.not_text", f"{shown!r} is not a text file")


def _csv_rows(path: Path, template: Template, shown: str) -> Iterator[Row]:
    encoding = csv_encoding(path, shown)
    with path.open("r", encoding=encoding, newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            first = next(reader, None)
            if first is None:
                raise InvalidInput("file.empty", "the file is empty")
            header = _header(first, template)
            for number, cells in enumerate(reader, start=1):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    yield Rejection(
                        number,
                        "",
                        "file.bad_row",
                        f"the row has {len(cells)} cells, the header {len(header)}"
                        + (" (is the file truncated?)" if len(cells) < len(header) else ""),
                    )
                    continue
                yield dict(zip(header, cells, strict=True))
        except csv.Error as exc:
            raise InvalidInput(
                "file.truncated" if "end of data" in str(exc) else "file.bad_csv",
                f"line {reader.line_num}: {exc}",
            ) from None
        except UnicodeDecodeError:
            raise InvalidInput(
                "file.not_text", f"{shown!r} is not {encoding} text throughout"
            ) from None


def _jsonl_rows(path: Path, shown: str) -> Iterator[Row]:
    _check_text(path, shown)
    with path.open("rb") as f:
        number = 0
        for line in f:
            if not line.strip():
                continue
            number += 1
            try:
                value = json.loads(line)
                if unstorable_text(value):  # a NUL or an unpaired surrogate: no store holds it
                    raise ValueError("a string holds a NUL or an unpaired surrogate")
            except (ValueError, RecursionError) as exc:
                # Not JSON, not UTF-8, an integer beyond Python's digit limit, nested
                # too deep, or text no store can hold: this line is rejected.
                truncated = not line.endswith(b"\n")
                yield Rejection(
                    number,
                    "",
                    "file.truncated" if truncated else "file.bad_json",
                    ("the last line is cut off" if truncated else "not valid JSON") + f": {exc}",
                )
                continue
            if not isinstance(value, dict):
                yield Rejection(number, "", "file.bad_json", "each line is one JSON object")
                continue
            yield value


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


# A workbook is a zip: bound what it expands to before openpyxl reads it (a 1.76 MiB
# upload whose shared strings expanded to 800 MiB took the server past 1 GB). openpyxl
# holds the shared-strings table in memory even in read-only mode; the sheets stream.
XLSX_MAX_EXPANDED = 1 << 30  # every member together
XLSX_MAX_SHARED_STRINGS = 128 << 20
XLSX_MAX_RATIO = 100  # legitimate sheet XML compresses 5-30 times; bombs hundreds


def _check_expansion(path: Path) -> None:
    """Refuse a workbook that would expand beyond the bounds (zipfile never inflates a
    member past the size its directory declares, so the declared sizes are binding)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: openpyxl says so below
    total = sum(m.file_size for m in members)
    for m in members:
        too_big = m.filename.endswith("sharedStrings.xml") and m.file_size > XLSX_MAX_SHARED_STRINGS
        ratio = m.file_size / max(m.compress_size, 1)
        if too_big or (m.file_size > (1 << 20) and ratio > XLSX_MAX_RATIO):
            raise InvalidInput(
                "file.xlsx_bomb",
                f"{m.filename} would expand to {m.file_size:,} bytes ({ratio:.0f} times its "
                "compressed size); save the data as CSV or in smaller workbooks",
            )
    if total > XLSX_MAX_EXPANDED:
        raise InvalidInput(
            "file.xlsx_too_large",
            f"the workbook expands to {total:,} bytes, over {XLSX_MAX_EXPANDED:,}; "
            "submit it as CSV or JSON Lines, which stream",
        )


def _xlsx_rows(path: Path, template: Template, shown: str) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_expansion(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ParseError, ValueError):
        raise InvalidInput("file.not_xlsx", f"{shown!r} is not an Excel (.xlsx) workbook") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InvalidInput("file.empty", "the workbook's first sheet is empty")
        header = _header([c for c in first if c is not None], template)
        for cells in rows:
            values = [_cell(c) for c in cells[: len(header)]]
            if not any(v not in (None, "") for v in values):
                continue
            values += [None] * (len(header) - len(values))
            yield dict(zip(header, values, strict=True))
    except zipfile.BadZipFile:
        raise InvalidInput("file.truncated", "the workbook is cut off") from None
    except ParseError:
        raise InvalidInput("file.not_xlsx", "the workbook's XML cannot be read") from None
    finally:
        workbook.close()


def rejections_csv(rejections: list[Rejection]) -> str:
    """The rejected rows as CSV: row, field, code, message."""
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "code", "message"])
    for r in rejections:
        writer.writerow([r.row, safe_csv_cell(r.field), r.code, safe_csv_cell(r.message)])
    return out.getvalue()


def submit_file(
    ctx: Context,
    principal: Principal,
    path: Path,
    *,
    catalog_code: str,
    version: int | None = None,
    batch_key: str | None = None,
    source: str,
    filename: str | None = None,
    progress: Callable[[Iterator[Row]], Iterable[Row]] | None = None,
) -> BatchResult:
    """The upload sequence, once for every entrypoint (API, CLI, later the portal): detect
    the format by the file's name, find the catalog item, digest the file, read it as a
    stream and submit it as one all-or-nothing batch (ING-1, ING-3). `progress` may wrap
    the row stream (the CLI's progress bar)."""
    name = filename or path.name
    fmt = detect_format(name)
    item = catalog.find(ctx, catalog_code, version)
    rows: Iterable[Row] = read_rows(path, fmt, item.template, name)
    if progress is not None:
        rows = progress(iter(rows))
    return records.submit(
        ctx,
        principal,
        code=item.code,
        version=item.version,
        rows=rows,
        content_digest=file_digest(path),
        batch_key=batch_key,
        source=source,
        filename=name,
    )
