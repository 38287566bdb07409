"""The handler's queue (filters, search, sort, pages, CSV) and the applications API."""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.responses import Response

from app.applications import service
from app.applications.models import ApplicationKind, ApplicationStatus
from app.applications.schemas import ApplicationDetail, ApplicationPage, ApplicationSummary
from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.auth.service import actor_for, handlers_in_area
from app.core.clock import local_today
from app.core.errors import error_responses
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.i18n import in_swedish, ngettext
from app.core.money import format_kronor_input
from app.core.navigation import CASES
from app.core.params import PageNumber, RecordId, parse_record_id
from app.core.spreadsheet import cell_text
from app.core.templates import render
from app.db import utcnow
from app.privacy.models import AccessAction
from app.privacy.service import log_access
from app.umbrellas import service as umbrella_service

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/applications", tags=["ansökningar"])

CaseWorker = Annotated[User, Depends(require_roles(*CASES.roles))]
T = TypeVar("T")


def _optional(parse: Callable[[str], T], value: str) -> T | None:
    """A filter from a form: empty means "any"; anything unreadable is a 422, never a 500."""
    if not value.strip():
        return None
    try:
        return parse(value.strip())
    except ValueError:
        raise HTTPException(status_code=422, detail=_("Ogiltigt filter.")) from None


def _days(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 3650:
        raise ValueError(value)
    return number


def _one_of(values: type[StrEnum]) -> Any:
    """A filter parameter documented as its enum or empty ("Alla"). Only documented: an unknown
    value reaches ``_optional``, which refuses it with a message."""
    return Query(json_schema_extra={"enum": ["", *(value.value for value in values)]})


async def queue_filter(
    user: CaseWorker,
    status: Annotated[str, _one_of(ApplicationStatus)] = "",
    kind: Annotated[str, _one_of(ApplicationKind)] = "",
    umbrella: str = "",
    action_area: str = "",
    handler: str = "",
    mine: bool = False,
    overdue: bool = False,
    days: Annotated[str, Query(description="Minst så många dagar i status")] = "",
    q: Annotated[str, Query(max_length=200, description="Fritext")] = "",
    sort: service.QueueSort = service.QueueSort.RECEIVED,
) -> service.ApplicationFilter:
    """The queue's filters from the query string (shared by the page, the export and the API).
    Empty values, as a filter form sends them for "Alla", mean no filter."""
    return service.ApplicationFilter(
        status=_optional(ApplicationStatus, status),
        kind=_optional(ApplicationKind, kind),
        umbrella_project_id=_optional(parse_record_id, umbrella),
        action_area_id=_optional(parse_record_id, action_area),
        handler_id=user.id if mine else _optional(parse_record_id, handler),
        overdue_before=local_today() if overdue else None,
        in_status_since=(
            utcnow() - timedelta(days=since) if (since := _optional(_days, days)) else None
        ),
        text=q,
        sort=sort,
    )


QueueFilter = Annotated[service.ApplicationFilter, Depends(queue_filter)]


@pages.get(CASES.path)
def cases_start(
    request: Request,
    session: DbSession,
    user: CaseWorker,
    filters: QueueFilter,
    page: PageNumber = 1,
) -> Response:
    """The handler's queue. htmx asks for the results part only, so filtering never reloads
    the page; the URL is kept in step so a filtered view can be bookmarked and shared."""
    period = current_period(session, user.area_id, local_today())
    counts = service.counts_by_status(session, user.area_id, filters)
    context = {
        "counts": counts,
        "statuses": list(ApplicationStatus),
        "kinds": list(ApplicationKind),
        "sorts": list(service.QueueSort),
        "filters": filters,
        "query": request.url.query,
        "params": dict(request.query_params),
        "umbrellas": umbrella_service.calls_in_area(session, user.area_id),
        "action_areas": list(period.action_areas) if period else [],
        "handlers": handlers_in_area(session, user.area_id),
        "result": service.list_in_area(session, user.area_id, filters, page, counts=counts),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue":
        return render(request, "applications/_queue.html", context)
    return render(request, "applications/cases.html", context)


@pages.post(f"{CASES.path}/assign")
def assign_cases(
    request: Request, session: DbSession, user: CaseWorker, raw: PostedForm
) -> Response:
    """Batch action from the queue: give the ticked cases to a handler (or to nobody)."""
    try:
        ids = [parse_record_id(value) for value in raw.get("ids", "").split()]
        handler_id = _optional(parse_record_id, raw.get("handler", ""))
    except ValueError:
        raise HTTPException(status_code=422, detail=_("Ogiltigt urval.")) from None
    applications = service.in_area_by_ids(session, user.area_id, ids) if ids else []
    if ids and not applications:
        raise HTTPException(status_code=404)
    handler = session.get(User, handler_id) if handler_id else None
    back = f"{CASES.path}?{raw.get('return_query', '')}"
    response = RedirectResponse(back, status_code=303)
    if not applications:
        flash(request, response, _("Markera minst ett ärende."), "alert")
        return response
    if handler_id and handler is None:  # an unknown handler must not read as "nobody"
        flash(request, response, _(service.NOT_A_HANDLER), "alert")
        return response
    try:
        changed = service.assign(session, actor_for(user), applications, handler)
    except service.AssignmentError as exc:
        flash(request, response, exc.message, "alert")
        return response
    session.commit()
    # The Swedish text is the same for one case (as it always was); English tells one from many.
    if handler is not None:
        message = ngettext(
            "{count} ärenden tilldelades {name}.", "{count} ärenden tilldelades {name}.", changed
        ).format(count=changed, name=handler.full_name)
    else:
        message = ngettext(
            "{count} ärenden tilldelades ingen.", "{count} ärenden tilldelades ingen.", changed
        ).format(count=changed)
    flash(request, response, message)
    return response


@pages.get(f"{CASES.path}/export.csv")
def export_queue(session: DbSession, user: CaseWorker, filters: QueueFilter) -> Response:
    """The filtered queue as CSV for Excel (semicolons, UTF-8 with BOM), streamed in pages so a
    long export never holds the whole list in memory. Like every export, it is in Swedish.
    It names applicants, some of whom are people: the export is in the access log."""
    log_access(session, user, AccessAction.EXPORT_CASE_LIST)
    session.commit()

    @in_swedish
    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")

        def write(row: list[str]) -> None:
            writer.writerow([cell_text(value) for value in row])

        writer.writerow(
            ["Diarienummer", "Titel", "Sökande", "Typ", "Status", "Sökt belopp (kr)",
             "Inkom", "Handläggare"]
        )  # fmt: skip
        page = 1
        while True:
            result = service.list_in_area(session, user.area_id, filters, page, per_page=500)
            for a in result.items:
                applicant = a.applicant_name or (a.organisation.name if a.organisation else "")
                write(
                    [a.reference or "", a.title, applicant,
                     a.kind.label, a.status.label, format_kronor_input(a.requested_ore),
                     a.submitted_at.date().isoformat() if a.submitted_at else "",
                     a.assigned_handler.full_name if a.assigned_handler else ""]
                )  # fmt: skip
            yield ("\ufeff" if page == 1 else "") + buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if page >= result.pages:
                break
            page += 1

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="arenden.csv"'},
    )


@api.get(
    "",
    response_model=ApplicationPage,
    summary="Områdets ansökningar, sidvis",
    responses=error_responses(422),
)
def list_applications(
    session: DbSession,
    user: CaseWorker,
    filters: QueueFilter,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ApplicationPage:
    """The same filters as the handler's queue (``status`` and ``kind`` take the enum values)."""
    result = service.list_in_area(session, user.area_id, filters, page, per_page)
    return ApplicationPage(
        items=[ApplicationSummary.model_validate(item) for item in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


@api.get(
    "/{application_id}",
    response_model=ApplicationDetail,
    summary="En ansökan",
    responses=error_responses(404, 422),
)
def get_application(
    application_id: RecordId, session: DbSession, user: CaseWorker
) -> ApplicationDetail:
    application = service.get_in_area(session, user.area_id, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail=_("Ansökan finns inte."))
    return ApplicationDetail.model_validate(application)
