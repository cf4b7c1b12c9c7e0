"""What the rights context registers at bootstrap: it hears the lists context's events to
deliver written notices to the subject (lists sits below rights and never names it), and
erases those notices with an entry deleted in error (Op(20))."""

from __future__ import annotations

from creditreg.services.kernel.registry import Registry
from creditreg.services.rights import notices
from creditreg.store.rights.tables import record_restoration

# Every change of a list entry may write a notice to the subject (a written notice when
# it is notified, a warning when it is designated on the key scrutiny list ...).
ENTRY_EVENTS = (
    "list_entry.proposed",
    "list_entry.notified",
    "list_entry.announced",
    "list_entry.objected",
    "list_entry.objection_dismissed",
    "list_entry.designated",
    "list_entry.removed",
)


def register(registry: Registry) -> None:
    """The notice subscriber and the entry eraser."""
    for kind in ENTRY_EVENTS:
        registry.subscribe(kind, notices.from_list_notices)
    for kind in ("restoration_application.consented", "restoration_application.refused"):
        registry.subscribe(kind, notices.from_restoration_decisions)
    registry.on_erase("list_entry", notices.erase_of_entry)
    # CAL-2: the subject's copy of its written notice says where its window moved.
    registry.follow("list_entry", "blacklist_objection", notices.window_moved)
    # CAL-2, SEC-5: a record restoration's decision is due when its stored deadline says,
    # recounted under a new calendar; the sweep's overdue flag reads the copy beside it.
    registry.follow_copy(
        "record_restoration",
        "restoration",
        record_restoration.c.id,
        record_restoration.c.due_date,
    )
