"""A check's answer built from what its transaction read (MEA-3, MEA-6, MEA-7, SUB-4;
Op(13), Art 31, 35): the subject's entries in force, its linked subjects' entries, its
Art 32 records, the measures its caller's unit must apply and the green channel, each
shown as the API sends it (grounds masked, DIS-3), with what the register keeps of it
(`returned`) and the digest a receiver can recompute (`answer_digest`).

Pure over the rows it is given: `services.measures.check` reads, registers and commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from hashlib import sha256
from typing import Any

import orjson

from creditreg.domain.lists.entries import EntryStatus
from creditreg.domain.lists.standards import ListType
from creditreg.domain.measures.check import LEI, Key
from creditreg.domain.privacy import (
    mask_identifiers_in_text,
    mask_known,
    mask_personal_number,
    may_hold_personal,
)
from creditreg.domain.records.classification import SeriousClass, Severity
from creditreg.domain.records.severity import SeverityLevel, record_severity
from creditreg.domain.subjects.identifiers import IdType, SubjectKind
from creditreg.services.lists.entry_writer import personal_numbers
from creditreg.store.fast import decode_json
from creditreg.store.measures.obligations import DueMeasure, Obligations, TriggerFact

# Which measures' trigger a list entry is (the big-data warning list carries none: it
# is a supervision list, Op(17)). Blacklist and key-scrutiny entries also stand for the
# untrustworthy conduct Art 32's general punishments answer.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    ListType.RED_LIST.value: ("red_list",),
    ListType.BLACKLIST.value: ("blacklist", "untrustworthy_record"),
    ListType.KEY_SCRUTINY.value: ("key_scrutiny", "untrustworthy_record"),
}


# Enum values read once (an enum member's `.value` is a descriptor call, and these are
# read for every identifier of a batch).
_PERSON = SubjectKind.NATURAL_PERSON.value
_BLACKLIST = ListType.BLACKLIST.value
_DESIGNATED = EntryStatus.DESIGNATED.value
_OBJECTED = EntryStatus.OBJECTED.value
_ORGANIZATION_TYPES = (IdType.USCC.value, LEI)


@dataclass(slots=True)
class Answer:
    """One subject's answer (a batch holds one per identifier); `check_id` is its register
    row, set once the transaction that registered it has committed."""

    check_id: int | None
    key: Key
    found: bool
    clean: bool
    as_of: datetime
    day: date
    subject: dict[str, Any] | None
    entries: list[dict[str, Any]] = field(default_factory=list)
    linked: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    green_channel: list[dict[str, Any]] = field(default_factory=list)
    answer_digest: str = ""

    def document(self) -> dict[str, Any]:
        """The answer as the API sends it (`CheckAnswer`'s fields, in its order)."""
        return {
            "check_id": self.check_id,
            "found": self.found,
            "clean": self.clean,
            "as_of": self.as_of,
            "day": self.day,
            "subject": self.subject,
            "entries": self.entries,
            "linked": self.linked,
            "records": self.records,
            "measures": self.measures,
            "green_channel": self.green_channel,
            "answer_digest": self.answer_digest,
        }


def person_keys(keys: Sequence[Key]) -> list[Key]:
    """The keys that may name a natural person (every type but the USCC and the LEI)."""
    return [k for k in keys if k.id_type not in _ORGANIZATION_TYPES]


def distinct_links(links: Sequence[Any]) -> list[Any]:
    """One link per subject at its other end (registered and named in an entry: once)."""
    seen: set[int] = set()
    out: list[Any] = []
    for link in links:
        if int(link.other_id) not in seen:
            seen.add(int(link.other_id))
            out.append(link)
    return out


def build_answer(
    obligations: Obligations,
    key: Key,
    row: Any | None,
    links: Sequence[Any],
    now: datetime,
    day: date,
    by_subject: dict[int, list[Any]],
    records_of: dict[int, list[Any]],
) -> tuple[Answer, dict[int, list[int]]]:
    """One identifier's answer; `row` None: no subject has it, yet an organization's
    blacklist entry may name the person it identifies (Art 35)."""
    sid = int(row.id) if row is not None else None
    own = [_entry(e) for e in by_subject.get(sid, [])] if sid is not None else []
    is_person = row.kind == _PERSON if row is not None else bool(links)
    linked: list[dict[str, Any]] = []
    linked_shown: dict[int, list[int]] = {}
    facts: list[TriggerFact] = []
    for link in links:
        other = int(link.other_id)
        theirs = by_subject.get(other, [])
        if is_person:
            # Art 35: a person answers for the blacklisted organizations it heads.
            theirs = [e for e in theirs if e.list_type == _BLACKLIST]
        if not theirs:
            continue
        linked_shown[other] = [int(e.id) for e in theirs]
        linked.append(
            {
                "subject_id": other,
                "role": link.role,
                "kind": link.kind,
                "name": link.name,
                "id_type": link.id_type,
                "id_number": _shown_number(link.kind, link.id_number),
                "entries": [_entry(e) for e in theirs],
            }
        )
        if is_person:
            # SUB-4, Art 35: the organization's measures may extend to the person.
            facts.extend(_entry_facts(theirs))
    mine = by_subject.get(sid, ()) if sid is not None else ()
    if mine:
        facts.extend(_entry_facts(mine))
    records = records_of.get(sid, []) if sid is not None else []
    if records:
        facts.extend(
            TriggerFact(
                trigger="untrustworthy_record",
                field=r.field,
                severity=record_severity(
                    Severity(r.severity) if r.severity else None,
                    SeriousClass(r.serious_class) if r.serious_class else None,
                ),
                record_id=int(r.id),
            )
            for r in records
        )
    via_link = {e["id"] for group in linked for e in group["entries"]} if linked else set()
    due = obligations.due(facts) if facts else []
    green = obligations.green(facts) if facts else []
    answer = Answer(
        check_id=None,
        key=key,
        found=row is not None,
        clean=not (own or linked or records),
        as_of=now,
        day=day,
        subject=None
        if row is None
        else {
            "id": sid,
            "kind": row.kind,
            "name": row.name,
            "id_type": key.id_type,
            "id_number": key.number,
        },
        entries=own,
        linked=linked,
        records=[_record(r) for r in records],
        measures=[_measure(m, via_link) for m in _once(due)] if due else [],
        green_channel=[_measure(m, via_link) for m in _once(green)] if green else [],
    )
    answer.answer_digest = answer_digest(answer)
    return answer, linked_shown


def _once(due: Sequence[DueMeasure]) -> list[DueMeasure]:
    """Each measure once per fact: a blacklist entry answers both the blacklist's and the
    general punishments' triggers, and a memorandum may name a measure under both."""
    seen: set[tuple[str, int | None, int | None]] = set()
    out: list[DueMeasure] = []
    for m in due:
        mark = (m.code, m.entry_id, m.record_id)
        if mark not in seen:
            seen.add(mark)
            out.append(m)
    return out


def _entry_facts(entries: Sequence[Any]) -> list[TriggerFact]:
    """The facts measures answer: an entry an objection suspended triggers none until the
    objection is decided (it is shown, marked `suspended`)."""
    return [
        TriggerFact(
            trigger=trigger,
            field=e.field,
            severity=SeverityLevel(e.severity),
            entry_id=int(e.id),
        )
        for e in entries
        if e.status == _DESIGNATED
        for trigger in _TRIGGERS.get(e.list_type, ())
    ]


def _shown_number(kind: str, number: str) -> str:
    """A linked person's document number is masked (Op(11)); an organization's USCC is
    public."""
    return number if kind != _PERSON else mask_personal_number(number)


def _entry(e: Any) -> dict[str, Any]:
    info = decode_json(e.subject_info) or {}  # decoded once, for the grounds and the persons
    return {
        "id": int(e.id),
        "list_type": e.list_type,
        "field": e.field,
        "severity": e.severity,
        "standard_code": e.standard_code,
        "designating_unit_id": e.designating_unit_id,
        "designating_unit": e.designating_unit,
        "grounds": _grounds(e, info),
        "basis": e.basis,
        "designated_on": e.designated_on,
        "valid_until": e.valid_until,
        "under_objection": bool(e.objected) or e.status == _OBJECTED,
        "suspended": e.status == _OBJECTED,
        "responsible_persons": _persons(info),
    }


def _persons(info: Mapping[str, Any]) -> list[dict[str, Any]]:
    """SUB-4, Art 35: the persons the entry names, numbers masked (Op(11))."""
    named = info.get("responsible_persons") or []
    return [
        {
            "role": str(p.get("role") or ""),
            "name": str(p.get("name") or ""),
            "id_type": p.get("id_type"),
            "id_number": mask_personal_number(str(p["id_number"])) if p.get("id_number") else None,
        }
        for p in named
        if isinstance(p, dict)
    ]


# What a document number needs: a digit of any script, or an ASCII or full-width letter
# (most grounds are Chinese words only, and their subject information need not be read).
_MAY_HOLD_A_NUMBER = re.compile("[\\dA-Za-z\uff21-\uff3a\uff41-\uff5a]")


def _grounds(e: Any, info: Mapping[str, Any]) -> str:
    """DIS-3: an entry's grounds masked of personal numbers, of a number's shape and those
    its subject information names (a passport, a responsible person's ID)."""
    facts = str(e.facts)
    if not _MAY_HOLD_A_NUMBER.search(facts) and not may_hold_personal(facts):
        return facts
    known = personal_numbers(info)
    return mask_identifiers_in_text(mask_known(facts, known) if known else facts)


def _record(r: Any) -> dict[str, Any]:
    return {
        "id": int(r.id),
        "catalog": r.catalog,
        "catalog_name": r.catalog_name,
        "field": r.field,
        "untrustworthy_class": r.untrustworthy_class,
        "serious_class": r.serious_class,
        "decision_date": r.decision_date,
        "display_until": r.display_until,
        "under_objection": bool(r.objected),
    }


def _measure(m: DueMeasure, via_link: set[int]) -> dict[str, Any]:
    return {
        "code": m.code,
        "kind": m.kind,
        "content": m.content,
        "legal_basis": m.legal_basis,
        "memorandum_code": m.memorandum_code,
        "memorandum_version": m.memorandum_version,
        "trigger": m.trigger,
        "field": m.field,
        "entry_id": m.entry_id,
        "record_id": m.record_id,
        "via_link": m.entry_id is not None and m.entry_id in via_link,
    }


def returned(answer: Answer) -> dict[str, list[Any]]:
    """What the register keeps of an answer: the ids of what it returned (SEC-2)."""
    if answer.clean:
        return _NOTHING_RETURNED
    return {
        "entries": [e["id"] for e in answer.entries],
        "linked_entries": [e["id"] for g in answer.linked for e in g["entries"]],
        "records": [r["id"] for r in answer.records],
        "measures": sorted({m["code"] for m in answer.measures}),
        "green_channel": sorted({m["code"] for m in answer.green_channel}),
        # Which fact each measure answers: what feedback (MEA-4) is held to.
        "triggers": sorted({_trigger_key(m) for m in answer.measures}),
    }


# A clean answer returned nothing (never changed: the register writes it as JSON).
_NOTHING_RETURNED: dict[str, list[Any]] = {
    "entries": [],
    "linked_entries": [],
    "records": [],
    "measures": [],
    "green_channel": [],
    "triggers": [],
}


def _trigger_key(m: dict[str, Any]) -> str:
    """`CODE:entry:ID` or `CODE:record:ID`: a measure returned and the fact behind it."""
    if m["entry_id"] is not None:
        return f"{m['code']}:entry:{m['entry_id']}"
    return f"{m['code']}:record:{m['record_id']}"


_DIGEST_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def answer_digest(answer: Answer) -> str:
    """SHA-256 of the answer as sent without `check_id` and `answer_digest`, in canonical
    JSON (keys sorted, no spaces, UTF-8, UTC times ending in "Z"): what the register keeps
    beside the row, and what a receiver can recompute from the body it got."""
    body = answer.document()
    del body["check_id"], body["answer_digest"]
    return sha256(orjson.dumps(body, option=_DIGEST_OPTIONS)).hexdigest()
