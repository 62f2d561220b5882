"""API shapes of preparation: consent, REMS enrolment, checks and preparation sessions."""

import enum
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from openkap.core.schemas import BlankIsNone
from openkap.core.time import utcnow
from openkap.plans.models import Drug, Route
from openkap.plans.treatment.schemas import PlanRead, Reason, TemplateKey

MAX_SCAN_BYTES = 5 * 1024 * 1024
# Base64 grows data by 4/3; the decoded size is checked exactly in the service.
MAX_SCAN_BASE64_CHARS = MAX_SCAN_BYTES * 4 // 3 + 8
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_REMS_DATE = date(2019, 1, 1)
EARLIEST_SIGNATURE = datetime(2000, 1, 1, tzinfo=UTC)
SCHEDULE_PAST, SCHEDULE_AHEAD = timedelta(days=366), timedelta(days=731)

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
RequiredText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()\-.]{5,40}$")]


class ConsentMethod(enum.StrEnum):
    typed = "typed"
    scan = "scan"


class ConsentStatus(enum.StrEnum):
    signed = "signed"
    withdrawn = "withdrawn"


def _not_in_future(value: datetime) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise ValueError("cannot be in the future")
    if value < EARLIEST_SIGNATURE:
        raise ValueError(f"cannot be before {EARLIEST_SIGNATURE.date().isoformat()}")
    return value


def _within_scheduling_window(value: datetime) -> datetime:
    now = utcnow()
    if not now - SCHEDULE_PAST <= value <= now + SCHEDULE_AHEAD:
        raise ValueError("must be within a year before and two years after today")
    return value


def _date_not_in_future(value: date) -> date:
    if value > utcnow().date():
        raise ValueError("cannot be in the future")
    return value


class ConsentDocumentVersionCreate(BlankIsNone):
    """A new version of a consent document: the fields sent replace the current version's."""

    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)
    ] | (None) = None
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=20000)
    ] | (None) = None
    routes: list[Route] | None = Field(default=None, min_length=1, max_length=4)
    drugs: list[Drug] | None = Field(default=None, min_length=1, max_length=2)


class ConsentDocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    version: int
    is_current: bool
    title: str
    routes: list[Route]
    drugs: list[Drug]
    body: str
    created_at: datetime
    created_by_id: uuid.UUID | None


class ScanUpload(BlankIsNone):
    filename: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^/\\]{1,200}$")]
    content_base64: str = Field(description="The file, base64: a PDF, PNG or JPEG up to 5 MB")

    @field_validator("content_base64")
    @classmethod
    def _at_most_5_mb(cls, value: str) -> str:
        if len(value) > MAX_SCAN_BASE64_CHARS:
            raise ValueError("the scan is larger than 5 MB; scan at a lower resolution")
        return value


class ConsentFields(BlankIsNone):
    """A patient's signature on the current version of a consent document, witnessed."""

    document_key: TemplateKey
    method: ConsentMethod
    signed_name: PersonName = Field(description="The name the patient typed or signed")
    signed_at: AwareDatetime
    witness_id: uuid.UUID = Field(description="Another staff member of the clinic")

    _when = field_validator("signed_at")(_not_in_future)


class ConsentCreate(ConsentFields):
    """A consent through the API: a scan comes as base64 in the body."""

    model_config = ConfigDict(validate_default=True)

    scan: ScanUpload | None = None

    @field_validator("scan")
    @classmethod
    def _scan_matches_method(cls, value: ScanUpload | None, info: ValidationInfo) -> object:
        method = info.data.get("method")
        if method == ConsentMethod.scan and value is None:
            raise ValueError("a scanned consent needs the scan")
        if method == ConsentMethod.typed and value is not None:
            raise ValueError("a typed consent has no scan; choose method scan")
        return value


class ConsentWithdraw(BlankIsNone):
    reason: Reason


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    document_id: uuid.UUID
    document_version: int
    method: ConsentMethod
    signed_name: str
    signed_at: datetime
    witness_id: uuid.UUID
    scan_filename: str | None
    scan_sha256: str | None
    scan_content_type: str | None
    scan_size: int | None
    status: ConsentStatus
    withdrawn_reason: str | None
    withdrawn_at: datetime | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class RemsEnrolmentCreate(BlankIsNone):
    rems_patient_id: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9\-]{3,40}$")
    ] = Field(description="The patient's identifier in the esketamine REMS")
    enrolled_on: date

    @field_validator("enrolled_on")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if value < EARLIEST_REMS_DATE:
            raise ValueError(f"cannot be before {EARLIEST_REMS_DATE.isoformat()}")
        return _date_not_in_future(value)


class RemsEnrolmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    rems_patient_id: str
    enrolled_on: date
    status: str
    error_reason: str | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class EnteredInError(BlankIsNone):
    reason: Reason


class CheckKind(enum.StrEnum):
    pdmp = "pdmp"
    urine_drug_screen = "urine_drug_screen"
    escort_plan = "escort_plan"


CHECK_RESULTS: dict[CheckKind, tuple[str, ...]] = {
    CheckKind.pdmp: ("no_concerns", "concerns"),
    CheckKind.urine_drug_screen: ("negative", "positive"),
    CheckKind.escort_plan: ("arranged",),
}
Substance = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Relationship = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


def _kind(info: ValidationInfo) -> CheckKind | None:
    kind = info.data.get("kind")
    return kind if isinstance(kind, CheckKind) else None


class PreparationCheckCreate(BlankIsNone):
    """A PDMP check (result no_concerns/concerns), a urine drug screen (negative/positive with
    the substances), or the escort plan (name, phone, relationship, and the plan in details)."""

    # Each field is checked against the kind, so every refusal names its own field.
    model_config = ConfigDict(validate_default=True)

    kind: CheckKind
    performed_on: date
    result: str | None = Field(default=None, description="Per kind; escort plans: arranged")
    details: Text | None = None
    substances: list[Substance] = Field(default_factory=list, max_length=20)
    escort_name: PersonName | None = None
    escort_phone: Phone | None = None
    relationship: Relationship | None = None

    _when = field_validator("performed_on")(_date_not_in_future)

    @field_validator("result")
    @classmethod
    def _result_of_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = _kind(info)
        if kind is None:
            return value
        allowed = CHECK_RESULTS[kind]
        if kind == CheckKind.escort_plan and value is None:
            return allowed[0]
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return value

    @field_validator("details")
    @classmethod
    def _details_when_needed(cls, value: str | None, info: ValidationInfo) -> str:
        kind, result = _kind(info), info.data.get("result")
        needed = kind == CheckKind.escort_plan or (kind, result) == (CheckKind.pdmp, "concerns")
        if needed and not value:
            raise ValueError("describe the concerns" if kind == CheckKind.pdmp else "give the plan")
        return value or ""

    @field_validator("substances")
    @classmethod
    def _substances_of_screen(cls, value: list[str], info: ValidationInfo) -> list[str]:
        positive = (_kind(info), info.data.get("result")) == (
            CheckKind.urine_drug_screen,
            "positive",
        )
        if positive and not value:
            raise ValueError("name the substances a positive screen found")
        if value and not positive:
            raise ValueError("only a positive drug screen lists substances")
        return value

    @field_validator("escort_name", "escort_phone", "relationship")
    @classmethod
    def _escort_fields(cls, value: str | None, info: ValidationInfo) -> str | None:
        escort = _kind(info) == CheckKind.escort_plan
        if escort and not value:
            raise ValueError("required for an escort plan")
        if value and not escort:
            raise ValueError("only an escort plan has this field")
        return value


class PreparationCheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    kind: str
    performed_on: date
    result: str
    details: str
    findings: dict[str, object]
    status: str
    error_reason: str | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class PreparationSessionCreate(BlankIsNone):
    scheduled_for: AwareDatetime
    clinician_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the episode's therapist"
    )

    _when = field_validator("scheduled_for")(_within_scheduling_window)


class PreparationSessionComplete(BlankIsNone):
    intentions: RequiredText
    education_given: RequiredText
    set_and_setting: RequiredText
    summary: Text = ""


class PreparationSessionCancel(BlankIsNone):
    reason: Reason


class PreparationSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    status: str
    scheduled_for: datetime
    clinician_id: uuid.UUID | None
    intentions: str
    education_given: str
    set_and_setting: str
    summary: str


class PreparationRead(BaseModel):
    """Everything done and missing in an episode's preparation."""

    episode_id: uuid.UUID
    episode_state: str
    plan: PlanRead | None
    consents: list[ConsentRead]
    rems_enrolments: list[RemsEnrolmentRead]
    checks: list[PreparationCheckRead]
    sessions: list[PreparationSessionRead]
    missing_for_ready: list[str] = Field(description="What stops the move to ready")
