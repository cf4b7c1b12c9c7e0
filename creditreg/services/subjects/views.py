"""What the subjects context's use cases answer, besides SubjectView: typed views."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict


class LinkView(TypedDict):
    """SUB-4: a person linked to an organization, as registered."""

    id: int
    organization_id: int
    person_id: int
    role: str
    valid_from: date
    valid_to: date | None


class LinkedPersonView(TypedDict):
    """SUB-4: a linked person with the period and the person (masked for the reader)."""

    id: int
    role: str
    valid_from: str
    valid_to: str | None
    person: dict[str, Any]
