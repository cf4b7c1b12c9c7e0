"""The hot-path read must leave pooled connections exactly as transactional as before."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from creditreg.demo.dataset import demo_uscc
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.context import Context
from creditreg.services.subjects import subjects
from creditreg.store.subjects.tables import subject

CODE = demo_uscc("91410100MA0000031")


def test_a_write_after_fast_reads_is_still_all_or_nothing__SUB_2(ctx: Context) -> None:
    subjects.register(
        ctx, SYSTEM, kind=SubjectKind.LEGAL_PERSON, id_type=IdType.USCC, id_number=CODE, name="A"
    )
    for _ in range(15):  # more than the pool holds, so every pooled connection was used
        assert subjects.find(ctx, SYSTEM, IdType.USCC, CODE).name == "A"
    now = ctx.now()
    with pytest.raises(RuntimeError), ctx.db.write() as conn:
        conn.execute(
            subject.insert().values(
                kind="legal_person",
                id_type="uscc",
                id_number=demo_uscc("91410100MA0000032"),
                name="B",
                created_at=now,
                updated_at=now,
            )
        )
        raise RuntimeError("fail after the first statement")
    with ctx.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(subject)).scalar_one() == 1
