"""Public pages for applicants (no login): the call page, the form, the case page.

The magic-link token is in the path; every page under it is sent with ``no-referrer`` and
``no-store`` so the link does not leak to other sites or shared caches.
"""

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.applicants import messages, service
from app.applicants.schemas import COST_ROWS, STEPS, STEPS_BY_NAME
from app.applications import workflow
from app.applications.models import Application, ApplicationStatus
from app.attachments.models import Attachment
from app.attachments.routes import file_response
from app.attachments.service import LABEL_MISSING, display_size, read_limited, store
from app.audit.models import AuditEvent
from app.auth.dependencies import DbSession
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import FieldError, FormResult, PostedForm, email_address
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.params import RecordId
from app.core.templates import render
from app.db import utcnow
from app.email.service import enqueue, wake_sender
from app.payments import service as payments
from app.payments.schemas import CLAIM_FIELDS
from app.reports import service as reports
from app.reports.schemas import REPORT_FIELDS
from app.umbrellas.models import UmbrellaProject

pages = APIRouter(include_in_schema=False)

PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
LINK_INVALID = N_(
    "Länken fungerar inte. Den kan ha gått ut eller ersatts av en nyare. "
    "Be om en ny länk med den e-postadress ni angav i ansökan."
)


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


def _open_umbrella(session: Session, umbrella_id: int) -> UmbrellaProject:
    umbrella = session.get(UmbrellaProject, umbrella_id)
    if umbrella is None:
        raise HTTPException(status_code=404)
    return umbrella


def _application(request: Request, session: Session, token: str) -> Application:
    application = service.resolve_link(session, request.app.state.settings, token)
    if application is None:
        raise HTTPException(status_code=404, detail=_(LINK_INVALID))
    return application


def _context(application: Application) -> service.Context:
    umbrella = application.umbrella_project
    if umbrella is None:  # a Leader project has no applicant pages
        raise HTTPException(status_code=404)
    return service.Context(umbrella, umbrella.action_area.period, local_today())


def _link_url(request: Request, token: str) -> str:
    return f"{request.app.state.settings.public_base_url}/a/{token}"


def _wake_mail(request: Request) -> None:
    wake_sender(request.app.state)


@dataclass(frozen=True)
class Upload:
    label: str
    filename: str
    data: bytes | None
    error: str | None


async def _upload(request: Request) -> Upload:
    """The posted file, read with a size limit before the (synchronous) route runs."""
    form = await request.form()
    label, file = str(form.get("label", "")), form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return Upload(label, "", None, _("Välj en fil att ladda upp."))
    try:
        data = await read_limited(file, request.app.state.settings.max_attachment_bytes)
    except FieldError as exc:
        return Upload(label, file.filename, None, exc.message)
    return Upload(label, file.filename, data, None)


@pages.get("/calls/{umbrella_id}")
def call_page(request: Request, session: DbSession, umbrella_id: RecordId) -> Response:
    umbrella = _open_umbrella(session, umbrella_id)
    return render(request, "applicants/call.html", _call_context(umbrella))


def _call_context(umbrella: UmbrellaProject, error: str | None = None) -> dict[str, object]:
    now = utcnow()
    return {
        "umbrella": umbrella,
        "period": umbrella.action_area.period,
        "is_open": umbrella.call_opens_at <= now < umbrella.call_closes_at,
        "error": error,
    }


@pages.post("/calls/{umbrella_id}/start")
def start_application(request: Request, session: DbSession, umbrella_id: RecordId) -> Response:
    umbrella = _open_umbrella(session, umbrella_id)
    try:
        application = service.start_draft(session, umbrella, utcnow())
    except service.JourneyError as exc:
        return render(
            request, "applicants/call.html", _call_context(umbrella, exc.message), status_code=400
        )
    token = service.issue_link(session, request.app.state.settings, application)
    session.commit()
    return _private(RedirectResponse(f"/a/{token}/organisation", status_code=303))


@pages.get("/links")
def new_link_page(request: Request) -> Response:
    return render(request, "applicants/new_link.html", {"email": "", "error": None})


@pages.post("/links")
def request_new_link(
    request: Request, session: DbSession, email: Annotated[str, Form()] = ""
) -> Response:
    """Send a fresh link to every received application with this contact address. The answer
    is the same whether or not there are any, so the form reveals nothing about who applied."""
    try:
        address = email_address(email)
    except FieldError as exc:
        return render(
            request, "applicants/new_link.html", {"email": email, "error": exc.message}, 400
        )
    settings, now = request.app.state.settings, utcnow()
    for application in service.applications_for_email(session, address):
        if service.link_mails_recently(session, address, now) >= service.LINK_MAILS_PER_HOUR:
            break
        # A lost link may be in the wrong hands: the new one replaces every earlier one.
        service.revoke_links(session, application, now)
        token = service.issue_link(session, settings, application, now)
        subject, body = messages.resume_link(
            application, _link_url(request, token), settings.applicant_link_days
        )
        enqueue(
            session, to=application.contact_email, subject=subject, body=body, kind="magic_link",
            area_id=application.area_id, application_id=application.id,
        )  # fmt: skip
        session.flush()
    session.commit()
    _wake_mail(request)
    response = RedirectResponse("/links", status_code=303)
    flash(
        request,
        response,
        _(
            "Om {address} finns i en ansökan har vi skickat en ny länk dit. "
            "Titta även i skräpposten."
        ).format(address=address),
    )
    return response


@pages.get("/a/{token}")
def case_page(request: Request, session: DbSession, token: str) -> Response:
    application = _application(request, session, token)
    session.commit()  # last_used_at
    if application.status is ApplicationStatus.DRAFT:
        return _private(RedirectResponse(f"/a/{token}/organisation", status_code=303))
    return _case_page(request, session, application, token, {})


def _case_page(
    request: Request,
    session: Session,
    application: Application,
    token: str,
    errors: dict[str, str],
    answer: str = "",
    status_code: int = 200,
    *,
    claim_values: dict[str, str] | None = None,
    report_values: dict[str, str] | None = None,
) -> Response:
    timeline = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.area_id == application.area_id,
            AuditEvent.entity_type == "application",
            AuditEvent.entity_id == application.id,
            AuditEvent.action.in_(workflow.APPLICANT_TIMELINE_ACTIONS),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return _private(
        render(
            request,
            "applicants/status.html",
            {
                "application": application,
                "token": token,
                "timeline": list(timeline),
                "errors": errors,
                "answer": answer,
                "today": local_today(),
                "display_size": display_size,
                "claims": payments.claims_for(session, application),
                "can_claim": payments.can_claim(session, application),
                "claimable": payments.claimable_ore(session, application),
                "claim_fields": CLAIM_FIELDS,
                "claim_values": claim_values or {"kind": "partial"},
                "receipt_label": payments.RECEIPT_LABEL,
                "report": reports.report_for(session, application),
                "can_report": application.status in payments.GRANTED,
                "report_fields": REPORT_FIELDS,
                "report_values": report_values or {},
                "form_token": secrets.token_urlsafe(16),
            },
            status_code=status_code,
        )
    )


def _step_page(
    request: Request,
    application: Application,
    token: str,
    step: str,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = _context(application)
    index = [s.name for s in STEPS].index(step)
    extra = {}
    if step == "budget":
        result = service.check_step("budget", values, context)
        extra["totals"] = service.budget_totals(result.cleaned, context.period)
    return _private(
        render(
            request,
            "applicants/step.html",
            {
                "application": application,
                "umbrella": context.umbrella,
                "period": context.period,
                "token": token,
                "steps": STEPS,
                "step": STEPS_BY_NAME[step],
                "next_step": STEPS[index + 1].name,
                "previous_step": STEPS[index - 1].name if index else None,
                "values": values,
                "errors": errors,
                "cost_rows": COST_ROWS,
                "validate_url": f"/a/{token}/validate?step={step}",
                **extra,
            },
            status_code=status_code,
        )
    )


def _form_step(step: str) -> str:
    if step not in STEPS_BY_NAME or not STEPS_BY_NAME[step].fields:
        raise HTTPException(status_code=404)
    return step


@pages.get("/a/{token}/review")
def review_page(request: Request, session: DbSession, token: str) -> Response:
    application = _application(request, session, token)
    if application.status is not ApplicationStatus.DRAFT:
        return _private(RedirectResponse(f"/a/{token}", status_code=303))
    return _review(request, application, token, {})


def _review(
    request: Request,
    application: Application,
    token: str,
    extra_errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = _context(application)
    results = service.check_all(application, context)
    return _private(
        render(
            request,
            "applicants/review.html",
            {
                "application": application,
                "umbrella": context.umbrella,
                "token": token,
                "steps": STEPS,
                "step": STEPS_BY_NAME["review"],
                "results": results,
                "totals": service.budget_totals(results["budget"].cleaned, context.period),
                "errors": extra_errors,
            },
            status_code=status_code,
        )
    )


@pages.post("/a/{token}/submit")
def submit_application(
    request: Request,
    session: DbSession,
    token: str,
    consent: Annotated[str | None, Form()] = None,
) -> Response:
    application = _application(request, session, token)
    try:
        submitted_now = service.submit(
            session, application, _context(application), consent=consent == "yes", now=utcnow()
        )
    except service.JourneyError as exc:
        return _review(request, application, token, {"submit": exc.message}, status_code=400)
    except service.Incomplete as exc:
        review = exc.failing.get("review")
        errors = review.errors if review else {}
        if set(exc.failing) - {"review"}:
            errors["submit"] = _("Ansökan är inte komplett. Rätta det som är markerat nedan.")
        return _review(request, application, token, errors, status_code=400)
    if submitted_now:
        subject, body = messages.receipt(application, _link_url(request, token))
        enqueue(
            session, to=application.contact_email, subject=subject, body=body, kind="receipt",
            area_id=application.area_id, application_id=application.id,
        )  # fmt: skip
    session.commit()
    _wake_mail(request)
    response = RedirectResponse(f"/a/{token}", status_code=303)
    if submitted_now:
        flash(
            request,
            response,
            _("Tack! Ansökan har kommit in och fått nummer {reference}.").format(
                reference=application.reference
            ),
        )
    return _private(response)


@pages.post("/a/{token}/validate")
def validate_step_field(
    request: Request, session: DbSession, token: str, step: str, field: str, raw: PostedForm
) -> Response:
    """HTMX, as the applicant leaves a field: save the draft and answer with the field."""
    step = _form_step(step)
    spec = next((s for s in STEPS_BY_NAME[step].fields if s.name == field), None)
    application = _application(request, session, token)
    if spec is None:
        raise HTTPException(status_code=404)
    try:
        service.save_field(application, step, field, raw.get(field, ""))
    except service.JourneyError:
        raise HTTPException(status_code=409, detail=_("Ansökan är redan inskickad.")) from None
    session.commit()
    return _private(
        render(
            request,
            "organisations/_field.html",
            {
                "spec": spec,
                "value": raw.get(field, ""),
                "error": service.field_error(step, raw, field, _context(application)),
                "validate_url": f"/a/{token}/validate?step={step}",
            },
        )
    )


@pages.post("/a/{token}/requests/{request_id}")
def answer_request(
    request: Request,
    session: DbSession,
    token: str,
    request_id: RecordId,
    upload: Annotated[Upload, Depends(_upload)],
    answer: Annotated[str, Form()] = "",
) -> Response:
    """Answer a komplettering: a text and, if the applicant wants, one file."""
    application = _application(request, session, token)
    errors: dict[str, str] = {}
    if upload.filename and upload.error:
        errors["file"] = upload.error
    try:
        service.answer_information_request(
            session, application, request_id, answer=answer, today=local_today(), now=utcnow()
        )
    except service.JourneyError as exc:
        errors["answer"] = exc.message
    if upload.data is not None and not errors:
        try:
            _store(request, session, application, "Komplettering", upload)
        except FieldError as exc:
            errors["file"] = exc.message
    if errors:
        session.rollback()
        return _case_page(request, session, application, token, errors, answer, status_code=400)
    session.commit()
    response = RedirectResponse(f"/a/{token}", status_code=303)
    flash(request, response, _("Tack! Ert svar har skickats till handläggaren."))
    return _private(response)


def _case_form_outcome(
    request: Request,
    session: Session,
    application: Application,
    token: str,
    *,
    saved: bool,
    result: FormResult,
    form: str,
    raw: dict[str, str],
    thanks: str,
) -> Response:
    """After a form on the case page: back to the page with the errors next to the fields (and
    what was typed), or on to the page with a thank-you."""
    if not saved:
        session.rollback()
        errors = {f"{form}_{name}": message for name, message in result.errors.items()}
        return _case_page(
            request, session, application, token, errors, status_code=400,
            **{f"{form}_values": raw},
        )  # fmt: skip
    session.commit()
    response = RedirectResponse(f"/a/{token}", status_code=303)
    flash(request, response, thanks)
    return _private(response)


@pages.post("/a/{token}/claims")
def claim_payment(request: Request, session: DbSession, token: str, raw: PostedForm) -> Response:
    application = _application(request, session, token)
    claim, result = payments.submit_claim(
        session, service.applicant_actor(application), application, raw
    )
    return _case_form_outcome(
        request, session, application, token, saved=claim is not None, result=result,
        form="claim", raw=raw, thanks=_("Tack! Begäran om utbetalning har kommit in."),
    )  # fmt: skip


@pages.post("/a/{token}/receipts")
def upload_receipt(
    request: Request,
    session: DbSession,
    token: str,
    upload: Annotated[Upload, Depends(_upload)],
) -> Response:
    """Receipts and invoices (verifikationer) for a payment claim."""
    application = _application(request, session, token)
    if not payments.can_claim(session, application):
        raise HTTPException(status_code=409, detail=_("Utbetalning kan inte begäras just nu."))
    error = upload.error
    if upload.data is not None:
        try:
            _store(request, session, application, payments.RECEIPT_LABEL, upload)
        except FieldError as exc:
            error = exc.message
    if error:
        session.rollback()
        return _case_page(request, session, application, token, {"receipt": error}, status_code=400)
    session.commit()
    response = RedirectResponse(f"/a/{token}#payments-heading", status_code=303)
    flash(request, response, _("Kvittot är uppladdat."))
    return _private(response)


@pages.post("/a/{token}/report")
def submit_final_report(
    request: Request, session: DbSession, token: str, raw: PostedForm
) -> Response:
    application = _application(request, session, token)
    report, result = reports.submit_report(
        session, service.applicant_actor(application), application, raw
    )
    return _case_form_outcome(
        request, session, application, token, saved=report is not None, result=result,
        form="report", raw=raw, thanks=_("Tack! Slutredovisningen har kommit in."),
    )  # fmt: skip


@pages.post("/a/{token}/send-link")
def send_link(
    request: Request, session: DbSession, token: str, step: Annotated[str, Form()] = ""
) -> Response:
    """E-mail a fresh link, e.g. to go on with a draft on another device."""
    application = _application(request, session, token)
    address = application.contact_email or service.draft_values(application, "organisation").get(
        "contact_email", ""
    )
    target = f"/a/{token}"
    if application.status is ApplicationStatus.DRAFT and step in STEPS_BY_NAME:
        target = f"/a/{token}/{step}"
    try:
        address = email_address(address)
    except FieldError:
        response = RedirectResponse(f"/a/{token}/organisation", status_code=303)
        flash(
            request,
            response,
            _("Fyll i kontaktpersonens e-postadress först, så skickar vi länken dit."),
            "alert",
        )
        return _private(response)
    if service.link_mails_recently(session, address, utcnow()) >= service.LINK_MAILS_PER_HOUR:
        response = RedirectResponse(target, status_code=303)
        flash(request, response, _("Vi har nyss skickat länkar dit. Vänta en stund."), "alert")
        return _private(response)
    settings = request.app.state.settings
    subject, body = messages.resume_link(
        application, _link_url(request, service.issue_link(session, settings, application)),
        settings.applicant_link_days,
    )  # fmt: skip
    enqueue(
        session, to=address, subject=subject, body=body, kind="magic_link",
        area_id=application.area_id, application_id=application.id,
    )  # fmt: skip
    session.commit()
    _wake_mail(request)
    response = RedirectResponse(target, status_code=303)
    flash(request, response, _("Vi har skickat en länk till {address}.").format(address=address))
    return _private(response)


@pages.post("/a/{token}/withdraw")
def withdraw_application(
    request: Request,
    session: DbSession,
    token: str,
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    application = _application(request, session, token)
    if confirm != "yes":
        return _case_page(
            request, session, application, token,
            {"confirm": _("Kryssa i rutan om ni verkligen vill återta ansökan.")}, status_code=400,
        )  # fmt: skip
    try:
        service.withdraw(session, application, reason[:2000], utcnow())
    except service.JourneyError as exc:
        response = RedirectResponse(f"/a/{token}", status_code=303)
        flash(request, response, exc.message, "alert")
        return _private(response)
    session.commit()
    response = RedirectResponse(f"/a/{token}", status_code=303)
    flash(request, response, _("Ansökan är återtagen."))
    return _private(response)


def _store(
    request: Request, session: Session, application: Application, label: str, upload: Upload
) -> Attachment:
    """Keep the applicant's upload with the application (checked by content, size-limited)."""
    settings = request.app.state.settings
    return store(
        session, service.applicant_actor(application), application=application, label=label,
        filename=upload.filename, data=upload.data or b"", storage_dir=settings.attachments_dir,
        max_bytes=settings.max_attachment_bytes,
    )  # fmt: skip


def _attachments_page(
    request: Request,
    application: Application,
    token: str,
    errors: dict[str, str],
    label: str = "",
    status_code: int = 200,
) -> Response:
    context = _context(application)
    missing = service.missing_attachments(application, context.umbrella)
    return _private(
        render(
            request,
            "applicants/attachments.html",
            {
                "application": application,
                "umbrella": context.umbrella,
                "token": token,
                "steps": STEPS,
                "step": STEPS_BY_NAME["attachments"],
                "missing": missing,
                "labels": [*context.umbrella.required_attachments, "Övrigt"],
                "label": label or (missing[0] if missing else ""),
                "errors": errors,
                "display_size": display_size,
                "max_size": display_size(request.app.state.settings.max_attachment_bytes),
            },
            status_code=status_code,
        )
    )


@pages.get("/a/{token}/attachments")
def attachments_page(request: Request, session: DbSession, token: str) -> Response:
    application = _application(request, session, token)
    session.commit()
    if application.status is not ApplicationStatus.DRAFT:
        return _private(RedirectResponse(f"/a/{token}", status_code=303))
    return _attachments_page(request, application, token, {})


@pages.post("/a/{token}/attachments")
def upload_attachment(
    request: Request,
    session: DbSession,
    token: str,
    upload: Annotated[Upload, Depends(_upload)],
) -> Response:
    application = _application(request, session, token)
    if application.status is not ApplicationStatus.DRAFT:  # e.g. submitted in another tab
        return _private(RedirectResponse(f"/a/{token}", status_code=303))
    errors = {"file": upload.error} if upload.error else {}
    if upload.data is not None:
        try:
            attachment = _store(request, session, application, upload.label, upload)
        except FieldError as exc:
            errors["label" if exc.message == _(LABEL_MISSING) else "file"] = exc.message
    if errors:
        return _attachments_page(request, application, token, errors, upload.label, status_code=400)
    session.commit()
    response = RedirectResponse(f"/a/{token}/attachments", status_code=303)
    flash(
        request,
        response,
        _("{filename} är uppladdad.").format(filename=attachment.original_filename),
    )
    return _private(response)


@pages.post("/a/{token}/attachments/{attachment_id}/delete")
def delete_attachment(
    request: Request, session: DbSession, token: str, attachment_id: RecordId
) -> Response:
    application = _application(request, session, token)
    try:
        stored = service.remove_attachment(
            session, application, attachment_id, request.app.state.settings.attachments_dir
        )
    except service.JourneyError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from None
    session.commit()
    stored.unlink(missing_ok=True)
    response = RedirectResponse(f"/a/{token}/attachments", status_code=303)
    flash(request, response, _("Bilagan är borttagen."))
    return _private(response)


@pages.get("/a/{token}/attachments/{attachment_id}")
def download_attachment(
    request: Request, session: DbSession, token: str, attachment_id: RecordId
) -> Response:
    application = _application(request, session, token)
    attachment = next((a for a in application.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise HTTPException(status_code=404)
    return _private(file_response(attachment, request.app.state.settings.attachments_dir))


@pages.get("/a/{token}/{step}")
def step_page(request: Request, session: DbSession, token: str, step: str) -> Response:
    step = _form_step(step)
    application = _application(request, session, token)
    session.commit()
    if application.status is not ApplicationStatus.DRAFT:
        return _private(RedirectResponse(f"/a/{token}", status_code=303))
    return _step_page(
        request, application, token, step, service.draft_values(application, step), {}
    )


@pages.post("/a/{token}/{step}")
def save_step_page(
    request: Request, session: DbSession, token: str, step: str, raw: PostedForm
) -> Response:
    """Save what was typed (always), then go on, back, or show what needs fixing."""
    step = _form_step(step)
    application = _application(request, session, token)
    try:
        service.save_step(application, step, raw)
    except service.JourneyError:
        return _private(RedirectResponse(f"/a/{token}", status_code=303))
    session.commit()
    index = [s.name for s in STEPS].index(step)
    action = raw.get("action", "next")
    if action == "back" and index:
        return _private(RedirectResponse(f"/a/{token}/{STEPS[index - 1].name}", status_code=303))
    result = service.check_step(step, raw, _context(application))
    if action == "next" and result.ok:
        return _private(RedirectResponse(f"/a/{token}/{STEPS[index + 1].name}", status_code=303))
    return _step_page(
        request, application, token, step, raw, result.errors,
        status_code=400 if action == "next" else 200,
    )  # fmt: skip


@pages.get("/privacy")
def privacy_page(request: Request) -> Response:
    return render(request, "applicants/privacy.html", {"version": service.CONSENT_TEXT_VERSION})
