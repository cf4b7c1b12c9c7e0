"""Subjects on SQLite and PostgreSQL (SUB-1..4)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from creditreg.demo.dataset import demo_ric, demo_uscc
from creditreg.domain.access.principals import SYSTEM, Principal
from creditreg.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.subjects.identifiers import IdType, LinkRole, SubjectKind
from creditreg.services.context import Context
from creditreg.services.subjects import subjects
from creditreg.store.kernel.tables import audit_event
from creditreg.store.subjects.tables import subject

ORG = demo_uscc("91410100MA0000011")
PERSON = demo_ric("41010519800101123")


def count_subjects(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(subject)).scalar_one()


def count_audit(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(audit_event)).scalar_one()


def reader(masked: bool) -> Principal:
    perms = {Permission.SUBJECTS_READ} | (set() if masked else {Permission.PERSONAL_READ})
    return Principal(
        actor="token:9",
        unit_id=9,
        unit_kind=None,
        region="410000",
        level=SYSTEM.level,
        fields=frozenset(),
        permissions=frozenset(perms),
    )


def test_register_and_find_by_normalised_identifier__SUB_1_SUB_2(ctx: Context) -> None:
    created = subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.LEGAL_PERSON,
        id_type=IdType.USCC,
        id_number=ORG.lower(),
        name=" 郑州示例有限公司 ",
    )
    assert created.id_number == ORG and created.name == "郑州示例有限公司"
    found = subjects.find(ctx, SYSTEM, IdType.USCC, " " + ORG.lower())
    assert found.id == created.id
    assert count_audit(ctx) == 1


def test_one_subject_per_identifier__SUB_2(ctx: Context) -> None:
    subjects.register(
        ctx, SYSTEM, kind=SubjectKind.LEGAL_PERSON, id_type=IdType.USCC, id_number=ORG, name="A"
    )
    with pytest.raises(Conflict) as err:
        subjects.register(
            ctx,
            SYSTEM,
            kind=SubjectKind.LEGAL_PERSON,
            id_type=IdType.USCC,
            id_number=ORG.lower(),
            name="B",
        )
    assert err.value.code == "subject.duplicate"
    assert count_subjects(ctx) == 1
    assert count_audit(ctx) == 1


def test_database_refuses_a_second_subject_for_one_identifier__SUB_2(ctx: Context) -> None:
    """The unique constraint itself, not only the check in Python; the unit of work answers
    its violation as the service's own check would (issue 9, defect 2)."""
    now = ctx.now()
    row = {
        "kind": "legal_person",
        "id_type": "uscc",
        "id_number": ORG,
        "name": "A",
        "created_at": now,
        "updated_at": now,
    }
    with ctx.db.write() as conn:
        conn.execute(subject.insert().values(**row))
    with pytest.raises(Conflict) as refused, ctx.db.write() as conn:
        conn.execute(subject.insert().values(**row))
    assert refused.value.code == "subject.duplicate"


@pytest.mark.parametrize(
    ("kind", "id_type", "number", "code"),
    [
        (SubjectKind.LEGAL_PERSON, IdType.USCC, "91110000600037341X", "subject.invalid_uscc"),
        (SubjectKind.NATURAL_PERSON, IdType.RIC, "110105194912310021", "subject.invalid_ric"),
        (SubjectKind.LEGAL_PERSON, IdType.RIC, PERSON, "subject.identifier_kind_mismatch"),
        (SubjectKind.NATURAL_PERSON, IdType.USCC, ORG, "subject.identifier_kind_mismatch"),
    ],
)
def test_invalid_input_writes_nothing__SUB_2(
    ctx: Context, kind: SubjectKind, id_type: IdType, number: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        subjects.register(ctx, SYSTEM, kind=kind, id_type=id_type, id_number=number, name="X")
    assert err.value.code == code
    assert count_subjects(ctx) == 0
    assert count_audit(ctx) == 0


def test_lei_recorded_and_validated__SUB_3(ctx: Context) -> None:
    view = subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.LEGAL_PERSON,
        id_type=IdType.USCC,
        id_number=ORG,
        name="A",
        lei="5493001kjtiigc8y1r12",
    )
    assert view.lei == "5493001KJTIIGC8Y1R12"
    with pytest.raises(InvalidInput) as err:
        subjects.register(
            ctx,
            SYSTEM,
            kind=SubjectKind.LEGAL_PERSON,
            id_type=IdType.USCC,
            id_number=demo_uscc("91410100MA0000012"),
            name="B",
            lei="005493001KJTIIGC8Y1R12",
        )
    assert err.value.code == "subject.invalid_lei"
    with pytest.raises(Conflict) as conflict:
        subjects.register(
            ctx,
            SYSTEM,
            kind=SubjectKind.LEGAL_PERSON,
            id_type=IdType.USCC,
            id_number=demo_uscc("91410100MA0000013"),
            name="C",
            lei="5493001KJTIIGC8Y1R12",
        )
    assert conflict.value.code == "subject.duplicate_lei"


def test_personal_numbers_masked_without_personal_read__SUB_2(ctx: Context) -> None:
    view = subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.NATURAL_PERSON,
        id_type=IdType.RIC,
        id_number=PERSON,
        name="张示例",
    )
    masked = subjects.get(ctx, reader(masked=True), view.id)
    assert masked.masked and PERSON not in masked.id_number
    full = subjects.get(ctx, reader(masked=False), view.id)
    assert full.id_number == PERSON and not full.masked
    with pytest.raises(Forbidden):
        subjects.register(
            ctx,
            reader(False),
            kind=SubjectKind.NATURAL_PERSON,
            id_type=IdType.RIC,
            id_number=PERSON,
            name="x",
        )
    with pytest.raises(NotFound):
        subjects.get(ctx, reader(False), 999_999)


def test_linked_persons_with_roles_and_periods__SUB_4(ctx: Context) -> None:
    org = subjects.register(
        ctx, SYSTEM, kind=SubjectKind.LEGAL_PERSON, id_type=IdType.USCC, id_number=ORG, name="公司"
    )
    person = subjects.register(
        ctx,
        SYSTEM,
        kind=SubjectKind.NATURAL_PERSON,
        id_type=IdType.RIC,
        id_number=PERSON,
        name="张示例",
    )
    subjects.link_person(
        ctx,
        SYSTEM,
        org.id,
        person.id,
        LinkRole.LEGAL_REPRESENTATIVE,
        date(2020, 1, 1),
        date(2024, 12, 31),
    )
    subjects.link_person(
        ctx, SYSTEM, org.id, person.id, LinkRole.ACTUAL_CONTROLLER, date(2025, 1, 1)
    )
    everyone = subjects.linked_persons(ctx, SYSTEM, org.id)
    assert [link["role"] for link in everyone] == ["legal_representative", "actual_controller"]
    in_2023 = subjects.linked_persons(ctx, SYSTEM, org.id, on=date(2023, 6, 1))
    assert [link["role"] for link in in_2023] == ["legal_representative"]
    assert in_2023[0]["person"]["name"] == "张示例"
    with pytest.raises(InvalidInput) as err:
        subjects.link_person(ctx, SYSTEM, person.id, org.id, LinkRole.PRINCIPAL, date(2020, 1, 1))
    assert err.value.code == "subject.link_not_organization"
    with pytest.raises(InvalidInput) as err:
        subjects.link_person(
            ctx, SYSTEM, org.id, person.id, LinkRole.PRINCIPAL, date(2020, 1, 1), date(2019, 1, 1)
        )
    assert err.value.code == "subject.link_bad_period"


def test_import_is_all_or_nothing_and_names_the_bad_row__SUB_2(ctx: Context) -> None:
    good = [
        subjects.ImportRow("legal_person", "uscc", demo_uscc(f"91410100MA{i:07d}"), f"公司{i}")
        for i in range(20)
    ]
    result = subjects.import_subjects(ctx, SYSTEM, good)
    assert result.added == 20 and count_subjects(ctx) == 20
    audited = count_audit(ctx)
    bad = [
        subjects.ImportRow("legal_person", "uscc", demo_uscc(f"91410100MB{i:07d}"), "x")
        for i in range(5)
    ]
    bad.append(subjects.ImportRow("legal_person", "uscc", "91410100MB00000099", "bad check"))
    with pytest.raises(InvalidInput) as err:
        subjects.import_subjects(ctx, SYSTEM, bad)
    assert err.value.details["row"] == 6
    duplicate = [*good[:1]]
    with pytest.raises(Conflict) as conflict:
        subjects.import_subjects(
            ctx,
            SYSTEM,
            [
                subjects.ImportRow("legal_person", "uscc", demo_uscc("91410100MC0000001"), "n"),
                *duplicate,
            ],
        )
    assert conflict.value.details["row"] == 2
    assert count_subjects(ctx) == 20
    assert count_audit(ctx) == audited
