"""Personal data pages: the register (every staff member), data subject access (the office and
the administrator), the access log (the administrator) and anonymisation (manager, admin)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import DbSession, require_roles
from app.auth.models import Role, User
from app.auth.service import actor_for, users_in_area
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import FieldError, PostedForm
from app.core.i18n import N_, ngettext
from app.core.i18n import gettext as _
from app.core.navigation import CASES, PRIVACY
from app.core.params import PageNumber, parse_record_id
from app.core.templates import render
from app.db import Base, utcnow
from app.privacy import anonymise, export, service
from app.privacy.declaration import Method
from app.privacy.models import AccessAction

pages = APIRouter(include_in_schema=False)

SUBJECT_ACCESS = frozenset({Role.HANDLER, Role.MANAGER, Role.ADMIN})
ANONYMISERS = frozenset({Role.MANAGER, Role.ADMIN})

Staff = Annotated[User, Depends(require_roles(*PRIVACY.roles))]
SubjectAccess = Annotated[User, Depends(require_roles(*SUBJECT_ACCESS))]
Administrator = Annotated[User, Depends(require_roles(Role.ADMIN))]
Anonymiser = Annotated[User, Depends(require_roles(*ANONYMISERS))]


@pages.get(PRIVACY.path)
def register_page(request: Request, user: Staff) -> Response:
    """What personal data the system holds, why, and for how long: drawn from the declarations
    on the models, so it cannot say anything the code does not do."""
    return render(request, "privacy/register.html", {
        "groups": service.register(Base.metadata),
        "retention_months": user.area.retention_months,
        "retention_text": service.retention_text,
        "kept": Method.KEEP,
        "may_search": user.has_any_role(*SUBJECT_ACCESS),
        "may_anonymise": user.has_any_role(*ANONYMISERS),
        "may_read_log": user.has_any_role(Role.ADMIN),
    })  # fmt: skip


# --- Data subject access ----------------------------------------------------------------------


def _search_page(
    request: Request, user: User, term: str, *, records: list[service.FoundRecord] | None = None,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    return render(request, "privacy/subject.html", {
        "term": term, "records": records, "error": error,
        "may_open_cases": user.has_any_role(*CASES.roles),
    }, status_code=status_code)  # fmt: skip


@pages.get(PRIVACY.path + "/subject")
def subject_form(request: Request, user: SubjectAccess) -> Response:
    return _search_page(request, user, "")


def _found(
    request: Request, session: Session, user: User, raw: dict[str, str]
) -> tuple[str, list[service.FoundRecord]]:
    term = raw.get("q", "")
    service.check_term(term)  # FieldError: said beside the field
    key = request.app.state.signing_key
    return term, service.find_subject(session, Base.metadata, user.area_id, term, key)


def _record(
    request: Request, session: Session, user: User, action: AccessAction, term: str, count: int
) -> None:
    subject = service.subject_hash(request.app.state.signing_key, term)
    service.record_subject_access(session, user, actor_for(user), action, subject, count)
    session.commit()


@pages.post(PRIVACY.path + "/subject")
def subject_search(
    request: Request, session: DbSession, user: SubjectAccess, raw: PostedForm
) -> Response:
    """The search is a POST so that a person's name or address never ends up in a URL (and so
    in the server's logs and the browser's history)."""
    try:
        term, records = _found(request, session, user, raw)
    except FieldError as exc:
        return _search_page(request, user, raw.get("q", ""), error=exc.message, status_code=400)
    _record(request, session, user, AccessAction.SEARCH, term, len(records))
    return _search_page(request, user, term, records=records)


@dataclass(frozen=True)
class Export:
    extension: str
    action: AccessAction
    produce: Callable[[list[service.FoundRecord], str, str, datetime], bytes]
    media_type: str


EXPORTS = (
    Export("json", AccessAction.EXPORT_JSON, export.as_json, "application/json"),
    Export("pdf", AccessAction.EXPORT_PDF, export.as_pdf, "application/pdf"),
)


def _add_export_route(kind: Export) -> None:
    def download(
        request: Request, session: DbSession, user: SubjectAccess, raw: PostedForm
    ) -> Response:
        """The extract in one click from the results: JSON for machines, PDF to read."""
        try:
            term, records = _found(request, session, user, raw)
        except FieldError as exc:
            return _search_page(request, user, raw.get("q", ""), error=exc.message,
                                status_code=400)  # fmt: skip
        data = kind.produce(records, user.area.name, term, utcnow())
        _record(request, session, user, kind.action, term, len(records))
        filename = f"registerutdrag-{local_today().isoformat()}.{kind.extension}"
        disposition = f'attachment; filename="{filename}"'
        return Response(data, media_type=kind.media_type,
                        headers={"Content-Disposition": disposition})  # fmt: skip

    pages.add_api_route(f"{PRIVACY.path}/subject/export.{kind.extension}", download,
                        methods=["POST"], name=f"subject_export_{kind.extension}")  # fmt: skip


for _export in EXPORTS:
    _add_export_route(_export)


# --- The access log ----------------------------------------------------------------------------

DATE_HINT = N_("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2027-03-15.")


def _day(value: str, errors: dict[str, str], name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = _(DATE_HINT)
        return None


@pages.get(PRIVACY.path + "/access-log")
def access_log_page(
    request: Request,
    session: DbSession,
    user: Administrator,
    page: PageNumber = 1,
    person: Annotated[str, Query(max_length=20)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
    subject: Annotated[str, Query(pattern="^([0-9a-f]{64})?$")] = "",
) -> Response:
    """Who opened or exported personal data, newest first, filtered by staff member and days.
    A search shows the start of its keyed hash: the same person searched for the same way
    shows the same code, and the code filters the log."""
    errors: dict[str, str] = {}
    try:
        person_id = parse_record_id(person) if person.strip() else None
    except ValueError:
        person_id = None
        errors["person"] = _("Välj en person i listan.")
    filters = service.AccessFilter(
        user_id=person_id, since=_day(since, errors, "since"), until=_day(until, errors, "until"),
        subject=subject or None,
    )  # fmt: skip
    log = service.access_log(session, user.area_id, filters, page)
    return render(request, "privacy/access_log.html", {
        "log": log, "errors": errors, "users": users_in_area(session, user.area_id),
        "values": {"person": person, "since": since, "until": until, "subject": subject},
    }, status_code=400 if errors else 200)  # fmt: skip


# --- Anonymisation -----------------------------------------------------------------------------


@pages.get(PRIVACY.path + "/anonymise")
def anonymise_page(request: Request, session: DbSession, user: Anonymiser) -> Response:
    """The dry run: which cases are due and what would be changed in each."""
    run = anonymise.anonymise(
        session, Base.metadata, actor_for(user), user.area, local_today(),
        storage_dir=request.app.state.settings.attachments_dir, dry_run=True,
    )  # fmt: skip
    return render(request, "privacy/anonymise.html", {
        "run": run, "retention_months": user.area.retention_months,
    })  # fmt: skip


@pages.post(PRIVACY.path + "/anonymise")
def anonymise_now(
    request: Request, session: DbSession, user: Anonymiser, raw: PostedForm
) -> Response:
    """The real run, for the cases the dry run showed (``ids``) that are still due."""
    try:
        confirmed = {parse_record_id(value) for value in raw.get("ids", "").split()}
    except ValueError:
        raise HTTPException(status_code=422, detail=_("Ogiltigt urval.")) from None
    response = RedirectResponse(PRIVACY.path + "/anonymise", status_code=303)
    if not confirmed:
        flash(request, response, _("Inga ärenden att anonymisera."), "alert")
        return response
    run = anonymise.anonymise(
        session, Base.metadata, actor_for(user), user.area, local_today(),
        storage_dir=request.app.state.settings.attachments_dir, dry_run=False, only=confirmed,
    )  # fmt: skip
    session.commit()
    for path in run.files:  # the record of the case no longer points at them
        path.unlink(missing_ok=True)
    count = len(run.cases)
    message = ngettext("{count} ärende anonymiserades.", "{count} ärenden anonymiserades.", count)
    flash(request, response, message.format(count=count))
    return response
