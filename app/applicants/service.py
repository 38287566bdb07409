"""The applicant's journey for småstöd: magic links, drafts, the rules of each step, submission.

Everything here is plain functions over a session; the routes only translate HTTP. Drafts keep
exactly what was typed (also when invalid), the rules are checked per field as the applicant
goes and all together on submit, and submit is idempotent.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.applicants import messages
from app.applicants.models import ApplicantLink
from app.applicants.schemas import COST_ROWS, STEPS, STEPS_BY_NAME
from app.applications import workflow
from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CostLine,
    FinancingKind,
    FinancingLine,
    InformationRequest,
)
from app.applications.service import allocate_reference, change_status, lock
from app.applications.workflow import AS_APPLICANT, TransitionRefused
from app.areas.models import ProgrammePeriod
from app.attachments.service import path_of
from app.audit import service as audit
from app.audit.service import Actor
from app.config import Settings, get_settings
from app.core.forms import (
    FormResult,
    iso_date,
    optional,
    optional_text,
    required,
    validate_field,
    validate_form,
    whole_number,
)
from app.core.i18n import DEFAULT_LANGUAGE, FORMAT_LOCALES, N_
from app.core.i18n import gettext as _
from app.core.money import format_money, parse_kronor
from app.db import utcnow
from app.email.models import OutboxMessage
from app.email.service import enqueue
from app.organisations.models import LegalForm, Organisation
from app.organisations.service import validators_for as organisation_validators
from app.umbrellas.models import UmbrellaProject

APPLICANT = "Sökande"
# Audit summaries are Swedish records: amounts and dates in them are Swedish whatever the language.
_RECORD_LOCALE = FORMAT_LOCALES[DEFAULT_LANGUAGE]
CONSENT_TEXT_VERSION = "2026-11"


class Incomplete(Exception):
    """Submit refused: the steps that fail, each with its errors per field."""

    def __init__(self, failing: dict[str, FormResult]) -> None:
        super().__init__(", ".join(failing))
        self.failing = failing


class JourneyError(Exception):
    """The applicant cannot do this now (e.g. the call has closed); ``message`` is in the interface
    language and ``field``, when set, names the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def applicant_actor(application: Application) -> Actor:
    return Actor(label=APPLICANT, area_id=application.area_id)


# --- Magic links ---


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.signing_key(), salt="applicant-link")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_link(
    session: Session, settings: Settings, application: Application, now: datetime | None = None
) -> str:
    """A new link token for ``application``; earlier links keep working until they expire."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    link = ApplicantLink(
        application_id=application.id,
        token_hash=_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=settings.applicant_link_days),
    )
    session.add(link)
    session.flush()
    return _serializer(settings).dumps([link.id, secret])


def resolve_link(
    session: Session, settings: Settings, token: str, now: datetime | None = None
) -> Application | None:
    """The application behind a link, or None when the link is tampered, unknown, revoked or
    expired (all look the same to the visitor)."""
    try:
        link_id, secret = _serializer(settings).loads(token)
        link = session.get(ApplicantLink, int(link_id))
    except (BadSignature, ValueError, TypeError):
        return None
    now = now or utcnow()
    if (
        link is None
        or not secrets.compare_digest(link.token_hash, _hash(str(secret)))
        or link.revoked_at is not None
        or link.expires_at <= now
    ):
        return None
    link.last_used_at = now
    # Only småstöd have applicant pages; a Leader project is handled in Jordbruksverket's
    # e-service and paid by the authority.
    if link.application.kind is not ApplicationKind.SMALL_GRANT:
        return None
    return link.application


def revoke_links(session: Session, application: Application, now: datetime | None = None) -> None:
    """Stop every earlier link to the application (a new one is being sent)."""
    for link in session.scalars(
        select(ApplicantLink).where(
            ApplicantLink.application_id == application.id, ApplicantLink.revoked_at.is_(None)
        )
    ):
        link.revoked_at = now or utcnow()


# --- Drafts ---


def start_draft(session: Session, umbrella: UmbrellaProject, now: datetime) -> Application:
    """Open a new draft under a call; refused when the call is not open."""
    ensure_call_open(umbrella, now)
    application = Application(
        area_id=umbrella.area_id,
        kind=ApplicationKind.SMALL_GRANT,
        title="",
        action_area_id=umbrella.action_area_id,
        umbrella_project_id=umbrella.id,
        status=ApplicationStatus.DRAFT,
        draft_form={},
        created_at=now,
        status_changed_at=now,
    )
    session.add(application)
    session.flush()
    audit.record(
        session,
        applicant_actor(application),
        entity_type="application",
        entity_id=application.id,
        action="draft_started",
        summary=f"Ett utkast påbörjades under utlysningen {umbrella.name}",
    )
    return application


def ensure_call_open(umbrella: UmbrellaProject, now: datetime) -> None:
    if now < umbrella.call_opens_at:
        raise JourneyError(_("Utlysningen {name} har inte öppnat ännu.").format(name=umbrella.name))
    if now >= umbrella.call_closes_at:
        raise JourneyError(
            _(
                "Utlysningen {name} är stängd. Det går inte längre att skicka in ansökningar."
            ).format(name=umbrella.name)
        )


def ensure_draft(application: Application) -> None:
    if application.status is not ApplicationStatus.DRAFT:
        raise JourneyError(_("Ansökan är redan inskickad och kan inte ändras här."))


def save_step(application: Application, step: str, raw: dict[str, str]) -> None:
    """Keep what was typed for ``step``, valid or not (drafts are saved as the applicant goes)."""
    ensure_draft(application)
    names = {spec.name for spec in STEPS_BY_NAME[step].fields}
    # A new dict: SQLAlchemy only notices a JSON column change on assignment.
    application.draft_form = {
        **(application.draft_form or {}),
        step: {name: str(raw.get(name, "")) for name in names},
    }


def save_field(application: Application, step: str, name: str, value: str) -> None:
    """Keep one field as the applicant leaves it. Only that field: the per-field checks run in
    parallel with the page's own posts, and a late one must not overwrite newer values of the
    other fields with the older ones it carried along."""
    ensure_draft(application)
    if name not in {spec.name for spec in STEPS_BY_NAME[step].fields}:
        raise KeyError(name)
    values = {**draft_values(application, step), name: value}
    application.draft_form = {**(application.draft_form or {}), step: values}


def draft_values(application: Application, step: str) -> dict[str, str]:
    return dict((application.draft_form or {}).get(step, {}))


# --- Rules per step ---


@dataclass(frozen=True)
class Context:
    """What the rules need besides the typed values."""

    umbrella: UmbrellaProject
    period: ProgrammePeriod
    today: date


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


def _money(allow_zero: bool = True) -> Any:
    return lambda value: parse_kronor(value, allow_zero=allow_zero)


PROJECT_VALIDATORS = {
    "title": required(N_("Ange projektets namn."), max_length=200),
    "description": required(N_("Beskriv vad ni ska göra."), max_length=5000),
    "expected_results": required(N_("Beskriv vad som blir resultatet."), max_length=5000),
    "project_start": iso_date(N_("Ange när projektet startar.")),
    "project_end": iso_date(N_("Ange när projektet slutar.")),
}

BUDGET_VALIDATORS = {
    **{
        name: validator
        for row in range(1, COST_ROWS + 1)
        for name, validator in (
            (f"cost_{row}_description", optional_text(200)),
            (f"cost_{row}_amount", optional(_money())),
        )
    },
    "leader_support": _money(allow_zero=False),
    "public_cofinancing": optional(_money()),
    "private_money": optional(_money()),
    "volunteer_hours_adult": whole_number(100_000),
    "volunteer_hours_youth": whole_number(100_000),
    "volunteer_women": whole_number(10_000),
    "volunteer_men": whole_number(10_000),
}


def _validators(step: str, raw: dict[str, str]) -> dict[str, Any]:
    if step == "organisation":
        return organisation_validators(raw)
    return {"project": PROJECT_VALIDATORS, "budget": BUDGET_VALIDATORS}.get(step, {})


def field_error(step: str, raw: dict[str, str], name: str, context: Context) -> str | None:
    """The message for one field as the applicant leaves it: the field's own check, then the
    rules that involve it and the call (so e.g. an ineligible legal form shows at once)."""
    validators = _validators(step, raw)
    if name not in validators:
        return None
    error = validate_field(validators, name, str(raw.get(name, "") or ""))
    if error:
        return error
    return check_step(step, raw, context).errors.get(name)


@dataclass(frozen=True)
class BudgetTotals:
    cash_costs_ore: int
    leader_support_ore: int
    public_ore: int
    private_ore: int
    volunteer_ore: int

    @property
    def cash_financing_ore(self) -> int:
        return self.leader_support_ore + self.public_ore + self.private_ore

    @property
    def total_costs_ore(self) -> int:
        """Ideellt arbete is both a cost and its own financing."""
        return self.cash_costs_ore + self.volunteer_ore

    @property
    def total_financing_ore(self) -> int:
        return self.cash_financing_ore + self.volunteer_ore


def budget_totals(cleaned: dict[str, Any], period: ProgrammePeriod) -> BudgetTotals:
    return BudgetTotals(
        cash_costs_ore=sum(
            cleaned.get(f"cost_{row}_amount") or 0 for row in range(1, COST_ROWS + 1)
        ),
        leader_support_ore=cleaned.get("leader_support") or 0,
        public_ore=cleaned.get("public_cofinancing") or 0,
        private_ore=cleaned.get("private_money") or 0,
        volunteer_ore=(cleaned.get("volunteer_hours_adult") or 0) * period.volunteer_rate_adult_ore
        + (cleaned.get("volunteer_hours_youth") or 0) * period.volunteer_rate_youth_ore,
    )


def check_step(step: str, raw: dict[str, str], context: Context) -> FormResult:
    """Every rule of one step: each field, then the rules across fields and against the call."""
    result = validate_form(_validators(step, raw), raw)
    rules = {
        "organisation": _organisation_rules,
        "project": _project_rules,
        "budget": _budget_rules,
    }.get(step)
    if rules:
        rules(result, context)
    return result


def _organisation_rules(result: FormResult, context: Context) -> None:
    cleaned, errors, umbrella = result.cleaned, result.errors, context.umbrella
    form = cleaned.get("legal_form")
    if form is not None and form.value not in umbrella.eligible_legal_forms:
        allowed = ", ".join(LegalForm(f).label.lower() for f in umbrella.eligible_legal_forms)
        errors["legal_form"] = _(
            "{legal_form} kan inte söka småstöd ur {umbrella}. Det kan: {allowed}."
        ).format(legal_form=form.label, umbrella=umbrella.name, allowed=allowed)
    if "bankgiro" not in errors and "plusgiro" not in errors:
        if not cleaned.get("bankgiro") and not cleaned.get("plusgiro"):
            errors["bankgiro"] = _("Ange bankgiro eller plusgiro, så att stödet kan betalas ut.")
        elif cleaned.get("bankgiro") and cleaned.get("plusgiro"):
            errors["plusgiro"] = _("Ange antingen bankgiro eller plusgiro, inte båda.")


def _project_rules(result: FormResult, context: Context) -> None:
    cleaned, errors = result.cleaned, result.errors
    start, end = cleaned.get("project_start"), cleaned.get("project_end")
    if start is not None and start < context.today:
        errors["project_start"] = _(
            "Projektet kan inte starta före ansökningsdagen: kostnader räknas först från den dag "
            "ansökan kommer in."
        )
    if start is None or end is None:
        return
    months = context.umbrella.max_project_months
    if end < start:
        errors["project_end"] = _("Slutdatumet kan inte vara före startdatumet.")
    elif end > _add_months(start, months):
        errors["project_end"] = _("Projektet får pågå i högst {months} månader.").format(
            months=months
        )


def _budget_rules(result: FormResult, context: Context) -> None:
    cleaned, errors, umbrella = result.cleaned, result.errors, context.umbrella
    for row in range(1, COST_ROWS + 1):
        described, amount = (
            cleaned.get(f"cost_{row}_description"),
            cleaned.get(f"cost_{row}_amount"),
        )
        if amount and not described and f"cost_{row}_description" not in errors:
            errors[f"cost_{row}_description"] = _("Skriv vad kostnaden gäller.")
        if described and amount is None and f"cost_{row}_amount" not in errors:
            errors[f"cost_{row}_amount"] = _("Ange kostnadens belopp.")
    support = cleaned.get("leader_support")
    if support is not None and not umbrella.min_grant_ore <= support <= umbrella.max_grant_ore:
        errors["leader_support"] = _("Ni kan söka mellan {min} och {max} ur {umbrella}.").format(
            min=format_money(umbrella.min_grant_ore),
            max=format_money(umbrella.max_grant_ore),
            umbrella=umbrella.name,
        )
    if result.errors:
        return  # the sums below are only meaningful when every amount could be read
    totals = budget_totals(cleaned, context.period)
    required_volunteer = -(-totals.leader_support_ore * umbrella.volunteer_match_percent // 100)
    if totals.volunteer_ore < required_volunteer:
        errors["volunteer_hours_adult"] = _(
            "Det ideella arbetet är värt {value}. Det behöver vara värt minst {required} "
            "({percent} % av stödet)."
        ).format(
            value=format_money(totals.volunteer_ore),
            required=format_money(required_volunteer),
            percent=umbrella.volunteer_match_percent,
        )
    hours = (cleaned.get("volunteer_hours_adult") or 0) + (
        cleaned.get("volunteer_hours_youth") or 0
    )
    if hours and not (cleaned.get("volunteer_women") or cleaned.get("volunteer_men")):
        errors["volunteer_women"] = _("Ange hur många kvinnor och män som arbetar ideellt.")
    if totals.cash_costs_ore != totals.cash_financing_ore:
        difference = totals.cash_costs_ore - totals.cash_financing_ore
        if difference > 0:
            message = _(
                "Kostnaderna ({costs}) och finansieringen ({financing}) måste vara lika stora. "
                "Det saknas finansiering för {difference}."
            )
        else:
            message = _(
                "Kostnaderna ({costs}) och finansieringen ({financing}) måste vara lika stora. "
                "Finansieringen är {difference} för stor."
            )
        errors["totals"] = message.format(
            costs=format_money(totals.cash_costs_ore),
            financing=format_money(totals.cash_financing_ore),
            difference=format_money(abs(difference)),
        )


def missing_attachments(application: Application, umbrella: UmbrellaProject) -> list[str]:
    """The call's required attachments (by label) that the application does not have yet."""
    present = {attachment.label.casefold() for attachment in application.attachments}
    return [label for label in umbrella.required_attachments if label.casefold() not in present]


def check_all(application: Application, context: Context) -> dict[str, FormResult]:
    """Every step of the draft, as it would be judged on submit."""
    results = {
        step.name: check_step(step.name, draft_values(application, step.name), context)
        for step in STEPS
        if step.fields
    }
    attachments = FormResult(raw={})
    if missing := missing_attachments(application, context.umbrella):
        attachments.errors["attachments"] = _("Bifoga också: {attachments}.").format(
            attachments=", ".join(missing).lower()
        )
    results["attachments"] = attachments
    return results


def remove_attachment(
    session: Session, application: Application, attachment_id: int, storage_dir: Path
) -> Path:
    """Take back an attachment while the application is still a draft. Returns the stored file,
    which the caller deletes once the transaction has committed."""
    ensure_draft(application)
    attachment = next((a for a in application.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise JourneyError(_("Bilagan finns inte."))
    audit.record(
        session,
        applicant_actor(application),
        entity_type="attachment",
        entity_id=attachment.id,
        action="remove",
        summary=f"Bilagan {attachment.label} ({attachment.original_filename}) togs bort",
    )
    session.delete(attachment)
    session.flush()
    return path_of(attachment, storage_dir)


# --- Submission ---

_ORGANISATION_FIELDS = (
    "name", "legal_form", "street_address", "postal_code", "city", "contact_name",
    "contact_email", "contact_phone",
)  # fmt: skip
_FIELD_NAMES = {
    "name": "namn",
    "bankgiro": "bankgiro",
    "plusgiro": "plusgiro",
    "contact_email": "e-postadress",
}


def submit(
    session: Session,
    application: Application,
    context: Context,
    *,
    consent: bool,
    now: datetime,
) -> bool:
    """Turn a valid draft into a received application; True when this call did it.

    Raises ``Incomplete`` with the failing steps (nothing changes then). Idempotent: submitting
    an application that is already received changes nothing and returns False, so a double click
    or a retried request never creates a second application, number or receipt.
    """
    # Of two simultaneous submits, the second waits here and then sees the first one's result
    # (SQLite's transactions already hold its write lock).
    lock(session, application)
    if application.status is not ApplicationStatus.DRAFT:
        return False
    ensure_call_open(context.umbrella, now)
    results = check_all(application, context)
    failing = {name: result for name, result in results.items() if not result.ok}
    if not consent:
        failing.setdefault("review", FormResult(raw={}))
        failing["review"].errors["consent"] = _(
            "Ni behöver ta del av hur vi behandlar personuppgifter innan ansökan kan skickas."
        )
    if failing:
        raise Incomplete(failing)

    org = results["organisation"].cleaned
    project = results["project"].cleaned
    budget = results["budget"].cleaned
    application.organisation = _organisation(session, application, org)
    application.applicant_name = org["name"]
    application.bankgiro, application.plusgiro = org["bankgiro"], org["plusgiro"]
    application.contact_name = org["contact_name"]
    application.contact_email = org["contact_email"]
    application.contact_phone = org["contact_phone"] or ""
    application.title = project["title"]
    application.description = project["description"]
    application.expected_results = project["expected_results"]
    application.project_start = project["project_start"]
    application.project_end = project["project_end"]
    _write_budget(application, budget, context.period)
    application.requested_ore = budget["leader_support"]
    application.submitted_at = now
    application.consent_at = now
    application.consent_text_version = CONSENT_TEXT_VERSION
    application.draft_form = None
    # Everything else is written first: the gap-free number locks the area's counter row until
    # commit, and every other submission in the area waits for that lock.
    session.flush()
    # The registry year is the Swedish one (a New Year's Eve submission at 00:30 is next year's).
    year = now.astimezone(ZoneInfo(get_settings().timezone)).year
    application.reference = allocate_reference(
        session, application.area_id, ApplicationKind.SMALL_GRANT, year
    )
    workflow.apply(
        session, applicant_actor(application), application, "submit", AS_APPLICANT, now=now,
        summary=(
            f"Ansökan {application.reference} kom in: {application.title}, "
            f"{format_money(application.requested_ore, _RECORD_LOCALE)} söks"
        ),
    )  # fmt: skip
    return True


def _organisation(session: Session, application: Application, org: dict[str, Any]) -> Organisation:
    """The area's record for this organisationsnummer, created if it is new.

    An existing record is never changed from a public form: anyone can type any number, and the
    record holds the account that grants are paid to. When the application gives other details,
    the handler is told through the case's log.
    """
    organisation = _registered(session, application.area_id, org["org_number"])
    if organisation is None:
        organisation = Organisation(
            area_id=application.area_id,
            org_number=org["org_number"],
            **{field: org[field] or "" for field in _ORGANISATION_FIELDS},
            bankgiro=org["bankgiro"],
            plusgiro=org["plusgiro"],
        )
        try:
            # Two applications naming the same new organisation can be submitted at the same
            # moment; the later one then uses the record the first created, like any other.
            with session.begin_nested():
                session.add(organisation)
            return organisation
        except IntegrityError:
            organisation = _registered(session, application.area_id, org["org_number"])
            if organisation is None:
                raise
    differences = {
        field: [getattr(organisation, field), org[field]]
        for field in ("name", "bankgiro", "plusgiro", "contact_email")
        if (getattr(organisation, field) or None) != (org[field] or None)
    }
    if differences:
        audit.record(
            session,
            applicant_actor(application),
            entity_type="application",
            entity_id=application.id,
            action="organisation_differs",
            summary="Uppgifterna i ansökan skiljer sig från organisationsregistret: "
            + ", ".join(_FIELD_NAMES[field] for field in differences)
            + ". Kontrollera dem innan något betalas ut.",
            changes=differences,
        )
    return organisation


def _registered(session: Session, area_id: int, org_number: str) -> Organisation | None:
    return session.scalar(
        select(Organisation).where(
            Organisation.area_id == area_id, Organisation.org_number == org_number
        )
    )


def _write_budget(
    application: Application, budget: dict[str, Any], period: ProgrammePeriod
) -> None:
    costs = [
        CostLine(position=row, description=budget[f"cost_{row}_description"],
                 amount_ore=budget[f"cost_{row}_amount"])
        for row in range(1, COST_ROWS + 1)
        if budget[f"cost_{row}_amount"]
    ]  # fmt: skip
    financing = [
        FinancingLine(position=1, kind=FinancingKind.LEADER_SUPPORT, description="Småstöd",
                      amount_ore=budget["leader_support"]),
    ]  # fmt: skip
    for kind, key, text in (
        (FinancingKind.PUBLIC_COFINANCING, "public_cofinancing", "Offentlig medfinansiering"),
        (FinancingKind.PRIVATE_MONEY, "private_money", "Egna eller privata medel"),
    ):
        if budget[key]:
            financing.append(FinancingLine(position=len(financing) + 1, kind=kind,
                                           description=text, amount_ore=budget[key]))  # fmt: skip
    women, men = budget["volunteer_women"], budget["volunteer_men"]
    for key, rate, text in (
        (
            "volunteer_hours_adult",
            period.volunteer_rate_adult_ore,
            "Ideellt arbete, 16 år och äldre",
        ),
        ("volunteer_hours_youth", period.volunteer_rate_youth_ore, "Ideellt arbete, 13–15 år"),
    ):
        hours = budget[key]
        if not hours:
            continue
        costs.append(CostLine(position=len(costs) + 1, description=text, amount_ore=hours * rate))
        financing.append(
            FinancingLine(
                position=len(financing) + 1, kind=FinancingKind.VOLUNTEER_WORK, description=text,
                amount_ore=hours * rate, volunteer_hours=hours, volunteer_rate_ore=rate,
                volunteer_women=women, volunteer_men=men,
            )
        )  # fmt: skip
    application.cost_lines = costs
    application.financing_lines = financing


def withdraw(session: Session, application: Application, reason: str, now: datetime) -> None:
    """The applicant takes the application back (återtar); possible until it is decided."""
    try:
        workflow.apply(
            session, applicant_actor(application), application, "withdraw", AS_APPLICANT,
            summary="Sökanden återtog ansökan", reason=reason.strip() or None, now=now,
        )  # fmt: skip
    except TransitionRefused:
        raise JourneyError(
            _("Ansökan kan inte återtas nu: den är redan beslutad eller avslutad.")
        ) from None


# At most this many link e-mails per address and hour: the form must not become a way to
# flood someone's inbox.
LINK_MAILS_PER_HOUR = 3


def applications_for_email(session: Session, email: str) -> list[Application]:
    """Received applications whose contact address is ``email`` (case-insensitive)."""
    return list(
        session.scalars(
            select(Application).where(
                func.lower(Application.contact_email) == email.strip().lower(),
                Application.kind == ApplicationKind.SMALL_GRANT,
                Application.status != ApplicationStatus.DRAFT,
            )
        )
    )


def link_mails_recently(session: Session, email: str, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.kind == "magic_link",
                func.lower(OutboxMessage.to_address) == email.strip().lower(),
                OutboxMessage.created_at >= now - timedelta(hours=1),
            )
        )
        or 0
    )


# --- Komplettering ---


def request_information(
    session: Session,
    settings: Settings,
    actor: Actor,
    application: Application,
    *,
    roles: frozenset[str],
    message: str,
    deadline: date,
    today: date,
) -> InformationRequest:
    """The office asks the applicant for more information (begär komplettering); the applicant
    is e-mailed the question with a fresh link."""
    try:
        workflow.check(application, "request_information", roles)
    except TransitionRefused as exc:
        raise JourneyError(exc.message) from None
    checked = {"message": required(N_("Skriv vad sökanden ska komplettera med."), 5000)}
    if error := validate_field(checked, "message", message):
        raise JourneyError(error, "message")
    if deadline <= today:
        raise JourneyError(_("Sista svarsdag måste vara efter i dag."), "deadline")
    if deadline > today + timedelta(days=365):
        raise JourneyError(_("Sista svarsdag kan vara högst ett år fram."), "deadline")
    request = InformationRequest(
        area_id=application.area_id,
        application=application,
        message=message.strip(),
        deadline=deadline,
        requested_by_user_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    workflow.apply(
        session, actor, application, "request_information", roles,
        summary="Komplettering begärd, svar senast "
        + format_date(deadline, "d MMMM y", locale=_RECORD_LOCALE),
    )  # fmt: skip
    link = f"{settings.public_base_url}/a/{issue_link(session, settings, application)}"
    subject, body = messages.information_request(application, request, link)
    enqueue(
        session, to=application.contact_email, subject=subject, body=body,
        kind="information_request", area_id=application.area_id, application_id=application.id,
    )  # fmt: skip
    return request


def answer_information_request(
    session: Session,
    application: Application,
    request_id: int,
    *,
    answer: str,
    today: date,
    now: datetime,
) -> InformationRequest:
    """The applicant answers; the case goes back to the handler's queue."""
    request = next((r for r in application.information_requests if r.id == request_id), None)
    if application.status is not ApplicationStatus.AWAITING_INFORMATION:
        raise JourneyError(_("Ansökan väntar inte på komplettering."))
    if request is None or not request.is_open:
        raise JourneyError(_("Begäran om komplettering finns inte eller är redan besvarad."))
    if today > request.deadline:
        raise JourneyError(
            _(
                "Tiden för att svara har gått ut. Kontakta Leaderkontoret om ni fortfarande vill "
                "komplettera."
            )
        )
    if not answer.strip():
        raise JourneyError(_("Skriv ett svar."))
    request.answer_text = answer.strip()[:10_000]
    request.answered_at = now
    summary = "Sökanden svarade på begäran om komplettering"
    if any(r.is_open for r in application.information_requests):  # more questions to answer
        change_status(
            session, applicant_actor(application), application, application.status,
            action="information_answered", summary=summary, now=now,
        )  # fmt: skip
    else:
        workflow.apply(
            session, applicant_actor(application), application, "information_received",
            AS_APPLICANT, summary=summary, now=now,
        )  # fmt: skip
    return request
