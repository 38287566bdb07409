"""API shapes for applications. Money is integer öre (fields ending in ``_ore``)."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from app.applications.models import ApplicationKind, ApplicationStatus


class ApplicationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str | None
    kind: ApplicationKind
    title: str
    status: ApplicationStatus
    action_area_id: int
    umbrella_project_id: int | None
    organisation_id: int | None
    requested_ore: int
    granted_ore: int | None
    submitted_at: datetime | None
    decided_at: datetime | None


class ApplicationDetail(ApplicationSummary):
    description: str
    expected_results: str
    project_start: date | None
    project_end: date | None
    assigned_handler_id: int | None
    national_case_number: str | None
    total_costs_ore: int
    total_financing_ore: int
    version: int


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    total: int
    page: int
    per_page: int
