"""A refused step says what was refused in plain English (the CLI prints it as its one
line): "an objection that is accepted cannot be accepted", "a blacklist entry that is
designated cannot be designated"."""

from __future__ import annotations

import pytest

from creditreg.domain.errors import Conflict
from creditreg.domain.lists.entries import Action, EntryStatus, transition
from creditreg.domain.lists.standards import ListType
from creditreg.domain.rights.objections import OBJECTION


def test_a_refused_lifecycle_step_reads_as_english__SEC_1() -> None:
    with pytest.raises(Conflict) as refused:
        OBJECTION.next("accepted", "accept")
    assert refused.value.message.startswith("an objection that is accepted cannot be")


def test_a_refused_entry_step_reads_as_english__LST_2() -> None:
    with pytest.raises(Conflict) as refused:
        transition(ListType.BIG_DATA_WARNING, EntryStatus.DESIGNATED, Action.DESIGNATE)
    said = refused.value.message
    assert said == "a big data warning entry that is designated cannot be designated"
