"""`make bench`: benchmarks that print figures beside the raw database's. Not tests."""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench import subjects as sb
from bench.http import lookup_http, lookup_http_raw
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.services.access import access

PG_URL = os.environ.get("CREDITREG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(label: str, ours: float, raw: float, unit: str) -> None:
    ratio = ours / raw if raw else 0.0
    print(
        f"  {label:<28} creditreg {ours:>10,.0f} {unit:<10} raw {raw:>10,.0f} {unit:<10} "
        f"{ratio:>6.0%} of raw"
    )


def issue_token(target: sb.Target) -> str:
    ctx = sb.context_for(target)
    unit = access.create_unit(
        ctx,
        SYSTEM,
        name="bench implementer",
        uscc=demo_uscc("12410100MB0009999"),
        kind=UnitKind.IMPLEMENTING_UNIT,
        region="410100",
        level=Level.MUNICIPAL,
    )
    issued = access.create_token(
        ctx, SYSTEM, unit_id=unit["id"], name="bench", scopes=[Permission.SUBJECTS_READ]
    )
    ctx.db.dispose()
    return issued.token


def bench_backend(backend: str, codes: list[str], args: argparse.Namespace, workdir: Path) -> None:
    print(f"\n{backend}: {len(codes):,} legal-person subjects")
    ours_t = sb.new_target(backend, PG_URL, workdir)
    raw_t = sb.new_target(backend, PG_URL, workdir)
    try:
        row(
            "load (subjects/s)",
            sb.load_creditreg(ours_t, codes),
            sb.load_raw(raw_t, codes),
            "rows/s",
        )
        if args.lookups:
            sample = sb.sample_codes(codes, args.lookups)
            row(
                "lookup in process",
                sb.lookup_creditreg(ours_t, sample),
                sb.lookup_raw(raw_t, sample),
                "lookups/s",
            )
        if args.http_lookups:
            http_sample = sb.sample_codes(codes, args.http_lookups, seed=11)
            token = issue_token(ours_t)
            ours, ours_mem = lookup_http(ours_t, http_sample, token, args.threads)
            raw, raw_mem = lookup_http_raw(raw_t, http_sample, args.threads)
            row(f"lookup over HTTP ({args.threads} clients)", ours, raw, "req/s")
            print(
                f"  {'':<28} server peak memory: creditreg {ours_mem / 1024:.0f} MiB, "
                f"raw {raw_mem / 1024:.0f} MiB"
            )
    finally:
        sb.drop_target(ours_t, PG_URL)
        sb.drop_target(raw_t, PG_URL)
    print(f"  bench process peak memory so far: {peak_mib():.0f} MiB")


def bench_ingest(args: argparse.Namespace, workdir: Path) -> None:
    from bench import ingest

    n = args.ingest_rows
    small = max(1, n // 10)
    mixed, clean, clean_small = (workdir / f for f in ("mixed.csv", "clean.csv", "small.csv"))
    bad = ingest.write_csv(mixed, n, 0.01)
    ingest.write_csv(clean, n, 0.0)
    ingest.write_csv(clean_small, small, 0.0)
    size = clean.stat().st_size / 2**20
    print(
        f"\ningest: administrative-punishment CSV, {n:,} rows ({size:.0f} MiB), "
        f"{bad:,} invalid in the mixed file"
    )
    for backend in args.backends.split(","):
        backend = backend.strip()
        print(f"{backend}:")
        results = {}
        for label, kind, path in (
            ("mixed file (rejected)", "creditreg", mixed),
            ("valid file, stored", "creditreg", clean),
            ("raw insert, same rows", "raw", clean),
            (f"valid file, {small:,} rows", "creditreg", clean_small),
        ):
            target = sb.new_target(backend, PG_URL, workdir)
            try:
                rate, stored, rejected, peak = ingest.run_isolated(kind, target, path)
            finally:
                sb.drop_target(target, PG_URL)
            results[label] = rate
            what = (
                f"{rejected:,} rejected, nothing stored"
                if rejected
                else ("" if stored < 0 else f"{stored:,} stored")
            )
            print(f"  {label:<28} {rate:>10,.0f} rows/s   peak {peak / 1024:>5.0f} MiB   {what}")
        share = results["valid file, stored"] / results["raw insert, same rows"]
        print(f"  {'':<28} stored path at {share:.0%} of the raw insert")


def bench_lists(args: argparse.Namespace, workdir: Path) -> None:
    from bench import lists

    entry_codes = sb.codes(args.list_entries)
    print(f"\nlists: {args.list_entries:,} subjects, each with a designated blacklist entry")
    for backend in args.backends.split(","):
        print(f"{backend.strip()}:")
        target = sb.new_target(backend.strip(), PG_URL, workdir)
        try:
            lists.run(target, entry_codes)
        finally:
            sb.drop_target(target, PG_URL)


def bench_check(args: argparse.Namespace, workdir: Path) -> None:
    from bench import check

    check_codes = sb.codes(args.check_subjects)
    print(
        f"\ncheck: {args.check_subjects:,} legal-person subjects, "
        f"{min(args.check_entries, args.check_subjects):,} list entries in force"
    )
    for backend in args.backends.split(","):
        print(f"{backend.strip()}:")
        target = sb.new_target(backend.strip(), PG_URL, workdir)
        try:
            check.run(target, check_codes, args.check_entries, args)
        finally:
            sb.drop_target(target, PG_URL)


def count(text: str) -> int:
    """A size: any whole number from 0 (every benchmark runs at any size; 0 skips it)."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def positive(text: str) -> int:
    value = count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument(
        "--subjects", type=count, default=1_000_000, help="subjects to load and look up (0: skip)"
    )
    parser.add_argument("--lookups", type=count, default=100_000)
    parser.add_argument("--http-lookups", type=count, default=20_000)
    parser.add_argument("--threads", type=positive, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--ingest-rows",
        type=count,
        default=1_000_000,
        help="rows of the administrative-punishment CSV (0: skip)",
    )
    parser.add_argument(
        "--list-entries",
        type=count,
        default=1_000_000,
        help="subjects with a blacklist entry for the sweep and re-evaluation bench (0: skip)",
    )
    parser.add_argument(
        "--check-subjects",
        type=count,
        default=1_000_000,
        help="subjects for the check bench (0: skip)",
    )
    parser.add_argument(
        "--check-entries", type=count, default=100_000, help="list entries in force, spread"
    )
    parser.add_argument("--check-requests", type=positive, default=20_000)
    parser.add_argument("--check-clients", type=positive, default=8)
    parser.add_argument(
        "--check-workers", type=positive, default=1, help="uvicorn workers of every server"
    )
    parser.add_argument(
        "--check-batches", type=count, default=20, help="batches of 1,000 identifiers (0: skip)"
    )
    parser.add_argument("--only", choices=["subjects", "ingest", "lists", "check"], default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    codes = sb.codes(args.subjects) if args.only in (None, "subjects") else []
    if codes:
        print(
            f"generated {len(codes):,} valid USCCs in {time.perf_counter() - started:.1f}s "
            f"(shared by both sides; peak {peak_mib():.0f} MiB)"
        )
    with tempfile.TemporaryDirectory(prefix="creditreg-bench-") as tmp:
        # Throwaway databases get a throwaway audit key and checkpoint file (the servers and
        # processes the bench starts inherit them), never the install's under ./var.
        os.environ.setdefault("CREDITREG_AUDIT_KEY", secrets.token_hex(32))
        os.environ["CREDITREG_AUDIT_CHECKPOINT_FILE"] = str(Path(tmp) / "checkpoints.jsonl")
        os.environ.setdefault("CREDITREG_REPORT_KEY_FILE", str(Path(tmp) / "report-key.pem"))
        for backend in args.backends.split(","):
            if args.subjects and args.only in (None, "subjects"):
                bench_backend(backend.strip(), codes, args, Path(tmp))
        if args.ingest_rows and args.only in (None, "ingest"):
            bench_ingest(args, Path(tmp))
        if args.list_entries and args.only in (None, "lists"):
            bench_lists(args, Path(tmp))
        if args.check_subjects and args.only in (None, "check"):
            bench_check(args, Path(tmp))
    print(
        f"\ntotal {time.perf_counter() - started:.0f}s; peak memory of the bench process "
        f"{peak_mib():.0f} MiB"
        + (f" (includes the {len(codes):,} pre-generated codes)" if codes else "")
    )


if __name__ == "__main__":
    sys.exit(main())
