"""Request and response bodies of the REST API (they generate the OpenAPI document too)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StrictBool, StringConstraints,
    WithJsonSchema, field_validator, model_validator,
)

from pydantic_core import PydanticCustomError

from okr_core.ids import MAX_ID
from okr_core.domain import (
    CycleStatus, KRStatus, Level, LinkKind, Measure, Role, TeamKind, Visibility, holds_nul,
)

# What pydantic strips (Rust's White_Space): a name or title must hold something else, and no U+0000.
# The pattern only documents the rule (pydantic checks the stripped value's length).
_SPACE = r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK_PATTERN = rf"^[^\u0000]*[^\u0000{_SPACE}][^\u0000]*$"


class _NotBlank:
    """Adds NOT_BLANK_PATTERN to a string's schema."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["pattern"] = NOT_BLANK_PATTERN
        return schema


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _NotBlank()]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _NotBlank()]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Number = Annotated[float, Field(allow_inf_nan=False, strict=True)]
def _whole_number(value):
    """JSON Schema counts 3.0 as an integer (the document says "integer"); "3" and true are not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Confidence = Annotated[int, Field(ge=0, le=10, strict=True), BeforeValidator(_whole_number)]
Id = Annotated[int, Field(gt=0, le=MAX_ID, strict=True), BeforeValidator(_whole_number)]


def not_null():
    """A PATCH field that may be omitted (unchanged) but not sent as null.

    Pydantic does not validate defaults, so an explicit null fails the field's type while an
    omitted field stays None; the None default is kept out of the OpenAPI schema.
    """
    return Field(default=None, json_schema_extra=lambda schema: schema.pop("default", None))


NO_NUL_PATTERN = r"^[^\u0000]*$"


def _strings_refuse_nul(schema: dict, model=None) -> None:
    """The document says what Body._no_nul does: a string field with no pattern of its own (nor a
    fixed list of values) gets one that excludes U+0000."""
    for field in schema.get("properties", {}).values():
        _mark_strings(field)


def _mark_strings(node) -> None:
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const"} & node.keys():
        node["pattern"] = NO_NUL_PATTERN
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, ()):
            _mark_strings(option)
    _mark_strings(node.get("items"))
    _mark_strings(node.get("additionalProperties"))


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_strings_refuse_nul)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        """No text may hold U+0000: PostgreSQL cannot store it (it was a 500 there)."""
        if holds_nul(value):
            raise PydanticCustomError("nul_character", "must not contain the NUL character (U+0000)")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# The zone names the API accepts, listed in the OpenAPI document too, so that every name the document
# allows is accepted (IANA names as the system's tz database knows them).
ZONE_NAMES = tuple(sorted(available_timezones()))


def _time_zone(value):
    """An IANA time zone name (Europe/Berlin); a ValueError names what is wrong."""
    if isinstance(value, str) and value.strip() not in ZONE_NAMES:
        raise ValueError(f"{value!r} is not a time zone name like Europe/Berlin")
    return value


# When a team's weekly check-ins are drafted: weekday 0 (Monday) to 6, a time of day, its zone.
Weekday = Annotated[int, Field(ge=0, le=6, strict=True), BeforeValidator(_whole_number)]
TimeOfDay = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
TimeZoneName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                         BeforeValidator(_time_zone),
                         WithJsonSchema({"type": "string", "enum": list(ZONE_NAMES)})]


class TrackerHome(Body):
    connection_id: Id
    project: Name


class TeamCreate(Body):
    name: Name
    kind: TeamKind
    parent_id: Id | None = None
    tracker_home: TrackerHome | None = None
    check_in_weekday: Weekday = 4
    check_in_time: TimeOfDay = "14:00"
    time_zone: TimeZoneName = "UTC"


class TeamPatch(Body):
    name: Name = not_null()
    kind: TeamKind = not_null()
    parent_id: Id | None = None
    tracker_home: TrackerHome | None = None
    check_in_weekday: Weekday = not_null()
    check_in_time: TimeOfDay = not_null()
    time_zone: TimeZoneName = not_null()


class TeamOut(Out):
    id: int
    name: str
    kind: TeamKind
    parent_id: int | None
    tracker_home: dict | None = None
    check_in_weekday: int
    check_in_time: str
    time_zone: str


class UserCreate(Body):
    name: Name
    email: EmailStr
    team_id: Id | None = None
    role: Role = Role.MEMBER
    jira_account_id: Name | None = None
    linear_user_id: Name | None = None


class UserPatch(Body):
    name: Name = not_null()
    team_id: Id | None = None
    role: Role = not_null()
    jira_account_id: Name | None = None
    linear_user_id: Name | None = None
    active: StrictBool = not_null()


class UserOut(Out):
    id: int
    name: str
    email: str
    team_id: int | None
    role: Role
    jira_account_id: str | None
    linear_user_id: str | None
    active: bool


class CycleCreate(Body):
    name: Name
    start_date: date
    end_date: date
    status: Literal[CycleStatus.DRAFT, CycleStatus.ACTIVE] = CycleStatus.DRAFT

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class CyclePatch(Body):
    name: Name = not_null()
    start_date: date = not_null()
    end_date: date = not_null()
    status: Literal[CycleStatus.DRAFT, CycleStatus.ACTIVE, CycleStatus.ARCHIVED] = not_null()


class CycleOut(Out):
    id: int
    name: str
    start_date: date
    end_date: date
    status: CycleStatus
    closed_at: datetime | None
    close_started_at: datetime | None


class ObjectiveCreate(Body):
    cycle_id: Id
    title: Title
    description: Text = ""
    level: Level = Level.TEAM
    team_id: Id | None = None
    owner_id: Id | None = None
    parent_id: Id | None = None
    visibility: Visibility = Visibility.PUBLIC
    published: StrictBool = True


class ObjectivePatch(Body):
    title: Title = not_null()
    description: Text = not_null()
    level: Level = not_null()
    team_id: Id | None = None
    owner_id: Id | None = None
    parent_id: Id | None = None
    visibility: Visibility = not_null()
    published: StrictBool = not_null()


class ObjectiveOut(Out):
    id: int
    cycle_id: int
    title: str
    description: str
    level: Level
    team_id: int | None
    owner_id: int | None
    parent_id: int | None
    visibility: Visibility
    published: bool
    progress: float | None
    final_score: float | None
    updated_at: datetime


class KeyResultCreate(Body):
    objective_id: Id
    title: Title
    owner_id: Id | None = None
    start_value: Number = 0.0
    target_value: Number | None = None
    current_value: Number | None = None
    unit: Annotated[str, StringConstraints(max_length=40)] = ""
    measure: Measure = Measure.MANUAL
    weight: Annotated[float, Field(gt=0, le=100, strict=True)] = 1.0
    confidence: Confidence | None = None


class KeyResultPatch(Body):
    title: Title = not_null()
    owner_id: Id | None = None
    start_value: Number = not_null()
    target_value: Number | None = None
    current_value: Number | None = None
    unit: Annotated[str, StringConstraints(max_length=40)] = not_null()
    measure: Measure = not_null()
    weight: Annotated[float, Field(gt=0, le=100, strict=True)] = not_null()
    confidence: Confidence | None = None


class KeyResultOut(Out):
    id: int
    objective_id: int
    title: str
    owner_id: int | None
    start_value: float
    target_value: float | None
    current_value: float | None
    unit: str
    measure: Measure
    weight: float
    progress: float | None
    status: KRStatus
    confidence: int | None
    items_total: int
    items_done: int
    points_total: float
    points_done: float
    final_score: float | None
    updated_at: datetime


class LinkCreate(Body):
    connection_id: Id
    kind: LinkKind
    ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class LinkOut(Out):
    id: int
    key_result_id: int
    connection_id: int
    kind: LinkKind
    ref: str
    resolved_at: datetime | None
    last_error: str | None


class CheckInCreate(Body):
    value: Number | None = None
    status: KRStatus | None = None
    confidence: Confidence | None = None
    note: Text = ""
    blockers: Text = ""
    wins: Text = ""


class CheckInOut(Out):
    id: int
    key_result_id: int
    author_id: int | None
    value: float | None
    status: KRStatus | None
    confidence: int | None
    note: str
    blockers: str
    wins: str
    source: str
    created_at: datetime


class SnapshotOut(Out):
    at: datetime
    value: float | None
    progress: float | None


class KeyResultNode(KeyResultOut):
    pass


class ObjectiveNode(ObjectiveOut):
    key_results: list[KeyResultNode] = []
    children: list["ObjectiveNode"] = []


class CycleTree(Out):
    cycle: CycleOut
    objectives: list[ObjectiveNode]
    warnings: list[dict] = []


class CycleCloseOut(Out):
    cycle: CycleOut
    objectives: list[dict]



class DraftApprove(CheckInCreate):
    """The owner's edits to a drafted check-in; a field left out keeps the draft's."""

    status: Literal["on_track", "at_risk", "off_track"] | None = None


class DraftItemOut(BaseModel):
    key: str
    title: str = ""
    url: str | None = None
    points: float | None = None


class DraftBlockerOut(BaseModel):
    phrase: str
    kind: str | None = None
    key: str
    url: str | None = None


class CheckInDraftOut(Out):
    id: int
    key_result_id: int
    key_result_title: str
    week_start: date
    drafted_at: datetime
    value: float | None
    needs_input: bool
    items_done: int
    points_done: float
    moved: list[DraftItemOut]
    blockers: list[DraftBlockerOut]
    suggested_status: KRStatus | None
    suggested_confidence: int | None
    chance: float | None
    note: str
    note_source: str
    state: Literal["waiting", "approved"]
    check_in_id: int | None
