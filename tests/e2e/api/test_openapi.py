"""The OpenAPI document is enough to integrate: every 2xx body is typed, every error status a
route can answer is documented with the one error body, and real answers match both."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import creditreg
from creditreg.api.app import create_app
from creditreg.api.schemas.errors import ErrorFacts
from creditreg.demo.catalogs import PUNISHMENT, STANDARDS
from creditreg.demo.dataset import demo_ric
from creditreg.domain.error_codes import CODES
from creditreg.services.context import Context
from tests.e2e.api.test_api import api_routes, declared_access
from tests.e2e.conftest import bearer
from tests.factories import punishment_row
from tests.lists_world import PERSON, World, honour_row, make_world
from tests.notice_delivery import notify_over_api
from tests.objection_helpers import PDF
from tests.raised_codes import scan
from tests.unit.kernel.test_error_codes import PENDING_RENAMES

# Nested schemas that stay free-form on purpose, each with its reason.
FREE_FORM = {
    # Keys are the action's own words (reason, note, role, counts); the audit log is written
    # by every context, and its before/after states are digests.
    "AuditDetail",
}
ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture
def spec(ctx: Context) -> dict[str, Any]:
    return create_app(ctx).openapi()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """A schema with its $ref followed, and the component's name if it had one."""
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"][name]


def free_form(spec: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    """Where a schema, or anything it contains, is an object without named properties."""
    name, body = resolve(spec, schema)
    where = name or where
    if where in FREE_FORM:
        return []
    found: list[str] = []
    if body == {}:
        return [f"{where}: any value"]
    for part in body.get("anyOf", []) + body.get("oneOf", []) + body.get("allOf", []):
        found += free_form(spec, part, where)
    if body.get("type") == "array":
        found += free_form(spec, body.get("items", {}), f"{where}[]")
    if body.get("type") == "object" or "properties" in body:
        extra = body.get("additionalProperties")
        if not body.get("properties"):
            if not isinstance(extra, dict) or extra == {}:
                return [f"{where}: a free-form object"]
            # dict[str, X]: keys are data, values typed.
            return free_form(spec, extra, f"{where}{{}}")
        for prop, sub in body["properties"].items():
            found += free_form(spec, sub, f"{where}.{prop}")
    return found


def test_openapi_every_2xx_body_is_typed(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    assert len(ops) >= 60  # a walk that finds nothing checks nothing
    problems: list[str] = []
    for method, path, op in ops:
        for status, response in op["responses"].items():
            if not status.startswith("2"):
                continue
            content = response.get("content")
            if status == "204":
                if content:
                    problems.append(f"{method} {path} 204 declares a body")
                continue
            if not content:
                problems.append(f"{method} {path} {status}: no body documented")
                continue
            json_body = content.get("application/json")
            if json_body is None:
                continue  # CSV or HTML: documented by its media type
            schema = json_body.get("schema") or {}
            if resolve(spec, schema)[1].get("type") == "string":
                problems.append(f"{method} {path} {status}: JSON described as a string")
            problems += [f"{method} {path} {status}: {p}" for p in free_form(spec, schema, "body")]
    assert problems == []


def test_openapi_documents_the_errors_each_route_can_answer(ctx: Context) -> None:
    app = create_app(ctx)
    spec = app.openapi()
    routes = {
        (method, r.path): r
        for r in api_routes(app.routes)
        for method in r.methods
        if r.include_in_schema
    }
    problems: list[str] = []
    for method, path, op in operations(spec):
        route = routes[(method, path)]
        documented = op["responses"]
        wanted: set[str] = set()
        if declared_access(route) != ["public"]:
            wanted |= {"401", "403"}
        if op.get("parameters") or op.get("requestBody"):
            wanted.add("422")
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            wanted.add("404")
        if op.get("requestBody"):
            wanted.add("413")
        missing = wanted - set(documented)
        if missing:
            problems.append(f"{method} {path}: {sorted(missing)} undocumented")
        for status, response in documented.items():
            if status.startswith(("4", "5")):
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": ERROR_REF}:
                    problems.append(f"{method} {path} {status}: not the one error body")
        if "default" in documented:
            problems.append(f"{method} {path}: a catch-all `default` hides statuses")
    assert problems == []
    # FastAPI's own validation body is never sent, so it is never described.
    assert not {"HTTPValidationError", "ValidationError"} & set(spec["components"]["schemas"])


def test_every_fact_a_domain_error_names_is_documented() -> None:
    """A DomainError's keyword details reach the error body only if `ErrorFacts` names them."""
    raised: set[str] = set()
    kinds = {"DomainError", "InvalidInput", "NotFound", "Conflict", "Forbidden", "Unauthenticated"}
    for source in Path(creditreg.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in kinds:
                    raised |= {k.arg for k in node.keywords if k.arg}
    assert raised  # the scan found the errors that name facts
    assert raised <= set(ErrorFacts.model_fields)


def test_every_code_raised_anywhere_is_listed_in_the_openapi_description(
    spec: dict[str, Any],
) -> None:
    """Issue 9, defect 10: a new code cannot be forgotten; each is listed with its status."""
    description = spec["info"]["description"]
    found = scan()
    assert found.unresolved == []
    missing = []
    for code in sorted({PENDING_RENAMES.get((r.code, r.path), r.code) for r in found.raised}):
        listed = CODES[code]
        status = str(listed.status) if listed.status is not None else "(CLI only)"
        if f"| `{code}` | {status} |" not in description:
            missing.append(code)
    assert missing == []


# --- real answers against the document -----------------------------------------------------


def conforms(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """What in `value` breaks `schema` (the OpenAPI 3.1 subset FastAPI emits)."""
    _, schema = resolve(spec, schema)
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf", []) + schema.get("oneOf", [])
        if any(not conforms(spec, option, value, where) for option in options):
            return []
        return [f"{where}: {value!r:.80} matches none of its alternatives"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    checks = {
        "null": lambda v: v is None,
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if kind is None:
        return []
    if not checks[kind](value):
        return [f"{where}: {value!r:.80} is not {kind}"]
    found: list[str] = []
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        parse = date.fromisoformat if schema["format"] == "date" else datetime.fromisoformat
        try:
            parse(value)
        except ValueError:
            found.append(f"{where}: {value!r} is not a {schema['format']}")
    if kind == "array":
        for i, item in enumerate(value):
            found += conforms(spec, schema.get("items", {}), item, f"{where}[{i}]")
    if kind == "object":
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{where}: `{key}` is missing")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                found += conforms(spec, props[key], item, f"{where}.{key}")
            elif extra is False:
                found.append(f"{where}: `{key}` is not documented")
            elif isinstance(extra, dict):
                found += conforms(spec, extra, item, f"{where}.{key}")
    return found


class Checked:
    """A TestClient whose every answer must be documented: its status for the operation,
    and its JSON body against the schema of that status."""

    def __init__(self, client: TestClient, spec: dict[str, Any]) -> None:
        self.client, self.spec = client, spec
        self.seen: set[tuple[str, str, str]] = set()
        self.templates = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            for path in spec["paths"]
        ]

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        response = self.client.request(method, url, **kwargs)
        path = url.split("?", 1)[0]
        matches = [t for rx, t in self.templates if rx.match(path)]
        # A literal segment beats a parameter (/records/verification, not /records/{id}).
        template = min(matches, key=lambda t: t.count("{"))
        op = self.spec["paths"][template][method.lower()]
        status = str(response.status_code)
        assert status in op["responses"], f"{method} {template}: {status} undocumented"
        self.seen.add((method, template, status))
        media = response.headers.get("content-type", "").split(";")[0]
        content = op["responses"][status].get("content", {})
        if status == "204":
            assert not response.content
        else:
            assert media in content, f"{method} {template} {status}: {media} undocumented"
        if media == "application/json":
            problems = conforms(
                self.spec, content[media]["schema"], response.json(), f"{method} {template}"
            )
            assert problems == [], problems
        return response

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.request("PUT", url, **kwargs)


PLATFORM, PROVIDER, DESIGNATOR = bearer("platform"), bearer("provider"), bearer("designator")
PERSONS = [{**PERSON, "id_number": demo_ric("41010519700101123")}]


def test_real_answers_match_their_declared_schema(
    api: TestClient, ctx: Context, clock: Any
) -> None:
    w: World = make_world(ctx, clock)
    c = Checked(api, create_app(ctx).openapi())
    # Public reference data.
    for url in (
        "/api/v1/health",
        "/api/v1/clock",
        "/api/v1/fields",
        "/api/v1/standards",
        "/api/v1/standards/SCJG-HMD",
        "/api/v1/catalog",
        "/api/v1/catalog/XZCF",
        "/api/v1/calendar/days/2026-10-01",
        "/api/v1/public/lists",
    ):
        assert c.get(url).status_code == 200
    counted = c.post(
        "/api/v1/calendar/count",
        json={
            "start": "2026-09-28",
            "working_days": 5,
            "pauses": [{"start": "2026-10-09", "end": "2026-10-09", "reason": "expert review"}],
        },
    )
    assert counted.json()["paused"] == ["2026-10-09"]
    # Access: a login, the caller, units and tokens.
    session = c.post(
        "/api/v1/auth/login", json={"username": "provider", "password": "demo-provider-password"}
    ).json()
    person = {"Authorization": f"Bearer {session['token']}"}
    me = c.get("/api/v1/auth/me", headers=person).json()
    c.get("/api/v1/units", headers=PLATFORM)
    issued = c.post(
        f"/api/v1/units/{me['unit_id']}/tokens",
        headers=person,
        json={"name": "nightly upload", "scopes": ["records:submit"]},
    ).json()
    assert "id" in issued, issued
    c.get(f"/api/v1/units/{me['unit_id']}/tokens", headers=person)
    c.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=person)
    # Records: one submitted, a batch rejected row by row, verification, the lifecycle.
    stored = c.post(
        "/api/v1/records", headers=PROVIDER, json={"catalog": "XZCF", "data": punishment_row(7)}
    )
    assert stored.status_code == 201
    rejected = c.post(
        "/api/v1/records/batches",
        headers=PROVIDER,
        json={"catalog": "XZCF", "rows": [punishment_row(8, decision_date="someday")]},
    )
    assert rejected.json()["error"]["details"]["rejected"][0]["row"] == 1
    as_csv = c.post(
        "/api/v1/records/batches?format=csv",
        headers=PROVIDER,
        json={"catalog": "XZCF", "rows": [punishment_row(8, decision_date="someday")]},
    )
    assert as_csv.status_code == 422 and as_csv.text.startswith("row,field,code,message")
    [pending] = c.get("/api/v1/records/verification", headers=PLATFORM).json()
    c.get(f"/api/v1/records/{pending['id']}", headers=PLATFORM)
    c.post(
        f"/api/v1/records/{pending['id']}/verification",
        headers=PLATFORM,
        json={"passed": False, "reasons": ["决定书文号有误"]},
    )
    [note] = c.get("/api/v1/inbox", headers=PROVIDER).json()
    assert c.post(f"/api/v1/inbox/{note['id']}/ack", headers=PROVIDER).status_code == 204
    [upheld] = w.serious(1)
    c.post(f"/api/v1/records/{upheld}/withdrawal", headers=PLATFORM, json={"reason": "撤销"})
    c.get("/api/v1/events", headers=PLATFORM)
    # Subjects.
    company = c.get(f"/api/v1/subjects/{w.company(7)}", headers=PLATFORM).json()
    c.post(
        "/api/v1/subjects/lookup",
        headers=PLATFORM,
        json={"id_type": company["id_type"], "id_number": company["id_number"]},
    )
    c.get(f"/api/v1/subjects/{company['id']}/links", headers=PLATFORM)
    # Catalog: a new version drafted, assessed and approved.
    drafted = c.post(
        "/api/v1/catalog/items",
        headers=PLATFORM,
        json={"providing_unit_id": me["unit_id"], "item": {**PUNISHMENT, "reduces_rights": True}},
    )
    assert drafted.status_code == 201, drafted.text
    item_id = drafted.json()["id"]
    c.post(
        f"/api/v1/catalog/items/{item_id}/assessment",
        headers=PLATFORM,
        json={
            "expert_assessment": "专家论证意见",
            "comment_start": "2026-01-05",
            "comment_end": "2026-02-05",
        },
    )
    assert c.post(f"/api/v1/catalog/items/{item_id}/approve", headers=PLATFORM).status_code == 200
    # Lists: a blacklist entry designated, then restored with the unit's consent.
    w.serious(2)
    c.get("/api/v1/standards/SCJG-HMD/candidates", headers=DESIGNATOR)
    eid = c.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(2),
            "facts": "销售不合格食品",
            "restoration_after_months": 0,
            "responsible_persons": PERSONS,
        },
    ).json()["id"]
    notify_over_api(c, eid, DESIGNATOR)
    w.advance(8)
    c.post(f"/api/v1/lists/entries/{eid}/designation", headers=DESIGNATOR)
    c.get(f"/api/v1/lists/entries/{eid}", headers=PLATFORM)
    c.get("/api/v1/lists/reports", headers=PLATFORM)
    applied = c.post(
        f"/api/v1/lists/entries/{eid}/restoration",
        headers=PLATFORM,
        json={"applicant": "企业", "evidence": "已缴清罚款并公开致歉"},
    ).json()
    decided = c.post(
        f"/api/v1/lists/restorations/{applied['id']}/decision",
        headers=DESIGNATOR,
        json={"consent": True, "note": "同意提前移出"},
    ).json()
    assert decided["key_scrutiny_entries"]
    # A red list entry: announced, objected to, the objection dismissed, designated, removed.
    w.submit("BZJL", [honour_row(3)])
    rid = c.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={"standard": "SCJG-HONG", "subject_id": w.company(3), "facts": "守合同重信用"},
    ).json()["id"]
    c.post(f"/api/v1/lists/entries/{rid}/announcement", headers=DESIGNATOR)
    account = c.post(
        "/api/v1/public-accounts",
        json={"name": "某消费者", "id_type": "ric", "id_number": demo_ric("41010519850505123")},
    ).json()
    consumer = {"Authorization": f"Bearer {account['token']}"}
    oid = c.post(
        "/api/v1/objections",
        headers=consumer,
        data={"target_type": "list_entry", "target_id": str(rid), "grounds": "存在欠薪"},
        files=[("files", ("投诉记录.pdf", PDF, "application/pdf"))],
    ).json()["id"]
    [attached] = c.get(f"/api/v1/objections/{oid}", headers=consumer).json()["attachments"]
    c.get(f"/api/v1/objections/{oid}/attachments/{attached['id']}", headers=consumer)
    c.get("/api/v1/objections", headers=DESIGNATOR)
    w.advance(14)
    c.post(
        f"/api/v1/objections/{oid}/acceptance",
        headers=DESIGNATOR,
        json={"accepted": True, "reason": "予以受理"},
    )
    c.post(
        f"/api/v1/objections/{oid}/pauses",
        headers=DESIGNATOR,
        json={"kind": "expert_review", "reason": "专家评审"},
    )
    c.post(f"/api/v1/objections/{oid}/resumption", headers=DESIGNATOR)
    c.post(
        f"/api/v1/objections/{oid}/decision",
        headers=DESIGNATOR,
        json={"outcome": "dismissed", "reason": "欠薪已结清"},
    )
    recon = c.post(
        f"/api/v1/objections/{oid}/reconsideration", headers=consumer, json={"grounds": "不服"}
    ).json()
    c.get("/api/v1/reconsiderations", headers=bearer("department"))
    c.post(
        f"/api/v1/reconsiderations/{recon['id']}/decision",
        headers=bearer("department"),
        json={"outcome": "upheld", "reason": "维持原处理"},
    )
    c.post(f"/api/v1/lists/entries/{rid}/designation", headers=DESIGNATOR)
    removed = c.post(
        f"/api/v1/lists/entries/{rid}/removal",
        headers=DESIGNATOR,
        json={"reason": "unfit_conduct", "note": "不宜继续激励"},
    )
    assert removed.json()["status"] == "removed"
    c.get("/api/v1/lists/entries", params={"list_type": "key_scrutiny"}, headers=PLATFORM)
    c.get("/api/v1/public/lists")
    # An entry made in error is deleted; a new version of a standard re-evaluates entries.
    w.serious(4)
    wrong = c.post(
        "/api/v1/lists/entries",
        headers=DESIGNATOR,
        json={
            "standard": "SCJG-HMD",
            "subject_id": w.company(4),
            "facts": "误录",
            "responsible_persons": PERSONS,
        },
    ).json()["id"]
    assert c.post(
        f"/api/v1/lists/entries/{wrong}/error", headers=DESIGNATOR, json={"note": "主体错误"}
    ).json() == {"id": wrong, "status": "deleted", "correction_id": 1}
    republished = c.post(
        "/api/v1/standards", headers=DESIGNATOR, json={**STANDARDS[0], "title": "第二版"}
    )
    assert republished.json()["reevaluation"] is not None
    # Errors: each in the one body, each status documented for its operation.
    assert c.get("/api/v1/units").status_code == 401
    assert c.get("/api/v1/audit/events", headers=PROVIDER).status_code == 403
    assert c.get("/api/v1/subjects/999999", headers=PLATFORM).status_code == 404
    assert c.post("/api/v1/calendar/count", json={"start": "soon"}).status_code == 422
    assert c.get("/api/v1/audit/events", headers=PLATFORM).status_code == 200
