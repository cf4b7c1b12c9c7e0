"""Designation standards and list entries (STD, LST, RST, DIS-4): the procedures over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from creditreg.api.deps import Ctx, public, require
from creditreg.api.query_purpose import StatedPurpose
from creditreg.api.routing import Day, DocumentedRoute, PathId, QueryId, QueryVersion, errors
from creditreg.api.schemas.lists import (
    Candidate,
    DecisionIn,
    Entry,
    EntryDeleted,
    EntryDetail,
    EntryIn,
    EntryRemoved,
    ListField,
    MyRestorationIn,
    NoteIn,
    PendingRestoration,
    Publication,
    RemovalIn,
    RestorationApplied,
    RestorationDecision,
    RestorationIn,
    Standard,
    StandardIn,
    StandardPublished,
    UpwardReport,
)
from creditreg.domain.access.principals import Principal
from creditreg.domain.kernel.actor import Permission
from creditreg.domain.lists.standards import draft_from_dict
from creditreg.services.lists import entries, entry_steps, entry_views, restoration, standards
from creditreg.services.lists.views import (
    CandidateView,
    EntryDeletedView,
    EntryDetailView,
    EntryRemovedView,
    EntryView,
    ListFieldView,
    PendingRestorationView,
    PublicationView,
    RestorationAppliedView,
    RestorationDecisionView,
    StandardView,
    UpwardReportView,
)
from creditreg.services.rights import corrections

router = APIRouter(prefix="/api/v1", tags=["lists"], route_class=DocumentedRoute)
Writer = Annotated[Principal, Depends(require(Permission.STANDARDS_WRITE))]
Designator = Annotated[Principal, Depends(require(Permission.LISTS_DESIGNATE))]
Reader = Annotated[Principal, Depends(require(Permission.LISTS_READ))]
Receiver = Annotated[Principal, Depends(require(Permission.LISTS_RECEIVE))]
Self = Annotated[Principal, Depends(require(Permission.RIGHTS_SELF))]

ILLEGAL = "the entry's status does not allow this step (`entry.illegal_transition`)"


@router.get("/fields", dependencies=[Depends(public)], response_model=list[ListField])
def list_fields() -> list[ListFieldView]:
    """The field taxonomy; key fields count towards the big-data warning list (Op(16))."""
    return entry_views.fields()


@router.get(
    "/standards",
    dependencies=[Depends(public)],
    response_model=list[Standard],
    responses=errors(
        {422: "not a field (`standard.unknown_field`) or list type (`standard.bad_list_type`)"}
    ),
)
def list_standards(
    ctx: Ctx, field: str | None = None, list_type: str | None = None, all_versions: bool = False
) -> list[StandardView]:
    """STD-1: published standards with their procedure, basis and rule (public)."""
    return standards.listing(ctx, field, list_type, all_versions)


@router.get("/standards/{code}", dependencies=[Depends(public)], response_model=Standard)
def get_standard(ctx: Ctx, code: str, version: QueryVersion = None) -> StandardView:
    """STD-1: a standard in force (or a named version)."""
    return standards.get(ctx, code, version)


@router.post(
    "/standards",
    status_code=201,
    response_model=StandardPublished,
    responses=errors(
        {409: "the code belongs to a standard of another list or field (`standard.code_taken`)"}
    ),
)
def publish_standard(ctx: Ctx, principal: Writer, body: StandardIn) -> dict[str, Any]:
    """STD-1, STD-3: publish a standard or its next version; entries resting on an earlier
    version are re-evaluated in the same transaction."""
    published, outcome = standards.publish(
        ctx, principal, draft_from_dict(body.model_dump(exclude_unset=True))
    )
    return {"standard": published.as_dict(), "reevaluation": outcome}


@router.get("/standards/{code}/candidates", response_model=list[Candidate])
def standard_candidates(
    ctx: Ctx, principal: Designator, code: str, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[CandidateView]:
    """STD-2: the subjects the standard proposes today, not yet on its list."""
    return standards.candidates(ctx, principal, code, limit)


@router.post(
    "/lists/entries",
    status_code=201,
    response_model=EntryDetail,
    responses=errors(
        {
            404: "no such standard in force or subject (`standard.not_found`, `subject.not_found`)",
            409: "already listed, blacklisted (red list), not qualified under the rule "
            "(`entry.not_qualified`, with the rule inputs), or no responsible person",
        }
    ),
)
def propose(ctx: Ctx, principal: Designator, body: EntryIn) -> EntryDetailView:
    """A preliminary entry under a standard (LST-1 scope, STD-2 rule, cross-checks)."""
    terms = body.model_dump(
        exclude={"standard", "subject_id", "facts", "responsible_persons"}, exclude_none=True
    )
    return entries.propose(
        ctx,
        principal,
        standard_code=body.standard,
        subject_id=body.subject_id,
        facts=body.facts,
        terms=terms,
        responsible_persons=[p.model_dump() for p in body.responsible_persons],
    )


@router.get("/lists/entries", response_model=list[Entry])
def search(
    ctx: Ctx,
    principal: Reader,
    subject_id: QueryId = None,
    list_type: str | None = None,
    status: str | None = None,
    as_of: Day | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    *,
    purpose: StatedPurpose,
) -> list[EntryView]:
    """Entries; `as_of` gives those in force on that day (LST-7). Each subject whose
    entries are read is registered with the stated purpose (SEC-2)."""
    return entry_views.search(
        ctx,
        principal,
        subject_id=subject_id,
        list_type=list_type,
        status=status,
        as_of=as_of,
        limit=limit,
        purpose=purpose,
    )


@router.get("/lists/entries/{entry_id}", response_model=EntryDetail)
def get_entry(
    ctx: Ctx, principal: Reader, entry_id: PathId, purpose: StatedPurpose
) -> EntryDetailView:
    """LST-7: an entry with its grounds, records, rule inputs, notices and history (the
    read registered with its purpose, SEC-2)."""
    return entry_views.get(ctx, principal, entry_id, purpose)


@router.post(
    "/lists/entries/{entry_id}/notice", response_model=EntryDetail, responses=errors({409: ILLEGAL})
)
def notify(ctx: Ctx, principal: Designator, entry_id: PathId) -> EntryDetailView:
    """LST-2, Art 28: the written notice; the objection window starts."""
    return entry_steps.notify(ctx, principal, entry_id)


@router.post(
    "/lists/entries/{entry_id}/announcement",
    response_model=EntryDetail,
    responses=errors({409: ILLEGAL + ", or the subject is blacklisted"}),
)
def announce(ctx: Ctx, principal: Designator, entry_id: PathId) -> EntryDetailView:
    """LST-3, Op(8): cross-check, then the public announcement."""
    return entry_steps.announce(ctx, principal, entry_id)


@router.post(
    "/lists/entries/{entry_id}/designation",
    response_model=EntryDetail,
    responses=errors({409: ILLEGAL + ", or its window is still open (`entry.window_open`)"}),
)
def designate(ctx: Ctx, principal: Designator, entry_id: PathId) -> EntryDetailView:
    """Designation after the window (or, for key scrutiny, with its warning)."""
    return entry_steps.designate(ctx, principal, entry_id)


@router.post(
    "/lists/entries/{entry_id}/removal",
    response_model=EntryRemoved,
    responses=errors(
        {
            409: ILLEGAL + "; `expiry` before the validity ended or on an entry never "
            "designated (`entry.not_expired`)"
        }
    ),
)
def remove(ctx: Ctx, principal: Designator, entry_id: PathId, body: RemovalIn) -> EntryRemovedView:
    """RST-3, RST-4: removal to the archive, published where the entry was."""
    return entry_steps.remove(
        ctx,
        principal,
        entry_id,
        reason=body.reason,
        note=body.note,
        scrutiny_months=body.scrutiny_months,
    )


@router.post(
    "/lists/entries/{entry_id}/error",
    response_model=EntryDeleted,
    responses=errors({409: ILLEGAL}),
)
def delete_in_error(
    ctx: Ctx, principal: Designator, entry_id: PathId, body: NoteIn
) -> EntryDeletedView:
    """RST-3(1), RST-5: an entry made in error is deleted and not kept; its correction
    (OBJ-5, Op(23): apology, clarification, reclaim list) is made in the same transaction
    (the same as POST /api/v1/corrections)."""
    made = corrections.correct(
        ctx, principal, target_type="list_entry", target_id=entry_id, error=body.note
    )
    return {"id": entry_id, "status": "deleted", "correction_id": made["id"]}


@router.post(
    "/lists/entries/{entry_id}/restoration",
    status_code=201,
    response_model=RestorationApplied,
    responses=errors(
        {409: "not a restorable blacklist entry, too early, or an application is pending"}
    ),
)
def apply_restoration(
    ctx: Ctx, principal: Receiver, entry_id: PathId, body: RestorationIn
) -> RestorationAppliedView:
    """RST-1: an application for credit restoration, with evidence."""
    return restoration.apply(
        ctx, principal, entry_id, applicant=body.applicant, evidence=body.evidence
    )


@router.post(
    "/me/list-restorations",
    status_code=201,
    response_model=RestorationApplied,
    responses=errors(
        {
            403: "only a subject account applies for itself (`account.subjects_only`)",
            404: "no entry of yours has that id (`entry.not_found`)",
            409: "not a designated blacklist entry (`restoration.not_blacklisted`), "
            "designated without restoration (`restoration.not_restorable`), too early "
            "(`restoration.too_early`), or an application is pending (`restoration.pending`)",
            422: "no evidence (`restoration.incomplete`)",
        }
    ),
)
def apply_my_restoration(
    ctx: Ctx, principal: Self, body: MyRestorationIn
) -> RestorationAppliedView:
    """RST-1, Op(14): the subject applies from its own account for the credit restoration of
    one of its blacklist entries, with its evidence; the designating unit decides (RST-2)."""
    return restoration.apply_as_subject(ctx, principal, body.entry_id, evidence=body.evidence)


@router.post(
    "/lists/restorations/{application_id}/decision",
    response_model=RestorationDecision,
    responses=errors({409: "the application was already decided (`restoration.decided`)"}),
)
def decide_restoration(
    ctx: Ctx, principal: Designator, application_id: PathId, body: DecisionIn
) -> RestorationDecisionView:
    """RST-2: the designating unit's consent (or refusal) to early removal."""
    return restoration.decide(ctx, principal, application_id, consent=body.consent, note=body.note)


@router.get("/lists/restorations", response_model=list[PendingRestoration])
def restorations(
    ctx: Ctx, principal: Reader, overdue: bool = False
) -> list[PendingRestorationView]:
    """SEC-5, Art 65: pending restoration applications with their Art 43 deadlines (a unit
    sees its own entries', the operator all); with `overdue=true`, those past it."""
    return restoration.applications(ctx, principal, overdue=overdue)


@router.get("/lists/reports", response_model=list[UpwardReport])
def upward_reports(ctx: Ctx, principal: Reader, overdue: bool = False) -> list[UpwardReportView]:
    """LST-9: reports queued for the upper-level platform, with their deadlines."""
    return entry_views.reports(ctx, principal, overdue)


@router.get("/public/lists", dependencies=[Depends(public)], response_model=list[Publication])
def published(ctx: Ctx, list_type: str | None = None) -> list[PublicationView]:
    """DIS-4, DIS-5: what is published today, personal numbers masked (DIS-3)."""
    return entry_views.publications(ctx, list_type)
