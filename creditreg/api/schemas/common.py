"""What every context's schemas share: the base models and the time types."""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
)

from creditreg.domain.kernel.codes import CONTROL_CHARACTERS


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


def _kinds(annotation: Any) -> set[type]:
    """The plain types a field's annotation admits (through Annotated and unions)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kinds(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return set().union(*(_kinds(a) for a in get_args(annotation)))
    return {annotation} if isinstance(annotation, type) else set()


_FIELD_KINDS: dict[tuple[type, str | None], set[type]] = {}


class In(BaseModel):
    """A request body: unknown keys are ignored, as they always were. Every whole number
    fits 64 bits (ids are BIGINT): a larger one is a 422, never a database overflow. No
    value changes type on the way in: `true` is no id (it was unit 1), `"no"` no
    boolean, `0` no date (it was 1970-01-01)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        kinds = _FIELD_KINDS.get((cls, info.field_name))
        if kinds is None:  # worked out once per model and field (a batch has 2,000)
            field = cls.model_fields.get(info.field_name or "")
            kinds = _kinds(field.annotation) if field is not None else set()
            _FIELD_KINDS[(cls, info.field_name)] = kinds
        if isinstance(value, bool):
            if int in kinds and bool not in kinds:
                raise ValueError("a whole number, not true or false")
        elif isinstance(value, str):
            if bool in kinds and str not in kinds:
                raise ValueError("true or false (a JSON boolean), not text")
            if CONTROL_CHARACTERS.search(value):
                # ESC, BEL ... in a name or a note: echoed back, they drive terminals.
                raise ValueError("holds a control character (line breaks and tabs only)")
        elif (
            isinstance(value, int | float) and kinds & {date, datetime} and not kinds & {int, float}
        ):
            raise ValueError("a date written YYYY-MM-DD, not a number")
        return value

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
