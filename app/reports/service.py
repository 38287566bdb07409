"""Final reports: submitted once, after the grant, with counted result indicators."""

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications import workflow
from app.applications.models import Application
from app.applications.service import lock
from app.applications.workflow import AS_APPLICANT
from app.audit.service import Actor
from app.core.forms import FieldError, FormResult, required, validate_form, whole_number
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.payments.service import GRANTED
from app.reports.models import FinalReport


def _full_time_equivalents(value: str) -> int:
    """ "1,5" → 150 hundredths: exact, never a float."""
    value = value.strip().replace(",", ".") or "0"
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldError(N_("Ange antal heltidstjänster, t.ex. 0,5.")) from None
    if (
        not number.is_finite()
        or number < 0
        or number > 1000
        or number != number.quantize(Decimal("0.01"))
    ):
        raise FieldError(N_("Ange antal heltidstjänster med högst två decimaler, t.ex. 0,5."))
    return int(number * 100)


VALIDATORS = {
    "summary": required(N_("Beskriv vad projektet har gjort."), max_length=10_000),
    "participants_women": whole_number(1_000_000),
    "participants_men": whole_number(1_000_000),
    "volunteer_hours": whole_number(1_000_000),
    "new_activities": whole_number(10_000),
    "jobs_created": _full_time_equivalents,
    "businesses_started": whole_number(10_000),
}


def report_for(session: Session, application: Application) -> FinalReport | None:
    return session.scalar(select(FinalReport).where(FinalReport.application_id == application.id))


def submit_report(
    session: Session, actor: Actor, application: Application, raw: dict[str, str]
) -> tuple[FinalReport | None, FormResult]:
    """Record the final report (once); the case moves on to the office's final review."""
    lock(session, application)
    result = validate_form(VALIDATORS, raw)
    if application.status not in GRANTED or report_for(session, application) is not None:
        result.errors["summary"] = _("Slutredovisningen kan inte lämnas för ansökan just nu.")
    if not result.ok:
        return None, result
    cleaned = result.cleaned
    report = FinalReport(
        area_id=application.area_id,
        application_id=application.id,
        summary=cleaned["summary"],
        participants_women=cleaned["participants_women"],
        participants_men=cleaned["participants_men"],
        volunteer_hours=cleaned["volunteer_hours"],
        new_activities=cleaned["new_activities"],
        jobs_created_hundredths=cleaned["jobs_created"],
        businesses_started=cleaned["businesses_started"],
    )
    session.add(report)
    session.flush()
    workflow.apply(
        session, actor, application, "final_report", AS_APPLICANT,
        summary="Slutredovisningen lämnades in",
    )  # fmt: skip
    return report, result
