"""Classification, withdrawal, archiving on SQLite and PostgreSQL
(ING-4, ING-5, ING-7, STD-4, DIS-1, DIS-2, RST-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from creditreg.clock import FixedClock
from creditreg.demo import dataset as demo
from creditreg.domain.access.principals import SYSTEM
from creditreg.domain.errors import Conflict, Forbidden
from creditreg.services.access import access
from creditreg.services.context import Context
from creditreg.services.kernel import events
from creditreg.services.records import lifecycle, verification
from tests.factories import person_punishment_row, punishment_row
from tests.integration.records.test_records import submit


@pytest.fixture
def loaded(ctx: Context, demo_data: None) -> Context:
    """A database copied from the demo template."""
    return ctx


def only_record(ctx: Context) -> dict[str, object]:
    [pending] = verification.pending(ctx, SYSTEM)
    return verification.get(ctx, SYSTEM, int(pending["id"]))


def test_punishment_is_classified_with_its_periods__ING_5_STD_4_DIS_1_DIS_2(
    loaded: Context,
) -> None:
    submit(loaded, [punishment_row(1, serious_class="art33_2")])
    rec = only_record(loaded)
    assert rec["untrustworthy_class"] == "art20_2"
    assert rec["serious_class"] == "art33_2" and rec["severity"] == "serious"
    assert rec["untrustworthy_from"] == "2026-08-27"  # decision 27 Feb + 6 months
    assert rec["display_until"] == "2031-02-27"  # Art 19: at most 5 years
    assert rec["disclosure"] == "public_display" and rec["usable_for_discipline"] is True


def test_simplified_procedure_for_a_person_never_grounds_discipline__ING_4(loaded: Context) -> None:
    submit(loaded, [person_punishment_row(1, simplified_procedure="是")])
    rec = only_record(loaded)
    assert rec["usable_for_discipline"] is False
    assert str(rec["discipline_block"]).startswith("Art 13")


def test_upheld_punishment_counts_from_the_outcome__ING_5(loaded: Context) -> None:
    submit(loaded, [punishment_row(1)])
    rec = only_record(loaded)
    lifecycle.review_outcome(loaded, SYSTEM, int(rec["id"]), "upheld")  # type: ignore[call-overload]
    assert verification.get(loaded, SYSTEM, int(rec["id"]))["untrustworthy_from"] == "2026-03-02"  # type: ignore[call-overload]


def test_withdrawal_revokes_the_record_the_same_day_and_emits_an_event__ING_7(
    loaded: Context,
) -> None:
    submit(loaded, [punishment_row(1)])
    rec = only_record(loaded)
    record_id = int(rec["id"])  # type: ignore[call-overload]
    implementer = access.authenticate(loaded, demo.token_for("implementer"))
    with pytest.raises(Forbidden):
        lifecycle.withdraw(loaded, implementer, record_id, "x")
    provider = access.authenticate(loaded, demo.token_for("provider"))
    lifecycle.withdraw(loaded, provider, record_id, "处罚决定已被复议机关撤销")
    after = verification.get(loaded, SYSTEM, record_id)
    assert after["status"] == "withdrawn" and after["withdrawn_at"].startswith("2026-03-02")  # type: ignore[union-attr]
    [event] = [e for e in events.page(loaded, SYSTEM).events if e.kind == "record.withdrawn"]
    assert event.payload["record_id"] == record_id and event.payload["on"] == "2026-03-02"
    with pytest.raises(Conflict):
        lifecycle.withdraw(loaded, provider, record_id, "again")
    assert verification.pending(loaded, SYSTEM) == []


def test_sweep_archives_what_is_due_once__DIS_2(loaded: Context) -> None:
    submit(loaded, [punishment_row(1, publish_until="2026-06-30"), punishment_row(2)])
    assert lifecycle.archive_due(loaded) == 0
    assert isinstance(loaded.clock, FixedClock)
    loaded.clock.set(loaded.clock.now().replace(year=2026, month=7, day=1))
    assert lifecycle.archive_due(loaded) == 1
    assert lifecycle.archive_due(loaded) == 0  # idempotent
    statuses = sorted(r["status"] for r in (verification.get(loaded, SYSTEM, i) for i in (1, 2)))
    assert statuses == ["archived", "received"]


def test_subject_may_ask_archiving_once_the_period_ended__RST_6(loaded: Context) -> None:
    submit(loaded, [punishment_row(1, publish_until="2026-06-30")])
    rec_id = int(only_record(loaded)["id"])  # type: ignore[call-overload]
    with pytest.raises(Conflict) as err:
        lifecycle.request_archiving(loaded, SYSTEM, rec_id, "郑州示例贸易有限公司1")
    assert err.value.code == "record.display_not_ended"
    assert isinstance(loaded.clock, FixedClock)
    loaded.clock.advance(timedelta(days=130))
    assert (
        lifecycle.request_archiving(loaded, SYSTEM, rec_id, "郑州示例贸易有限公司1")["status"]
        == "archived"
    )
    assert verification.get(loaded, SYSTEM, rec_id)["archive_reason"] == "subject_request"
