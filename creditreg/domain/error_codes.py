"""Every error code the platform answers: the one registry of codes, statuses and meanings.

A code is `<concept>.<reason>`, one prefix per concept (`record.*` for records and their
batches, `entry.*` for list entries ...), and it has exactly one HTTP status and one CLI
exit code, wherever it is raised: `<thing>.not_found` is a 404 whether the id came in the
path, the query or the body; a body that breaks a rule is a 422; a state that does not
allow the step is a 409. The API lists this registry in its OpenAPI description
(`api/app.py`); a test reads the source and fails when a code raised anywhere is missing
here, is raised with another status, or is listed here but raised nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from creditreg.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One code: its HTTP status (None: only the CLI says it), its exit code (None: only
    the API says it) and what it means."""

    code: str
    status: int | None
    exit_code: int | None
    meaning: str


def _of(kind: type[DomainError]) -> Callable[[str, str], ErrorCode]:
    def make(code: str, meaning: str) -> ErrorCode:
        return ErrorCode(code, kind.status, kind.exit_code, meaning)

    return make


invalid, missing, conflict = _of(InvalidInput), _of(NotFound), _of(Conflict)
forbidden, unauthenticated, throttled = _of(Forbidden), _of(Unauthenticated), _of(TooManyAttempts)


def api(code: str, status: int, meaning: str) -> ErrorCode:
    """A code only the API answers (the framework's refusals, the database's state)."""
    return ErrorCode(code, status, None, meaning)


def cli(code: str, exit_code: int, meaning: str) -> ErrorCode:
    """A code only the CLI prints."""
    return ErrorCode(code, None, exit_code, meaning)


_ALL = (
    # --- the request itself -----------------------------------------------------------
    invalid(
        "request.invalid",
        "the request (or a CLI input file) is malformed; `details.problems` names each field",
    ),
    api("request.too_large", 413, "the body is larger than CREDITREG_MAX_UPLOAD_BYTES"),
    api(
        "request.unsupported_media_type",
        415,
        "a JSON body was sent with another Content-Type (send application/json)",
    ),
    invalid(
        "request.bad_character",
        "the path, the query or a JSON body holds a NUL (U+0000) or an unpaired surrogate",
    ),
    invalid("request.out_of_range", "a value is too long or too large for what stores it"),
    api("http.not_found", 404, "no operation has that path"),
    api("http.method_not_allowed", 405, "the path does not take that method"),
    api("http.error", 400, "another refusal by the web framework (none is known to occur)"),
    # --- the database and the configuration -------------------------------------------
    ErrorCode(
        "db.unavailable", 503, 8, "the database cannot be reached; retry after `Retry-After`"
    ),
    api("db.busy", 503, "the database is busy (a writer holds it); retry after `Retry-After`"),
    conflict("db.conflict", "the change clashes with data stored at the same time"),
    cli(
        "db.not_migrated",
        7,
        "the database is not at the current schema: run `creditreg db upgrade`",
    ),
    cli("config.invalid", 2, "a setting (CREDITREG_*) has a value it cannot take"),
    invalid("config.bad_database_url", "CREDITREG_DATABASE_URL is not a SQLite or PostgreSQL URL"),
    invalid("config.bad_policy", "CREDITREG_DISCLOSURE_POLICY is not `regulations` or `national`"),
    invalid(
        "config.clock_override_refused",
        "a fixed or test clock needs CREDITREG_ALLOW_CLOCK_OVERRIDE=true",
    ),
    cli(
        "worker.bad_option",
        2,
        "`creditreg worker`: the interval or the number of passes is out of range",
    ),
    cli("file.unreadable", 2, "a file given to the CLI cannot be read as UTF-8 text"),
    cli("file.bad_extension", 2, "a file the CLI writes is named for its format (.pdf or .html)"),
    invalid(
        "config.audit_key_file",
        "CREDITREG_AUDIT_KEY_FILE cannot be read or created, or holds fewer than 32 bytes",
    ),
    invalid(
        "config.audit_key_file_permissions",
        "the audit key file may be read or written by others than its owner: `chmod 600` it",
    ),
    invalid(
        "config.report_key",
        "CREDITREG_REPORT_KEY is not an Ed25519 private key in PEM (PKCS#8)",
    ),
    invalid(
        "config.report_key_file",
        "CREDITREG_REPORT_KEY_FILE cannot be read or created, or holds no Ed25519 key in PEM",
    ),
    invalid(
        "config.report_key_file_permissions",
        "the report key file may be read or written by others than its owner: `chmod 600` it",
    ),
    # --- the audit log (SEC-3): `creditreg audit verify` prints one line per finding and
    # exits 1; `GET /api/v1/audit/verify` lists the same findings in its body -------------
    cli("audit.chain_broken", 1, "an event was changed, inserted or removed (the first named)"),
    cli(
        "audit.chain_truncated",
        1,
        "a checkpoint vouches for events the chain no longer holds: the newest were deleted",
    ),
    cli(
        "audit.checkpoint_mismatch",
        1,
        "the chain at a checkpoint's event is not what was signed: rewritten after it",
    ),
    cli("audit.checkpoint_missing", 1, "checkpoints were deleted from the database"),
    cli(
        "audit.checkpoint_signature_invalid",
        1,
        "a checkpoint in the database or the checkpoint file was forged or edited",
    ),
    cli("audit.checkpoint_file_missing", 1, "CREDITREG_AUDIT_CHECKPOINT_FILE does not exist"),
    cli(
        "audit.checkpoint_file_missing_entries",
        1,
        "the checkpoint file lacks checkpoints the database holds (cut, or not written)",
    ),
    cli(
        "audit.checkpoint_file_mismatch",
        1,
        "a checkpoint differs between the database and the checkpoint file",
    ),
    cli("audit.checkpoint_file_invalid", 1, "a line of the checkpoint file is not a checkpoint"),
    cli("audit.checkpoint_file_unreadable", 1, "the checkpoint file cannot be read"),
    cli(
        "audit.key_mismatch",
        1,
        "the configured audit key did not sign the checkpoints (another install's key?)",
    ),
    cli("audit.trigger_missing", 1, "a trigger keeping an audit table append-only is gone"),
    cli("audit.trigger_disabled", 1, "a trigger keeping an audit table append-only is disabled"),
    cli(
        "audit.trigger_altered",
        1,
        "a trigger keeping an audit table append-only was changed and may no longer refuse",
    ),
    cli(
        "audit.checkpoint_file_unwritable",
        1,
        "`creditreg audit checkpoint`: the checkpoint is in the database, but the file "
        "could not be appended to (the next checkpoint copies what it lacks)",
    ),
    conflict(
        "audit.start_missing",
        "no checkpoint is left in the database, not even the start of the keyed chain: "
        "checkpoints were deleted (`creditreg audit verify`)",
    ),
    # --- access: tokens, logins, scope ------------------------------------------------
    unauthenticated("auth.missing_token", "no `Authorization: Bearer` token"),
    unauthenticated("auth.invalid_token", "the token is not known"),
    unauthenticated("auth.revoked_token", "the token was revoked"),
    unauthenticated("auth.expired_token", "the session has expired"),
    unauthenticated("auth.inactive", "the token's unit or user is deactivated"),
    unauthenticated("auth.bad_credentials", "wrong username or password"),
    throttled(
        "auth.throttled",
        "too many failed logins for the account or address; retry after `Retry-After`",
    ),
    forbidden(
        "access.missing_permission", "the token or role lacks the permission the operation needs"
    ),
    forbidden("access.outside_field", "the unit is not competent for the field"),
    forbidden("access.outside_region", "the unit's region does not cover the subject's"),
    forbidden("access.other_unit", "a unit acts only on its own tokens"),
    forbidden("access.scope_escalation", "a token cannot hold more than its issuer"),
    forbidden(
        "access.not_designating_unit",
        "only a designating unit may do this (the caller's unit is of another kind)",
    ),
    invalid("unit.invalid_region", "a region is a 6-digit administrative division code"),
    invalid("unit.role_not_allowed", "a unit of this kind cannot give that role"),
    missing("unit.not_found", "no unit has that id"),
    conflict("unit.duplicate", "a unit with that USCC exists"),
    invalid("unit.unknown_field", "a unit's field is one of the taxonomy's (GET /api/v1/fields)"),
    invalid("user.invalid_username", "a username is 1-80 letters, digits, '.', '_' or '-'"),
    invalid("user.no_role", "a user needs at least one role"),
    invalid("user.weak_password", "a password has at least 12 characters"),
    conflict("user.duplicate", "the username is taken"),
    invalid("token.no_name", "a token needs a name saying what uses it"),
    invalid("token.no_scope", "a token needs at least one permission"),
    invalid("token.scope_not_allowed", "a unit of this kind cannot hold that permission"),
    missing("token.not_found", "no token has that id"),
    conflict("token.already_revoked", "the token was revoked before"),
    forbidden("inbox.no_unit", "an inbox belongs to a unit; the caller acts for none"),
    missing("inbox.not_found", "no notification with that id in the caller's inbox"),
    # --- the query register (SEC-2, Op(24)) -------------------------------------------
    invalid(
        "query.invalid_purpose",
        "not a purpose of the query register (duties, verification, designation, objection, "
        "restoration, check, authorized_inquiry, supervision)",
    ),
    invalid("query.invalid_note", "a purpose note is one line of at most 200 characters"),
    invalid("query.bad_period", "a register review's period ends before it begins"),
    # --- the check (MEA-3, Op(12)) ------------------------------------------------------
    invalid(
        "check.unknown_purpose",
        "not a purpose of the check (licensing, procurement, public_resource_trading, "
        "funding, honours, hiring, financing, market_access, other)",
    ),
    invalid("check.note_required", "the purpose `other` needs a note saying what for"),
    invalid("check.bad_note", "a purpose note is one line of at most 190 characters"),
    invalid("check.empty_batch", "a batch check names at least one identifier"),
    invalid("check.batch_too_large", "a batch check names at most 1,000 identifiers"),
    invalid(
        "check.duplicate_identifier",
        "a batch names an identifier twice (after normalisation); `details.index` and "
        "`details.first` say where",
    ),
    invalid(
        "check.unrecognised_identifier",
        "an identifier given without its type is not a valid USCC, resident ID or LEI",
    ),
    invalid(
        "check.ambiguous_identifier",
        "an identifier given without its type is valid as two types (a resident ID that "
        "passes the USCC's check too): name its type",
    ),
    forbidden(
        "check.not_implementing_unit",
        "the check answers implementing units only (the attempt is audited and registered)",
    ),
    invalid(
        "check.bad_mode", "a disclosure mode to read records by: public_display, government_sharing"
    ),
    invalid(
        "check.authorization_required",
        "authorized-inquiry records need the subject's written authorization: "
        "POST /api/v1/subjects/{id}/authorized-inquiry (Art 22)",
    ),
    cli("check.unit_required", 2, "`creditreg check` acts for an implementing unit: `--unit`"),
    cli("check.no_identifier", 2, "`creditreg check` takes one IDENTIFIER or `--batch FILE`"),
    # --- feedback on measures applied (MEA-4) -------------------------------------------
    forbidden(
        "measure_feedback.not_implementing_unit",
        "only implementing units report the measures they applied",
    ),
    invalid(
        "measure_feedback.not_returned",
        "no check by the unit returned that measure for that subject (and fact) by that day",
    ),
    invalid(
        "measure_feedback.trigger_required",
        "the check returned the measure for several facts: name `entry_id` or `record_id`",
    ),
    invalid("measure_feedback.bad_measure", "a measure is named by its catalog code"),
    invalid("measure_feedback.bad_case_file", "a case file is one line of at most 200 characters"),
    invalid("measure_feedback.future_date", "a measure is reported once applied, not before"),
    invalid("measure_feedback.two_triggers", "a measure answers an entry or a record, not both"),
    invalid("measure_feedback.bad_note", "a note is at most 2,000 characters"),
    invalid("measure_feedback.typical_needs_note", "a typical case is marked with why"),
    invalid("measure_feedback.bad_group", "statistics count by measure, field, unit or month"),
    invalid("measure_feedback.bad_period", "the period ends before it begins"),
    conflict("measure_feedback.duplicate", "reported already for that subject and case file"),
    missing("measure_feedback.not_found", "no feedback with that id"),
    invalid(
        "measure_feedback.fact_ended",
        "the entry or record the measure answered was not in force on the day applied",
    ),
    missing("measure_feedback.fact_gone", "the entry or record the measure answered is gone"),
    # --- calendar, deadlines, clock, events ---------------------------------------------
    invalid("calendar.bad_count", "a number of working days is 0 to 2500"),
    invalid("calendar.bad_span", "a pause is START:END and does not end before it starts"),
    invalid(
        "calendar.bad_schedule", "an official schedule file has a bad line (the line is named)"
    ),
    invalid(
        "calendar.schedule_incomplete",
        "an official schedule leaves statutory holidays of its year as working days (named)",
    ),
    invalid("calendar.out_of_range", "the count runs beyond the years the calendar holds (1-9999)"),
    invalid("deadline.unknown_rule", "no deadline rule has that code"),
    conflict("clock.not_movable", "the server's clock is real; only a test clock moves"),
    invalid("clock.bad_move", "give either a time to move to or a duration, not both"),
    invalid("clock.backwards", "the clock only moves forward"),
    invalid("event.bad_cursor", "an event cursor is 0 or a position answered before"),
    invalid("event.bad_consumer", "a consumer name is 1-80 of a-z, 0-9, '.', '_' and '-'"),
    # --- subjects and identifiers -----------------------------------------------------
    invalid(
        "subject.unknown_kind",
        "not a subject kind (natural_person, legal_person, unincorporated_org)",
    ),
    invalid("subject.unknown_id_type", "not an identifier type"),
    invalid(
        "subject.invalid_uscc",
        "not a valid Unified Social Credit Code (the characters at fault are named)",
    ),
    invalid(
        "subject.invalid_ric",
        "not a valid resident ID number (GB 11643: shape, check digit, birth date)",
    ),
    invalid("subject.invalid_document", "not a valid permit or document number"),
    invalid("subject.invalid_lei", "not a valid LEI (ISO 17442)"),
    invalid("subject.invalid_name", "a name has 1 to 200 printable characters"),
    invalid("subject.lei_for_person", "an LEI identifies a legal entity, not a person"),
    invalid(
        "subject.identifier_kind_mismatch",
        "this kind of subject is not identified by that identifier type (Art 16)",
    ),
    invalid("subject.kind_mismatch", "the identifier is registered for a subject of another kind"),
    invalid("subject.no_identifier", "a record's row names no identifier for its subject"),
    invalid(
        "subject.link_not_organization",
        "only a legal person or organization links responsible persons",
    ),
    invalid("subject.link_not_person", "a responsible person is a natural person"),
    invalid("subject.link_bad_period", "a link cannot end before it starts"),
    invalid(
        "subject.person_mismatch",
        "the ID number given for a responsible person is not the registered person's",
    ),
    missing("subject.not_found", "no subject has that id or identifier"),
    conflict("subject.duplicate", "a subject with that identifier exists"),
    conflict("subject.duplicate_lei", "that LEI is recorded for another subject"),
    # --- the catalog ------------------------------------------------------------------
    invalid("catalog.missing_element", "a catalog item lacks an Art 11 element"),
    invalid("catalog.bad_code", "a data code is 2-40 upper-case letters, digits, '_', '.' or '-'"),
    invalid("catalog.bad_class", "not an Art 12 class (or Art 20 / Art 33 class)"),
    invalid("catalog.bad_kind", "not an information kind (public_credit_info, market)"),
    invalid(
        "catalog.bad_character",
        "not an information character (trustworthy, untrustworthy, neutral)",
    ),
    invalid(
        "catalog.bad_disclosure",
        "not a disclosure mode (public_display, government_sharing, authorized_inquiry)",
    ),
    invalid("catalog.no_subject_kind", "an item covers at least one subject kind"),
    invalid("catalog.bad_template", "a data template is a list of fields"),
    invalid("catalog.empty_template", "a data template needs fields"),
    invalid("catalog.duplicate_field", "field names in a template are unique"),
    invalid(
        "catalog.bad_field",
        "a field name is lower-case letters, digits and _ (a choice field has choices)",
    ),
    invalid("catalog.bad_field_type", "not a field type"),
    invalid("catalog.bad_presence", "not a presence (required, optional, conditional)"),
    invalid("catalog.bad_condition", "a conditional field depends on a field the template lacks"),
    invalid("catalog.bad_role", "not a subject role of a field"),
    invalid("catalog.bad_category", "not a personal-data category"),
    invalid(
        "catalog.no_subject_fields",
        "a template names its subject: a name field and a USCC or ID-number field",
    ),
    invalid(
        "catalog.wrong_provider",
        "public credit information comes from state organs and public bodies (Art 10)",
    ),
    invalid("catalog.bad_period", "the public-comment period ends before it starts"),
    invalid(
        "catalog.needs_expert_assessment",
        "an item reducing rights needs its expert assessment first (Art 11)",
    ),
    invalid(
        "catalog.needs_public_comment",
        "an item reducing rights needs its public-comment period first (Art 11)",
    ),
    invalid("catalog.comment_period_open", "the public-comment period has not ended"),
    forbidden("catalog.not_own_item", "a market provider files only its own items (Art 14)"),
    missing("catalog.not_found", "no catalog item has that id, code or version"),
    conflict("catalog.not_draft", "the item version is not a draft"),
    conflict("catalog.not_approved", "the item version is not approved"),
    conflict("catalog.draft_pending", "a draft of that code waits for approval"),
    conflict("catalog.version_retired", "the item version is retired for new records"),
    conflict("catalog.illegal_transition", "the catalog item's status does not allow the step"),
    # --- records, batches, files ------------------------------------------------------
    invalid(
        "record.batch_rejected",
        "rows of a batch were rejected, nothing was stored; `details` lists each row's field, "
        "code and message",
    ),
    invalid("record.empty_batch", "the batch holds no rows"),
    conflict("record.batch_in_progress", "the batch is being stored; retry shortly"),
    invalid("record.bad_batch_id", "a batch id is one line of at most 100 characters"),
    conflict(
        "record.batch_id_reused", "the batch id was used for other content; use a new batch id"
    ),
    conflict(
        "record.batch_abandoned",
        "the batch was discarded while it was being stored (its ingest stopped); send it again",
    ),
    invalid("record.missing_field", "a row lacks a required field"),
    invalid("record.conditional_missing", "a row lacks a field its other values require"),
    invalid("record.unknown_field", "a row has a field the template lacks"),
    invalid("record.bad_value", "a row's value does not fit its field's type"),
    invalid(
        "record.decision_date_out_of_range", "a decision date is before 1949-10-01 or after today"
    ),
    invalid(
        "record.no_decision_date", "untrustworthy information needs its decision date (Art 19)"
    ),
    invalid(
        "record.subject_kind_not_covered",
        "the catalog item does not cover the row's kind of subject",
    ),
    invalid("record.no_reason", "a withdrawal says which decision revoked the basis"),
    invalid("record.bad_outcome", "a review outcome is `upheld` or `revoked`"),
    invalid("record.no_applicant", "an archiving request names who asked (Art 44)"),
    forbidden(
        "record.not_item_provider",
        "only the catalog item's (the record's) providing unit may do this",
    ),
    missing("record.not_found", "no record has that id"),
    conflict("record.not_live", "the record is withdrawn or archived"),
    conflict("record.display_not_ended", "the record's display period has not ended (Art 44)"),
    conflict(
        "record.illegal_transition", "the record's (or its batch's) status does not allow the step"
    ),
    invalid("verification.no_reason", "a returned record needs its reasons (Art 17)"),
    conflict("verification.not_pending", "the record is not waiting for verification"),
    invalid("file.unsupported_type", "send CSV (.csv), JSON Lines (.jsonl) or Excel (.xlsx)"),
    invalid("file.not_text", "the file is not UTF-8 text"),
    invalid("file.not_xlsx", "the file is not an Excel workbook"),
    invalid("file.empty", "the file holds no header"),
    invalid("file.bad_header", "a column is not a field of the template, or appears twice"),
    invalid("file.bad_row", "a row has another number of cells than the header"),
    invalid("file.bad_csv", "the CSV cannot be parsed (the line is named)"),
    invalid("file.bad_json", "a line (or a CLI input file) is not a JSON object"),
    invalid("file.truncated", "the file is cut off"),
    invalid("file.xlsx_bomb", "the workbook would expand far beyond its size"),
    invalid("file.xlsx_too_large", "the workbook expands beyond the limit; send CSV or JSON Lines"),
    # --- privacy (Art 45) -------------------------------------------------------------
    invalid(
        "privacy.forbidden_category", "a template field would collect data never collected (Art 45)"
    ),
    invalid("privacy.bad_category", "not a personal-data category"),
    invalid(
        "privacy.needs_written_consent",
        "these categories need written consent after the standard warning (Art 45)",
    ),
    invalid("privacy.no_purpose", "a consent names the use agreed"),
    invalid("privacy.consent_in_future", "a consent is recorded once given, not ahead"),
    invalid("privacy.not_a_person", "consent is recorded for a natural person"),
    invalid(
        "privacy.no_consent", "a row about a natural person needs the person's recorded consent"
    ),
    forbidden(
        "privacy.consent_for_another_unit", "a unit records the consents given to itself only"
    ),
    # --- standards --------------------------------------------------------------------
    invalid(
        "standard.missing_element",
        "a standard lacks an element (code, title, basis, procedure ...)",
    ),
    invalid("standard.bad_list_type", "not a list type"),
    invalid("standard.bad_scope", "not a scope (national, local)"),
    invalid("standard.unknown_field", "not a field of the taxonomy"),
    invalid("standard.bad_rule", "the rule over records is malformed"),
    invalid("standard.bad_number", "a number of the standard is not a whole number"),
    invalid("standard.bad_measures", "measures is a list of strings"),
    invalid("standard.bad_validity", "validity is 1 to 120 months (Art 37)"),
    invalid("standard.bad_window", "the announcement or objection window is out of its range"),
    invalid("standard.bad_restoration", "the restoration terms are malformed (Op(15))"),
    invalid(
        "standard.bad_scrutiny", "a blacklist standard sets key scrutiny of 1-60 months (Op(18))"
    ),
    invalid(
        "standard.local_needs_approval", "a local standard names its region and approval (Op(3))"
    ),
    invalid("standard.national_has_no_region", "a national standard has no region"),
    forbidden("standard.outside_region", "a local standard applies only to subjects of its region"),
    missing("standard.not_found", "no standard (in force) has that id, code or version"),
    conflict("standard.code_taken", "the code belongs to a standard of another list or field"),
    conflict("standard.illegal_transition", "the standard's status does not allow the step"),
    # --- list entries -----------------------------------------------------------------
    invalid("entry.bad_list_type", "not a list type"),
    invalid("entry.bad_status", "not an entry status"),
    invalid("entry.no_facts", "an entry states the facts of the conduct (Op(9))"),
    invalid(
        "entry.bad_person", "a responsible person is given badly (role, name, ID type and number)"
    ),
    invalid("entry.bad_person_role", "not a responsible person's role"),
    invalid("entry.bad_validity", "validity is 1 to 120 months (Art 37)"),
    invalid("entry.bad_restoration", "the restoration terms are malformed (Op(15))"),
    invalid("entry.bad_scrutiny", "key scrutiny lasts 1 to 60 months"),
    invalid("entry.bad_channel", "not a publication channel"),
    invalid("entry.bad_removal_reason", "not a removal reason of this list (RST-3, RST-4)"),
    invalid("entry.error_is_deletion", "an entry made in error is deleted, not removed (RST-3(1))"),
    invalid(
        "entry.restoration_needs_application",
        "removal by restoration follows an application and consent",
    ),
    invalid("entry.no_reason", "say what the error was"),
    forbidden(
        "entry.not_designating_unit",
        "only the unit that designated the entry may act on it (or consent to its restoration)",
    ),
    missing("entry.not_found", "no list entry has that id"),
    conflict("entry.already_listed", "the subject already has a live entry on that list and field"),
    conflict("entry.not_qualified", "the subject does not meet the standard"),
    conflict("entry.subject_blacklisted", "a blacklisted subject cannot enter a red list (Op(8))"),
    conflict(
        "entry.no_responsible_person",
        "an organization's blacklist entry names its legal representative or principal (Art 35)",
    ),
    conflict("entry.window_open", "the announcement or objection window is still open"),
    conflict(
        "entry.standard_unchanged",
        "removed for a changed standard although no later version of it was published",
    ),
    conflict("entry.not_expired", "removal for expiry before the entry's validity has ended"),
    conflict(
        "entry.notice_not_delivered",
        "the written notice to a natural person is not yet recorded as delivered",
    ),
    conflict("entry.illegal_transition", "the entry's status does not allow the step"),
    invalid("restoration.incomplete", "an application names the applicant and its evidence"),
    invalid("restoration.no_reason", "a restoration decision says why"),
    missing("restoration.not_found", "no restoration application has that id"),
    conflict("restoration.not_blacklisted", "the entry is not a designated blacklist entry"),
    conflict("restoration.not_restorable", "the entry was designated without restoration (Op(15))"),
    conflict("restoration.too_early", "restoration is possible only from a later day (Op(15))"),
    conflict("restoration.pending", "an application for the entry is pending"),
    conflict("restoration.decided", "the application is decided"),
    conflict("restoration.illegal_transition", "the application's status does not allow the step"),
    conflict(
        "upward_report.illegal_transition", "the upward report's status does not allow the step"
    ),
    # --- objections and reconsideration (OBJ-1..3, OBJ-6; Art 41; Op(22)) -----------------
    unauthenticated(
        "objection.anonymous",
        "an objection is never anonymous: a unit, a subject account or a public account",
    ),
    unauthenticated("public_account.invalid_token", "the public account's token is not known"),
    conflict("public_account.exists", "a public account with that document number exists"),
    invalid("objection.bad_target_type", "the target is `record` or `list_entry`"),
    invalid("objection.bad_status", "not an objection status"),
    invalid("objection.no_grounds", "an objection says what is wrong (Art 41)"),
    invalid("objection.grounds_too_long", "grounds have at most 5000 characters"),
    invalid("objection.no_reason", "every step of an objection says why"),
    invalid("objection.reason_too_long", "a reason has at most 2000 characters"),
    invalid(
        "objection.attachment_too_large",
        "an attachment is larger than CREDITREG_OBJECTION_ATTACHMENT_MAX_BYTES",
    ),
    invalid("objection.attachment_empty", "an attachment is empty"),
    invalid(
        "objection.attachment_type_not_allowed",
        "an attachment is not a PDF, JPEG or PNG by its content",
    ),
    invalid(
        "objection.attachment_type_mismatch",
        "an attachment's name or declared type is not what its content is (a renamed file)",
    ),
    invalid(
        "objection.too_many_attachments",
        "more attachments than CREDITREG_OBJECTION_ATTACHMENT_MAX_FILES",
    ),
    invalid("objection.no_attachment", "send at least one file"),
    invalid("objection.bad_track", "the track is `platform` or `provider` (Art 41)"),
    invalid(
        "objection.track_not_applicable",
        "tracks and corrections are for records; an entry is verified by its designating unit",
    ),
    invalid("objection.bad_pause_kind", "not a pause of Art 41 (inspection, testing ...)"),
    invalid("objection.bad_outcome", "an objection's outcome is `upheld` or `dismissed`"),
    invalid("objection.bad_correction", "a correction is `withdraw` or `return`"),
    invalid("objection.correction_required", "an upheld record objection says its correction"),
    invalid("objection.correction_needs_upheld", "only an upheld objection corrects"),
    forbidden(
        "objection.not_decider",
        "the platform decides objections to records, the designating unit to its entries",
    ),
    forbidden("objection.not_provider", "only the record's provider answers a verification"),
    missing("objection.not_found", "no objection you may read has that id"),
    missing("objection.attachment_not_found", "the objection has no attachment with that id"),
    conflict("objection.already_open", "the objector has an open objection to the same item"),
    conflict("objection.target_ended", "the record or entry is no longer live"),
    conflict("objection.decided", "the objection is decided or closed"),
    conflict("objection.not_under_way", "only an accepted, undecided objection can be paused"),
    conflict("objection.already_paused", "the objection's clock is already paused"),
    conflict("objection.not_paused", "the objection's clock is not paused"),
    conflict("objection.paused", "a paused objection is resumed before it is decided"),
    conflict("objection.illegal_transition", "the objection's status does not allow the step"),
    # Red-list feedback (OBJ-4, Op(21)).
    unauthenticated(
        "feedback.anonymous",
        "a report is never anonymous: a unit's, a subject account's or a public account's token",
    ),
    invalid("feedback.no_evidence", "a report says why the subject is not trustworthy"),
    invalid("feedback.evidence_too_long", "evidence has at most 5000 characters"),
    invalid("feedback.bad_outcome", "a report's outcome is `confirmed` or `dismissed`"),
    invalid("feedback.bad_status", "not a red-list report status"),
    forbidden(
        "feedback.not_designating_unit", "only the entry's designating unit verifies a report"
    ),
    missing("feedback.not_found", "no red-list report you may read has that id"),
    missing("feedback.entry_not_found", "no list entry has that id"),
    missing("feedback.attachment_not_found", "the report has no attachment with that id"),
    conflict("feedback.not_red_list", "feedback is on red-list entries only (Op(21))"),
    conflict("feedback.entry_not_in_force", "the red-list entry is not designated and in force"),
    conflict("feedback.already_open", "the reporter has an open report on the same entry"),
    conflict("feedback.illegal_transition", "the report is decided or closed"),
    invalid("reconsideration.bad_outcome", "a reconsideration is `upheld` or `revised`"),
    forbidden(
        "reconsideration.not_department",
        "only the provincial department it was made to decides it",
    ),
    missing("reconsideration.not_found", "no reconsideration has that id"),
    conflict(
        "reconsideration.not_reconsiderable",
        "only a decision the objector lost (not accepted, dismissed) is reconsidered",
    ),
    conflict("reconsideration.exists", "the objection was already taken to reconsideration"),
    conflict("reconsideration.no_department", "no provincial department is registered"),
    conflict(
        "reconsideration.illegal_transition", "the reconsideration's status does not allow it"
    ),
    # --- subject accounts (issue 10, part 1) ------------------------------------------
    unauthenticated("account.bad_code", "no open activation code matches (attempts are counted)"),
    unauthenticated(
        "account.bad_credentials", "the user name or password of a subject account is wrong"
    ),
    invalid("account.check_in_future", "an identity check is recorded once it took place"),
    conflict(
        "account.code_expired", "the activation code is past its expiry (CREDITREG_ACTIVATION_DAYS)"
    ),
    conflict(
        "account.code_superseded", "a newer code was issued for the subject; this one is void"
    ),
    conflict("account.code_used", "the activation code was used already (single-use)"),
    invalid(
        "account.document_mismatch",
        "the identity document seen is not the subject's or its representative's",
    ),
    invalid("account.holder_mismatch", "the account holder named does not match the subject"),
    invalid("account.invalid_checker", "the identity check names who checked"),
    invalid("account.invalid_document", "the identity document type or number is not valid"),
    invalid("account.invalid_holder", "the account holder's name or role is missing or wrong"),
    invalid("account.invalid_letter", "the authorization letter reference is missing or malformed"),
    invalid("account.invalid_username", "a user name is 3-80 letters, digits, dots, dashes or _"),
    invalid(
        "account.letter_required", "an organization's agent is bound with its authorization letter"
    ),
    forbidden(
        "account.not_your_subject",
        "a subject account reads and acts for its own subject only (audited)",
    ),
    forbidden("account.subjects_only", "only a subject account may use this (its own door)"),
    throttled(
        "account.throttled",
        "too many failed attempts for this code, account or address; wait `Retry-After`",
    ),
    conflict("account.username_taken", "another account has this user name"),
    invalid("account.weak_password", "a password has at least 12 characters"),
    cli("file.unwritable", 2, "the CLI cannot write the file it was asked to write"),
    conflict("subject_notice.already_delivered", "the notice's delivery date is recorded already"),
    conflict(
        "subject_notice.delivered_with_code",
        "a notice delivered with an activation code is not printed again (it would void the "
        "code the subject holds): preview it, or issue a code at the counter",
    ),
    invalid(
        "subject_notice.bad_delivery_date", "a delivery date lies between the notice and today"
    ),
    missing("subject_notice.not_found", "no written notice has that id"),
    forbidden("subject_notice.other_unit", "the notice is another unit's to deliver"),
    # --- self-inquiry and credit reports (issue 10, parts 2 and 9; RIG-1..3, Art 40) ----
    conflict(
        "report.no_free_report_left",
        "the year's free reports of this kind are used (Art 40: two); ask with `accept_fee`",
    ),
    invalid(
        "report.invalid_period",
        "a specialised report's period ends by today, starts before it ends, and reaches at "
        "most five years back",
    ),
    invalid(
        "report.specialised_for_organizations",
        "a specialised report is issued to legal persons and unincorporated organizations",
    ),
    invalid("report.invalid_number", "not a report number (CR-YYYYMMDD-XXXXXXXXXX)"),
    invalid("report.incomplete", "the verification page was given a number or a digest, not both"),
    invalid("report.invalid_digest", "not a SHA-256 digest (64 hexadecimal digits)"),
    invalid("report.invalid_content", "not a credit report's content (a JSON object, its PDF)"),
    invalid("report.nothing_to_verify", "give the number and digest, or the report's content"),
    missing("report.not_found", "no report has that number"),
    invalid("report.altered", "the report presented differs from the one issued under its number"),
    invalid(
        "report.bad_signature",
        "the signature is not the platform report key's signature of the report's content",
    ),
    ErrorCode(
        "report.font_missing",
        503,
        8,
        "the CJK font PDF reports embed is missing: install Debian's fonts-wqy-zenhei",
    ),
    # --- authorizations (issue 10, part 3; DIS-6, Art 22) ----------------------------------
    invalid(
        "authorization.no_purpose", "an authorization names its purpose (at most 200 characters)"
    ),
    invalid(
        "authorization.bad_period",
        "the period ends before it starts, has ended, or spans more than 5 years",
    ),
    invalid("authorization.no_document", "a written authorization names its document"),
    missing("authorization.not_found", "no authorization of yours has that id"),
    forbidden(
        "authorization.missing",
        "no written authorization of the subject for this unit and purpose is in force (audited)",
    ),
    forbidden("authorization.units_only", "an authorized inquiry is made by a unit"),
    conflict(
        "authorization.illegal_transition", "the authorization's status does not allow the step"
    ),
    # --- record restoration (issue 10, part 7; RST-7, Art 43) ----------------------------
    conflict(
        "record_restoration.not_untrustworthy", "only information on untrustworthiness is restored"
    ),
    conflict(
        "record_restoration.not_displayed", "restoration is applied for during the display period"
    ),
    conflict(
        "record_restoration.too_early",
        "the record's class needs a longer display first; `details.restorable_from` says when",
    ),
    conflict("record_restoration.pending", "an application for the record awaits its decision"),
    invalid("record_restoration.no_statement", "an application says how the conduct was corrected"),
    invalid("record_restoration.no_reasons", "a refusal says why"),
    missing("record_restoration.not_found", "no application has that id"),
    # OBJ-5, Op(23), Art 66: corrections of errors and compensation claims.
    invalid("correction.no_error", "a correction says what the error was"),
    invalid("correction.error_too_long", "the error is described in at most 5000 characters"),
    invalid("correction.bad_target_type", "a correction is of a `record` or a `list_entry`"),
    invalid("correction.fix_required", "a record is corrected by `withdraw` or `return`"),
    invalid("correction.bad_fix", "a record's correction is `withdraw` or `return`"),
    invalid("correction.fix_not_applicable", "an entry made in error is deleted; no fix applies"),
    forbidden(
        "correction.not_your_record", "a record is corrected by its providing unit or the platform"
    ),
    missing("correction.not_found", "no correction you may read has that id"),
    invalid("compensation.no_grounds", "a claim says what loss the error caused"),
    invalid("compensation.grounds_too_long", "grounds have at most 5000 characters"),
    invalid("compensation.bad_amount", "an amount is yuan with at most two decimals, above 0"),
    invalid("compensation.bad_outcome", "a claim's outcome is `granted` or `refused`"),
    invalid("compensation.amount_required", "a grant names its amount"),
    invalid("compensation.amount_not_applicable", "a refusal grants no amount"),
    invalid("compensation.bad_reference", "a payment reference is 1 to 100 characters"),
    invalid("compensation.bad_status", "not a compensation claim status"),
    forbidden("compensation.not_deciding_unit", "the unit that made the error decides the claim"),
    missing("compensation.not_found", "no compensation claim you may read has that id"),
    conflict("compensation.already_claimed", "a claim on the correction awaits its decision"),
    conflict("compensation.illegal_transition", "the claim is decided, refused or paid already"),
    conflict("record_restoration.illegal_transition", "the application is decided already"),
    # Self-declaration (ING-6, Art 15; issue 10, part 8).
    forbidden(
        "declaration.item_not_for_subjects",
        "the catalog item is not meant for subjects' own declarations (audited)",
    ),
    forbidden(
        "declaration.not_your_subject",
        "a declaration's subject fields name another subject than the account's (audited)",
    ),
    invalid(
        "declaration.invalid",
        "the row breaks the item's template (`details.field`: the first field at fault)",
    ),
    conflict("declaration.duplicate", "the subject declared this already"),
    invalid(
        "declaration.other_subject",
        "a row of a subject's declaration names another subject (a rejected row; the "
        "declaration answers `declaration.not_your_subject`)",
    ),
    cli("declaration.bad_data", 2, "`--data` is not a JSON object"),
    invalid("catalog.unknown_field", "not a field (sector) of the taxonomy"),
    invalid("catalog.field_out_of_scope", "the providing unit does not work in that field"),
    invalid("catalog.bad_declaration_kind", "not a kind of self-declaration"),
    missing("pledge.not_found", "the record is not a credit pledge"),
    invalid("pledge.no_reason", "a pledge is judged kept or broken with a reason"),
    conflict("pledge.illegal_transition", "the pledge was judged already"),
    # Issue 11: the catalog of measures (MEA-1, Art 29) and proportionality (MEA-6, Art 31).
    invalid("standard.bad_severity", "not a severity (general, serious, especially_serious)"),
    invalid("standard.unknown_measure", "a measure named is no active measure of the catalog"),
    invalid("standard.measure_wrong_list", "a measure named does not answer the standard's list"),
    invalid(
        "standard.measure_beyond_severity",
        "a measure named needs more severity than the standard's (Art 31)",
    ),
    invalid("measure.bad_code", "a measure code is letters, digits, - and _ (up to 40)"),
    invalid("measure.bad_input", "the measure's input is malformed"),
    invalid(
        "unit_notice.bad_kind", "not a kind of unit notice (stop, suspend, resume, designation)"
    ),
    invalid("measure.bad_kind", "not a kind of measure (incentive, punishment)"),
    invalid(
        "measure.bad_trigger",
        "not a trigger (red_list, untrustworthy_record, blacklist, key_scrutiny)",
    ),
    invalid("measure.bad_severity", "not a severity, or one its trigger never reaches (Art 31)"),
    invalid("measure.missing_element", "a measure needs its content and legal basis (Art 29)"),
    invalid(
        "measure.kind_mismatch",
        "incentives answer the red list, punishments untrustworthiness (Art 30, 32, 34)",
    ),
    invalid("measure.not_implementing_unit", "a unit named is not an implementing unit"),
    invalid("measure.no_reason", "a withdrawal says why"),
    invalid("measure.bad_status", "not a status of a measure (a list's filter)"),
    forbidden("measure.platform_only", "the platform compiles the catalog and memoranda (Art 29)"),
    missing("measure.not_found", "no measure of the catalog has that code"),
    conflict("measure.code_taken", "the catalog has a measure of that code"),
    conflict("measure.illegal_transition", "the measure is withdrawn already"),
    # Memoranda of cooperation (MEA-2, Op(12)).
    invalid("memorandum.bad_input", "the memorandum's input is malformed"),
    invalid("memorandum.bad_code", "a memorandum code is letters, digits, - and _ (up to 40)"),
    invalid("memorandum.bad_status", "not a status of a memorandum (a list's filter)"),
    invalid("memorandum.bad_date", "a date is malformed, missing, or ends before it starts"),
    invalid("memorandum.no_items", "a memorandum maps at least one measure"),
    invalid("memorandum.duplicate_item", "an item (trigger, field, measure, unit) twice"),
    invalid("memorandum.bad_trigger", "not a trigger of an item"),
    invalid("memorandum.unknown_field", "not a field of the taxonomy"),
    invalid("memorandum.unknown_unit", "no unit has that id"),
    invalid("memorandum.not_implementing_unit", "an item's unit is not an implementing unit"),
    invalid("memorandum.unknown_measure", "an item's measure is no active measure of the catalog"),
    invalid("memorandum.measure_wrong_list", "an item's measure does not answer its trigger"),
    invalid(
        "memorandum.measure_beyond_severity",
        "an item's measure needs more severity than its trigger ever has (Art 31)",
    ),
    missing("memorandum.not_found", "no memorandum has that code (or version)"),
    conflict("memorandum.already_published", "the newest version is published already"),
    conflict("memorandum.illegal_transition", "the memorandum's status does not allow the step"),
    # Notices to units by webhook (MEA-5, LST-9; issue 11).
    invalid("webhook.bad_url", "a webhook URL is http(s), names a host, carries no password"),
    invalid(
        "webhook.host_not_allowed",
        "the URL names a loopback, private or local host the operator did not allow "
        "(CREDITREG_WEBHOOK_ALLOWED_HOSTS)",
    ),
    invalid("webhook.no_unit", "webhooks belong to a unit: act for one"),
    missing("webhook_endpoint.not_found", "no webhook endpoint of yours has that id"),
    conflict("webhook_endpoint.duplicate", "an active endpoint of the unit has that URL"),
    conflict("webhook_endpoint.too_many", "a unit has at most 10 active endpoints"),
    conflict("webhook_endpoint.illegal_transition", "the endpoint was removed already"),
    invalid("webhook_subscription.bad_kind", "a subscription's kind is `designation`"),
    invalid("webhook_subscription.unknown_field", "not a field (sector) of the taxonomy"),
    invalid("webhook_subscription.bad_list_type", "not a list type"),
    conflict("webhook_subscription.duplicate", "the unit has that subscription already"),
    conflict("webhook_subscription.too_many", "a unit has at most 100 subscriptions"),
    missing("webhook_subscription.not_found", "no subscription of yours has that id"),
    invalid("webhook_delivery.bad_status", "not a delivery status"),
    missing("webhook_delivery.not_found", "no webhook delivery of yours has that id"),
    conflict(
        "webhook_delivery.illegal_transition",
        "the delivery is queued already (only a delivered, retrying or dead one is redelivered)",
    ),
)

CODES: dict[str, ErrorCode] = {c.code: c for c in _ALL}
if len(CODES) != len(_ALL):  # a code listed twice would hide one of its meanings
    raise RuntimeError("an error code is listed twice in creditreg.domain.error_codes")


def markdown_table() -> str:
    """The registry as a Markdown table for the OpenAPI description, sorted by code."""
    lines = ["| code | HTTP | CLI exit | meaning |", "| --- | --- | --- | --- |"]
    for c in sorted(CODES.values(), key=lambda c: c.code):
        status = str(c.status) if c.status is not None else "(CLI only)"
        exit_code = str(c.exit_code) if c.exit_code is not None else ""
        lines.append(f"| `{c.code}` | {status} | {exit_code} | {c.meaning} |")
    return "\n".join(lines)
