"""What every context's schemas share: the base models and the time types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_serializer,
)


class Out(BaseModel):
    """A response body built by the platform. A key the model does not declare is a bug
    (an answer larger than its documentation), so it fails loudly instead of vanishing."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A stored JSON document whose known keys are declared; newer writers may add keys, which
    pass through untouched (`additionalProperties: true`). A declared key the document does
    not hold is left out of the answer, not sent as null."""

    model_config = ConfigDict(extra="allow")

    # No return annotation on purpose: pydantic would take it as the serialization schema
    # and the document's declared properties would vanish from the OpenAPI description.
    @model_serializer(mode="wrap")
    def _only_what_is_there(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        present = self.model_fields_set | set(self.model_extra or {})
        return {key: value for key, value in data.items() if key in present}


class In(BaseModel):
    """A request body: unknown keys are ignored, as they always were. Every whole number
    fits 64 bits (ids are BIGINT): a larger one is a 422, never a database overflow."""

    @field_validator("*", mode="after")
    @classmethod
    def _fits_64_bits(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1:
            raise ValueError("out of range: at most 9223372036854775807")
        return value


def _iso(value: datetime) -> str:
    return value.isoformat()


# ISO 8601 with the offset written as +00:00, as the API has always answered (pydantic's own
# serializer would write `Z`, a change on the wire for every client that compares text).
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

# A JSON value inside a stored document whose keys are data (a record's template fields).
JsonValue = Any
