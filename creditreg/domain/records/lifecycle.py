"""A record's lifecycle (ING-2, ING-7, DIS-2, RST-6): which moves are allowed.

received --verify--> verified;  received --return--> returned (the provider corrects
and submits again: a new record);  received|verified --withdraw--> withdrawn (Art 42);
received|verified --archive--> archived (Art 19, Art 44); received|verified --restore-->
restored (Art 43, RST-7). Nothing leaves returned, withdrawn, archived or restored.
"""

from __future__ import annotations

from enum import StrEnum

from creditreg.domain.errors import Conflict
from creditreg.domain.kernel.lifecycle import Lifecycle


class RecordStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"
    # RST-7, Art 43: the subject corrected its conduct; the record leaves public display
    # and the check, and is kept (not deleted: it happened).
    RESTORED = "restored"


class RecordAction(StrEnum):
    VERIFY = "verify"
    RETURN = "return"
    WITHDRAW = "withdraw"
    ARCHIVE = "archive"
    RESTORE = "restore"


# Live records are displayed and may ground list entries.
LIVE = frozenset({RecordStatus.RECEIVED, RecordStatus.VERIFIED})
# ING-3: a returned or withdrawn record no longer holds its natural key (a corrected
# resubmission is new); every other record does, archived ones included.
RELEASES_KEY = frozenset({RecordStatus.RETURNED, RecordStatus.WITHDRAWN})

TRANSITIONS: dict[tuple[RecordStatus, RecordAction], RecordStatus] = {
    (RecordStatus.RECEIVED, RecordAction.VERIFY): RecordStatus.VERIFIED,
    (RecordStatus.RECEIVED, RecordAction.RETURN): RecordStatus.RETURNED,
    (RecordStatus.RECEIVED, RecordAction.WITHDRAW): RecordStatus.WITHDRAWN,
    (RecordStatus.VERIFIED, RecordAction.WITHDRAW): RecordStatus.WITHDRAWN,
    (RecordStatus.RECEIVED, RecordAction.ARCHIVE): RecordStatus.ARCHIVED,
    (RecordStatus.VERIFIED, RecordAction.ARCHIVE): RecordStatus.ARCHIVED,
    (RecordStatus.RECEIVED, RecordAction.RESTORE): RecordStatus.RESTORED,
    (RecordStatus.VERIFIED, RecordAction.RESTORE): RecordStatus.RESTORED,
}

# The event each move writes: `record.<past tense>`.
EVENT = {
    RecordAction.VERIFY: "record.verified",
    RecordAction.RETURN: "record.returned",
    RecordAction.WITHDRAW: "record.withdrawn",
    RecordAction.ARCHIVE: "record.archived",
    RecordAction.RESTORE: "record.restored",
}
# ING-5: a punishment upheld on review counts from then; its status does not change.
UPHELD = "record.upheld"


def transition(status: str, action: RecordAction) -> RecordStatus:
    """The status after `action`, or 409 `record.illegal_transition` before anything changes."""
    after = TRANSITIONS.get((RecordStatus(status), action))
    if after is None:
        raise Conflict(
            "record.illegal_transition",
            f"a {status} record cannot be {EVENT[action].split('.')[1]}",
            status=status,
            action=action.value,
        )
    return after


class BatchStatus(StrEnum):
    """An ingest batch (issue 9): its rows are staged chunk by chunk, invisible to every
    reader, and published in one short transaction. A batch that is rejected or abandoned
    while staging is discarded: its staging rows and the batch itself are deleted."""

    STAGING = "staging"
    PUBLISHED = "published"


BATCH = Lifecycle(
    "ingest_batch",
    {(BatchStatus.STAGING.value, "publish"): BatchStatus.PUBLISHED.value},
    concept="record",  # a batch's codes are record.* (record.batch_in_progress ...)
)
