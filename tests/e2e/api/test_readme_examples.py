"""The README's "Try the API" requests, replayed against the demo-loaded app on SQLite and
PostgreSQL: a user copying them after `make run` gets answers, not errors (one of them
once carried a USCC cut short by a line break). Covers the check's example (MEA-3)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[3] / "README.md"


def examples() -> list[tuple[str, dict[str, str], dict[str, object]]]:
    """(path, headers, JSON body) of each curl command in the "Try the API" block."""
    text = README.read_text(encoding="utf-8")
    block = text.split("Try the API", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    found = []
    for command in re.split(r"\n(?=curl )", block.strip()):
        words = shlex.split(command.replace("\\\n", " "))
        url = next(w for w in words if w.startswith("localhost:8000"))
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        body = json.loads(words[words.index("-d") + 1])
        found.append((url.removeprefix("localhost:8000"), headers, body))
    return found


def test_the_readme_requests_answer__MEA_3(api: TestClient) -> None:
    requests = examples()
    assert [path for path, _, _ in requests] == [
        "/api/v1/subjects/lookup",
        "/api/v1/calendar/count",
        "/api/v1/check",
    ]
    for path, headers, body in requests:
        answer = api.post(path, headers=headers, json=body)
        assert answer.status_code == 200, (path, answer.text)
    check = api.post(requests[2][0], headers=requests[2][1], json=requests[2][2]).json()
    assert check["found"] and check["subject"]["name"] and check["check_id"]
