"""Credit reports (信用报告; RIG-2, Art 40): issue, fetch, verify.

A report's content is gathered once (services/rights/inquiry.py), numbered, signed with the
platform's Ed25519 report key over its canonical JSON, and stored with its digest; the HTML
and PDF renderings (creditreg.web.reports) are made from that stored content and print its
number and digest. Verification needs no token: given a number and digest, or the content
itself (and optionally a signature), it says whether the report is one the platform issued,
unaltered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa

from creditreg.clock import local_date
from creditreg.domain.access.principals import Principal
from creditreg.domain.errors import InvalidInput, NotFound
from creditreg.domain.fields import FIELDS, OTHER_FIELD, field_label
from creditreg.domain.privacy import mask_published
from creditreg.domain.records.catalog import Character
from creditreg.domain.records.template_fields import FieldSpec
from creditreg.domain.records.templates import template_from_json
from creditreg.domain.rights.reports import (
    KIND_LABELS_ZH,
    Period,
    ReportKind,
    canonical,
    check_digest,
    check_number,
    digest,
    new_number,
    specialised_period,
)
from creditreg.domain.subjects.identifiers import SubjectKind
from creditreg.services.access import query_register, subject_accounts
from creditreg.services.context import Context
from creditreg.services.kernel import audit
from creditreg.services.rights import inquiry
from creditreg.store.records.tables import catalog_item
from creditreg.store.rights.reports import credit_report
from creditreg.store.subjects.tables import subject

# An operator at the counter may issue a subject's report on its behalf (recorded as such).
COUNTER = inquiry.COUNTER
UNTRUSTWORTHY_LISTS = ("blacklist", "key_scrutiny", "big_data_warning")


@dataclass(frozen=True)
class IssuedReport:
    """A report as issued: its content (what was signed), digest and signature."""

    number: str
    kind: ReportKind
    subject_id: int
    free: bool
    fee_fen: int
    content: dict[str, Any]
    digest: str
    signature: str
    key_id: str


def issue(
    ctx: Context,
    principal: Principal,
    subject_id: int,
    kind: ReportKind = ReportKind.FULL,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    accept_fee: bool = False,
) -> IssuedReport:
    """RIG-2: a new report for the subject: free while it has free reports of this kind
    left this calendar year (Art 40: two), else only with `accept_fee` (recorded as not
    free). One transaction: counted, gathered, signed, stored and audited together."""
    subject_accounts.require_subject(ctx, principal, subject_id, COUNTER, action="report.issue")
    today = ctx.today()
    now = ctx.now()
    period = (
        specialised_period(period_from, period_to, today)
        if kind is ReportKind.SPECIALISED
        else None
    )
    key = ctx.signing_key()
    with ctx.db.write() as conn:
        who = conn.execute(sa.select(subject).where(subject.c.id == subject_id)).first()
        if who is None:
            raise NotFound("subject.not_found", f"no subject {subject_id}")
        if kind is ReportKind.SPECIALISED and who.kind == SubjectKind.NATURAL_PERSON.value:
            raise InvalidInput(
                "report.specialised_for_organizations",
                "a specialised report is issued to legal persons and unincorporated organizations",
            )
        issued = conn.execute(
            sa.select(sa.func.count())
            .select_from(credit_report)
            .where(
                credit_report.c.subject_id == subject_id,
                credit_report.c.kind == kind.value,
                credit_report.c.year == today.year,
            )
        ).scalar_one()
        free, fee = ctx.report_fees.charge(int(issued), accept_fee)
        number = new_number(now)
        if period is None:
            body = inquiry.gather(conn, ctx, subject_id)
            _for_its_reader(conn, body["records"])
        else:
            body = _specialised(conn, who, period)
        content = {
            "number": number,
            "kind": kind.value,
            "title_zh": KIND_LABELS_ZH[kind],
            "issued_at": now.isoformat(),
            "issuer": "creditreg credit information sharing platform",
            "key_id": key.key_id,
            "free": free,
            "fee_fen": fee,
            **body,
        }
        # What is signed is the canonical JSON; stored as those very bytes.
        text = canonical(content)
        content = orjson.loads(text)
        signature = key.sign(text)
        report_digest = digest(content)
        conn.execute(
            credit_report.insert().values(
                number=number,
                subject_id=subject_id,
                kind=kind.value,
                year=today.year,
                free=free,
                fee_fen=fee,
                period_from=period.start if period else None,
                period_to=period.end if period else None,
                content=text.decode(),
                digest=report_digest,
                signature=signature,
                key_id=key.key_id,
                issued_at=now,
                issued_by=principal.actor[:120],
            )
        )
        # SEC-2: an operator issuing it at the counter read the subject's information (a
        # subject's own account is not a unit: not registered). After gathering, so the
        # report does not list its own issue.
        query_register.record(conn, ctx, principal, [subject_id], "report.issue")
        audit.record(
            conn,
            ctx,
            principal,
            "report.issue",
            "credit_report",
            number,
            detail={
                "subject_id": subject_id,
                "kind": kind.value,
                "free": free,
                "fee_fen": fee,
                "digest": report_digest,
            },
        )
    return IssuedReport(
        number, kind, subject_id, free, fee, content, report_digest, signature, key.key_id
    )


def _for_its_reader(conn: sa.Connection, records: dict[str, list[dict[str, Any]]]) -> None:
    """RIG-2, DIS-3, Op(11): a report is handed to third parties (a bank, a tendering
    unit), so each record's fields carry their template's labels (`labels`, the Chinese
    reader's words, not the field codes) and a person's numbers are masked: those of an
    identifier's shape and those a field declares a document number (a legal
    representative's passport), as the public pages show them."""
    wanted = {
        (r["source"]["catalog_code"], r["source"]["catalog_version"])
        for rows in records.values()
        for r in rows
    }
    specs: dict[tuple[str, int], dict[str, FieldSpec]] = {}
    for code, version in wanted:
        raw = conn.execute(
            sa.select(catalog_item.c.template).where(
                catalog_item.c.code == code, catalog_item.c.version == version
            )
        ).scalar_one()
        specs[(code, version)] = {f.name: f for f in template_from_json(raw).fields}
    for rows in records.values():
        for r in rows:
            fields = specs[(r["source"]["catalog_code"], r["source"]["catalog_version"])]
            data: dict[str, Any] = r["data"]
            documents = [
                str(value)
                for name, value in data.items()
                if value and name in fields and fields[name].id_type_field
            ]
            r["labels"] = {name: fields[name].label for name in data if name in fields}
            r["data"] = {name: mask_published(value, documents) for name, value in data.items()}


def _specialised(conn: sa.Connection, who: Any, period: Period) -> dict[str, Any]:
    """The specialised report's body: for the period, field by field, whether the platform
    holds an untrustworthy record or list entry, each with its source."""
    hits: dict[str, list[dict[str, Any]]] = {code: [] for code in [*FIELDS, OTHER_FIELD.code]}
    for r in inquiry.record_rows(conn, who.id):
        if r.character != Character.UNTRUSTWORTHY.value or r.status in ("returned", "withdrawn"):
            continue
        on = r.decision_date or local_date(r.received_at)
        if not period.start <= on <= period.end:
            continue
        hits.setdefault(r.catalog_field, []).append(
            {
                "type": "record",
                "id": r.id,
                "on": on.isoformat(),
                "status": r.status,
                "list_type": None,
                "source": inquiry.source_of(r),
            }
        )
    for e in inquiry.entry_rows(conn, who.id):
        if e.list_type not in UNTRUSTWORTHY_LISTS or e.designated_on is None:
            continue
        ended = e.removed_on or e.valid_until
        if e.designated_on > period.end or (ended is not None and ended < period.start):
            continue
        hits.setdefault(e.field, []).append(
            {
                "type": "list_entry",
                "id": e.id,
                "on": e.designated_on.isoformat(),
                "status": e.status,
                "list_type": e.list_type,
                "source": {
                    "designating_unit_id": e.designating_unit_id,
                    "designating_unit": e.unit_name,
                },
            }
        )
    fields = []
    for code, found in hits.items():
        label = field_label(code)
        fields.append(
            {
                "field": label.code,
                "label": label.label,
                "label_zh": label.label_zh,
                "untrustworthy": bool(found),
                # 无/有失信记录: what a certificate of compliance from each authority said.
                "finding_zh": "有失信信息" if found else "未发现失信信息",
                "items": found,
            }
        )
    return {
        "subject": inquiry.subject_of(who),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "fields": fields,
    }


def _row(conn: sa.Connection, number: str) -> Any:
    row = conn.execute(sa.select(credit_report).where(credit_report.c.number == number)).first()
    if row is None:
        raise NotFound("report.not_found", f"no report numbered {number}")
    return row


def _issued(row: Any) -> IssuedReport:
    return IssuedReport(
        row.number,
        ReportKind(row.kind),
        row.subject_id,
        row.free,
        row.fee_fen,
        orjson.loads(row.content),
        row.digest,
        row.signature,
        row.key_id,
    )


def get(ctx: Context, principal: Principal, number: str) -> IssuedReport:
    """An issued report, to its subject (or an operator at the counter)."""
    clean = check_number(number)
    with ctx.db.read() as conn:
        row = _row(conn, clean)
    subject_accounts.require_subject(ctx, principal, row.subject_id, COUNTER, action="report.read")
    if query_register.registers(principal):
        # SEC-2: an operator's read is registered before it is served (the report, once
        # issued, never changes: its registration needs no read in the same transaction).
        with ctx.db.write() as conn:
            query_register.record(conn, ctx, principal, [row.subject_id], "report", object_id=clean)
    return _issued(row)


def of_subject(ctx: Context, principal: Principal, subject_id: int) -> list[dict[str, Any]]:
    """The reports issued to a subject, newest first (number, kind, free or fee, digest)."""
    subject_accounts.require_subject(ctx, principal, subject_id, COUNTER, action="report.list")
    # The subject reading its own registers nothing: no write lock for it.
    with query_register.reading(ctx, principal) as conn:
        query_register.record(conn, ctx, principal, [subject_id], "report.list")  # SEC-2
        rows = conn.execute(
            sa.select(credit_report)
            .where(credit_report.c.subject_id == subject_id)
            .order_by(credit_report.c.id.desc())
        ).all()
    return [
        {
            "number": r.number,
            "kind": r.kind,
            "year": r.year,
            "free": r.free,
            "fee_fen": r.fee_fen,
            "digest": r.digest,
            "issued_at": r.issued_at,
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Verdict:
    """What a verification found: the report is the platform's and unaltered."""

    genuine: bool
    number: str
    digest: str
    kind: str
    issued_at: str
    key_id: str
    subject_name: str


def verify_digest(ctx: Context, number: str, claimed: str) -> Verdict:
    """A number and digest as printed on a report: genuine when the platform issued that
    number with that digest (and its stored signature holds)."""
    clean, wanted = check_number(number), check_digest(claimed)
    with ctx.db.read() as conn:
        row = _row(conn, clean)
    if row.digest != wanted:
        raise InvalidInput(
            "report.altered",
            f"report {clean} was issued with another digest: the copy presented was altered",
        )
    return _checked(ctx, _issued(row))


def verify_content(ctx: Context, content: Any, signature: str | None = None) -> Verdict:
    """The content itself (its canonical JSON), and optionally a signature presented with
    it: genuine when it is, byte for byte, the content the platform signed under its
    number, and the signature (given or stored) is the platform key's."""
    if not isinstance(content, dict) or not isinstance(content.get("number"), str):
        raise InvalidInput(
            "report.invalid_content", "a report's content is a JSON object with its number"
        )
    clean = check_number(content["number"])
    presented = digest(content)
    with ctx.db.read() as conn:
        row = _row(conn, clean)
    key = ctx.signing_key()
    if row.digest != presented:
        raise InvalidInput(
            "report.altered",
            # The issued digest is not told: only the holder of the report has it.
            f"the content presented differs from report {clean} as issued (its digest is "
            f"{presented}, not the one issued)",
        )
    if signature is not None and not key.verifies(canonical(content), signature):
        raise InvalidInput(
            "report.bad_signature",
            "the signature presented is not the platform's signature of this content",
        )
    return _checked(ctx, _issued(row))


def _checked(ctx: Context, report: IssuedReport) -> Verdict:
    key = ctx.signing_key()
    if report.key_id != key.key_id or not key.verifies(canonical(report.content), report.signature):
        # The stored row itself no longer matches its signature: it was changed in the
        # database (SEC-3), or signed with a key this install no longer holds.
        raise InvalidInput(
            "report.bad_signature",
            f"report {report.number} as stored does not carry a valid signature of this "
            "platform's key",
        )
    return Verdict(
        True,
        report.number,
        report.digest,
        report.kind.value,
        str(report.content.get("issued_at", "")),
        report.key_id,
        str(report.content.get("subject", {}).get("name", "")),
    )


def public_key(ctx: Context) -> tuple[str, str]:
    """The report key's public half (PEM) and its id: anyone verifies offline with it."""
    key = ctx.signing_key()
    return key.public_pem(), key.key_id
