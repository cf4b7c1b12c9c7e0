"""Bulk submission end to end: API uploads and the CLI (ING-1..3, CAT-1, PRI-2)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from creditreg.cli.main import app
from creditreg.demo.catalogs import PUNISHMENT
from creditreg.services.context import Context
from tests.conftest import DbTarget
from tests.e2e.api.test_api import error
from tests.e2e.conftest import MAX_BODY, bearer
from tests.factories import punishment_row

FIELDS = [f["name"] for f in PUNISHMENT["template"]]
LABELS = {f["name"]: f["label"] for f in PUNISHMENT["template"]}


def csv_bytes(rows: list[dict[str, Any]], labels: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([LABELS[f] if labels else f for f in FIELDS])
    for row in rows:
        writer.writerow([row.get(f, "") for f in FIELDS])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([LABELS[f] for f in FIELDS])
    for row in rows:
        sheet.append([row.get(f) for f in FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api: TestClient, name: str, content: bytes, **form: str) -> Any:
    return api.post(
        "/api/v1/records/uploads" + ("?format=csv" if form.pop("as_csv", "") else ""),
        files={"file": (name, content)},
        data={"catalog": "XZCF", **form},
        headers=bearer("provider"),
    )


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("batch.csv", lambda rows: csv_bytes(rows)),
        ("batch-labels.csv", lambda rows: csv_bytes(rows, labels=True)),
        (
            "batch.jsonl",
            lambda rows: "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(),
        ),
        ("batch.xlsx", xlsx_bytes),
    ],
)
def test_upload_each_format_and_again__ING_1_ING_3(api: TestClient, name: str, make: Any) -> None:
    content = make([punishment_row(i) for i in range(1, 4)])
    first = upload(api, name, content)
    assert first.status_code == 201, first.text
    assert first.json()["stored"] == 3 and first.json()["verify_due"] == "2026-03-09"
    again = upload(api, name, content)
    assert again.status_code == 201 and again.json()["duplicate"] is True
    assert again.json()["stored"] == 0 and again.json()["batch_id"] == first.json()["batch_id"]


def test_rejected_rows_come_back_as_json_and_csv__ING_3(api: TestClient) -> None:
    rows = [
        punishment_row(1),
        punishment_row(2, facts=None),
        punishment_row(3, party_category="外星人"),
        punishment_row(4, fine_10k_cny="abc"),
    ]
    content = csv_bytes(rows)
    body = error(upload(api, "bad.csv", content), 422, "record.batch_rejected")
    assert "nothing was stored" in body
    details = upload(api, "bad.csv", content).json()["error"]["details"]
    assert [(r["row"], r["field"], r["code"]) for r in details["rejected"]] == [
        (2, "facts", "record.missing_field"),
        (3, "party_category", "record.bad_value"),
        (4, "fine_10k_cny", "record.bad_value"),
    ]
    as_csv = upload(api, "bad.csv", content, as_csv="1")
    assert as_csv.status_code == 422 and as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(as_csv.text)))
    assert lines[0] == ["row", "field", "code", "message"] and len(lines) == 4
    pending = api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    assert pending == []


def test_bad_identifier_check_character_rejects_the_row__SUB_2(api: TestClient) -> None:
    details = upload(api, "id.csv", csv_bytes([punishment_row(1, uscc="91410100MC00000019")]))
    [row] = details.json()["error"]["details"]["rejected"]
    assert (row["field"], row["code"]) == ("uscc", "subject.invalid_uscc")
    assert "check character" in row["message"]


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("batch.pdf", b"%PDF-1.4", 422, "file.unsupported_type"),
        ("batch.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", 422, "file.not_text"),
        ("batch.xlsx", b"not a workbook at all", 422, "file.not_xlsx"),
        ("batch.csv", b"party_name,colour\nx,red\n", 422, "file.bad_header"),
        ("batch.csv", b"", 422, "file.empty"),
    ],
)
def test_files_that_cannot_be_read_are_refused__ING_1(
    api: TestClient, name: str, content: bytes, status: int, code: str
) -> None:
    error(upload(api, name, content), status, code)


def test_truncated_files_store_nothing__ING_3(api: TestClient) -> None:
    whole = csv_bytes([punishment_row(i) for i in range(1, 4)])
    cut = whole[: len(whole) - 40]
    details = upload(api, "cut.csv", cut).json()["error"]["details"]
    assert details["rejected"][-1]["code"] == "file.bad_row"
    assert "truncated" in details["rejected"][-1]["message"]
    lines = [json.dumps(punishment_row(i), ensure_ascii=False) for i in range(1, 4)]
    jsonl = ("\n".join(lines)).encode()[:-15]
    details = upload(api, "cut.jsonl", jsonl).json()["error"]["details"]
    assert details["rejected"][-1]["code"] == "file.truncated"
    quoted = b'party_name,facts\n"unterminated,x'
    error(upload(api, "quote.csv", quoted), 422, "file.truncated")
    xlsx = xlsx_bytes([punishment_row(1)])
    error(upload(api, "cut.xlsx", xlsx[: len(xlsx) // 2]), 422, "file.not_xlsx")
    assert api.get("/api/v1/records/verification", headers=bearer("platform")).json() == []


def test_a_2_gb_upload_is_refused_by_its_size__ING_1(api: TestClient) -> None:
    claimed = str(2 * 1024**3)
    response = api.post(
        "/api/v1/records/uploads",
        content=b"x" * 10,
        headers={
            **bearer("provider"),
            "Content-Length": claimed,
            "Content-Type": "multipart/form-data; boundary=x",
        },
    )
    error(response, 413, "request.too_large")
    assert int(claimed) > MAX_BODY


def test_formulas_are_stored_as_text_and_exported_safely__ING_1(api: TestClient) -> None:
    evil = '=HYPERLINK("http://evil.example","点击")'
    ok = upload(
        api, "f.csv", csv_bytes([punishment_row(1, facts=evil, penalty_content="<b>罚款</b>")])
    )
    assert ok.status_code == 201
    [pending] = api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    assert pending["data"]["facts"] == evil
    assert pending["data"]["penalty_content"] == "<b>罚款</b>"
    bad = upload(api, "g.csv", csv_bytes([punishment_row(2, fine_10k_cny="=1+1")]), as_csv="1")
    [_, row] = list(csv.reader(io.StringIO(bad.text)))
    assert row[3].startswith("罚款金额") and "'=1+1" in row[3]


def test_single_record_idempotent_and_self_declared__ING_1_ING_6(api: TestClient) -> None:
    body = {"catalog": "XZCF", "data": punishment_row(1), "request_id": "r-1"}
    first = api.post("/api/v1/records", json=body, headers=bearer("provider"))
    assert first.status_code == 201 and first.json()["stored"] == 1
    again = api.post("/api/v1/records", json=body, headers=bearer("provider"))
    assert again.json()["duplicate"] is True
    # ING-3: an id of only spaces would have made no resubmission idempotent: refused.
    blank = {**body, "data": punishment_row(3), "request_id": "   "}
    error(api.post("/api/v1/records", json=blank, headers=bearer("provider")), 422,
          "record.bad_batch_id")  # fmt: skip
    # A form's batch id left blank names none: the upload is taken.
    taken = upload(api, "b.csv", csv_bytes([punishment_row(4)]), batch_id="")
    assert taken.status_code == 201 and taken.json()["stored"] == 1, taken.text
    error(upload(api, "c.csv", csv_bytes([punishment_row(5)]), batch_id="  "), 422,
          "record.bad_batch_id")  # fmt: skip
    declared = api.post(
        "/api/v1/records",
        headers=bearer("provider"),
        json={"catalog": "XZCF", "data": punishment_row(2), "self_declared": True},
    )
    assert declared.status_code == 201
    record = api.get("/api/v1/records/verification", headers=bearer("platform")).json()[-1]
    assert record["self_declared"] is True
    error(
        api.post("/api/v1/records", json={**body, "catalog": "NOPE"}, headers=bearer("provider")),
        404,
        "catalog.not_found",
    )
    error(
        api.post("/api/v1/records", json={**body, "version": 9}, headers=bearer("provider")),
        404,
        "catalog.not_found",
    )
    error(
        api.post("/api/v1/records", json=body, headers=bearer("implementer")),
        403,
        "access.missing_permission",
    )


def test_catalog_is_published_and_returned_records_reach_the_inbox__CAT_1_ING_2(
    api: TestClient,
) -> None:
    published = api.get("/api/v1/catalog").json()
    # ... and the three items meant for subjects' own declarations (ING-6).
    assert {i["code"] for i in published} == {"XZCF", "XZXK", "BZJL", "ZZSB", "ZYZC", "XYCN"}
    assert api.get("/api/v1/catalog/XZCF").json()["character"] == "untrustworthy"
    api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(1)},
        headers=bearer("provider"),
    )
    [pending] = api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    returned = api.post(
        f"/api/v1/records/{pending['id']}/verification",
        json={"passed": False, "reasons": ["文号有误"]},
        headers=bearer("platform"),
    )
    assert returned.json()["status"] == "returned"
    [note] = api.get("/api/v1/inbox", headers=bearer("provider")).json()
    assert "文号有误" in note["message"]
    assert (
        api.post(f"/api/v1/inbox/{note['id']}/ack", headers=bearer("provider")).status_code == 204
    )
    assert api.get("/api/v1/inbox", headers=bearer("provider")).json() == []


def test_cli_ingest_with_progress_rejections_and_duplicates__ING_1_ING_3(
    db: DbTarget, ctx: Context, demo_data: None, tmp_path: Path
) -> None:

    runner = CliRunner()
    # The CLI's clock, fixed through the environment as an operator would for a replay.
    env = {**db.env(), "CREDITREG_CLOCK": "2026-03-02T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([punishment_row(i) for i in range(1, 6)]))
    result = runner.invoke(app, ["ingest", str(good), "--catalog", "XZCF"], env=env)
    assert result.exit_code == 0, result.output
    assert "5 record(s) stored" in result.stdout
    assert "verification due 2026-03-09 (Art 17)" in result.stdout
    again = runner.invoke(app, ["ingest", str(good), "--catalog", "XZCF"], env=env)
    assert again.exit_code == 0 and "nothing new stored" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([punishment_row(7), punishment_row(8, facts=None)]))
    out = tmp_path / "rejected.csv"
    failed = runner.invoke(
        app, ["ingest", str(bad), "--catalog", "XZCF", "--rejections", str(out)], env=env
    )
    assert failed.exit_code == 2
    last = failed.stderr.splitlines()[-1]  # the lines before it are the progress bar's
    assert last.startswith("error: 1 of 2 row(s) rejected (1 problem(s)), nothing stored")
    assert last.endswith("(record.missing_field) [record.batch_rejected]")  # one code in []
    assert list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))[1][:3] == [
        "2",
        "facts",
        "record.missing_field",
    ]
    wrong = runner.invoke(app, ["ingest", str(good), "--catalog", "NOPE"], env=env)
    assert wrong.exit_code == 3 and "[catalog.not_found]" in wrong.stderr
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    assert runner.invoke(app, ["ingest", str(pdf), "--catalog", "XZCF"], env=env).exit_code == 2


def test_withdrawal_and_events_over_http__ING_7_ING_5(api: TestClient) -> None:
    api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(1)},
        headers=bearer("provider"),
    )
    api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(2)},
        headers=bearer("provider"),
    )
    first, second = (
        r["id"] for r in api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    )
    upheld = api.post(
        f"/api/v1/records/{first}/review-outcome",
        json={"outcome": "upheld"},
        headers=bearer("provider"),
    )
    assert upheld.json()["final_on"] == "2026-03-02"
    error(
        api.post(
            f"/api/v1/records/{first}/review-outcome",
            json={"outcome": "maybe"},
            headers=bearer("provider"),
        ),
        422,
        "record.bad_outcome",
    )
    revoked = api.post(
        f"/api/v1/records/{second}/review-outcome",
        json={"outcome": "revoked"},
        headers=bearer("provider"),
    )
    assert revoked.json()["status"] == "withdrawn"
    error(
        api.post(
            f"/api/v1/records/{second}/withdrawal",
            json={"reason": "again"},
            headers=bearer("provider"),
        ),
        409,
        "record.illegal_transition",
    )
    page = api.get("/api/v1/events", headers=bearer("platform")).json()
    [event] = [e for e in page["events"] if e["kind"] == "record.withdrawn"]
    assert event["payload"]["record_id"] == second and event["object_id"] == str(second)
    later = api.get(f"/api/v1/events?after={page['next']}", headers=bearer("platform")).json()
    assert later == {"events": [], "next": page["next"]}


def test_cli_sweep_archives_due_records_once__DIS_2(
    db: DbTarget, ctx: Context, demo_data: None
) -> None:
    from creditreg.services.records import record_batches, records

    rows = [punishment_row(1, publish_until="2026-06-30")]
    records.submit(
        ctx,
        demo_principal(ctx),
        code="XZCF",
        rows=rows,
        content_digest=record_batches.digest_rows(rows),
    )
    runner = CliRunner()
    env = {**db.env(), "CREDITREG_CLOCK": "2026-07-01T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    first = runner.invoke(app, ["sweep"], env=env)
    assert first.exit_code == 0
    assert first.stdout.strip() == "sweep at 2026-07-01: records archived: 1"
    again = runner.invoke(app, ["sweep"], env=env)
    assert again.stdout.strip() == "sweep at 2026-07-01: nothing due"


def demo_principal(ctx: Context) -> Any:
    from creditreg.demo import dataset as demo
    from creditreg.services.access import access

    return access.authenticate(ctx, demo.token_for("provider"))


def test_cli_catalog_and_record_lifecycle__CAT_2_ING_2_ING_7_CAL_3(
    db: DbTarget, ctx: Context, demo_data: None, tmp_path: Path
) -> None:

    runner = CliRunner()
    env = {**db.env(), "CREDITREG_CLOCK": "2026-03-02T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}

    def cli(*args: str) -> Any:
        return runner.invoke(app, list(args), env=env)

    item = tmp_path / "item.json"
    item.write_text(
        json.dumps({**PUNISHMENT, "code": "QFSX", "reduces_rights": True}, ensure_ascii=False),
        encoding="utf-8",
    )
    drafted = cli("catalog", "draft", str(item), "--unit", "3")
    assert drafted.exit_code == 0 and drafted.stdout.startswith("drafted QFSX v1 as item ")
    item_id = drafted.stdout.split()[-1]
    refused = cli("catalog", "approve", item_id)
    assert refused.exit_code == 2 and "[catalog.needs_expert_assessment]" in refused.stderr
    assessed = cli(
        "catalog",
        "assess",
        item_id,
        "--assessment",
        "专家组论证通过",
        "--comment-start",
        "2026-01-05",
        "--comment-end",
        "2026-02-04",
    )
    assert assessed.exit_code == 0
    assert cli("catalog", "approve", item_id).stdout.strip() == "QFSX v1 approved"
    listed = cli("catalog", "list").stdout
    assert "QFSX" in listed and "XZCF" in listed

    good = tmp_path / "one.csv"
    good.write_bytes(csv_bytes([punishment_row(1), punishment_row(2)]))
    assert cli("ingest", str(good), "--catalog", "XZCF").exit_code == 0
    shown = json.loads(cli("records", "show", "1").stdout)
    assert shown["verify_deadline"]["due"] == "2026-03-09"
    assert "Art 17" in shown["verify_deadline"]["explanation"]
    assert "not counted" in shown["verify_deadline"]["explanation"]
    assert cli("records", "pending").stdout.strip().endswith("2 record(s)")
    returned = cli("records", "verify", "1", "--return", "--reason", "文号有误")
    assert returned.exit_code == 0 and returned.stdout.strip() == "record 1 returned"
    no_reason = cli("records", "verify", "2", "--return")
    assert no_reason.exit_code == 2 and "[verification.no_reason]" in no_reason.stderr
    assert (
        cli("records", "withdraw", "2", "--reason", "复议撤销").stdout.strip()
        == "record 2 withdrawn"
    )
    again = cli("records", "withdraw", "2", "--reason", "x")
    assert again.exit_code == 4 and "[record.illegal_transition]" in again.stderr


def test_archiving_on_the_subjects_request_through_the_cli_and_api__RST_6(
    db: DbTarget, ctx: Context, demo_data: None
) -> None:
    from creditreg.api.app import create_app
    from creditreg.demo import dataset as demo
    from creditreg.services.records import record_batches, records

    rows = [punishment_row(1, publish_until="2026-06-30"), punishment_row(2)]
    records.submit(
        ctx,
        demo_principal(ctx),
        code="XZCF",
        rows=rows,
        content_digest=record_batches.digest_rows(rows),
    )
    runner = CliRunner()
    env = {**db.env(), "CREDITREG_CLOCK": "2026-07-01T09:00", "CREDITREG_ALLOW_CLOCK_OVERRIDE": "1"}
    before = {**env, "CREDITREG_CLOCK": "2026-06-30T09:00"}
    early = runner.invoke(app, ["records", "archive", "1", "--applicant", "企业"], env=before)
    assert early.exit_code == 4 and "[record.display_not_ended]" in early.stderr
    done = runner.invoke(
        app, ["records", "archive", "1", "--applicant", "郑州示例贸易有限公司1"], env=env
    )
    assert done.exit_code == 0
    assert done.stdout.strip() == "record 1: archived at the request of 郑州示例贸易有限公司1"
    with TestClient(create_app(ctx)) as api:
        headers = {"Authorization": f"Bearer {demo.token_for('platform')}"}
        missing = api.post("/api/v1/records/2/archiving", headers=headers, json={})
        assert missing.status_code == 422 and missing.json()["error"]["code"] == "request.invalid"
        refused = api.post(
            "/api/v1/records/2/archiving", headers=headers, json={"applicant": "企业"}
        )
        assert refused.status_code == 409  # record 2 is displayed for years yet
        assert refused.json()["error"]["code"] == "record.display_not_ended"


def test_another_providers_record_is_none_to_it__ING_7_SEC_1(api: TestClient, ctx: Context) -> None:
    """A providing unit acting on another's record is answered as for a record nobody has
    (a 403 told it which ids exist), and nothing changes."""
    from creditreg.demo.dataset import demo_uscc
    from creditreg.domain.access.principals import SYSTEM, Level, UnitKind
    from creditreg.domain.kernel.actor import Permission
    from creditreg.services.access import access

    api.post(
        "/api/v1/records",
        json={"catalog": "XZCF", "data": punishment_row(1)},
        headers=bearer("provider"),
    )
    [rid] = [
        r["id"] for r in api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    ]
    other = access.create_unit(
        ctx, SYSTEM, name="另一提供单位", uscc=demo_uscc("11410100MB0000088"),
        kind=UnitKind.PROVIDING_UNIT, region="410100", level=Level.MUNICIPAL,
    )  # fmt: skip
    token = access.create_token(
        ctx, SYSTEM, unit_id=other["id"], name="t", scopes=(Permission.RECORDS_SUBMIT,)
    )
    theirs = {"Authorization": f"Bearer {token.token}"}
    for path, body in (
        ("withdrawal", {"reason": "处罚决定已撤销"}),
        ("review-outcome", {"outcome": "upheld"}),
    ):
        said = error(api.post(f"/api/v1/records/{rid}/{path}", json=body, headers=theirs), 404,
                     "record.not_found")  # fmt: skip
        nobodys = error(
            api.post(f"/api/v1/records/{rid + 999}/{path}", json=body, headers=theirs),
            404,
            "record.not_found",
        )
        assert said.replace(str(rid), "#") == nobodys.replace(str(rid + 999), "#")
    shown = api.get(f"/api/v1/records/{rid}", headers=bearer("platform")).json()
    assert shown["status"] == "received" and shown.get("final_on") is None


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_a_csv_from_excel_on_chinese_windows_is_read__ING_1(api: TestClient, encoding: str) -> None:
    """Excel writes "CSV" on a Chinese Windows in GBK, and "Unicode text" in UTF-16 with its
    BOM: the rows arrive as they were typed, the Chinese intact."""
    row = punishment_row(1)
    text = csv_bytes([row]).decode("utf-8")
    made = upload(api, f"导出-{encoding}.csv", text.encode(encoding))
    assert made.status_code == 201 and made.json()["stored"] == 1, made.text
    [stored] = api.get("/api/v1/records/verification", headers=bearer("platform")).json()
    assert stored["data"]["party_name"] == row["party_name"]
    assert stored["data"]["facts"] == row["facts"]


def test_a_csv_that_is_no_text_encoding_throughout_names_the_file__ING_1(
    api: TestClient,
) -> None:
    """Refused whole, named as its sender named it (not the server's temporary name)."""
    good = csv_bytes([punishment_row(1)])
    broken = good + "郑州".encode() + b"\xff\xfe\xfa" * 3 + b"\n"
    said = error(upload(api, "报送数据.csv", broken), 422, "file.not_text")
    assert "报送数据.csv" in said and "upload" not in said
    said = error(upload(api, "二进制.csv", b"\x81\x30\xff\xff" * 10), 422, "file.not_text")
    assert "二进制.csv" in said
