"""The purpose a unit states for reading a subject's information (SEC-2, Op(24)): the
`X-Purpose` header or the `purpose` query parameter (one of a fixed list; `duties` when
neither is given), with an optional free note (`X-Purpose-Note` / `purpose_note`). Every
route that reads a subject's information takes it, and the service registers the read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query

from creditreg.domain.access.query_register import Purpose, QueryPurpose, parse_purpose

PURPOSES = ", ".join(p.value for p in Purpose)
_WHY = f"why the subject's information is read (SEC-2, registered; one of {PURPOSES})"


async def stated_purpose(
    purpose: Annotated[Purpose | None, Query(description=f"{_WHY}; default `duties`")] = None,
    purpose_note: Annotated[
        str | None, Query(max_length=200, description="a free note on the purpose")
    ] = None,
    x_purpose: Annotated[
        Purpose | None, Header(description=f"{_WHY}; the query parameter wins")
    ] = None,
    x_purpose_note: Annotated[
        str | None, Header(max_length=200, description="a free note on the purpose")
    ] = None,
) -> QueryPurpose:
    """The stated purpose, from the query or the header (`duties` by default)."""
    chosen = purpose or x_purpose
    return parse_purpose(chosen.value if chosen else None, purpose_note or x_purpose_note)


StatedPurpose = Annotated[QueryPurpose, Depends(stated_purpose)]
