"""The case handler's start page and the applications API (read-only for now)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import Response

from app.applications import service
from app.applications.models import ApplicationKind, ApplicationStatus
from app.applications.schemas import ApplicationDetail, ApplicationPage, ApplicationSummary
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.core.navigation import CASES
from app.core.params import PageNumber, RecordId
from app.core.templates import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/applications", tags=["ansökningar"])

CaseWorker = Annotated[User, Depends(require_roles(*CASES.roles))]


@pages.get(CASES.path)
def cases_start(
    request: Request,
    session: DbSession,
    user: CaseWorker,
    status: ApplicationStatus | None = None,
    page: PageNumber = 1,
) -> Response:
    return render(
        request,
        "applications/cases.html",
        {
            "counts": service.counts_by_status(session, user.area_id),
            "statuses": list(ApplicationStatus),
            "selected_status": status,
            "result": service.list_in_area(
                session, user.area_id, service.ApplicationFilter(status=status), page
            ),
        },
    )


@api.get("", response_model=ApplicationPage, summary="Områdets ansökningar, sidvis")
def list_applications(
    session: DbSession,
    user: CaseWorker,
    status: ApplicationStatus | None = None,
    kind: ApplicationKind | None = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ApplicationPage:
    result = service.list_in_area(
        session, user.area_id, service.ApplicationFilter(status=status, kind=kind), page, per_page
    )
    return ApplicationPage(
        items=[ApplicationSummary.model_validate(item) for item in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@api.get("/{application_id}", response_model=ApplicationDetail, summary="En ansökan")
def get_application(
    application_id: RecordId, session: DbSession, user: CaseWorker
) -> ApplicationDetail:
    application = service.get_in_area(session, user.area_id, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="Ansökan finns inte.")
    return ApplicationDetail.model_validate(application)
