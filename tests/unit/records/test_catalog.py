"""Catalog templates and items (CAT-1..3, PRI-2)."""

from __future__ import annotations

from datetime import date

import pytest

from creditreg.demo.catalogs import LICENSING, PUNISHMENT
from creditreg.domain.errors import InvalidInput
from creditreg.domain.records.catalog import check_approvable
from creditreg.domain.records.templates import template_from_json
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.records.catalog import parse_draft
from tests.factories import person_punishment_row, punishment_row

XZCF = parse_draft(PUNISHMENT)


def codes(row: dict[str, object]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in XZCF.template.validate(row)[1]]


def test_demo_templates_carry_every_art_11_element__CAT_1_CAT_3() -> None:
    for raw in (PUNISHMENT, LICENSING):
        draft = parse_draft(raw)
        assert draft.content_class.value == "administrative_acts"  # Art 12 (2)
        assert draft.scope and draft.information_items and draft.template.fields
    names = XZCF.template.names
    for required in (
        "party_name",
        "party_category",
        "uscc",
        "legal_representative",
        "legal_rep_id_type",
        "legal_rep_id_number",
        "decision_number",
        "violation_type",
        "facts",
        "legal_basis",
        "penalty_category",
        "penalty_content",
        "fine_10k_cny",
        "confiscated_10k_cny",
        "licence_affected",
        "decision_date",
        "valid_until",
        "publish_until",
        "authority",
        "authority_uscc",
        "source_unit",
        "source_unit_uscc",
    ):
        assert required in names


def test_valid_rows_convert_and_name_their_subject__CAT_1_SUB_2() -> None:
    clean, problems = XZCF.template.validate(punishment_row(uscc="91410100ma00000018"))
    assert problems == [] and clean["fine_10k_cny"] == "0.2"
    ref = XZCF.template.subject_of(clean)
    assert ref.kind is SubjectKind.LEGAL_PERSON and ref.id_type is IdType.USCC
    person, problems = XZCF.template.validate(person_punishment_row())
    assert problems == []
    ref = XZCF.template.subject_of(person)
    assert ref.kind is SubjectKind.NATURAL_PERSON and ref.id_type is IdType.RIC


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"facts": None}, ("facts", "record.missing_field")),
        ({"uscc": None}, ("uscc", "record.conditional_missing")),
        ({"fine_10k_cny": None}, ("fine_10k_cny", "record.conditional_missing")),
        ({"fine_10k_cny": "两千"}, ("fine_10k_cny", "record.bad_value")),
        ({"decision_date": "2026-02-30"}, ("decision_date", "record.bad_value")),
        ({"penalty_category": "罚站"}, ("penalty_category", "record.bad_value")),
        ({"authority_uscc": "11410100MB00000039"}, ("authority_uscc", "record.bad_value")),
        ({"colour": "red"}, ("colour", "record.unknown_field")),
    ],
)
def test_bad_rows_name_field_and_code__CAT_1(
    change: dict[str, object], expected: tuple[str, str]
) -> None:
    assert expected in codes(punishment_row(**change))


def test_a_warning_needs_no_fine_so_the_condition_is_off__CAT_1() -> None:
    assert codes(punishment_row(penalty_category="警告", fine_10k_cny=None)) == []


def test_formula_and_markup_are_kept_as_plain_text__ING_1() -> None:
    clean, problems = XZCF.template.validate(
        punishment_row(facts='=HYPERLINK("http://x","y")', penalty_content="<script>x</script>")
    )
    assert problems == []
    assert clean["facts"] == '=HYPERLINK("http://x","y")'
    assert clean["penalty_content"] == "<script>x</script>"


@pytest.mark.parametrize(
    ("field", "category"),
    [
        ({"name": "religion", "label": "宗教信仰", "type": "string"}, "religious_faith"),
        ({"name": "blood", "label": "血型", "type": "string"}, "blood_type"),
        (
            {"name": "notes", "label": "备注", "type": "string", "category": "medical_history"},
            "medical_history",
        ),
        ({"name": "dna_sample", "label": "sample", "type": "string"}, "genetics"),
    ],
)
def test_a_template_with_forbidden_data_is_refused__PRI_2(
    field: dict[str, str], category: str
) -> None:
    fields = [
        {
            "name": "name",
            "label": "名称",
            "type": "string",
            "presence": "required",
            "role": "subject_name",
        },
        {"name": "uscc", "label": "代码", "type": "string", "role": "subject_uscc"},
        field,
    ]
    with pytest.raises(InvalidInput) as err:
        template_from_json(fields)
    assert err.value.code == "privacy.forbidden_category"
    assert err.value.details["category"] == category


def test_income_is_allowed_but_needs_consent__PRI_2() -> None:
    template = template_from_json(
        [
            {
                "name": "name",
                "label": "名称",
                "type": "string",
                "presence": "required",
                "role": "subject_name",
            },
            {
                "name": "id_number",
                "label": "证件号码",
                "type": "string",
                "role": "subject_id_number",
            },
            {"name": "income", "label": "年收入", "type": "decimal", "category": "income"},
        ]
    )
    assert {c.value for c in template.consent_categories()} == {"income"}


def test_template_must_name_its_subject__CAT_1() -> None:
    with pytest.raises(InvalidInput) as err:
        template_from_json([{"name": "x", "label": "x", "type": "string"}])
    assert err.value.code == "catalog.no_subject_fields"


def _with(name: str, **changes: object) -> list[dict[str, object]]:
    """The punishment template with field `name` changed."""
    fields = [dict(f) for f in PUNISHMENT["template"]]
    for f in fields:
        if f["name"] == name:
            f.update(changes)
    return fields


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        # The kind a choice means is none the platform knows: every row would be refused.
        (
            _with(
                "party_category",
                choice_meaning={"法人及非法人组织": "alien", "自然人": "natural_person"},
            ),
            "catalog.bad_field",
        ),
        # Two fields give the subject's USCC: the second would be read by nothing.
        (
            [
                *PUNISHMENT["template"],
                {
                    "name": "uscc2",
                    "label": "第二代码",
                    "type": "string",
                    "role": "subject_uscc",
                },
            ],
            "catalog.bad_field",
        ),
        # Conditional on a value its choice field does not offer: never required.
        (_with("uscc", when_value="企业"), "catalog.bad_condition"),
    ],
)
def test_a_template_that_cannot_work_is_refused_when_drafted__CAT_1(
    fields: list[dict[str, object]], code: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_draft({**PUNISHMENT, "template": fields})
    assert err.value.code == code
    # One stored before these checks still loads (read, listed, reported on).
    assert template_from_json(fields).names


def test_rights_reducing_item_needs_assessment_and_ended_comment_period__CAT_2() -> None:
    draft = parse_draft({**PUNISHMENT, "reduces_rights": True})
    today = date(2026, 3, 2)
    with pytest.raises(InvalidInput) as err:
        check_approvable(
            draft, expert_assessment=None, comment_start=None, comment_end=None, today=today
        )
    assert err.value.code == "catalog.needs_expert_assessment"
    with pytest.raises(InvalidInput) as err:
        check_approvable(
            draft,
            expert_assessment="专家论证意见",
            comment_start=None,
            comment_end=None,
            today=today,
        )
    assert err.value.code == "catalog.needs_public_comment"
    with pytest.raises(InvalidInput) as err:
        check_approvable(
            draft,
            expert_assessment="专家论证意见",
            comment_start=date(2026, 2, 1),
            comment_end=date(2026, 3, 2),
            today=today,
        )
    assert err.value.code == "catalog.comment_period_open"
    check_approvable(
        draft,
        expert_assessment="专家论证意见",
        comment_start=date(2026, 2, 1),
        comment_end=date(2026, 3, 1),
        today=today,
    )
