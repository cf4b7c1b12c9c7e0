"""A demo-loaded world for the list procedures: subjects with verified records, the
demo designating unit, and a clock to move (shared by integration and e2e tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM, Level, Principal, UnitKind
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.subjects.identifiers import IdType
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.records import lifecycle, record_batches, records, verification
from creditreg.services.subjects import subjects
from creditreg.store.records.tables import record
from tests.factories import AUTHORITY_USCC, punishment_row

PERSON = {"role": "legal_representative", "name": "王示例", "id_type": "ric"}


def honour_row(i: int, **changes: Any) -> dict[str, Any]:
    """A commendation (BZJL, trustworthy) of the same company as punishment_row(i)."""
    row = {
        "party_name": f"郑州示例贸易有限公司{i}",
        "party_category": "法人及非法人组织",
        "uscc": demo_uscc(f"91410100MC{i:07d}"),
        "legal_representative": "王示例",
        "award_name": "守合同重信用企业",
        "document_number": f"豫市监〔2026〕{i}号",
        "decision_date": "2026-02-20",
        "authority": "河南省市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "source_unit": "河南省市场监督管理局",
        "source_unit_uscc": AUTHORITY_USCC,
    }
    row.update(changes)
    return row


@dataclass
class World:
    ctx: Context
    clock: FixedClock
    designator: Principal

    def submit(self, code: str, rows: list[dict[str, Any]]) -> list[int]:
        """Submit, verify and (for punishments) take as upheld: records that count now."""
        result = records.submit(
            self.ctx,
            SYSTEM,
            code=code,
            rows=rows,
            content_digest=record_batches.digest_rows(rows),
            batch_key=None,
            source="api",
        )
        assert result.stored == len(rows), result.as_dict()
        with self.ctx.db.read() as conn:
            ids = list(
                conn.execute(
                    record.select()
                    .with_only_columns(record.c.id)
                    .where(record.c.batch_id == result.batch_id)
                    .order_by(record.c.id)
                ).scalars()
            )
        for rid in ids:
            verification.verify(self.ctx, SYSTEM, rid, passed=True, reasons=[])
            if code == "XZCF":
                lifecycle.review_outcome(self.ctx, SYSTEM, rid, "upheld")
        return ids

    def company(self, i: int) -> int:
        number = demo_uscc(f"91410100MC{i:07d}")
        return subjects.find(self.ctx, SYSTEM, IdType.USCC, number).id

    def serious(self, i: int, n: int = 1, start: int = 0) -> list[int]:
        rows = [
            punishment_row(
                i, decision_number=f"郑市监罚〔2026〕{i}-{start + k}号", serious_class="art33_2"
            )
            for k in range(n)
        ]
        return self.submit("XZCF", rows)

    def designating_unit(self, name: str, uscc_body: str, region: str, level: Level) -> Principal:
        """Another designating unit in market regulation, and its token's principal."""
        made = access.create_unit(
            self.ctx,
            SYSTEM,
            name=name,
            uscc=demo_uscc(uscc_body),
            kind=UnitKind.DESIGNATING_UNIT,
            region=region,
            level=level,
            fields=("market_regulation",),
        )
        token = access.create_token(
            self.ctx, SYSTEM, unit_id=made["id"], name="t", scopes=(Permission.LISTS_DESIGNATE,)
        )
        return access.authenticate(self.ctx, token.token)

    def advance(self, days: int) -> None:
        self.clock.set(self.clock.now() + timedelta(days=days))


def make_world(ctx: Context, clock: FixedClock) -> World:
    # A no-op (one read) when the fixture asked for `demo_data`, as every caller here does.
    demo.load(ctx)
    return World(ctx, clock, access.authenticate(ctx, demo.token_for("designator")))
