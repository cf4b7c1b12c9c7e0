"""Issue 9, defect 2: twenty clients registering one code at once get one 201 and
nineteen 409s, never a 500 (PostgreSQL's unique violation was unmapped)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import Conflict
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.context import Context
from creditreg.services.subjects import subjects

CODE = "91410100MA0000001X"


def test_concurrent_registrations_of_one_code_end_in_one_subject_and_conflicts__SUB_2(
    ctx: Context,
) -> None:
    start = threading.Barrier(20)

    def register(_: int) -> str:
        start.wait(30)
        try:
            subjects.register(
                ctx,
                SYSTEM,
                kind=SubjectKind.LEGAL_PERSON,
                id_type=IdType.USCC,
                id_number=CODE,
                name="郑州示例有限公司",
            )
        except Conflict as exc:
            return exc.code
        return "created"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(register, range(20)))
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "subject.duplicate"}
