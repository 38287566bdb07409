"""The handler's case page and its forms. Each form posts the case version it was drawn from;
errors come back on the same page next to the field, with what was typed kept."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.responses import Response

from app.applicants import service as applicants
from app.applications import workflow
from app.applications.models import Application
from app.applications.schemas import ApplicationDetail
from app.applications.service import (
    AssignmentError,
    assign,
    get_in_area,
    in_area_by_ids,
    touch,
)
from app.attachments.service import display_size
from app.audit.service import Actor
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.auth.service import actor_for, handlers_in_area
from app.casework import checklists, service
from app.casework.models import ProposedOutcome, Verdict
from app.casework.schemas import TransitionRequest
from app.casework.service import CaseError, StaleCase
from app.config import Settings
from app.core.clock import local_today
from app.core.errors import error_responses
from app.core.flash import flash
from app.core.forms import FormResult, PostedForm
from app.core.i18n import N_, ngettext
from app.core.i18n import gettext as _
from app.core.navigation import CASES
from app.core.params import RecordId, parse_record_id
from app.core.templates import render
from app.decisions import service as decisions
from app.decisions.models import DecisionOutcome
from app.email.service import wake_sender
from app.ledger import service as ledger
from app.payments import service as payments
from app.privacy.models import AccessAction
from app.privacy.service import log_access
from app.reports import service as reports

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/applications", tags=["ansökningar"])
CaseWorker = Annotated[User, Depends(require_roles(*CASES.roles))]

# What a case-page form does: change the case, or return the form's errors per field.
Action = Callable[[Application], FormResult | None]


def _roles(user: User) -> frozenset[str]:
    return frozenset(role.value for role in user.roles)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _case(session: Session, user: User, application_id: int) -> Application:
    application = get_in_area(session, user.area_id, application_id)
    if application is None or application.reference is None:  # drafts are the applicant's
        raise HTTPException(status_code=404)
    return application


def _page(
    request: Request,
    session: Session,
    user: User,
    application: Application,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    """The case page. After a refused form: the errors beside the fields, what was typed kept,
    and the reason at the top."""
    roles = _roles(user)
    held = ledger.application_balance(session, application)
    paid = payments.payments_for(session, application)
    umbrella = application.umbrella_project
    today = local_today()
    available = workflow.available(application, roles)
    names = {t.name for t in available}
    context = {
        "application": application,
        "version": application.version,
        "assessing": application.status in service.ASSESSING,
        "errors": errors or {},
        "values": values or {},
        "alert": alert,
        "today": today,
        "default_deadline": today + timedelta(days=14),
        # The relationship, not a query of its own: the checklist's pre-check reads it too.
        "attachments": application.attachments,
        "display_size": display_size,
        "timeline": service.timeline(session, application),
        "notes": service.notes_for(session, application),
        "checklist_rows": service.checklist_rows(session, application),
        "checklist_labels": checklists.CHECKLIST_LABELS,
        "verdicts": list(Verdict),
        "scoring": service.scoring_for(session, application),
        "proposal": service.current_proposal(session, application),
        "outcomes": list(ProposedOutcome),
        "authority_outcomes": list(DecisionOutcome),
        "decisions": decisions.decisions_for(session, application),
        "delegation_refusal": decisions.delegation_refusal(application),
        "can_decide": bool(names & decisions.OUTCOME_TRANSITIONS),
        "can_register_authority_decision": any(n.startswith("authority_") for n in names),
        "simple_transitions": [t for t in available if t.name in service.SIMPLE_TRANSITIONS],
        "needs_reason": service.NEEDS_REASON,
        "can_request_information": "request_information" in names,
        "can_close": "close" in names,
        "handlers": handlers_in_area(session, user.area_id),
        "balance": held,
        "pot": ledger.pot_balance(session, umbrella) if umbrella else None,
        "claims": payments.claims_for(session, application),
        "payments": paid,
        "payable": application.status in payments.PAYABLE,
        "advance_room": payments.advance_room(application, paid, held),
        "report": reports.report_for(session, application),
    }
    return render(request, "casework/case.html", context, status_code=status_code)


@pages.get(CASES.path + "/{application_id}")
def case_page(
    request: Request, session: DbSession, user: CaseWorker, application_id: RecordId
) -> Response:
    application = _case(session, user, application_id)
    log_access(session, user, AccessAction.VIEW_CASE, application_id=application.id)
    page = _page(request, session, user, application)
    # Committed once the page is drawn, not before: one transaction, and one connection from
    # the pool (each checkout pings the database), per view.
    session.commit()
    return page


def _act(
    request: Request,
    session: Session,
    user: User,
    application_id: int,
    raw: dict[str, str],
    action: Action,
    *,
    form: str,
    thanks: str,
) -> Response:
    """Run one case-page form: refuse it if the case changed since the page was drawn, commit
    it when it succeeds, otherwise show the page again with the reason and the typed values."""
    application = _case(session, user, application_id)
    values = {f"{form}_{name}": value for name, value in raw.items()}
    try:
        service.ensure_current(application, raw.get("version"))
        result = action(application)
        if result is not None and not result.ok:
            session.rollback()
            errors = {f"{form}_{name}": message for name, message in result.errors.items()}
            return _page(request, session, user, application, errors=errors, values=values,
                         status_code=400)  # fmt: skip
        session.commit()
    except CaseError as exc:
        session.rollback()
        return _page(
            request, session, user, application, values=values, alert=exc.message,
            status_code=409 if isinstance(exc, StaleCase) else 400,
        )  # fmt: skip
    except StaleDataError:
        # A colleague saved between our check and our write: their change stands.
        session.rollback()
        return _page(request, session, user, application, values=values,
                     alert=_(service.STALE), status_code=409)  # fmt: skip
    wake_sender(request.app.state)  # a decision, payment or komplettering may have queued mail
    response = RedirectResponse(f"{CASES.path}/{application.id}#{form}", status_code=303)
    flash(request, response, thanks)
    return response


@dataclass(frozen=True)
class Office:
    """Who acts on the case and with what: handed to every case-page form."""

    session: Session
    settings: Settings
    user: User

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)

    @property
    def roles(self) -> frozenset[str]:
        return _roles(self.user)


Run = Callable[[Office, Application, dict[str, str]], FormResult | None]


@dataclass(frozen=True)
class CaseForm:
    """A form on the case page: where it posts, what it does, its anchor (also the prefix of
    its field errors) and what the handler is told when it succeeded (marked with N_,
    translated when flashed)."""

    path: str
    form: str
    thanks: str
    run: Run


def _note(office: Office, application: Application, raw: dict[str, str]) -> FormResult:
    result = FormResult(raw=raw)
    try:
        service.add_note(office.session, office.actor, application, raw.get("body", ""))
    except CaseError as exc:  # empty or too long: said beside the field, not at the top
        result.errors["body"] = exc.message
    return result


def _information_request(
    office: Office, application: Application, raw: dict[str, str]
) -> FormResult:
    result = FormResult(raw=raw)
    try:
        deadline = date.fromisoformat(raw.get("deadline", "").strip())
    except ValueError:
        result.errors["deadline"] = _("Ange sista svarsdag som ÅÅÅÅ-MM-DD.")
        return result
    try:
        applicants.request_information(
            office.session, office.settings, office.actor, application, roles=office.roles,
            message=raw.get("message", ""), deadline=deadline, today=local_today(),
        )  # fmt: skip
    except applicants.JourneyError as exc:
        result.errors[exc.field or "message"] = exc.message
    return result


def _assign(office: Office, application: Application, raw: dict[str, str]) -> None:
    handler_id = raw.get("handler", "").strip()
    try:
        handler = office.session.get(User, parse_record_id(handler_id)) if handler_id else None
    except ValueError:
        handler = None
    if handler_id and handler is None:
        raise CaseError(_("Handläggaren finns inte."))
    try:
        if assign(office.session, office.actor, [application], handler):
            touch(application)
    except AssignmentError as exc:
        raise CaseError(exc.message) from None


def _close(office: Office, application: Application, raw: dict[str, str]) -> None:
    payments.close_case(office.session, office.actor, application, roles=office.roles,
                        reason=raw.get("reason", ""))  # fmt: skip


CASE_FORMS = (
    CaseForm("notes", "notes", N_("Anteckningen är sparad."), _note),
    CaseForm("checklist", "checklist", N_("Kontrollpunkterna är sparade."),
             lambda o, a, raw: service.save_checklist(o.session, o.actor, a, raw)),
    CaseForm("scores", "scores", N_("Poängförslaget är sparat."),
             lambda o, a, raw: service.save_scores(o.session, o.actor, a, raw)),
    CaseForm("proposal", "proposal", N_("Beslutsförslaget är sparat."),
             lambda o, a, raw: service.propose_decision(o.session, o.actor, a, raw)[1]),
    CaseForm("information-requests", "komplettering",
             N_("Begäran om komplettering är skickad till sökanden."), _information_request),
    CaseForm("assign", "assignment", N_("Handläggaren är ändrad."), _assign),
    CaseForm("decision", "decision", N_("Beslutet är fattat och skickat till sökanden."),
             lambda o, a, raw: decisions.decide_under_delegation(
                 o.session, o.settings, o.actor, a, raw, roles=o.roles, today=local_today())[1]),
    CaseForm("authority-decision", "authority", N_("Jordbruksverkets beslut är registrerat."),
             lambda o, a, raw: decisions.register_authority_decision(
                 o.session, o.actor, a, raw, roles=o.roles, today=local_today())[1]),
    CaseForm("close", "closing", N_("Ärendet är avslutat."), _close),
    CaseForm("national-case-number", "national", N_("Ärendenumret är sparat."),
             lambda o, a, raw: service.set_national_case_number(
                 o.session, o.actor, a, raw.get("national_case_number", ""))),
)  # fmt: skip


def _add_form_route(case_form: CaseForm) -> None:
    def post(
        request: Request, session: DbSession, user: CaseWorker, application_id: RecordId,
        raw: PostedForm,
    ) -> Response:  # fmt: skip
        office = Office(session, _settings(request), user)
        return _act(request, session, user, application_id, raw,
                    lambda application: case_form.run(office, application, raw),
                    form=case_form.form, thanks=_(case_form.thanks))  # fmt: skip

    pages.add_api_route(f"{CASES.path}/{{application_id}}/{case_form.path}", post,
                        methods=["POST"], name=f"case_{case_form.form}")  # fmt: skip


for _case_form in CASE_FORMS:
    _add_form_route(_case_form)


@pages.post(CASES.path + "/{application_id}/transition")
def make_transition(
    request: Request, session: DbSession, user: CaseWorker, application_id: RecordId,
    raw: PostedForm,
) -> Response:  # fmt: skip
    name = raw.get("name", "")

    def action(application: Application) -> None:
        service.transition(session, actor_for(user), application, name, _roles(user),
                           reason=raw.get("reason", ""))  # fmt: skip

    label = _(workflow.BY_NAME[name].label) if name in workflow.BY_NAME else ""
    return _act(request, session, user, application_id, raw, action, form="status",
                thanks=_("Klart: {action}.").format(action=label.lower()))  # fmt: skip


@pages.post(CASES.path + "/{application_id}/payments")
def register_payment(
    request: Request, session: DbSession, user: CaseWorker, application_id: RecordId,
    raw: PostedForm,
) -> Response:  # fmt: skip
    """A payment for a claim (``claim`` names it) or, without one, an advance."""
    claim = raw.get("claim", "").strip()
    try:
        claim_id = parse_record_id(claim) if claim else None
    except ValueError:
        raise HTTPException(status_code=404) from None

    def action(application: Application) -> FormResult:
        return payments.register_payment(
            session, _settings(request), actor_for(user), application, raw, roles=_roles(user),
            today=local_today(), claim_id=claim_id,
        )[1]  # fmt: skip

    return _act(request, session, user, application_id, raw, action,
                form=f"claim{claim}" if claim else "advance",
                thanks=_("Utbetalningen är registrerad och sökanden har fått besked."))  # fmt: skip


@pages.post(CASES.path + "/{application_id}/claims/{claim_id}/reject")
def reject_claim(
    request: Request, session: DbSession, user: CaseWorker, application_id: RecordId,
    claim_id: RecordId, raw: PostedForm,
) -> Response:  # fmt: skip
    def action(application: Application) -> None:
        payments.reject_claim(session, _settings(request), actor_for(user), application,
                              claim_id, raw.get("reason", ""))  # fmt: skip

    thanks = _("Begäran om utbetalning är avslagen och sökanden har fått besked.")
    return _act(request, session, user, application_id, raw, action, form=f"claim{claim_id}",
                thanks=thanks)  # fmt: skip


@pages.get(CASES.path + "/{application_id}/decisions/{decision_id}", response_class=HTMLResponse)
def decision_letter(
    session: DbSession, user: CaseWorker, application_id: RecordId, decision_id: RecordId
) -> Response:
    """The decision letter as it was sent (HTML, printable)."""
    application = _case(session, user, application_id)
    decision = next(
        (d for d in decisions.decisions_for(session, application) if d.id == decision_id), None
    )
    if decision is None or decision.letter_html is None:
        raise HTTPException(status_code=404)
    log_access(session, user, AccessAction.OPEN_DOCUMENT, application_id=application.id)
    session.commit()
    return HTMLResponse(decision.letter_html)


@pages.post(CASES.path + "/agenda")
def put_on_agenda(
    request: Request, session: DbSession, user: CaseWorker, raw: PostedForm
) -> Response:
    """Batch action from the queue: the ticked cases go on the LAG's agenda."""
    try:
        ids = [parse_record_id(value) for value in raw.get("ids", "").split()]
    except ValueError:
        raise HTTPException(status_code=422, detail=_("Ogiltigt urval.")) from None
    applications = in_area_by_ids(session, user.area_id, ids) if ids else []
    back = f"{CASES.path}?{raw.get('return_query', '')}"
    response = RedirectResponse(back, status_code=303)
    if not applications:
        flash(request, response, _("Markera minst ett ärende i området."), "alert")
        return response
    try:
        service.put_on_agenda(session, actor_for(user), applications, _roles(user))
        session.commit()
    except CaseError as exc:
        session.rollback()
        flash(request, response, exc.message, "alert")
        return response
    except StaleDataError:
        session.rollback()
        flash(request, response, _("Något av ärendena ändrades av någon annan. Försök igen."),
              "alert")  # fmt: skip
        return response
    count = len(applications)
    # One Swedish wording for any number (as the office has always had it); English needs both.
    flash(request, response, ngettext("{count} ärenden är uppsatta för LAG-möte.",
                                      "{count} ärenden är uppsatta för LAG-möte.",
                                      count).format(count=count))  # fmt: skip
    return response


@api.post(
    "/{application_id}/transitions",
    response_model=ApplicationDetail,
    summary="Ändra status",
    responses=error_responses(400, 404, 409, 413, 422),
)
def transition_api(
    application_id: RecordId, body: TransitionRequest, session: DbSession, user: CaseWorker
) -> ApplicationDetail:
    """Make one of the office's simple transitions; a refusal says why, in the visitor's
    language."""
    application = get_in_area(session, user.area_id, application_id)
    if application is None or application.reference is None:
        raise HTTPException(status_code=404, detail=_("Ansökan finns inte."))
    try:
        service.ensure_current(application, body.version)
        service.transition(session, actor_for(user), application, body.name, _roles(user),
                           reason=body.reason)  # fmt: skip
        session.commit()
    except CaseError as exc:
        session.rollback()
        raise HTTPException(status_code=409, detail=exc.message) from None
    except StaleDataError:
        session.rollback()
        raise HTTPException(status_code=409, detail=_(service.STALE)) from None
    return ApplicationDetail.model_validate(application)
