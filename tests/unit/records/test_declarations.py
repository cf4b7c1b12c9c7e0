"""ING-6: a credit pledge's performance lifecycle, every status and action pair."""

from __future__ import annotations

import pytest

from creditreg.domain.errors import Conflict
from creditreg.domain.records.declarations import (
    PLEDGE,
    PledgeAction,
    PledgeStatus,
    pledge_transition,
)

ALLOWED = {
    (PledgeStatus.PENDING, PledgeAction.KEEP): PledgeStatus.KEPT,
    (PledgeStatus.PENDING, PledgeAction.BREAK): PledgeStatus.BROKEN,
}


@pytest.mark.parametrize("status", list(PledgeStatus))
@pytest.mark.parametrize("action", list(PledgeAction))
def test_every_pledge_move__ING_6(status: PledgeStatus, action: PledgeAction) -> None:
    if (status, action) in ALLOWED:
        assert pledge_transition(status.value, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(Conflict) as refused:
            pledge_transition(status.value, action)
        assert refused.value.code == "pledge.illegal_transition"


def test_the_table_names_every_status__ING_6() -> None:
    assert PLEDGE.statuses == {s.value for s in PledgeStatus}
    assert PLEDGE.actions == {a.value for a in PledgeAction}
